/**
 * @homelab/network-policies: the in-cluster security layers derived from what components declare.
 * Two derivations, which @homelab/generator runs for every homelab: `networkPolicies` (Cilium
 * policies, default deny) and `tlsEverywhere` (a check: internal hosts only on HTTPS listeners
 * with a covering certificate).
 */
export {
  NAMESPACE_LABEL,
  SCRAPER_POLICY_SUFFIX,
  defaultDenyPolicy,
  networkPolicies,
  networkPolicySettings,
} from './policies.js';
export { networkFlows, peerKey, type Flow, type FlowEntity, type Peer, type PodsPeer } from './flows.js';
export { NETWORK_POLICY_DEFAULTS, type NetworkPolicyMode, type NetworkPolicySettings } from './defaults.js';
export { hostMatches, tlsEverywhere } from './tls.js';

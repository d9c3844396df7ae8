/**
 * CiliumNetworkPolicies rendered from the derived flows: per namespace a default deny for ingress,
 * per component one policy holding every flow it takes part in (ingress and egress: once a pod has
 * an egress rule, everything else it sends is dropped too), and one for its metrics scraper.
 * Identity-based throughout: peers are pods by labels, or Cilium entities; no IP appears.
 */
import { CiliumNetworkPolicy } from '@kubernetes-models/cilium/cilium.io/v2/CiliumNetworkPolicy';
import type { IEgressRule } from '@kubernetes-models/cilium/policy/api/EgressRule';
import type { IIngressRule } from '@kubernetes-models/cilium/policy/api/IngressRule';
import type { IPortRule } from '@kubernetes-models/cilium/policy/api/PortRule';
import { merge, podSelector, type Component, type LabelSelector, type Patch, type PortDeclaration } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { NETWORK_POLICY_DEFAULTS, type NetworkPolicyMode, type NetworkPolicySettings } from './defaults.js';
import { networkFlows, type Flow, type FlowEntity, type Peer, type PodsPeer } from './flows.js';

/** The label Cilium gives every endpoint with its namespace. */
export const NAMESPACE_LABEL = 'k8s:io.kubernetes.pod.namespace';

/** Suffix of the policy of a component's metrics scraper (`<component>-metrics-scraper`). */
export const SCRAPER_POLICY_SUFFIX = '-metrics-scraper';

/** Defaults with the caller's overrides merged on (merge() semantics). */
export function networkPolicySettings(overrides?: Patch<NetworkPolicySettings>): NetworkPolicySettings {
  return merge<NetworkPolicySettings>(NETWORK_POLICY_DEFAULTS, overrides);
}

/** A selector for pods in `namespace`, as a peer of a policy in any namespace. */
function inNamespace(selector: LabelSelector, namespace: string): LabelSelector {
  return {
    matchLabels: { ...selector.matchLabels, [NAMESPACE_LABEL]: namespace },
    ...(selector.matchExpressions?.length ? { matchExpressions: selector.matchExpressions.map((expression) => ({ ...expression, ...(expression.values ? { values: [...expression.values] } : {}) })) } : {}),
  };
}

function copySelector(selector: LabelSelector): LabelSelector {
  return {
    ...(selector.matchLabels ? { matchLabels: { ...selector.matchLabels } } : {}),
    ...(selector.matchExpressions?.length ? { matchExpressions: selector.matchExpressions.map((expression) => ({ ...expression, ...(expression.values ? { values: [...expression.values] } : {}) })) } : {}),
  };
}

function toPorts(ports: readonly PortDeclaration[] | undefined): IPortRule[] | undefined {
  if (!ports) return undefined;
  return [{ ports: ports.map((port) => ({ port: String(port.port), protocol: port.protocol ?? 'TCP' })) }];
}

function dnsPeer(settings: NetworkPolicySettings): LabelSelector {
  return { matchLabels: { ...Object.fromEntries(Object.entries(settings.dns.labels).map(([key, value]) => [`k8s:${key}`, value])), [NAMESPACE_LABEL]: settings.dns.namespace } };
}

const dnsPorts = (settings: NetworkPolicySettings): PortDeclaration[] => [
  { port: settings.dns.port, protocol: 'UDP' },
  { port: settings.dns.port, protocol: 'TCP' },
];

/** Rules grouped by kind of peer and ports: one rule lists every selector (or entity) sharing ports. */
class RuleSet {
  /** `seen` holds each selector's JSON: a peer already listed is found without comparing it to every other. */
  private readonly endpoints = new Map<string, { selectors: LabelSelector[]; seen: Set<string>; ports?: PortDeclaration[] }>();
  private readonly entities = new Map<string, { entities: FlowEntity[]; ports?: PortDeclaration[] }>();

  add(peer: Peer, ports: PortDeclaration[] | undefined, settings: NetworkPolicySettings): void {
    if (peer.kind === 'entity') {
      const key = JSON.stringify(ports ?? null);
      const rule = this.entities.get(key) ?? { entities: [], ...(ports ? { ports } : {}) };
      if (!rule.entities.includes(peer.entity)) rule.entities.push(peer.entity);
      this.entities.set(key, rule);
      return;
    }
    const selector = peer.kind === 'dns' ? dnsPeer(settings) : inNamespace(peer.selector, peer.namespace);
    const effectivePorts = peer.kind === 'dns' ? dnsPorts(settings) : ports;
    const key = JSON.stringify(effectivePorts ?? null);
    const rule = this.endpoints.get(key) ?? { selectors: [], seen: new Set<string>(), ...(effectivePorts ? { ports: effectivePorts } : {}) };
    const selectorKey = JSON.stringify(selector);
    if (!rule.seen.has(selectorKey)) {
      rule.seen.add(selectorKey);
      rule.selectors.push(selector);
    }
    this.endpoints.set(key, rule);
  }

  get empty(): boolean {
    return this.endpoints.size === 0 && this.entities.size === 0;
  }

  ingress(): IIngressRule[] {
    return [
      ...[...this.endpoints.values()].map((rule) => ({ fromEndpoints: rule.selectors, ...(rule.ports ? { toPorts: toPorts(rule.ports) } : {}) })),
      ...[...this.entities.values()].map((rule) => ({ fromEntities: rule.entities, ...(rule.ports ? { toPorts: toPorts(rule.ports) } : {}) })),
    ];
  }

  egress(): IEgressRule[] {
    return [
      ...[...this.endpoints.values()].map((rule) => ({ toEndpoints: rule.selectors, ...(rule.ports ? { toPorts: toPorts(rule.ports) } : {}) })),
      ...[...this.entities.values()].map((rule) => ({ toEntities: rule.entities, ...(rule.ports ? { toPorts: toPorts(rule.ports) } : {}) })),
    ];
  }
}

/** The flows each component's pods (or, with a role, that part of them) receive and send, in flow order. */
class FlowsByComponent {
  private readonly incoming = new Map<string, Flow[]>();
  private readonly outgoing = new Map<string, Flow[]>();

  constructor(flows: readonly Flow[]) {
    for (const flow of flows) {
      if (flow.to.kind === 'pods') FlowsByComponent.push(this.incoming, FlowsByComponent.key(flow.to.component, flow.to.role), flow);
      if (flow.from.kind === 'pods') FlowsByComponent.push(this.outgoing, FlowsByComponent.key(flow.from.component, flow.from.role), flow);
    }
  }

  into(component: string, role?: PodsPeer['role']): readonly Flow[] {
    return this.incoming.get(FlowsByComponent.key(component, role)) ?? [];
  }

  outOf(component: string, role?: PodsPeer['role']): readonly Flow[] {
    return this.outgoing.get(FlowsByComponent.key(component, role)) ?? [];
  }

  private static key(component: string, role: PodsPeer['role']): string {
    return role ? `${component}#${role}` : component;
  }

  private static push(index: Map<string, Flow[]>, key: string, flow: Flow): void {
    const list = index.get(key);
    if (list) list.push(flow);
    else index.set(key, [flow]);
  }
}

function policy(name: string, namespace: string, selector: LabelSelector, description: string, ingress: RuleSet, egress: RuleSet): CiliumNetworkPolicy {
  return new CiliumNetworkPolicy({
    metadata: { name, namespace },
    spec: {
      description,
      endpointSelector: copySelector(selector),
      ...(ingress.empty ? {} : { ingress: ingress.ingress() }),
      // Never empty: every pod may at least resolve names (a scraper reaches the cluster).
      egress: egress.egress(),
    },
  });
}

/**
 * The policy putting every pod of `namespace` into default deny for ingress (an empty rule selects
 * no peer); egress stays as each component's own policy has it.
 */
export function defaultDenyPolicy(namespace: string, settings: NetworkPolicySettings = NETWORK_POLICY_DEFAULTS): CiliumNetworkPolicy {
  return new CiliumNetworkPolicy({
    metadata: { name: settings.defaultDenyName, namespace },
    spec: {
      description: `Default deny: no pod of ${namespace} accepts a connection that no policy allows`,
      endpointSelector: {},
      enableDefaultDeny: { ingress: true, egress: false },
      ingress: [{}],
    },
  });
}

/** The policies of one component: its own, and its metrics scraper's when it has one. */
function componentPolicies(component: Component, selector: LabelSelector, flows: FlowsByComponent, settings: NetworkPolicySettings): CiliumNetworkPolicy[] {
  const ingress = new RuleSet();
  const egress = new RuleSet();
  for (const flow of flows.into(component.name)) ingress.add(flow.from, flow.ports, settings);
  for (const flow of flows.outOf(component.name)) egress.add(flow.to, flow.ports, settings);
  const policies = [policy(component.name, component.namespace, selector, `${component.name}: the flows it declares and the ones derived from its exposures`, ingress, egress)];
  const scraper = component.network?.metricsScraper;
  if (scraper) {
    const scraperEgress = new RuleSet();
    for (const flow of flows.outOf(component.name, 'metrics-scraper')) scraperEgress.add(flow.to, flow.ports, settings);
    policies.push(policy(`${component.name}${SCRAPER_POLICY_SUFFIX}`, component.namespace, scraper, `${component.name}: its metrics scraper reaches every component`, new RuleSet(), scraperEgress));
  }
  return policies;
}

/**
 * Cilium network policies for every component, keyed by the component that owns them (a Deriver:
 * the aggregator adds them to that component's objects). Components in `exemptNamespaces` or without
 * pods get none. Each namespace's default deny belongs to its earliest-syncing component (ties by
 * name), so it is in place before the others' pods start. `mode: 'off'` renders nothing; `audit`
 * renders the same as `enforce` (Cilium's audit mode is what differs: @homelab/cilium's module reads the same setting).
 *
 * @param _config unused today; there for the Deriver shape `(components, config)`.
 */
export function networkPolicies(components: readonly Component[], _config?: ResolvedConfig, overrides?: Patch<NetworkPolicySettings>): Record<string, CiliumNetworkPolicy[]> {
  const settings = networkPolicySettings(overrides);
  if (settings.mode === 'off') return {};
  const exempt = new Set(settings.exemptNamespaces);
  const flows = new FlowsByComponent(networkFlows(components));
  const result: Record<string, CiliumNetworkPolicy[]> = {};
  const owners = new Map<string, Component>();
  for (const component of components) {
    const selector = podSelector(component);
    if (!selector || exempt.has(component.namespace)) continue;
    result[component.name] = componentPolicies(component, selector, flows, settings);
    const owner = owners.get(component.namespace);
    const wave = (c: Component) => c.syncWave ?? 0;
    if (!owner || wave(component) < wave(owner) || (wave(component) === wave(owner) && component.name < owner.name)) owners.set(component.namespace, component);
  }
  for (const [namespace, owner] of [...owners].sort(([a], [b]) => (a < b ? -1 : 1))) result[owner.name]!.unshift(defaultDenyPolicy(namespace, settings));
  const seen = new Map<string, string>();
  for (const [owner, policies] of Object.entries(result)) {
    for (const rendered of policies) {
      const key = `${rendered.metadata.namespace}/${rendered.metadata.name}`;
      const other = seen.get(key);
      if (other !== undefined) {
        const culprit = [owner, other].find((name) => rendered.metadata.name === name || `${name}${SCRAPER_POLICY_SUFFIX}` === rendered.metadata.name || name === settings.defaultDenyName) ?? owner;
        throw new Error(`network-policies: two CiliumNetworkPolicies would be named ${key} (component '${culprit}'). Rename the component: its policy is named after it.`);
      }
      seen.set(key, owner);
    }
  }
  return result;
}

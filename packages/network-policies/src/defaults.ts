/** The settings of @homelab/network-policies and their defaults, in one place. */

/**
 * What happens to the derived policies (homelab.yaml `security.networkPolicies` once wired):
 * - `enforce`: rendered and enforced by Cilium.
 * - `audit`: rendered; Cilium runs in policy audit mode (@homelab/cilium's module reads the setting), so Hubble shows
 *   what would be dropped while nothing is: for finding a missing declaration.
 * - `off`: no policy at all, every flow open (debugging only).
 */
export type NetworkPolicyMode = 'enforce' | 'audit' | 'off';

export interface NetworkPolicySettings {
  /** @default 'enforce' */
  mode: NetworkPolicyMode;
  /**
   * Namespaces that get no policy: components there are neither restricted nor default-denied
   * (other components may still be allowed to reach them). kube-system holds the cluster's own
   * DNS, Cilium and the CSI driver, most of them on the host network, where policies do not apply.
   * @default ['kube-system']
   */
  exemptNamespaces: string[];
  /**
   * The cluster DNS every pod may query: its pods (labels as Cilium sees them) and port. Talos runs
   * CoreDNS in kube-system with the conventional `k8s-app: kube-dns` label.
   * @default kube-system, k8s-app=kube-dns, port 53 (UDP and TCP)
   */
  dns: { namespace: string; labels: Record<string, string>; port: number };
  /** Name of the policy that puts every pod of a namespace into default-deny for ingress. @default 'default-deny-ingress' */
  defaultDenyName: string;
}

export const NETWORK_POLICY_DEFAULTS = {
  mode: 'enforce',
  exemptNamespaces: ['kube-system'],
  dns: { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, port: 53 },
  defaultDenyName: 'default-deny-ingress',
} satisfies NetworkPolicySettings;

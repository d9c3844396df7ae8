/**
 * The Cilium package's settings and their defaults, in one place. Everything that depends on the
 * homelab (the LoadBalancer pool, operator replicas, which nodes announce, API client rate limits)
 * is derived from the config in cilium.ts, not set here.
 */

/**
 * Port of Talos KubePrism, the node-local load balancer for the Kubernetes API on every node.
 * Cilium replaces kube-proxy, so it cannot reach the API through the `kubernetes` Service and
 * talks to KubePrism instead. The Talos package enables KubePrism on this same port.
 * @see https://www.talos.dev/latest/kubernetes-guides/configuration/kubeprism/
 */
export const KUBEPRISM_PORT = 7445;

/** The GatewayClass the chart creates for Cilium's Gateway API controller (a fixed chart name). */
export const GATEWAY_CLASS_NAME = 'cilium';

/**
 * The namespace the chart creates and copies Gateway and Ingress TLS Secrets into (its default for
 * `tls.secretsNamespace.name` and `gatewayAPI.secretsNamespace.name`, which this package leaves alone).
 */
export const CILIUM_SECRETS_NAMESPACE = 'cilium-secrets';

export interface CiliumSettings {
  /**
   * Namespace Cilium runs in. Talos exempts kube-system from Pod Security admission.
   * @default 'kube-system'
   */
  namespace: string;
  /**
   * ArgoCD sync wave: the CNI comes before everything but the Gateway API CRDs (-15).
   * @default -10
   */
  syncWave: number;
  /** Where the agent and operator reach the Kubernetes API (they cannot use the Service: no kube-proxy). */
  apiServer: {
    /** @default 'localhost' (KubePrism listens on every node) */
    host: string;
    /** @default KUBEPRISM_PORT (7445) */
    port: number;
  };
  /**
   * cgroup v2 root Talos already mounts; the chart's auto-mount is turned off.
   * @default '/sys/fs/cgroup'
   * @see https://www.talos.dev/latest/kubernetes-guides/network/deploying-cilium/
   */
  cgroupHostRoot: string;
  /**
   * Container capabilities from the Talos Cilium guide: the chart's defaults without SYS_MODULE,
   * because Talos forbids loading kernel modules from workloads. Lists replace (merge() semantics).
   */
  capabilities: {
    /** @default CHOWN, KILL, NET_ADMIN, NET_RAW, IPC_LOCK, SYS_ADMIN, SYS_RESOURCE, DAC_OVERRIDE, FOWNER, SETGID, SETUID */
    ciliumAgent: string[];
    /** @default NET_ADMIN, SYS_ADMIN, SYS_RESOURCE */
    cleanCiliumState: string[];
  };
  /** L2 announcements: ARP replies for LoadBalancer IPs from the pool in network.ranges.loadBalancer. */
  l2: {
    /** Name of the CiliumLoadBalancerIPPool. @default 'load-balancer' */
    poolName: string;
    /** Name of the CiliumL2AnnouncementPolicy. @default 'load-balancer' */
    policyName: string;
    /**
     * Interfaces (Go regular expressions) announcements go out on, keyed by name so one can be
     * dropped with `null`. @default { eth: '^eth[0-9]+', en: '^en.*' } (classic and predictable names)
     */
    interfaces: Record<string, string>;
    /**
     * Also announce Services' spec.externalIPs. Off: externalIPs let any namespace claim an
     * address (CVE-2020-8554), and every address here comes from the pool. @default false
     */
    announceExternalIPs: boolean;
    /** Leader-election lease timings of each announced Service, in seconds. */
    lease: {
      /** A lease not renewed for this long moves to another node (the failover time). @default 15 */
      durationSeconds: number;
      /** The holder renews within this; sizes the API client rate limit. @default 5 */
      renewDeadlineSeconds: number;
      /** Pause between renewal attempts. @default 2 */
      retryPeriodSeconds: number;
    };
  };
  /**
   * The agent's Kubernetes API client rate limit is derived: `baseQps` for everything else plus
   * one lease renewal per announced Service per renew deadline (Cilium's sizing rule), counting
   * every address of the pool as a Service; burst is `burstFactor` times that.
   * @see https://docs.cilium.io/en/stable/network/l2-announcements/#sizing-client-rate-limit
   */
  k8sClientRateLimit: {
    /** The agent's own default (Kubernetes >= 1.27). @default 10 */
    baseQps: number;
    /** The chart's default burst/qps ratio. @default 2 */
    burstFactor: number;
  };
  /**
   * Hubble metrics, keyed by metric name: `true` enables it plain, a string passes options
   * (`name:options`), `null` in a patch drops it.
   * @see https://docs.cilium.io/en/stable/observability/metrics/#hubble-exported-metrics
   */
  hubbleMetrics: Record<string, string | true>;
  /**
   * Create prometheus-operator ServiceMonitors for agent, operator and Hubble (with
   * `trustCRDsExist`, so the chart renders before the CRDs exist). Off by default: Cilium syncs at
   * wave -10, long before the observability stack brings the monitoring.coreos.com CRDs, and
   * ServiceMonitors that cannot be applied keep Cilium's Application unhealthy, which blocks every
   * later wave, including the one that would install the CRDs. Metrics and their Services are on
   * either way. Turn this on once the CRDs come earlier than Cilium. @default false
   */
  serviceMonitors: boolean;
  /**
   * Policy audit mode (`policy-audit-mode`): network policies are evaluated and their verdicts
   * logged (Hubble shows AUDIT), but nothing is dropped. For finding a missing declaration without
   * an outage; the aggregator sets it from `security.networkPolicies: audit`.
   * @see https://docs.cilium.io/en/stable/security/policy-creation/
   * @default false
   */
  policyAuditMode: boolean;
}

export const CILIUM_DEFAULTS = {
  namespace: 'kube-system',
  syncWave: -10,
  apiServer: { host: 'localhost', port: KUBEPRISM_PORT },
  cgroupHostRoot: '/sys/fs/cgroup',
  capabilities: {
    ciliumAgent: ['CHOWN', 'KILL', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'SYS_ADMIN', 'SYS_RESOURCE', 'DAC_OVERRIDE', 'FOWNER', 'SETGID', 'SETUID'],
    cleanCiliumState: ['NET_ADMIN', 'SYS_ADMIN', 'SYS_RESOURCE'],
  },
  l2: {
    poolName: 'load-balancer',
    policyName: 'load-balancer',
    interfaces: { eth: '^eth[0-9]+', en: '^en.*' },
    announceExternalIPs: false,
    lease: { durationSeconds: 15, renewDeadlineSeconds: 5, retryPeriodSeconds: 2 },
  },
  k8sClientRateLimit: { baseQps: 10, burstFactor: 2 },
  hubbleMetrics: {
    'dns': 'query;ignoreAAAA',
    'drop': true,
    'tcp': true,
    'flow': true,
    'port-distribution': true,
    'icmp': true,
    'httpV2': 'exemplars=true;labelsContext=source_namespace,source_workload,destination_namespace,destination_workload,traffic_direction',
  },
  serviceMonitors: false,
  policyAuditMode: false,
} satisfies CiliumSettings;

/**
 * Cilium on Talos: CNI with kube-proxy replacement (through KubePrism), Gateway API, L2
 * announcements of a LoadBalancer pool taken from the IP plan, and Hubble. Pure functions of the
 * resolved config; each returns a named part so callers can patch it by name.
 */
import { merge, type Component, type Patch } from '@homelab/core';
import { parseIpv4, type ResolvedConfig } from '@homelab/config';
import { CiliumLoadBalancerIPPool } from '@kubernetes-models/cilium/cilium.io/v2/CiliumLoadBalancerIPPool';
import { CiliumL2AnnouncementPolicy } from '@kubernetes-models/cilium/cilium.io/v2alpha1/CiliumL2AnnouncementPolicy';
import { CILIUM_DEFAULTS, CILIUM_SECRETS_NAMESPACE, type CiliumSettings } from './defaults.js';
import { CILIUM_CHART } from './versions.js';

/** Component (and ArgoCD Application) name, and the key under `components:` in homelab.yaml. */
export const CILIUM_COMPONENT = 'cilium';
const SOURCE = '@homelab/cilium';

/** Label Kubernetes (and Talos) put on control-plane nodes. */
const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';

/**
 * Cilium's operator registers its CRDs at runtime (the chart ships none), so the pool and the
 * policy go one wave after the chart's resources within the Application, by which time the operator
 * is healthy and the CRDs exist; the dry run must not fail on a kind the cluster does not know yet.
 */
const AFTER_OPERATOR = {
  'argocd.argoproj.io/sync-wave': '1',
  'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true',
};

/** client-go's leader election jitter: renewDeadline must exceed retryPeriod times this. */
const LEADER_ELECTION_JITTER = 1.2;

/** The subset of the chart's values this package sets (checked against the real chart in tests). */
export type CiliumValues = {
  ipam: { mode: 'kubernetes' };
  kubeProxyReplacement: boolean;
  k8sServiceHost: string;
  k8sServicePort: number;
  k8sClientRateLimit: { qps: number; burst: number };
  cgroup: { autoMount: { enabled: boolean }; hostRoot: string };
  securityContext: { capabilities: { ciliumAgent: string[]; cleanCiliumState: string[] } };
  rollOutCiliumPods: boolean;
  operator: {
    replicas: number;
    rollOutPods: boolean;
    prometheus: { enabled: boolean; metricsService: boolean; serviceMonitor: { enabled: boolean } };
  };
  gatewayAPI: { enabled: boolean; gatewayClass: { create: 'true' | 'false' | 'auto' } };
  l2announcements: { enabled: boolean; leaseDuration: string; leaseRenewDeadline: string; leaseRetryPeriod: string };
  prometheus: { enabled: boolean; metricsService: boolean; serviceMonitor: { enabled: boolean; trustCRDsExist: boolean } };
  /** The standalone Envoy DaemonSet (the chart's default for new installs, which Gateway API needs) serves its own metrics. */
  envoy: { prometheus: { enabled: boolean; serviceMonitor: { enabled: boolean } } };
  /** Read by the chart's cilium-config template (`hasKey`), though values.yaml only has it commented out. */
  policyAuditMode: boolean;
  hubble: {
    enabled: boolean;
    metrics: { enabled: string[]; serviceMonitor: { enabled: boolean } };
    relay: { enabled: boolean; rollOutPods: boolean };
    ui: { enabled: boolean; rollOutPods: boolean };
    tls: { auto: { method: 'cronJob' } };
  };
};

/** The objects this package applies besides the chart, keyed by a stable name. */
export interface CiliumObjects {
  loadBalancerIPPool: CiliumLoadBalancerIPPool;
  l2AnnouncementPolicy: CiliumL2AnnouncementPolicy;
}

function fail(problem: string, path: string, value: unknown, fix: string): never {
  throw new Error(`${CILIUM_COMPONENT}: ${problem} (${path}: '${String(value)}'). ${fix}`);
}

/** The package defaults with `overrides` merged on (merge() semantics: null deletes, lists replace). */
export function ciliumSettings(overrides?: Patch<CiliumSettings>): CiliumSettings {
  const settings = merge<CiliumSettings>(CILIUM_DEFAULTS, overrides);
  checkSettings(settings);
  return settings;
}

function checkSettings(settings: CiliumSettings): void {
  const { durationSeconds, renewDeadlineSeconds, retryPeriodSeconds } = settings.l2.lease;
  for (const [key, value] of Object.entries(settings.l2.lease)) {
    if (!(value > 0)) fail('must be a positive number of seconds', `l2.lease.${key}`, value, 'Use a duration such as 5 (seconds) or 0.5.');
  }
  if (durationSeconds <= renewDeadlineSeconds) {
    fail(`must be longer than l2.lease.renewDeadlineSeconds (${renewDeadlineSeconds})`, 'l2.lease.durationSeconds', durationSeconds, 'Raise the lease duration or lower the renew deadline.');
  }
  if (renewDeadlineSeconds <= retryPeriodSeconds * LEADER_ELECTION_JITTER) {
    fail(
      `must be longer than ${LEADER_ELECTION_JITTER} × l2.lease.retryPeriodSeconds (${retryPeriodSeconds})`,
      'l2.lease.renewDeadlineSeconds',
      renewDeadlineSeconds,
      'Raise the renew deadline or lower the retry period.',
    );
  }
  for (const [name, pattern] of Object.entries(settings.l2.interfaces)) {
    try {
      new RegExp(pattern);
    } catch {
      fail('is not a valid regular expression', `l2.interfaces.${name}`, pattern, "Use a pattern such as '^eth[0-9]+'.");
    }
  }
  const { baseQps, burstFactor } = settings.k8sClientRateLimit;
  if (!Number.isInteger(baseQps) || baseQps < 1) fail('must be a positive integer', 'k8sClientRateLimit.baseQps', baseQps, 'Use the agent default, 10, or more.');
  if (!(burstFactor >= 1)) fail('must be at least 1', 'k8sClientRateLimit.burstFactor', burstFactor, 'Use 2, the chart default ratio.');
}

/** A duration in seconds as a Go duration string ('5s', '500ms'). */
function goDuration(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds}s` : `${Math.round(seconds * 1000)}ms`;
}

/**
 * Operator replicas: 2 for failover once there are two nodes to spread them over; 1 on a single
 * node, where a second replica could never schedule (the operator uses host networking and
 * anti-affinity against itself).
 */
export function operatorReplicas(config: ResolvedConfig): number {
  return config.nodes.length > 1 ? 2 : 1;
}

/** Number of addresses in network.ranges.loadBalancer, the most Services L2 can announce. */
export function loadBalancerPoolSize(config: ResolvedConfig): number {
  const { start, end } = config.network.ranges.loadBalancer;
  return parseIpv4(end) - parseIpv4(start) + 1;
}

/**
 * The agent's API client rate limit, sized for L2 lease renewals the way Cilium's docs size it:
 * QPS = #services / leaseRenewDeadline, on top of the agent's normal traffic.
 */
export function k8sClientRateLimit(config: ResolvedConfig, settings: CiliumSettings = CILIUM_DEFAULTS): { qps: number; burst: number } {
  const renewals = Math.ceil(loadBalancerPoolSize(config) / settings.l2.lease.renewDeadlineSeconds);
  const qps = settings.k8sClientRateLimit.baseQps + renewals;
  return { qps, burst: Math.ceil(qps * settings.k8sClientRateLimit.burstFactor) };
}

/** Hubble metric names with their options, as the chart's list wants them. */
export function hubbleMetrics(settings: CiliumSettings = CILIUM_DEFAULTS): string[] {
  return Object.entries(settings.hubbleMetrics).map(([name, options]) => (options === true ? name : `${name}:${options}`));
}

/**
 * Values the chart's templates read although its values.yaml has them only as comments (the L2
 * lease timings under `l2announcements`, `# policyAuditMode: false`): the cilium-config template
 * renders them when set.
 */
export const CILIUM_UNLISTED_VALUES = ['l2announcements.leaseDuration', 'l2announcements.leaseRenewDeadline', 'l2announcements.leaseRetryPeriod', 'policyAuditMode'] as const;

/** Helm values for the Cilium chart. */
export function ciliumValues(config: ResolvedConfig, settings: CiliumSettings = CILIUM_DEFAULTS): CiliumValues {
  const monitors = settings.serviceMonitors;
  const { lease } = settings.l2;
  return {
    ipam: { mode: 'kubernetes' },
    kubeProxyReplacement: true,
    k8sServiceHost: settings.apiServer.host,
    k8sServicePort: settings.apiServer.port,
    k8sClientRateLimit: k8sClientRateLimit(config, settings),
    cgroup: { autoMount: { enabled: false }, hostRoot: settings.cgroupHostRoot },
    securityContext: {
      capabilities: { ciliumAgent: [...settings.capabilities.ciliumAgent], cleanCiliumState: [...settings.capabilities.cleanCiliumState] },
    },
    // Config changes in git must reach running pods: restart them when cilium-config changes.
    rollOutCiliumPods: true,
    operator: {
      replicas: operatorReplicas(config),
      rollOutPods: true,
      prometheus: { enabled: true, metricsService: true, serviceMonitor: { enabled: monitors } },
    },
    // 'true', not the chart's 'auto': the Gateway API CRDs come in an earlier wave, and a missing
    // GatewayClass should fail the sync loudly rather than leave every Gateway unprogrammed.
    gatewayAPI: { enabled: true, gatewayClass: { create: 'true' } },
    l2announcements: {
      enabled: true,
      leaseDuration: goDuration(lease.durationSeconds),
      leaseRenewDeadline: goDuration(lease.renewDeadlineSeconds),
      leaseRetryPeriod: goDuration(lease.retryPeriodSeconds),
    },
    prometheus: { enabled: true, metricsService: true, serviceMonitor: { enabled: monitors, trustCRDsExist: monitors } },
    envoy: { prometheus: { enabled: true, serviceMonitor: { enabled: monitors } } },
    policyAuditMode: settings.policyAuditMode,
    hubble: {
      enabled: true,
      metrics: { enabled: hubbleMetrics(settings), serviceMonitor: { enabled: monitors } },
      relay: { enabled: true, rollOutPods: true },
      ui: { enabled: true, rollOutPods: true },
      // The chart's default ('helm') mints new certificates on every render, which ArgoCD sees as
      // drift; the certgen Job/CronJob creates them in the cluster instead.
      tls: { auto: { method: 'cronJob' } },
    },
  };
}

/**
 * Which nodes answer ARP for LoadBalancer IPs: workers when there are any; every node when
 * workloads run on the control planes (a single-node cluster has nothing else to announce from).
 */
export function l2NodeSelector(config: ResolvedConfig) {
  if (config.cluster.schedulesOnControlPlanes) return undefined;
  return { matchExpressions: [{ key: CONTROL_PLANE_LABEL, operator: 'DoesNotExist' as const }] };
}

/** The LoadBalancer IP pool (the IP plan's range) and the policy announcing it on the LAN. */
export function ciliumObjects(config: ResolvedConfig, settings: CiliumSettings = CILIUM_DEFAULTS): CiliumObjects {
  const { start, end } = config.network.ranges.loadBalancer;
  const interfaces = Object.values(settings.l2.interfaces);
  const nodeSelector = l2NodeSelector(config);
  return {
    loadBalancerIPPool: new CiliumLoadBalancerIPPool({
      metadata: { name: settings.l2.poolName, annotations: { ...AFTER_OPERATOR } },
      spec: { blocks: [{ start, stop: end }] },
    }),
    l2AnnouncementPolicy: new CiliumL2AnnouncementPolicy({
      metadata: { name: settings.l2.policyName, annotations: { ...AFTER_OPERATOR } },
      spec: {
        loadBalancerIPs: true,
        externalIPs: settings.l2.announceExternalIPs,
        // An empty list would announce on no interface; leaving it out means every interface.
        ...(interfaces.length > 0 ? { interfaces } : {}),
        ...(nodeSelector ? { nodeSelector } : {}),
      },
    }),
  };
}

/**
 * The Cilium component. `overrides` patch the package settings (merge() semantics); Helm values
 * from `components.cilium.values` in homelab.yaml are merged on by the aggregator.
 */
export function buildCilium(config: ResolvedConfig, overrides?: Patch<CiliumSettings>): Component {
  const settings = ciliumSettings(overrides);
  return {
    name: CILIUM_COMPONENT,
    group: 'core',
    namespace: settings.namespace,
    syncWave: settings.syncWave,
    source: SOURCE,
    description: 'Cilium CNI: kube-proxy replacement, Gateway API, L2 LoadBalancer IPs, Hubble',
    chart: { ...CILIUM_CHART, unlistedValues: CILIUM_UNLISTED_VALUES },
    values: ciliumValues(config, settings),
    // Host networking, hostPath mounts and added capabilities.
    podSecurity: 'privileged',
    // RBAC, the `cilium` GatewayClass, and the namespace the chart syncs Gateway TLS Secrets to
    // (`tls.secretsNamespace`, `gatewayAPI.secretsNamespace`: cilium-secrets).
    clusterResources: ['ClusterRole', 'ClusterRoleBinding', 'GatewayClass', 'Namespace'],
    extraNamespaces: [CILIUM_SECRETS_NAMESPACE],
    objects: { ...ciliumObjects(config, settings) },
  };
}

/**
 * Grafana Alloy as the log shipper: a DaemonSet whose pods each discover the pods of their own
 * node, read their logs through the Kubernetes API (loki.source.kubernetes: no host path, so Alloy
 * runs as its image's non-root user) and push them to Loki with namespace/pod/container/app/node
 * labels.
 */
import { merge, type Component, type Patch } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { LOKI_COMPONENT } from '@homelab/loki';
import { ALLOY_COMPONENT, ALLOY_DEFAULTS, ALLOY_IMAGE_USER, ALLOY_NAMESPACE } from './defaults.js';
import { ALLOY_CHART } from './versions.js';

const SOURCE = '@homelab/alloy';

/** What a caller may change; every field has its default in `ALLOY_DEFAULTS`. */
export interface AlloySettings {
  /**
   * ArgoCD sync wave: one after Loki's, so the first pushes find Loki running (Alloy retries
   * anyway; the order only spares a burst of errors on first install).
   * @default LOKI_DEFAULTS.syncWave + 1 (1)
   */
  syncWave: number;
  /**
   * Loki push API the logs go to.
   * @default LOKI_URLS.push from @homelab/loki (http://loki.observability.svc:3100/loki/api/v1/push)
   */
  lokiPushUrl: string;
  /**
   * Let the chart create a prometheus-operator ServiceMonitor for Alloy's own metrics. Needs the
   * monitoring.coreos.com CRDs (kube-prometheus-stack enabled); the aggregator turns it on from that.
   * @default false
   */
  serviceMonitor: boolean;
  /**
   * Send Grafana Labs anonymous usage statistics (`alloy.enableReporting`). Off: a homelab has no
   * reason to phone home.
   * @default false
   */
  reporting: boolean;
}

/** One relabel rule: copy the first non-empty source label into `target`. */
export interface LabelRule {
  target: string;
  source: string;
}

/**
 * Labels every log stream gets, applied in order (a later rule overwrites an earlier one only when
 * its source is non-empty): `app` prefers `app.kubernetes.io/name` over the older `app` label.
 */
export const STREAM_LABELS: readonly LabelRule[] = [
  { target: 'namespace', source: '__meta_kubernetes_namespace' },
  { target: 'pod', source: '__meta_kubernetes_pod_name' },
  { target: 'container', source: '__meta_kubernetes_pod_container_name' },
  { target: 'node', source: '__meta_kubernetes_pod_node_name' },
  { target: 'app', source: '__meta_kubernetes_pod_label_app' },
  { target: 'app', source: '__meta_kubernetes_pod_label_app_kubernetes_io_name' },
];

/** The Alloy configuration as named blocks (Alloy syntax), in pipeline order. */
export interface AlloyConfigBlocks {
  discovery: string;
  relabel: string;
  source: string;
  write: string;
}

/** The Helm values this package sets (a subset of the chart's values.yaml, checked by tests). */
export type AlloyValues = {
  crds: { create: false };
  controller: {
    type: 'daemonset';
    tolerations: { operator: 'Exists'; effect: 'NoSchedule' }[];
  };
  alloy: {
    configMap: { create: true; content: string };
    mounts: { varlog: false; dockercontainers: false };
    enableReporting: boolean;
    securityContext: {
      runAsUser: number;
      runAsGroup: number;
      runAsNonRoot: true;
      allowPrivilegeEscalation: false;
      capabilities: { drop: ['ALL'] };
    };
  };
  serviceMonitor: { enabled: boolean };
};

/** An Alloy string literal (its escapes are Go's, which JSON's are a subset of). */
const str = (value: string) => JSON.stringify(value);

/** The pipeline: discover this node's pods → label them → tail their logs → push to Loki. */
export function alloyConfigBlocks(config: ResolvedConfig, settings: AlloySettings): AlloyConfigBlocks {
  const rules = STREAM_LABELS.map(
    (rule) => `  rule {\n    source_labels = [${str(rule.source)}]\n    regex         = "(.+)"\n    target_label  = ${str(rule.target)}\n  }`,
  ).join('\n\n');
  return {
    discovery: [
      'discovery.kubernetes "pods" {',
      '  role = "pod"',
      '',
      "  // Only this node's pods: each DaemonSet pod tails its own node. The chart sets HOSTNAME to spec.nodeName.",
      '  selectors {',
      '    role  = "pod"',
      '    field = "spec.nodeName=" + coalesce(sys.env("HOSTNAME"), constants.hostname)',
      '  }',
      '}',
    ].join('\n'),
    relabel: ['discovery.relabel "pods" {', '  targets = discovery.kubernetes.pods.targets', '', rules, '}'].join('\n'),
    source: [
      '// Reads logs through the API server (pods/log): no host path, no root, any container runtime.',
      'loki.source.kubernetes "pods" {',
      '  targets    = discovery.relabel.pods.output',
      '  forward_to = [loki.write.default.receiver]',
      '}',
    ].join('\n'),
    write: [
      'loki.write "default" {',
      '  endpoint {',
      `    url = ${str(settings.lokiPushUrl)}`,
      '  }',
      '',
      '  external_labels = {',
      `    cluster = ${str(config.cluster.name)},`,
      '  }',
      '}',
    ].join('\n'),
  };
}

/** The whole configuration file: the blocks in pipeline order. */
export function alloyConfig(blocks: AlloyConfigBlocks): string {
  const header = `// Generated by ${SOURCE}: pod logs of this node, read through the Kubernetes API, shipped to Loki.`;
  return `${[header, blocks.discovery, blocks.relabel, blocks.source, blocks.write].join('\n\n')}\n`;
}

function fail(problem: string, path: string, value: unknown, fix: string): never {
  throw new Error(`${ALLOY_COMPONENT}: ${problem} (${path}: '${String(value)}'). ${fix}`);
}

/** Settings with the caller's overrides merged onto the defaults, checked. */
export function alloySettings(overrides?: Patch<AlloySettings>): AlloySettings {
  const settings = merge<AlloySettings>(ALLOY_DEFAULTS, overrides);
  let url: URL | undefined;
  try {
    url = new URL(settings.lokiPushUrl);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    fail('the Loki push URL is not an http(s) URL', 'lokiPushUrl', settings.lokiPushUrl, 'Use the push API URL, e.g. http://loki.observability.svc:3100/loki/api/v1/push.');
  }
  return settings;
}

/** Helm values for the alloy chart. */
export function alloyValues(config: ResolvedConfig, settings: AlloySettings): AlloyValues {
  return {
    // The PodLogs CRD serves loki.source.podlogs, which this pipeline does not use.
    crds: { create: false },
    controller: {
      type: 'daemonset',
      // Control planes that keep their NoSchedule taint run pods too (static pods, etcd neighbours).
      tolerations: [{ operator: 'Exists', effect: 'NoSchedule' }],
    },
    alloy: {
      configMap: { create: true, content: alloyConfig(alloyConfigBlocks(config, settings)) },
      // Logs come through the API, not from the node's disk.
      mounts: { varlog: false, dockercontainers: false },
      enableReporting: settings.reporting,
      // The image runs Alloy as root by default, for eBPF components this pipeline does not use.
      securityContext: {
        runAsUser: ALLOY_IMAGE_USER,
        runAsGroup: ALLOY_IMAGE_USER,
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      },
    },
    serviceMonitor: { enabled: settings.serviceMonitor },
  };
}

/** The Alloy component, with `overrides` merged onto `ALLOY_DEFAULTS` (merge() semantics). */
export function buildAlloy(config: ResolvedConfig, overrides?: Patch<AlloySettings>): Component {
  const settings = alloySettings(overrides);
  return {
    name: ALLOY_COMPONENT,
    group: 'observability',
    namespace: ALLOY_NAMESPACE,
    syncWave: settings.syncWave,
    source: SOURCE,
    description: "Grafana Alloy DaemonSet shipping every pod's logs to Loki",
    chart: { ...ALLOY_CHART },
    values: alloyValues(config, settings),
    // No host network, PID namespace or host path: the baseline level is enough.
    podSecurity: 'baseline',
    // Discovers pods and reads their logs through the API; pushes them to Loki.
    network: { kubeApi: { client: true }, connectsTo: [LOKI_COMPONENT] },
    // The chart's RBAC (its PodLogs CRD is off, see alloyValues).
    clusterResources: ['ClusterRole', 'ClusterRoleBinding'],
  };
}

/**
 * What the aggregator builds for `components.alloy`. Alloy only ships to Loki, so with Loki
 * disabled in homelab.yaml it fails with the fix rather than deploy a shipper with nowhere to ship.
 */
export function buildAlloyFromConfig(config: ResolvedConfig, overrides?: Patch<AlloySettings>): Component {
  if (config.components[LOKI_COMPONENT]?.enabled === false) {
    fail(
      'ships logs to Loki, which is disabled',
      `components.${LOKI_COMPONENT}.enabled`,
      false,
      `Disable Alloy as well (components.${ALLOY_COMPONENT}.enabled: false), or enable Loki.`,
    );
  }
  return buildAlloy(config, overrides);
}

/**
 * kube-prometheus-stack on Talos: Prometheus and Alertmanager on node-local volumes when the
 * homelab has them (Prometheus documents NFS as unsupported), else on the config NFS export; selecting
 * monitors and rules from every namespace; etcd, controller-manager and scheduler scraped on the
 * control-plane addresses Talos binds them to; no kube-proxy (Cilium replaces it); Grafana from
 * grafana.ts. The CRDs come earlier from their own release (crds.ts).
 */
import { INSTANCE_LABEL, merge, type BuildContext, type Component, type NetworkDeclaration, type Patch, type PodSecurityLevel } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { LOKI_COMPONENT } from '@homelab/loki';
import { volumeStorageClass } from '@homelab/local-path';
import { STORAGE_CLASSES } from '@homelab/nfs-csi';
import { CONTROLLER_MANAGER_METRICS_PORT, ETCD_METRICS_PORT, SCHEDULER_METRICS_PORT } from '@homelab/talos';
import { prometheusCrdsComponent } from './crds.js';
import { COMPONENT_NAMES, KUBE_PROMETHEUS_STACK_DEFAULTS, KUBE_PROMETHEUS_STACK_NAMESPACE, PROMETHEUS_CRDS_SYNC_WAVE } from './defaults.js';
import {
  checkGrafanaSettings,
  grafanaExposure,
  grafanaSecrets,
  grafanaValues,
  nfsPodSecurityContext,
  type GrafanaSecurityContext,
  type GrafanaSettings,
  type GrafanaValues,
} from './grafana.js';
import { KUBE_PROMETHEUS_STACK_CHART } from './versions.js';

const SOURCE = '@homelab/kube-prometheus-stack';

/** What a caller may change; every field has its default in `KUBE_PROMETHEUS_STACK_DEFAULTS`. */
export interface KubePrometheusStackSettings {
  /**
   * ArgoCD sync wave of the stack. After storage (nfs-csi, -5) for its volume claims; its CRDs are
   * not waiting for it (PROMETHEUS_CRDS_SYNC_WAVE).
   * @default 0
   */
  syncWave: number;
  /**
   * Provision a Grafana datasource for the Loki of @homelab/loki. The module turns it off when
   * `components.loki.enabled` is false, so Grafana never points at a Loki that is not deployed.
   * @default true
   */
  lokiDatasource: boolean;
  /**
   * Run node exporter (host network, host PID and the host root file system: the namespace then
   * needs the 'privileged' Pod Security level, which the component asks for).
   * @default true
   */
  nodeExporter: boolean;
  /**
   * Scrape etcd, kube-controller-manager and kube-scheduler on the control-plane IPs (Talos binds
   * their metrics off loopback: see @homelab/talos). Off: their scrapes and their alert and
   * recording rules are all disabled, so nothing fires for targets that were never there.
   * @default true
   */
  controlPlaneMetrics: boolean;
  prometheus: {
    /** How long samples are kept (a Prometheus duration). @default '15d' */
    retention: string;
    /** Size of Prometheus' volume claim. @default '20Gi' */
    storageSize: string;
    /**
     * StorageClass of Prometheus' volume claim. Prometheus documents NFS as unsupported (its TSDB
     * needs a POSIX filesystem): the module sets the node-local class when one is deployed, or
     * what `storage.volumes.prometheus` chooses.
     * @default 'nfs-config' (STORAGE_CLASSES.config of @homelab/nfs-csi)
     * @see https://prometheus.io/docs/prometheus/latest/storage/#operational-aspects
     */
    storageClass: string;
    /**
     * Share of `storageSize` Prometheus may fill before it deletes the oldest blocks
     * (`retentionSize`): NFS does not enforce the claim's size, so this is the real bound.
     * @default 0.9
     */
    diskUsageRatio: number;
  };
  alertmanager: {
    /** How long silences and notification state are kept (a Go duration: h, m, s). @default '120h' */
    retention: string;
    /** Size of Alertmanager's volume claim. @default '1Gi' */
    storageSize: string;
    /**
     * StorageClass of Alertmanager's volume claim: like Prometheus, node-local when one is
     * deployed (or what `storage.volumes.alertmanager` chooses).
     * @default 'nfs-config' (STORAGE_CLASSES.config of @homelab/nfs-csi)
     */
    storageClass: string;
  };
  grafana: GrafanaSettings;
}

/** A control-plane component scraped on the control-plane IPs, or not at all. */
export type ControlPlaneScrape =
  | { enabled: false }
  | {
      enabled: true;
      endpoints: string[];
      service: { port: number; targetPort: number };
      serviceMonitor?: { https: true; insecureSkipVerify: true };
    };

/**
 * A volume claim template: a prometheus-operator StorageSpec (tests validate it against the
 * Prometheus and Alertmanager CRD schemas).
 */
export type StorageSpec = {
  volumeClaimTemplate: { spec: { storageClassName: string; accessModes: ['ReadWriteOnce']; resources: { requests: { storage: string } } } };
};

/** The Helm values this package sets (a subset of the chart's values.yaml, checked by tests). */
export type KubePrometheusStackValues = {
  crds: { enabled: false };
  defaultRules: { rules: Record<string, boolean> };
  kubeProxy: { enabled: false };
  kubeEtcd: ControlPlaneScrape;
  kubeControllerManager: ControlPlaneScrape;
  kubeScheduler: ControlPlaneScrape;
  nodeExporter: { enabled: boolean };
  'prometheus-node-exporter': {
    hostNetwork: boolean;
    hostPID: boolean;
    hostRootFsMount: { enabled: boolean; mountPropagation: 'HostToContainer' };
  };
  prometheus: {
    prometheusSpec: {
      ruleSelectorNilUsesHelmValues: false;
      serviceMonitorSelectorNilUsesHelmValues: false;
      podMonitorSelectorNilUsesHelmValues: false;
      probeSelectorNilUsesHelmValues: false;
      scrapeConfigSelectorNilUsesHelmValues: false;
      retention: string;
      retentionSize: string;
      storageSpec: StorageSpec;
      securityContext: GrafanaSecurityContext;
    };
  };
  alertmanager: {
    alertmanagerSpec: { retention: string; storage: StorageSpec; securityContext: GrafanaSecurityContext };
  };
  grafana: GrafanaValues;
};

const PROMETHEUS_DURATION = /^(0|(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?)$/;
const GO_DURATION = /^(0|(\d+h)?(\d+m)?(\d+s)?(\d+ms)?)$/;
const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/;
const QUANTITY_BYTES: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

function fail(problem: string, path: string, value: unknown, fix: string): never {
  throw new Error(`${COMPONENT_NAMES.stack}: ${problem} (${path}: '${String(value)}'). ${fix}`);
}

/** Bytes in a Kubernetes quantity such as `20Gi`; undefined when it is not one. */
export function quantityBytes(quantity: string): number | undefined {
  const match = QUANTITY.exec(quantity);
  return match ? Number(match[1]) * QUANTITY_BYTES[match[2] ?? '']! : undefined;
}

/**
 * Prometheus `retentionSize` for a volume: `ratio` of it, rounded down to whole MiB and written in
 * GiB when exact (`20Gi`, 0.9 → `18GiB`).
 */
export function retentionSizeFor(storageSize: string, ratio: number): string {
  const bytes = quantityBytes(storageSize);
  if (bytes === undefined) fail('storage size is not a Kubernetes quantity', 'prometheus.storageSize', storageSize, 'Use a size such as 20Gi.');
  const mebibytes = Math.floor((bytes * ratio) / 2 ** 20);
  return mebibytes % 1024 === 0 ? `${mebibytes / 1024}GiB` : `${mebibytes}MiB`;
}

/** Rejects settings the operator or Prometheus would only reject later. */
export function checkSettings(settings: KubePrometheusStackSettings): void {
  if (!PROMETHEUS_DURATION.test(settings.prometheus.retention) || settings.prometheus.retention === '0') {
    fail('retention is not a Prometheus duration', 'prometheus.retention', settings.prometheus.retention, 'Use a duration such as 15d or 4w.');
  }
  if (!(settings.prometheus.diskUsageRatio > 0 && settings.prometheus.diskUsageRatio <= 1)) {
    fail('the disk usage ratio must be above 0 and at most 1', 'prometheus.diskUsageRatio', settings.prometheus.diskUsageRatio, 'Use e.g. 0.9 to keep a tenth of the volume free.');
  }
  if (!GO_DURATION.test(settings.alertmanager.retention) || settings.alertmanager.retention === '0') {
    fail('retention is not a Go duration', 'alertmanager.retention', settings.alertmanager.retention, 'Use hours, e.g. 120h (Alertmanager does not accept days).');
  }
  for (const [path, size] of [
    ['prometheus.storageSize', settings.prometheus.storageSize],
    ['alertmanager.storageSize', settings.alertmanager.storageSize],
    ['grafana.storageSize', settings.grafana.storageSize],
  ] as const) {
    if (quantityBytes(size) === undefined) fail('storage size is not a Kubernetes quantity', path, size, 'Use a size such as 20Gi.');
  }
  checkGrafanaSettings(settings.grafana);
}

/** Settings with the caller's overrides merged onto the defaults, checked. */
export function kubePrometheusStackSettings(overrides?: Patch<KubePrometheusStackSettings>): KubePrometheusStackSettings {
  const settings = merge<KubePrometheusStackSettings>(KUBE_PROMETHEUS_STACK_DEFAULTS, overrides);
  checkSettings(settings);
  return settings;
}

function claimTemplate({ storageClass, storageSize: size }: { storageClass: string; storageSize: string }): StorageSpec {
  return {
    volumeClaimTemplate: { spec: { storageClassName: storageClass, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } } },
  };
}

/**
 * Scrape of a control-plane component on every control-plane IP. `https`: the controller manager
 * and the scheduler serve metrics only on their secure port, with self-signed certificates.
 */
function controlPlaneScrape(config: ResolvedConfig, enabled: boolean, port: number, https: boolean): ControlPlaneScrape {
  if (!enabled) return { enabled: false };
  return {
    enabled: true,
    endpoints: config.controlPlanes.map((node) => node.ip),
    service: { port, targetPort: port },
    ...(https ? { serviceMonitor: { https: true, insecureSkipVerify: true } } : {}),
  };
}

/** Helm values for the kube-prometheus-stack chart (the stack release; CRDs come from crds.ts). */
export function kubePrometheusStackValues(config: ResolvedConfig, settings: KubePrometheusStackSettings): KubePrometheusStackValues {
  const controlPlane = settings.controlPlaneMetrics;
  const securityContext = nfsPodSecurityContext(config);
  return {
    // Installed earlier by the prometheus-operator-crds release; one owner per CRD.
    crds: { enabled: false },
    defaultRules: {
      rules: {
        // Cilium replaces kube-proxy: no target, so no alerts or recordings for it.
        kubeProxy: false,
        etcd: controlPlane,
        kubeControllerManager: controlPlane,
        kubeSchedulerAlerting: controlPlane,
        kubeSchedulerRecording: controlPlane,
      },
    },
    kubeProxy: { enabled: false },
    kubeEtcd: controlPlaneScrape(config, controlPlane, ETCD_METRICS_PORT, false),
    kubeControllerManager: controlPlaneScrape(config, controlPlane, CONTROLLER_MANAGER_METRICS_PORT, true),
    kubeScheduler: controlPlaneScrape(config, controlPlane, SCHEDULER_METRICS_PORT, true),
    nodeExporter: { enabled: settings.nodeExporter },
    // The subchart's own defaults, stated so the Pod Security level can be derived from them.
    'prometheus-node-exporter': {
      hostNetwork: true,
      hostPID: true,
      hostRootFsMount: { enabled: true, mountPropagation: 'HostToContainer' },
    },
    prometheus: {
      prometheusSpec: {
        // Select every ServiceMonitor, PodMonitor, Probe, ScrapeConfig and PrometheusRule in every
        // namespace, not only those labelled with this release.
        ruleSelectorNilUsesHelmValues: false,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
        retention: settings.prometheus.retention,
        retentionSize: retentionSizeFor(settings.prometheus.storageSize, settings.prometheus.diskUsageRatio),
        storageSpec: claimTemplate(settings.prometheus),
        securityContext,
      },
    },
    alertmanager: {
      alertmanagerSpec: { retention: settings.alertmanager.retention, storage: claimTemplate(settings.alertmanager), securityContext },
    },
    grafana: grafanaValues(config, settings.grafana, { lokiDatasource: settings.lokiDatasource }),
  };
}

/**
 * The Pod Security level the values need: 'privileged' when node exporter runs with host network,
 * host PID or the host root file system, else 'baseline'.
 */
export function podSecurityFor(values: KubePrometheusStackValues): PodSecurityLevel {
  const exporter = values['prometheus-node-exporter'];
  const hostAccess = exporter.hostNetwork || exporter.hostPID || exporter.hostRootFsMount.enabled;
  return values.nodeExporter.enabled && hostAccess ? 'privileged' : 'baseline';
}

/**
 * Names of the Prometheus and Alertmanager objects, and so of their pods' `app.kubernetes.io/instance`
 * label (set by the operator, not the chart): `<fullname>-prometheus`, `<fullname>-alertmanager`,
 * where the chart's fullname is the release name (it contains the chart name) cut to 26 characters.
 */
export function operatorInstances(release: string = COMPONENT_NAMES.stack): { prometheus: string; alertmanager: string } {
  const fullname = (release.includes(KUBE_PROMETHEUS_STACK_CHART.name) ? release : `${release}-${KUBE_PROMETHEUS_STACK_CHART.name}`).slice(0, 26).replace(/-+$/, '');
  return { prometheus: `${fullname}-prometheus`, alertmanager: `${fullname}-alertmanager` };
}

/**
 * Who the stack talks to. Its pods: the release's (operator, Grafana, kube-state-metrics, node
 * exporter) and the operator's Prometheus and Alertmanager. The operator and Grafana's sidecars
 * watch the API, Prometheus discovers targets through it, and the operator serves its admission
 * webhook; Grafana downloads dashboards from grafana.com and queries Loki; Alertmanager notifies
 * over the internet. Prometheus scrapes everything.
 */
export function stackNetwork(settings: KubePrometheusStackSettings): NetworkDeclaration {
  const release = COMPONENT_NAMES.stack;
  const instances = operatorInstances(release);
  return {
    pods: { matchExpressions: [{ key: INSTANCE_LABEL, operator: 'In', values: [release, instances.prometheus, instances.alertmanager] }] },
    kubeApi: { client: true, webhook: true },
    internetEgress: true,
    connectsTo: settings.lokiDatasource ? [LOKI_COMPONENT] : [],
    metricsScraper: { matchLabels: { 'app.kubernetes.io/name': 'prometheus', [INSTANCE_LABEL]: instances.prometheus } },
  };
}

/**
 * Values the chart reads although its values.yaml does not list them: it copies these
 * securityContext maps verbatim into the Prometheus and Alertmanager CRs (a core
 * PodSecurityContext); its defaults just do not list fsGroupChangePolicy, which spares a recursive
 * chown of the TSDB on NFS at every start.
 */
export const KUBE_PROMETHEUS_STACK_UNLISTED_VALUES = ['prometheus.prometheusSpec.securityContext.fsGroupChangePolicy', 'alertmanager.alertmanagerSpec.securityContext.fsGroupChangePolicy'] as const;

/** The stack component alone (Prometheus, Alertmanager, Grafana, exporters). */
export function kubePrometheusStackComponent(config: ResolvedConfig, settings: KubePrometheusStackSettings): Component {
  const values = kubePrometheusStackValues(config, settings);
  return {
    name: COMPONENT_NAMES.stack,
    group: 'observability',
    namespace: KUBE_PROMETHEUS_STACK_NAMESPACE,
    syncWave: settings.syncWave,
    source: SOURCE,
    description: 'Prometheus, Alertmanager, Grafana, kube-state-metrics and node exporter',
    chart: { ...KUBE_PROMETHEUS_STACK_CHART, unlistedValues: KUBE_PROMETHEUS_STACK_UNLISTED_VALUES },
    values,
    podSecurity: podSecurityFor(values),
    secrets: grafanaSecrets(config, settings.grafana),
    exposes: [grafanaExposure(config, settings.grafana)],
    network: stackNetwork(settings),
    // RBAC of the operator, Grafana and kube-state-metrics; the operator's admission webhooks.
    clusterResources: ['ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
    // The Services (and Endpoints) the chart creates in kube-system to scrape CoreDNS, etcd, the
    // controller manager and the scheduler.
    extraNamespaces: ['kube-system'],
  };
}

/**
 * The monitoring stack: `[prometheus-operator-crds, kube-prometheus-stack]`, with `overrides`
 * merged onto `KUBE_PROMETHEUS_STACK_DEFAULTS` (merge() semantics).
 */
export function buildKubePrometheusStack(config: ResolvedConfig, overrides?: Patch<KubePrometheusStackSettings>): Component[] {
  const settings = kubePrometheusStackSettings(overrides);
  return [prometheusCrdsComponent(), kubePrometheusStackComponent(config, settings)];
}

/**
 * What the aggregator builds for `components.kube-prometheus-stack`: the Loki datasource follows
 * `components.loki.enabled`; each volume's StorageClass follows `storage.volumes` and whether the
 * composition deploys a node-local class (`context.nodeLocalStorage`).
 */
export function buildKubePrometheusStackFromConfig(config: ResolvedConfig, context?: BuildContext): Component[] {
  const nfsStorageClass = STORAGE_CLASSES.config;
  return buildKubePrometheusStack(config, {
    lokiDatasource: config.components[LOKI_COMPONENT]?.enabled !== false,
    prometheus: { storageClass: volumeStorageClass(config, context, { volume: 'prometheus', nfsStorageClass, nfsUnsupported: true }) },
    alertmanager: { storageClass: volumeStorageClass(config, context, { volume: 'alertmanager', nfsStorageClass, nfsUnsupported: true }) },
    grafana: { storageClass: volumeStorageClass(config, context, { volume: 'grafana', nfsStorageClass, nfsUnsupported: false }) },
  });
}

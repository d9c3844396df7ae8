/**
 * Every name and default of the monitoring stack, in one place. The constants are contracts other
 * packages (and the aggregator) build on; `KUBE_PROMETHEUS_STACK_DEFAULTS` holds what a caller may
 * override. Nothing here is homelab-specific: domains, node addresses and the NFS owner come from
 * homelab.yaml.
 */
import type { KubePrometheusStackSettings } from './kube-prometheus-stack.js';
import { STORAGE_CLASSES } from '@homelab/nfs-csi';
import { GRAFANA_DASHBOARDS } from './versions.js';

/** Component names: ArgoCD Applications and Helm releases. The first is the key in homelab.yaml. */
export const COMPONENT_NAMES = {
  /** Prometheus Operator, Prometheus, Alertmanager, Grafana, kube-state-metrics, node exporter. */
  stack: 'kube-prometheus-stack',
  /** The monitoring.coreos.com CRDs alone, from the same chart, early (see PROMETHEUS_CRDS_SYNC_WAVE). */
  crds: 'prometheus-operator-crds',
} as const;

/** Namespace of the stack (not a setting: GRAFANA_SERVICE and the exposure are built on it). */
export const KUBE_PROMETHEUS_STACK_NAMESPACE = 'observability';

/**
 * Sync wave at which the prometheus-operator CRDs (ServiceMonitor, PodMonitor, PrometheusRule…)
 * exist: the `prometheus-operator-crds` Application, group `core`, beside the Gateway API CRDs and
 * before Cilium (-10). A component may create ServiceMonitors when kube-prometheus-stack is enabled
 * and its own wave is later than this one (the module `provides` it: core's `serviceMonitorsWanted`).
 */
export const PROMETHEUS_CRDS_SYNC_WAVE = -15;

/** Grafana's Service (name pinned by `grafana.fullnameOverride`), what the exposure routes to. */
export const GRAFANA_SERVICE = { name: 'grafana', namespace: KUBE_PROMETHEUS_STACK_NAMESPACE, port: 80 } as const;

/** The Prometheus datasource the chart provisions; dashboards are bound to it by name. */
export const PROMETHEUS_DATASOURCE = { name: 'Prometheus', uid: 'prometheus' } as const;

/** The Loki datasource provisioned when `lokiDatasource` is on. */
export const LOKI_DATASOURCE = { name: 'Loki', uid: 'loki' } as const;

/** Secrets Grafana reads; their values never enter the repository. */
export const GRAFANA_SECRETS = {
  /** The OAuth2 client secret of Grafana's Authentik provider. */
  oidc: { name: 'grafana-oidc', namespace: KUBE_PROMETHEUS_STACK_NAMESPACE, keys: { clientSecret: 'client-secret' } },
  /** The local break-glass admin (login without Authentik). */
  admin: { name: 'grafana-admin', namespace: KUBE_PROMETHEUS_STACK_NAMESPACE, keys: { user: 'admin-user', password: 'admin-password' } },
} as const;

/** Documented defaults of `KubePrometheusStackSettings`; see the type for what each one means and why. */
export const KUBE_PROMETHEUS_STACK_DEFAULTS = {
  syncWave: 0,
  lokiDatasource: true,
  nodeExporter: true,
  controlPlaneMetrics: true,
  prometheus: { retention: '15d', storageSize: '20Gi', storageClass: STORAGE_CLASSES.config, diskUsageRatio: 0.9 },
  alertmanager: { retention: '120h', storageSize: '1Gi', storageClass: STORAGE_CLASSES.config },
  grafana: {
    hostLabel: 'grafana',
    storageSize: '5Gi',
    storageClass: STORAGE_CLASSES.config,
    sso: {
      providerHostLabel: 'auth',
      applicationSlug: 'grafana',
      clientId: 'grafana',
      adminGroup: 'Grafana Admins',
      editorGroup: 'Grafana Editors',
    },
    dashboards: GRAFANA_DASHBOARDS,
  },
} satisfies KubePrometheusStackSettings;

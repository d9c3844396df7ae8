import type { ComponentModule } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { buildKubePrometheusStackFromConfig } from './kube-prometheus-stack.js';
import { COMPONENT_NAMES, PROMETHEUS_CRDS_SYNC_WAVE } from './defaults.js';

export { buildKubePrometheusStack, type KubePrometheusStackSettings } from './kube-prometheus-stack.js';
export type { GrafanaSettings, GrafanaSsoSettings } from './grafana.js';
export {
  COMPONENT_NAMES,
  GRAFANA_SERVICE,
  KUBE_PROMETHEUS_STACK_DEFAULTS,
  PROMETHEUS_CRDS_SYNC_WAVE,
} from './defaults.js';
export { GRAFANA_DASHBOARDS, KUBE_PROMETHEUS_STACK_CHART, type GrafanaDashboard } from './versions.js';

/**
 * Registers the monitoring stack with the aggregator under `components.kube-prometheus-stack`:
 * builds `prometheus-operator-crds` (core, wave -15) and `kube-prometheus-stack` (observability).
 */
export const kubePrometheusStackModule: ComponentModule<ResolvedConfig> = {
  name: COMPONENT_NAMES.stack,
  kind: 'component',
  // Its Prometheus selects every ServiceMonitor of the cluster: the composition tells the other modules.
  provides: { prometheus: { crdsSyncWave: PROMETHEUS_CRDS_SYNC_WAVE } },
  build: buildKubePrometheusStackFromConfig,
};

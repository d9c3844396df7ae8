/**
 * Pinned versions, in one small file so Renovate (and people) find them: the chart, and the
 * grafana.com dashboards Grafana downloads at start-up (by id and revision, never "latest").
 *
 * Images are not pinned here: the chart pins the operator, Prometheus, Alertmanager and its
 * subcharts (Grafana 12.11.1 chart, kube-state-metrics, node exporter) together. Bump the chart.
 */
import type { HelmChart } from '@homelab/core';

export const KUBE_PROMETHEUS_STACK_CHART = {
  // renovate: datasource=helm registryUrl=https://prometheus-community.github.io/helm-charts depName=kube-prometheus-stack
  repo: 'https://prometheus-community.github.io/helm-charts',
  name: 'kube-prometheus-stack',
  version: '88.5.3',
} as const satisfies HelmChart;

/** A dashboard published on grafana.com, pinned to one revision. */
export interface GrafanaDashboard {
  /** grafana.com dashboard id (https://grafana.com/grafana/dashboards/<gnetId>). */
  gnetId: number;
  /** Pinned revision: a new revision is a reviewed change, like a chart bump. */
  revision: number;
  /** Grafana folder the dashboard is filed under. */
  folder: string;
  /**
   * Component (key under `components:` in homelab.yaml) whose metrics the dashboard shows: the
   * dashboard is left out when that component is disabled. Absent: always included.
   */
  requires?: string;
}

/** Dashboards beyond the chart's own (Kubernetes, node exporter, Prometheus, etcd…), keyed by name. */
export const GRAFANA_DASHBOARDS = {
  // renovate: datasource=grafana-dashboards depName=1860
  'node-exporter-full': { gnetId: 1860, revision: 37, folder: 'Nodes' },
  // renovate: datasource=grafana-dashboards depName=16611
  'cilium-agent': { gnetId: 16611, revision: 1, folder: 'Cilium', requires: 'cilium' },
  // renovate: datasource=grafana-dashboards depName=16612
  'cilium-operator': { gnetId: 16612, revision: 1, folder: 'Cilium', requires: 'cilium' },
  // renovate: datasource=grafana-dashboards depName=16613
  hubble: { gnetId: 16613, revision: 1, folder: 'Cilium', requires: 'cilium' },
  // renovate: datasource=grafana-dashboards depName=14584
  argocd: { gnetId: 14584, revision: 1, folder: 'Argo CD', requires: 'argocd' },
  // renovate: datasource=grafana-dashboards depName=20842
  'cert-manager': { gnetId: 20842, revision: 3, folder: 'cert-manager', requires: 'cert-manager' },
} as const satisfies Record<string, GrafanaDashboard>;

/**
 * Pinned versions, in one small file so Renovate (and people) find them.
 *
 * Images are not pinned here: the chart pins Loki's image to its appVersion (3.6.x) and the chart
 * is what we test against. Bump the chart, not the image.
 */
import type { HelmChart } from '@homelab/core';

export const LOKI_CHART = {
  // renovate: datasource=helm registryUrl=https://grafana.github.io/helm-charts depName=loki
  repo: 'https://grafana.github.io/helm-charts',
  name: 'loki',
  version: '7.3.0',
} as const satisfies HelmChart;

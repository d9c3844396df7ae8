/**
 * Pinned versions, in one small file so Renovate (and people) find them.
 *
 * Images are not pinned here: the chart pins Alloy (appVersion v1.18.1) and its config reloader.
 * Bump the chart, not the images.
 */
import type { HelmChart } from '@homelab/core';

export const ALLOY_CHART = {
  // renovate: datasource=helm registryUrl=https://grafana.github.io/helm-charts depName=alloy
  repo: 'https://grafana.github.io/helm-charts',
  name: 'alloy',
  version: '1.11.1',
} as const satisfies HelmChart;

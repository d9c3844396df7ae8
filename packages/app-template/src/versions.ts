/** Pinned chart version, in one small file Renovate can read. Images are pinned by each app package. */
import type { HelmChart } from '@homelab/core';

/**
 * bjw-s app-template (a thin wrapper around the bjw-s common library of the same version), see
 * shared/chart-schemas/SOURCES.md. 4.x on purpose: 5.x changes rawResources, ServiceAccount and
 * token defaults and needs Kubernetes >= 1.31.
 */
export const APP_TEMPLATE_CHART = {
  // renovate: datasource=helm registryUrl=https://bjw-s-labs.github.io/helm-charts depName=app-template
  repo: 'https://bjw-s-labs.github.io/helm-charts',
  name: 'app-template',
  version: '4.6.2',
} as const satisfies HelmChart;

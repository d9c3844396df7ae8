import type { HelmChart } from '@homelab/core';

/**
 * Pinned cert-manager chart (Renovate: helm datasource). The chart pins its own images to its
 * appVersion (quay.io/jetstack/cert-manager-*), so no image tags are kept here.
 */
// renovate: datasource=helm registryUrl=https://charts.jetstack.io depName=cert-manager
export const CERT_MANAGER_CHART = {
  repo: 'https://charts.jetstack.io',
  name: 'cert-manager',
  version: 'v1.21.1',
} as const satisfies HelmChart;

/**
 * Pinned versions, in one small file Renovate can read. Images are not overridden: the chart pins
 * every image it deploys by tag and digest, so the chart version pins them too.
 */
import type { HelmChart } from '@homelab/core';

/** The Cilium Helm chart (see shared/chart-schemas/SOURCES.md). */
export const CILIUM_CHART = {
  // renovate: datasource=helm registryUrl=https://helm.cilium.io depName=cilium
  repo: 'https://helm.cilium.io',
  name: 'cilium',
  version: '1.19.6',
} as const satisfies HelmChart;

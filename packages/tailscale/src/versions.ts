/**
 * Pinned upstream versions of @homelab/tailscale, in one small file Renovate can read.
 *
 * Images are not pinned here: the chart sets both the operator and the proxy image to its own
 * appVersion, so operator and proxies always match the chart (and its CRDs). Bump the chart.
 */
import type { HelmChart } from '@homelab/core';

export const TAILSCALE_OPERATOR_CHART = {
  // renovate: datasource=helm registryUrl=https://pkgs.tailscale.com/helmcharts depName=tailscale-operator
  repo: 'https://pkgs.tailscale.com/helmcharts',
  name: 'tailscale-operator',
  version: '1.102.3',
} as const satisfies HelmChart;

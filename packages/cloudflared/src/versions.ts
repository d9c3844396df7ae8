/**
 * Pinned upstream versions of @homelab/cloudflared, in one small file Renovate can read.
 *
 * The community-charts `cloudflared` chart (not cloudflare/helm-charts): it runs a locally managed
 * tunnel from a credentials file in an existing Secret with the ingress rules in its values, so
 * the rules live in git and are derived here. See the README for why not the other two charts.
 */
import type { HelmChart } from '@homelab/core';

export const CLOUDFLARED_CHART = {
  // renovate: datasource=helm registryUrl=https://community-charts.github.io/helm-charts depName=cloudflared
  repo: 'https://community-charts.github.io/helm-charts',
  name: 'cloudflared',
  version: '2.2.16',
} as const satisfies HelmChart;

/**
 * The connector image. Pinned beside the chart (2.2.16 ships appVersion 2026.8.2) so Renovate can
 * move cloudflared, which releases far more often than the chart, on its own.
 */
export const CLOUDFLARED_IMAGE = {
  // renovate: datasource=docker depName=cloudflare/cloudflared
  repository: 'cloudflare/cloudflared',
  tag: '2026.8.2',
} as const;

/**
 * Pinned upstream versions of @homelab/authentik, in one small file Renovate can read.
 *
 * The authentik chart pins its own image (appVersion 2026.8.0, `global.image.tag` left empty) and
 * its PostgreSQL image (`postgresql.image`): server, worker and database move with the chart, so
 * no image is pinned here. 2026.8 no longer bundles Redis (authentik dropped it in 2025.10).
 */
import type { HelmChart } from '@homelab/core';

export const AUTHENTIK_CHART = {
  // renovate: datasource=helm registryUrl=https://charts.goauthentik.io depName=authentik
  repo: 'https://charts.goauthentik.io',
  name: 'authentik',
  version: '2026.8.0',
} as const satisfies HelmChart;

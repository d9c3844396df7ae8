/**
 * Pinned versions, in one small file Renovate can read. Nothing else in this package names a
 * version: the bootstrap README, the Application and the sidecar all read these constants.
 */
import type { HelmChart } from '@homelab/core';

/**
 * The argo-cd chart (app version v3.4.4). ArgoCD's own images (server, repo-server, controller,
 * redis, …) are pinned by this chart version through its appVersion, so they are not repeated here.
 */
// renovate: datasource=helm registryUrl=https://argoproj.github.io/argo-helm depName=argo-cd
export const ARGOCD_CHART = {
  repo: 'https://argoproj.github.io/argo-helm',
  name: 'argo-cd',
  version: '10.1.1',
} as const satisfies HelmChart;

/**
 * SOPS for the decryption plugin sidecar. The alpine variant: the plugin's generate step is a
 * POSIX shell script (sh, find, sort, cat), which the non-alpine image does not ship.
 */
// renovate: datasource=docker depName=ghcr.io/getsops/sops
export const SOPS_IMAGE = {
  repository: 'ghcr.io/getsops/sops',
  tag: 'v3.13.3-alpine',
} as const;

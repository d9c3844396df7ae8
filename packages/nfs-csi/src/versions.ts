/**
 * Pinned versions, in one small file so Renovate (and people) find them.
 *
 * Images are not pinned here on purpose: the chart's values.yaml pins every image (driver and
 * sidecars) to the versions it was released and tested with. Overriding them would let image and
 * chart versions drift apart; bump the chart instead.
 */
import type { HelmChart } from '@homelab/core';

export const NFS_CSI_CHART = {
  // renovate: datasource=helm registryUrl=https://raw.githubusercontent.com/kubernetes-csi/csi-driver-nfs/master/charts depName=csi-driver-nfs
  repo: 'https://raw.githubusercontent.com/kubernetes-csi/csi-driver-nfs/master/charts',
  name: 'csi-driver-nfs',
  version: '4.13.4',
} as const satisfies HelmChart;

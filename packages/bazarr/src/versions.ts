/** The pinned image, in one small file Renovate can read. Nothing else in this package names a version. */
import type { AppImage } from '@homelab/app-template';

/**
 * linuxserver.io's Bazarr image (Bazarr 1.6.0, linuxserver build 362). The `-lsNNN` suffix
 * pins one build of the image, not only the Bazarr release.
 */
export const BAZARR_IMAGE = {
  // renovate: datasource=docker depName=lscr.io/linuxserver/bazarr
  repository: 'lscr.io/linuxserver/bazarr',
  tag: 'v1.6.0-ls362',
} as const satisfies AppImage;

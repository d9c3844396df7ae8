/** The pinned image, in one small file Renovate can read. Nothing else in this package names a version. */
import type { AppImage } from '@homelab/app-template';

/**
 * linuxserver.io's Radarr image (Radarr 6.3.0.10514, linuxserver build 314). The `-lsNNN` suffix
 * pins one build of the image, not only the Radarr release.
 */
export const RADARR_IMAGE = {
  // renovate: datasource=docker depName=lscr.io/linuxserver/radarr
  repository: 'lscr.io/linuxserver/radarr',
  tag: '6.3.0.10514-ls314',
} as const satisfies AppImage;

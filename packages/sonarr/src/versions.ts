/** The pinned image, in one small file Renovate can read. Nothing else in this package names a version. */
import type { AppImage } from '@homelab/app-template';

/**
 * linuxserver.io's Sonarr image (Sonarr 4.0.19.2979, linuxserver build 322). The `-lsNNN` suffix
 * pins one build of the image, not only the Sonarr release.
 */
export const SONARR_IMAGE = {
  // renovate: datasource=docker depName=lscr.io/linuxserver/sonarr
  repository: 'lscr.io/linuxserver/sonarr',
  tag: '4.0.19.2979-ls322',
} as const satisfies AppImage;

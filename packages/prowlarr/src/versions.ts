/** The pinned image, in one small file Renovate can read. Nothing else in this package names a version. */
import type { AppImage } from '@homelab/app-template';

/**
 * linuxserver.io's Prowlarr image (Prowlarr 2.5.2.5491, linuxserver build 158). The `-lsNNN` suffix
 * pins one build of the image, not only the Prowlarr release.
 */
export const PROWLARR_IMAGE = {
  // renovate: datasource=docker depName=lscr.io/linuxserver/prowlarr
  repository: 'lscr.io/linuxserver/prowlarr',
  tag: '2.5.2.5491-ls158',
} as const satisfies AppImage;

/** Pinned image of @homelab/overseerr, in one small file Renovate can read. The chart is app-template's. */
import type { AppImage } from '@homelab/app-template';

/**
 * Overseerr, linuxserver.io build: `v<Overseerr version>-ls<linuxserver build>`. The exact build
 * tag, not `latest`: every render deploys the same bytes.
 *
 * Note: upstream Overseerr is archived (superseded by Seerr) and linuxserver.io deprecated this
 * image in February 2026; it gets no more updates. See the README for the way out.
 */
export const OVERSEERR_IMAGE = {
  // renovate: datasource=docker depName=lscr.io/linuxserver/overseerr
  repository: 'lscr.io/linuxserver/overseerr',
  tag: 'v1.34.0-ls157',
} as const satisfies AppImage;

/** Pinned image of @homelab/plex, in one small file Renovate can read. The chart is app-template's. */
import type { AppImage } from '@homelab/app-template';

/**
 * Plex Media Server, linuxserver.io build: `<Plex version>-<Plex build hash>-ls<linuxserver build>`.
 * The exact build tag, not `latest` or a floating version: every render deploys the same bytes.
 * (`VERSION=docker` in the defaults keeps the container from updating Plex inside itself.)
 */
export const PLEX_IMAGE = {
  // renovate: datasource=docker depName=lscr.io/linuxserver/plex
  repository: 'lscr.io/linuxserver/plex',
  tag: '1.43.0.10492-121068a07-ls293',
} as const satisfies AppImage;

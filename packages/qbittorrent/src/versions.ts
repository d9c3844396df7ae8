/** Pinned image of @homelab/qbittorrent, in one small file Renovate can read. The chart is app-template's. */
import type { AppImage } from '@homelab/app-template';

/**
 * qBittorrent, linuxserver.io build: `<qBittorrent version>-r<Alpine package release>-ls<linuxserver
 * build>`. The exact build tag, not `latest` or a floating version: every render deploys the same bytes.
 */
export const QBITTORRENT_IMAGE = {
  // renovate: datasource=docker depName=lscr.io/linuxserver/qbittorrent
  repository: 'lscr.io/linuxserver/qbittorrent',
  tag: '5.1.4-r3-ls450',
} as const satisfies AppImage;

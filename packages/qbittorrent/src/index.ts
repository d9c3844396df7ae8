/** @homelab/qbittorrent: qBittorrent as an app (`apps.qbittorrent` in homelab.yaml). */
import type { ComponentModule } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { QBITTORRENT_APP } from './defaults.js';
import { buildQbittorrent } from './qbittorrent.js';

export { buildQbittorrent } from './qbittorrent.js';
export { QBITTORRENT_DEFAULTS, QBITTORRENT_WEB_PORT, type QbittorrentSettings } from './defaults.js';
export { QBITTORRENT_IMAGE } from './versions.js';

/** Registers qBittorrent with the aggregator as `apps.qbittorrent`. */
export const qbittorrentModule: ComponentModule<ResolvedConfig> = {
  name: QBITTORRENT_APP,
  kind: 'app',
  build: (config) => buildQbittorrent(config),
};

/** @homelab/plex: Plex Media Server as an app (`apps.plex` in homelab.yaml). */
import type { ComponentModule } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { PLEX_APP } from './defaults.js';
import { buildPlex } from './plex.js';

export { buildPlex } from './plex.js';
export { PLEX_DEFAULTS, PLEX_PORT, type PlexSettings } from './defaults.js';
export { PLEX_IMAGE } from './versions.js';

/** Registers Plex with the aggregator as `apps.plex`. */
export const plexModule: ComponentModule<ResolvedConfig> = {
  name: PLEX_APP,
  kind: 'app',
  build: (config) => buildPlex(config),
};

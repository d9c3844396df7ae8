/** @homelab/overseerr: Overseerr media requests as an app (`apps.overseerr` in homelab.yaml). */
import type { ComponentModule } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { OVERSEERR_APP } from './defaults.js';
import { buildOverseerr } from './overseerr.js';

export { buildOverseerr } from './overseerr.js';
export { OVERSEERR_DEFAULTS, OVERSEERR_PORT, type OverseerrSettings } from './defaults.js';
export { OVERSEERR_IMAGE } from './versions.js';

/** Registers Overseerr with the aggregator as `apps.overseerr`. */
export const overseerrModule: ComponentModule<ResolvedConfig> = {
  name: OVERSEERR_APP,
  kind: 'app',
  build: (config) => buildOverseerr(config),
};

/** @homelab/radarr: Radarr (movie manager) on bjw-s app-template, registered as `apps.radarr`. */
import type { ResolvedConfig } from '@homelab/config';
import type { ComponentModule } from '@homelab/core';
import { radarr } from './radarr.js';

export { radarr } from './radarr.js';
export { RADARR_DEFAULTS, type RadarrSettings } from './defaults.js';

/** Registers Radarr with the aggregator as `apps.radarr` in homelab.yaml. */
export const radarrModule: ComponentModule<ResolvedConfig> = { name: 'radarr', kind: 'app', build: (config) => radarr(config) };

/** @homelab/sonarr: Sonarr (TV series manager) on bjw-s app-template, registered as `apps.sonarr`. */
import type { ResolvedConfig } from '@homelab/config';
import type { ComponentModule } from '@homelab/core';
import { sonarr } from './sonarr.js';

export { sonarr } from './sonarr.js';
export { SONARR_DEFAULTS, type SonarrSettings } from './defaults.js';

/** Registers Sonarr with the aggregator as `apps.sonarr` in homelab.yaml. */
export const sonarrModule: ComponentModule<ResolvedConfig> = { name: 'sonarr', kind: 'app', build: (config) => sonarr(config) };

/** @homelab/bazarr: Bazarr (subtitles for Sonarr and Radarr) on bjw-s app-template, registered as `apps.bazarr`. */
import type { ResolvedConfig } from '@homelab/config';
import type { ComponentModule } from '@homelab/core';
import { bazarr } from './bazarr.js';

export { bazarr } from './bazarr.js';
export { BAZARR_DEFAULTS, type BazarrSettings } from './defaults.js';

/** Registers Bazarr with the aggregator as `apps.bazarr` in homelab.yaml. */
export const bazarrModule: ComponentModule<ResolvedConfig> = { name: 'bazarr', kind: 'app', build: (config) => bazarr(config) };

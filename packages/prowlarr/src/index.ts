/** @homelab/prowlarr: Prowlarr (indexer manager for the *arr apps) on bjw-s app-template, registered as `apps.prowlarr`. */
import type { ResolvedConfig } from '@homelab/config';
import type { ComponentModule } from '@homelab/core';
import { prowlarr } from './prowlarr.js';

export { prowlarr } from './prowlarr.js';
export { PROWLARR_DEFAULTS, type ProwlarrSettings } from './defaults.js';

/** Registers Prowlarr with the aggregator as `apps.prowlarr` in homelab.yaml. */
export const prowlarrModule: ComponentModule<ResolvedConfig> = { name: 'prowlarr', kind: 'app', build: (config) => prowlarr(config) };

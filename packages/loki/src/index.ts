import type { ComponentModule } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { buildLoki } from './loki.js';
import { LOKI_COMPONENT } from './defaults.js';

export { buildLoki, type LokiSettings } from './loki.js';
export { LOKI_COMPONENT, LOKI_DEFAULTS, LOKI_SERVICE, LOKI_URLS } from './defaults.js';

/** Registers Loki with the aggregator under `components.loki`. */
export const lokiModule: ComponentModule<ResolvedConfig> = {
  name: LOKI_COMPONENT,
  kind: 'component',
  build: (config) => buildLoki(config),
};

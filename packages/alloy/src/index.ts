import { serviceMonitorsWanted, type ComponentModule } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { buildAlloyFromConfig } from './alloy.js';
import { ALLOY_COMPONENT, ALLOY_DEFAULTS } from './defaults.js';

export { buildAlloy, buildAlloyFromConfig, type AlloySettings } from './alloy.js';
export { ALLOY_COMPONENT, ALLOY_DEFAULTS } from './defaults.js';

/**
 * Registers Alloy with the aggregator under `components.alloy` (fails when Loki is disabled); its
 * ServiceMonitor follows the composition's Prometheus.
 */
export const alloyModule: ComponentModule<ResolvedConfig> = {
  name: ALLOY_COMPONENT,
  kind: 'component',
  build: (config, context) =>
    buildAlloyFromConfig(config, { serviceMonitor: serviceMonitorsWanted(context, config.components[ALLOY_COMPONENT]?.syncWave ?? ALLOY_DEFAULTS.syncWave) }),
};

import { serviceMonitorsWanted, type ComponentModule } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { volumeStorageClass } from '@homelab/local-path';
import { STORAGE_CLASSES } from '@homelab/nfs-csi';
import { buildLoki } from './loki.js';
import { LOKI_COMPONENT, LOKI_DEFAULTS } from './defaults.js';

export { buildLoki, type LokiSettings } from './loki.js';
export { LOKI_COMPONENT, LOKI_DEFAULTS, LOKI_SERVICE, LOKI_URLS } from './defaults.js';

/**
 * Registers Loki with the aggregator under `components.loki`; its ServiceMonitor follows the
 * composition's Prometheus, its volume's StorageClass `storage.volumes.loki`.
 */
export const lokiModule: ComponentModule<ResolvedConfig> = {
  name: LOKI_COMPONENT,
  kind: 'component',
  build: (config, context) =>
    buildLoki(config, {
      serviceMonitor: serviceMonitorsWanted(context, config.components[LOKI_COMPONENT]?.syncWave ?? LOKI_DEFAULTS.syncWave),
      storageClass: volumeStorageClass(config, context, { volume: 'loki', nfsStorageClass: STORAGE_CLASSES.config, nfsUnsupported: false }),
    }),
};

/** prowlarr's behaviour, through the suite every linuxserver.io *arr app shares (@homelab/testing). */
import { fileURLToPath } from 'node:url';
import { describeLinuxserverApp } from '@homelab/testing';
import { MEDIA_CLAIM, MEDIA_MOUNT_PATH, STORAGE_CLASSES } from '@homelab/nfs-csi';
import { PROWLARR_DEFAULTS } from './defaults.js';
import { prowlarr } from './prowlarr.js';
import { prowlarrModule } from './index.js';

describeLinuxserverApp({
  name: 'prowlarr',
  build: prowlarr,
  module: prowlarrModule,
  defaults: PROWLARR_DEFAULTS,
  port: 9696,
  probePath: '/ping',
  media: { claim: MEDIA_CLAIM.name, namespace: MEDIA_CLAIM.namespace, path: MEDIA_MOUNT_PATH, mounted: false },
  configStorageClass: STORAGE_CLASSES.config,
  connectsTo: ['sonarr', 'radarr'],
  sourceDir: fileURLToPath(new URL('.', import.meta.url)),
  sourceCount: 4,
});

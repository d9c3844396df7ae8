/** radarr's behaviour, through the suite every linuxserver.io *arr app shares (@homelab/testing). */
import { fileURLToPath } from 'node:url';
import { describeLinuxserverApp } from '@homelab/testing';
import { MEDIA_CLAIM, MEDIA_MOUNT_PATH, STORAGE_CLASSES } from '@homelab/nfs-csi';
import { RADARR_DEFAULTS } from './defaults.js';
import { radarr } from './radarr.js';
import { radarrModule } from './index.js';

describeLinuxserverApp({
  name: 'radarr',
  build: radarr,
  module: radarrModule,
  defaults: RADARR_DEFAULTS,
  port: 7878,
  probePath: '/ping',
  media: { claim: MEDIA_CLAIM.name, namespace: MEDIA_CLAIM.namespace, path: MEDIA_MOUNT_PATH, mounted: true },
  configStorageClass: STORAGE_CLASSES.config,
  connectsTo: ['prowlarr', 'qbittorrent'],
  sourceDir: fileURLToPath(new URL('.', import.meta.url)),
  sourceCount: 4,
});

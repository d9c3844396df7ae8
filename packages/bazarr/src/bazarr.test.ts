/** bazarr's behaviour, through the suite every linuxserver.io *arr app shares (@homelab/testing). */
import { fileURLToPath } from 'node:url';
import { describeLinuxserverApp } from '@homelab/testing';
import { MEDIA_CLAIM, MEDIA_MOUNT_PATH, STORAGE_CLASSES } from '@homelab/nfs-csi';
import { BAZARR_DEFAULTS } from './defaults.js';
import { bazarr } from './bazarr.js';
import { bazarrModule } from './index.js';

describeLinuxserverApp({
  name: 'bazarr',
  build: bazarr,
  module: bazarrModule,
  defaults: BAZARR_DEFAULTS,
  port: 6767,
  probePath: '/',
  media: { claim: MEDIA_CLAIM.name, namespace: MEDIA_CLAIM.namespace, path: MEDIA_MOUNT_PATH, mounted: true },
  configStorageClass: STORAGE_CLASSES.config,
  connectsTo: ['sonarr', 'radarr'],
  sourceDir: fileURLToPath(new URL('.', import.meta.url)),
  sourceCount: 4,
});

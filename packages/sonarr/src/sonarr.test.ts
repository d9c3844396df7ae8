/** sonarr's behaviour, through the suite every linuxserver.io *arr app shares (@homelab/testing). */
import { fileURLToPath } from 'node:url';
import { describeLinuxserverApp } from '@homelab/testing';
import { MEDIA_CLAIM, MEDIA_MOUNT_PATH, STORAGE_CLASSES } from '@homelab/nfs-csi';
import { SONARR_DEFAULTS } from './defaults.js';
import { sonarr } from './sonarr.js';
import { sonarrModule } from './index.js';

describeLinuxserverApp({
  name: 'sonarr',
  build: sonarr,
  module: sonarrModule,
  defaults: SONARR_DEFAULTS,
  port: 8989,
  probePath: '/ping',
  media: { claim: MEDIA_CLAIM.name, namespace: MEDIA_CLAIM.namespace, path: MEDIA_MOUNT_PATH, mounted: true },
  configStorageClass: STORAGE_CLASSES.config,
  connectsTo: ['prowlarr', 'qbittorrent'],
  sourceDir: fileURLToPath(new URL('.', import.meta.url)),
  sourceCount: 4,
});

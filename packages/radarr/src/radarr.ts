/**
 * Radarr, the movie manager, as a bjw-s app-template Component: the linuxserver.io image, its
 * own config claim, the shared media claim at the one media path (imports from the download
 * client are hardlinks, not copies), reached on the internal domain behind SSO.
 */
import { internalLinuxserverApp, type AppComponent, type AppProbe } from '@homelab/app-template';
import type { ResolvedConfig } from '@homelab/config';
import { merge, type Patch } from '@homelab/core';
import { MEDIA_CLAIM, configVolume, mediaVolume } from '@homelab/nfs-csi';
import { RADARR_DEFAULTS, RADARR_PORT, type RadarrSettings } from './defaults.js';

/** Radarr's unauthenticated health endpoint; the startup probe's defaults allow 5 minutes for first-start migrations. */
const PING: AppProbe = { type: 'http', path: '/ping' };

/** The Radarr Component, with `overrides` merged onto RADARR_DEFAULTS (merge() semantics). */
export function radarr(config: ResolvedConfig, overrides?: Patch<RadarrSettings>): AppComponent {
  const settings = merge<RadarrSettings>(RADARR_DEFAULTS, overrides);
  return internalLinuxserverApp(
    config,
    {
      name: 'radarr',
      namespace: MEDIA_CLAIM.namespace,
      description: 'Radarr: movie manager',
      port: RADARR_PORT,
      probe: PING,
      persistence: { config: configVolume(settings.configSize), media: mediaVolume() },
      settings,
    },
    { source: '@homelab/radarr' },
  );
}

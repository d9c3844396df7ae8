/**
 * Sonarr, the TV series manager, as a bjw-s app-template Component: the linuxserver.io image, its
 * own config claim, the shared media claim at the one media path (imports from the download
 * client are hardlinks, not copies), reached on the internal domain behind SSO.
 */
import { internalLinuxserverApp, type AppComponent, type AppProbe } from '@homelab/app-template';
import type { ResolvedConfig } from '@homelab/config';
import { merge, type Patch } from '@homelab/core';
import { MEDIA_CLAIM, configVolume, mediaVolume } from '@homelab/nfs-csi';
import { SONARR_DEFAULTS, SONARR_PORT, type SonarrSettings } from './defaults.js';

/** Sonarr's unauthenticated health endpoint; the startup probe's defaults allow 5 minutes for first-start migrations. */
const PING: AppProbe = { type: 'http', path: '/ping' };

/** The Sonarr Component, with `overrides` merged onto SONARR_DEFAULTS (merge() semantics). */
export function sonarr(config: ResolvedConfig, overrides?: Patch<SonarrSettings>): AppComponent {
  const settings = merge<SonarrSettings>(SONARR_DEFAULTS, overrides);
  return internalLinuxserverApp(
    config,
    {
      name: 'sonarr',
      namespace: MEDIA_CLAIM.namespace,
      description: 'Sonarr: TV series manager',
      port: SONARR_PORT,
      probe: PING,
      persistence: { config: configVolume(settings.configSize), media: mediaVolume() },
      settings,
    },
    { source: '@homelab/sonarr' },
  );
}

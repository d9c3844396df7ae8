/**
 * Bazarr, which fetches subtitles for what Sonarr and Radarr manage, as a bjw-s app-template
 * Component: the linuxserver.io image, its own config claim, the shared media claim read-write at
 * the one media path (it writes subtitles next to the videos, at the paths Sonarr and Radarr
 * report), reached on the internal domain behind SSO.
 */
import { internalLinuxserverApp, type AppComponent, type AppProbe } from '@homelab/app-template';
import type { ResolvedConfig } from '@homelab/config';
import { merge, type Patch } from '@homelab/core';
import { MEDIA_CLAIM, configVolume, mediaVolume } from '@homelab/nfs-csi';
import { BAZARR_DEFAULTS, BAZARR_PORT, type BazarrSettings } from './defaults.js';

/** Bazarr's web UI answers 200 on / without login; the startup probe's defaults allow 5 minutes for a first start. */
const HTTP: AppProbe = { type: 'http', path: '/' };

/** The Bazarr Component, with `overrides` merged onto BAZARR_DEFAULTS (merge() semantics). */
export function bazarr(config: ResolvedConfig, overrides?: Patch<BazarrSettings>): AppComponent {
  const settings = merge<BazarrSettings>(BAZARR_DEFAULTS, overrides);
  return internalLinuxserverApp(
    config,
    {
      name: 'bazarr',
      namespace: MEDIA_CLAIM.namespace,
      description: 'Bazarr: subtitles for Sonarr and Radarr',
      port: BAZARR_PORT,
      probe: HTTP,
      persistence: { config: configVolume(settings.configSize), media: mediaVolume() },
      settings,
    },
    { source: '@homelab/bazarr' },
  );
}

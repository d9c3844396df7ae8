/**
 * Bazarr, which fetches subtitles for what Sonarr and Radarr manage, as a bjw-s app-template
 * Component: the linuxserver.io image, its own config claim, the shared media claim read-write at
 * the one media path (it writes subtitles next to the videos, at the paths Sonarr and Radarr
 * report), reached on the internal domain behind SSO.
 */
import { appComponent, appReach, lanServiceWhenAddressed, linuxserverContainer, type AppComponent, type AppProbe } from '@homelab/app-template';
import type { ResolvedConfig } from '@homelab/config';
import { merge, type Patch } from '@homelab/core';
import { MEDIA_CLAIM, configVolume, mediaVolume } from '@homelab/nfs-csi';
import { BAZARR_DEFAULTS, BAZARR_PORT, type BazarrSettings } from './defaults.js';

const NAME = 'bazarr';
/** Bazarr's web UI answers 200 on / without login; the startup probe's defaults allow 5 minutes for a first start. */
const HTTP: AppProbe = { type: 'http', path: '/' };

/** The Bazarr Component, with `overrides` merged onto BAZARR_DEFAULTS (merge() semantics). */
export function bazarr(config: ResolvedConfig, overrides?: Patch<BazarrSettings>): AppComponent {
  const settings = merge<BazarrSettings>(BAZARR_DEFAULTS, overrides);
  const reach = appReach(config, NAME, { port: 'http', internal: NAME, sso: 'proxy' });
  return appComponent(
    {
      name: NAME,
      namespace: MEDIA_CLAIM.namespace,
      description: 'Bazarr: subtitles for Sonarr and Radarr',
      image: settings.image,
      ports: { http: { port: BAZARR_PORT, http: true } },
      ...linuxserverContainer(config, { capabilities: settings.capabilities }),
      network: settings.network,
      probes: { startup: HTTP, liveness: HTTP, readiness: HTTP },
      resources: settings.resources,
      persistence: { config: configVolume(settings.configSize), media: mediaVolume() },
      ...lanServiceWhenAddressed(reach, ['http']),
      exposes: reach.exposes,
    },
    { source: '@homelab/bazarr' },
  );
}

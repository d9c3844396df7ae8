/**
 * Sonarr, the TV series manager, as a bjw-s app-template Component: the linuxserver.io image, its
 * own config claim, the shared media claim at the one media path (imports from the download
 * client are hardlinks, not copies), reached on the internal domain behind SSO.
 */
import { appComponent, appReach, lanServiceWhenAddressed, linuxserverContainer, type AppComponent, type AppProbe } from '@homelab/app-template';
import type { ResolvedConfig } from '@homelab/config';
import { merge, type Patch } from '@homelab/core';
import { MEDIA_CLAIM, configVolume, mediaVolume } from '@homelab/nfs-csi';
import { SONARR_DEFAULTS, SONARR_PORT, type SonarrSettings } from './defaults.js';

const NAME = 'sonarr';
/** Sonarr's unauthenticated health endpoint; the startup probe's defaults allow 5 minutes for first-start migrations. */
const PING: AppProbe = { type: 'http', path: '/ping' };

/** The Sonarr Component, with `overrides` merged onto SONARR_DEFAULTS (merge() semantics). */
export function sonarr(config: ResolvedConfig, overrides?: Patch<SonarrSettings>): AppComponent {
  const settings = merge<SonarrSettings>(SONARR_DEFAULTS, overrides);
  const reach = appReach(config, NAME, { port: 'http', internal: NAME, sso: 'proxy' });
  return appComponent(
    {
      name: NAME,
      namespace: MEDIA_CLAIM.namespace,
      description: 'Sonarr: TV series manager',
      image: settings.image,
      ports: { http: { port: SONARR_PORT, http: true } },
      ...linuxserverContainer(config, { capabilities: settings.capabilities }),
      network: settings.network,
      probes: { startup: PING, liveness: PING, readiness: PING },
      resources: settings.resources,
      persistence: { config: configVolume(settings.configSize), media: mediaVolume() },
      ...lanServiceWhenAddressed(reach, ['http']),
      exposes: reach.exposes,
    },
    { source: '@homelab/sonarr' },
  );
}

/**
 * Prowlarr, the indexer manager of the *arr apps, as a bjw-s app-template Component: the
 * linuxserver.io image and its own config claim, reached on the internal domain behind SSO. It
 * only talks to indexers and to the other apps' APIs, so it does not mount the media claim.
 */
import { internalLinuxserverApp, type AppComponent, type AppProbe } from '@homelab/app-template';
import type { ResolvedConfig } from '@homelab/config';
import { merge, type Patch } from '@homelab/core';
import { MEDIA_CLAIM, configVolume } from '@homelab/nfs-csi';
import { PROWLARR_DEFAULTS, PROWLARR_PORT, type ProwlarrSettings } from './defaults.js';

/** Prowlarr's unauthenticated health endpoint; the startup probe's defaults allow 5 minutes for first-start migrations. */
const PING: AppProbe = { type: 'http', path: '/ping' };

/** The Prowlarr Component, with `overrides` merged onto PROWLARR_DEFAULTS (merge() semantics). */
export function prowlarr(config: ResolvedConfig, overrides?: Patch<ProwlarrSettings>): AppComponent {
  const settings = merge<ProwlarrSettings>(PROWLARR_DEFAULTS, overrides);
  return internalLinuxserverApp(
    config,
    {
      name: 'prowlarr',
      namespace: MEDIA_CLAIM.namespace,
      description: 'Prowlarr: indexer manager of the *arr apps',
      port: PROWLARR_PORT,
      probe: PING,
      persistence: { config: configVolume(settings.configSize) },
      settings,
    },
    { source: '@homelab/prowlarr' },
  );
}

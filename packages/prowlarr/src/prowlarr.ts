/**
 * Prowlarr, the indexer manager of the *arr apps, as a bjw-s app-template Component: the
 * linuxserver.io image and its own config claim, reached on the internal domain behind SSO. It
 * only talks to indexers and to the other apps' APIs, so it does not mount the media claim.
 */
import { appComponent, appReach, workloadDefaults, type AppComponent, type AppProbe } from '@homelab/app-template';
import type { ResolvedConfig } from '@homelab/config';
import { merge, type Patch } from '@homelab/core';
import { MEDIA_CLAIM, STORAGE_CLASSES } from '@homelab/nfs-csi';
import { PROWLARR_DEFAULTS, PROWLARR_PORT, type ProwlarrSettings } from './defaults.js';

const NAME = 'prowlarr';
/** Prowlarr's unauthenticated health endpoint; the startup probe's defaults allow 5 minutes for first-start migrations. */
const PING: AppProbe = { type: 'http', path: '/ping' };

/** The Prowlarr Component, with `overrides` merged onto PROWLARR_DEFAULTS (merge() semantics). */
export function prowlarr(config: ResolvedConfig, overrides?: Patch<ProwlarrSettings>): AppComponent {
  const settings = merge<ProwlarrSettings>(PROWLARR_DEFAULTS, overrides);
  const { env, securityContext: user } = workloadDefaults(config);
  const { exposes, loadBalancerIP } = appReach(config, NAME, { port: 'http', internal: NAME, sso: 'proxy' });
  return appComponent(
    {
      name: NAME,
      namespace: MEDIA_CLAIM.namespace,
      description: 'Prowlarr: indexer manager of the *arr apps',
      image: settings.image,
      ports: { http: { port: PROWLARR_PORT, http: true } },
      // linuxserver.io: start as root, chown /config, run the app as PUID:PGID (so no runAsUser, no fsGroup).
      env: { ...env, PUID: String(user.runAsUser), PGID: String(user.runAsGroup) },
      securityContext: { runAsNonRoot: false, readOnlyRootFilesystem: false, capabilities: { add: settings.capabilities } },
      podSecurity: 'baseline',
      network: settings.network,
      probes: { startup: PING, liveness: PING, readiness: PING },
      resources: settings.resources,
      persistence: {
        config: { type: 'claim', mountPath: '/config', storageClass: STORAGE_CLASSES.config, size: settings.configSize },
      },
      ...(loadBalancerIP ? { services: { main: { type: 'LoadBalancer', ports: ['http'], loadBalancerIP } } } : {}),
      exposes,
    },
    { source: '@homelab/prowlarr' },
  );
}

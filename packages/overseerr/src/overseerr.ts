/**
 * Overseerr: media requests for Plex users, the linuxserver.io image on bjw-s app-template,
 * reachable on the internal gateway and through the public tunnel. It talks to Plex, Sonarr and
 * Radarr over their APIs and never touches the media files, so it does not mount the media claim.
 * Pure functions of the resolved config.
 */
import { appComponent, appReach, linuxserverContainer, type AppComponent, type AppDescription, type AppProbe } from '@homelab/app-template';
import type { ResolvedConfig } from '@homelab/config';
import { merge, type Patch } from '@homelab/core';
import { MEDIA_CLAIM, configVolume } from '@homelab/nfs-csi';
import { OVERSEERR_APP, OVERSEERR_DEFAULTS, OVERSEERR_PORT, type OverseerrSettings } from './defaults.js';
import { OVERSEERR_IMAGE } from './versions.js';

const SOURCE = '@homelab/overseerr';
/** Unauthenticated status endpoint (version, commit): answers once the server is up. */
const STATUS: AppProbe = { type: 'http', path: '/api/v1/status' };

/** The package defaults with `overrides` merged on (merge() semantics: maps merge, lists replace, null deletes). */
export function overseerrSettings(overrides?: Patch<OverseerrSettings>): OverseerrSettings {
  return merge<OverseerrSettings>(OVERSEERR_DEFAULTS, overrides);
}

/** The app-template description of Overseerr for this homelab: every field derived from config and settings. */
export function overseerrDescription(config: ResolvedConfig, settings: OverseerrSettings = OVERSEERR_DEFAULTS): AppDescription {
  const reach = appReach(config, OVERSEERR_APP, { port: 'http', ...settings.reach });
  if (reach.loadBalancerIP !== undefined) {
    throw new Error(
      `overseerr: has no LoadBalancer Service to give an address (apps.${OVERSEERR_APP}.loadBalancerIP: '${reach.loadBalancerIP}'). ` +
        `Remove it from homelab.yaml; Overseerr is reached through apps.${OVERSEERR_APP}.expose.`,
    );
  }
  return {
    name: OVERSEERR_APP,
    // The media apps share one namespace (the media claim's); Overseerr calls them by Service name there.
    namespace: MEDIA_CLAIM.namespace,
    description: 'Overseerr: media requests for Plex users',
    image: OVERSEERR_IMAGE,
    ports: { http: { port: OVERSEERR_PORT, http: true } },
    // TZ, PUID, PGID and 'baseline'; the security context is a setting (default: linuxserverSecurityContext()).
    ...linuxserverContainer(config, { env: settings.env }),
    securityContext: settings.securityContext,
    probes: { startup: STATUS, liveness: STATUS, readiness: STATUS },
    resources: settings.resources,
    persistence: { config: configVolume(settings.configSize) },
    exposes: reach.exposes,
    network: settings.network,
  };
}

/**
 * The Overseerr component. `overrides` patch `OverseerrSettings` (resources, env, config size);
 * `apps.overseerr.values` in homelab.yaml is merged onto the chart values by the aggregator.
 */
export function buildOverseerr(config: ResolvedConfig, overrides?: Patch<OverseerrSettings>): AppComponent {
  return appComponent(overseerrDescription(config, overseerrSettings(overrides)), { source: SOURCE });
}

/**
 * Plex Media Server: the linuxserver.io image on bjw-s app-template, reading the shared media
 * claim (read-only), reachable on the internal gateway, through the public tunnel and, for LAN
 * clients, on a LoadBalancer address. Pure functions of the resolved config.
 */
import { appComponent, appReach, linuxserverContainer, loadBalancerService, type AppComponent, type AppDescription, type AppProbe } from '@homelab/app-template';
import type { ResolvedConfig } from '@homelab/config';
import { merge, type Patch } from '@homelab/core';
import { MEDIA_CLAIM, configVolume, mediaVolume } from '@homelab/nfs-csi';
import { PLEX_APP, PLEX_DEFAULTS, PLEX_PORT, type PlexSettings } from './defaults.js';
import { PLEX_IMAGE } from './versions.js';

const SOURCE = '@homelab/plex';
/** Plex's unauthenticated identity endpoint: answers once the server is up. */
const IDENTITY: AppProbe = { type: 'http', path: '/identity' };
/** Where the transcoder scratch volume is mounted; set it as Plex's transcoder temporary directory. */
const TRANSCODE_PATH = '/transcode';

/** The package defaults with `overrides` merged on (merge() semantics: maps merge, lists replace, null deletes). */
export function plexSettings(overrides?: Patch<PlexSettings>): PlexSettings {
  return merge<PlexSettings>(PLEX_DEFAULTS, overrides);
}

/** The app-template description of Plex for this homelab: every field derived from config and settings. */
export function plexDescription(config: ResolvedConfig, settings: PlexSettings = PLEX_DEFAULTS): AppDescription {
  const reach = appReach(config, PLEX_APP, { port: 'http', ...settings.reach });
  if (reach.loadBalancerIP !== undefined && !settings.lanService) {
    throw new Error(
      `plex: apps.${PLEX_APP}.loadBalancerIP is set but the LAN Service is off (lanService: 'false'). ` +
        `Remove apps.${PLEX_APP}.loadBalancerIP from homelab.yaml, or leave lanService on.`,
    );
  }
  return {
    name: PLEX_APP,
    namespace: MEDIA_CLAIM.namespace,
    description: 'Plex Media Server: streams the media library',
    image: PLEX_IMAGE,
    ports: { http: { port: PLEX_PORT, http: true } },
    // TZ, PUID, PGID and 'baseline'; the security context is a setting (default: linuxserverSecurityContext()).
    ...linuxserverContainer(config, { env: settings.env }),
    securityContext: settings.securityContext,
    probes: { startup: IDENTITY, liveness: IDENTITY, readiness: IDENTITY },
    resources: settings.resources,
    persistence: {
      config: configVolume(settings.configSize),
      // Plex only reads the library: the same claim at the same path as every media app, read-only.
      media: mediaVolume({ readOnly: true }),
      // Transcoder scratch on the node's disk rather than the NFS config share.
      transcode: { type: 'emptyDir', mountPath: TRANSCODE_PATH, sizeLimit: settings.transcodeSizeLimit },
    },
    // One Service: the LoadBalancer also serves the routes and the tunnel (a port belongs to one Service).
    services: { main: settings.lanService ? loadBalancerService(reach, ['http']) : { ports: ['http'] } },
    exposes: reach.exposes,
    network: settings.network,
  };
}

/**
 * The Plex component. `overrides` patch `PlexSettings` (resources, env, config size, LAN Service);
 * `apps.plex.values` in homelab.yaml is merged onto the chart values by the aggregator.
 */
export function buildPlex(config: ResolvedConfig, overrides?: Patch<PlexSettings>): AppComponent {
  return appComponent(plexDescription(config, plexSettings(overrides)), { source: SOURCE });
}

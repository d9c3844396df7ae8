/**
 * Every default of @homelab/overseerr, in one place. What depends on the homelab (host names, time
 * zone, user and group) is derived from the config in overseerr.ts, never set here.
 */
import { linuxserverSecurityContext, type AppDescription, type AppResources, type AppSecurityContext, type ReachDefaults } from '@homelab/app-template';

/** Overseerr's web and API port (its default). */
export const OVERSEERR_PORT = 5055;

/** The app's name: Helm release, Deployment, Service and its key under `apps:` in homelab.yaml. */
export const OVERSEERR_APP = 'overseerr';

export interface OverseerrSettings {
  /**
   * Size of the `/config` claim (StorageClass `nfs-config`): settings.json, the SQLite database
   * of requests and users, logs.
   * @default '2Gi'
   */
  configSize: string;
  /**
   * Reachability, overridden per homelab by `apps.overseerr.expose` / `.sso` in homelab.yaml.
   * `requests.<domain>` on both sides (ARCHITECTURE.md), no SSO: Overseerr signs users in with
   * their Plex accounts itself.
   * @default { internal: 'requests', public: 'requests', sso: 'none' }
   */
  reach: Omit<ReachDefaults, 'port'>;
  /**
   * CPU and memory of the container (a Node.js server).
   * @default requests 50m CPU / 256Mi, limit 1Gi memory
   */
  resources: AppResources;
  /**
   * Extra environment variables, over the derived ones (TZ, PUID, PGID); `null` drops one.
   * @default {}
   */
  env: Record<string, string>;
  /**
   * Container security context: the one linuxserver.io's s6-overlay init needs (it starts as root,
   * then runs the app as PUID:PGID), within the 'baseline' Pod Security level.
   * @default linuxserverSecurityContext() (@homelab/app-template)
   */
  securityContext: AppSecurityContext;
  /**
   * Who Overseerr talks to; its network policies derive from it: Sonarr and Radarr (where requests
   * go) and Plex (users and libraries), by component name, and the internet (plex.tv sign-in, TMDB
   * metadata).
   * Reaching it is derived from its exposures; its LoadBalancer ports from its Services.
   * @default { connectsTo: ['sonarr', 'radarr', 'plex'], internetEgress: true }
   */
  network: NonNullable<AppDescription['network']>;
}

export const OVERSEERR_DEFAULTS = {
  configSize: '2Gi',
  reach: { internal: 'requests', public: 'requests', sso: 'none' },
  resources: { requests: { cpu: '50m', memory: '256Mi' }, limits: { memory: '1Gi' } },
  env: {},
  securityContext: linuxserverSecurityContext(),
  network: { connectsTo: ['sonarr', 'radarr', 'plex'], internetEgress: true },
} satisfies OverseerrSettings;

/**
 * Every default of @homelab/plex, in one place. What depends on the homelab (host names, the
 * LoadBalancer address, time zone, user and group) is derived from the config in plex.ts, never
 * set here.
 */
import { linuxserverSecurityContext, type AppDescription, type AppResources, type AppSecurityContext, type ReachDefaults } from '@homelab/app-template';

/** Plex Media Server's port: web app, API and streams (fixed by Plex). */
export const PLEX_PORT = 32400;

/** The app's name: Helm release, Deployment, main Service and its key under `apps:` in homelab.yaml. */
export const PLEX_APP = 'plex';

export interface PlexSettings {
  /**
   * Size of the `/config` claim (StorageClass `nfs-config`): the Plex database, metadata, artwork
   * and thumbnails. It grows with the library; linuxserver.io warns 50 GB+ is likely for a large one.
   * @default '50Gi'
   */
  configSize: string;
  /**
   * Size limit of the `/transcode` scratch volume (an emptyDir on the node's disk, wiped with the
   * pod; the kubelet evicts the pod rather than let it fill the disk). Plex uses it once
   * Settings → Transcoder → "Transcoder temporary directory" is set to `/transcode`.
   * @default '20Gi'
   */
  transcodeSizeLimit: string;
  /**
   * Serve Plex's Service as a LoadBalancer, so LAN clients stream from `<address>:32400` directly
   * (no gateway, no tunnel). The address is `apps.plex.loadBalancerIP` in homelab.yaml, or one
   * Cilium LB-IPAM picks from `network.ranges.loadBalancer`. Off: a ClusterIP Service.
   * @default true
   */
  lanService: boolean;
  /** Reachability, overridden per homelab by `apps.plex.expose` / `.sso` in homelab.yaml. */
  reach: Omit<ReachDefaults, 'port'>;
  /**
   * CPU and memory of the container. No CPU limit: software transcoding is bursty, and a limit
   * throttles it into stutter.
   * @default requests 250m CPU / 1Gi, limit 4Gi memory
   */
  resources: AppResources;
  /**
   * Extra environment variables, over the derived ones (TZ, PUID, PGID); `null` drops one.
   * @default { VERSION: 'docker' } (the image's Plex, no self-update inside the container)
   */
  env: Record<string, string>;
  /**
   * Container security context: the one linuxserver.io's s6-overlay init needs (it starts as root,
   * then runs the app as PUID:PGID), within the 'baseline' Pod Security level.
   * @default linuxserverSecurityContext() (@homelab/app-template)
   */
  securityContext: AppSecurityContext;
  /**
   * Who Plex talks to; its network policies derive from it: the internet (plex.tv sign-in, remote
   * access relay, metadata agents); it calls no app.
   * Reaching it is derived from its exposures; its LoadBalancer ports from its Services.
   * @default { internetEgress: true }
   */
  network: NonNullable<AppDescription['network']>;
}

export const PLEX_DEFAULTS = {
  configSize: '50Gi',
  transcodeSizeLimit: '20Gi',
  lanService: true,
  reach: { internal: 'plex', public: 'plex', sso: 'none' },
  resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '4Gi' } },
  env: { VERSION: 'docker' },
  securityContext: linuxserverSecurityContext(),
  network: { internetEgress: true },
} satisfies PlexSettings;

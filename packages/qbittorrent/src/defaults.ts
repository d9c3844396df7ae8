/**
 * Every default of @homelab/qbittorrent, in one place. What depends on the homelab (host names,
 * the LoadBalancer address, time zone, user and group) is derived from the config in
 * qbittorrent.ts, never set here.
 */
import { linuxserverSecurityContext, type AppDescription, type AppResources, type AppSecurityContext, type ReachDefaults } from '@homelab/app-template';

/** Port of the web UI and API; passed to the image as WEBUI_PORT so both always agree. */
export const QBITTORRENT_WEB_PORT = 8080;

/** The app's name: Helm release, Deployment, main Service and its key under `apps:` in homelab.yaml. */
export const QBITTORRENT_APP = 'qbittorrent';

export interface QbittorrentSettings {
  /**
   * Size of the `/config` claim (StorageClass `nfs-config`): qBittorrent.conf, fast-resume data,
   * .torrent files, logs. Downloads go to the media claim, not here.
   * @default '2Gi'
   */
  configSize: string;
  /**
   * BitTorrent listening port, TCP and UDP (uTP, DHT). One number for three places: the image's
   * TORRENTING_PORT (its init passes it to qbittorrent-nox as `--torrenting-port` at every start,
   * so a port changed in the web UI does not survive a restart), the container ports and the
   * LoadBalancer Service. Forward it on the router to the Service's address. 1024–65535: the app
   * runs unprivileged.
   * @default 6881
   */
  torrentPort: number;
  /**
   * Reachability, overridden per homelab by `apps.qbittorrent.expose` / `.sso` in homelab.yaml.
   * Internal only, behind the Authentik forward-auth proxy.
   * @default { internal: 'qbittorrent', sso: 'proxy' }
   */
  reach: Omit<ReachDefaults, 'port'>;
  /**
   * CPU and memory of the container. libtorrent 2 memory-maps the files it seeds; that page cache
   * is counted against the limit but reclaimable.
   * @default requests 100m CPU / 512Mi, limit 2Gi memory
   */
  resources: AppResources;
  /**
   * Extra environment variables, over the derived ones (TZ, PUID, PGID, WEBUI_PORT,
   * TORRENTING_PORT); `null` drops one.
   * @default { UMASK: '002' } (downloads group-writable, as the TRaSH guides advise for a shared media tree)
   */
  env: Record<string, string>;
  /**
   * Container security context: the one linuxserver.io's s6-overlay init needs (it starts as root,
   * then runs the app as PUID:PGID), within the 'baseline' Pod Security level.
   * @default linuxserverSecurityContext() (@homelab/app-template)
   */
  securityContext: AppSecurityContext;
  /**
   * Who qBittorrent talks to; its network policies derive from it: the internet (trackers and
   * peers); Sonarr and Radarr call it, it calls no app.
   * Reaching it is derived from its exposures; its LoadBalancer ports from its Services.
   * @default { internetEgress: true }
   */
  network: NonNullable<AppDescription['network']>;
}

export const QBITTORRENT_DEFAULTS = {
  configSize: '2Gi',
  torrentPort: 6881,
  reach: { internal: 'qbittorrent', sso: 'proxy' },
  resources: { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '2Gi' } },
  env: { UMASK: '002' },
  securityContext: linuxserverSecurityContext(),
  network: { internetEgress: true },
} satisfies QbittorrentSettings;

/**
 * qBittorrent: the linuxserver.io image on bjw-s app-template, downloading into the shared media
 * claim (read-write, at the one path every media app uses, so Sonarr and Radarr hardlink its
 * downloads into the library), its web UI on the internal gateway behind SSO, and BitTorrent
 * TCP+UDP on a LoadBalancer address. Pure functions of the resolved config.
 */
import { appComponent, appReach, linuxserverContainer, loadBalancerService, type AppComponent, type AppDescription, type AppProbe } from '@homelab/app-template';
import type { ResolvedConfig } from '@homelab/config';
import { merge, type Patch } from '@homelab/core';
import { MEDIA_CLAIM, configVolume, mediaVolume } from '@homelab/nfs-csi';
import { QBITTORRENT_APP, QBITTORRENT_DEFAULTS, QBITTORRENT_WEB_PORT, type QbittorrentSettings } from './defaults.js';
import { QBITTORRENT_IMAGE } from './versions.js';

const SOURCE = '@homelab/qbittorrent';
/** TCP on the web UI: its API answers 403 to unauthenticated callers such as the kubelet. */
const WEB_UI: AppProbe = { type: 'tcp', port: 'http' };

/** The package defaults with `overrides` merged on (merge() semantics), checked. */
export function qbittorrentSettings(overrides?: Patch<QbittorrentSettings>): QbittorrentSettings {
  const settings = merge<QbittorrentSettings>(QBITTORRENT_DEFAULTS, overrides);
  const port = settings.torrentPort;
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    throw new Error(`qbittorrent: torrentPort is not a port from 1024 to 65535 (torrentPort: '${port}'). Pick an unprivileged port such as 6881; the app does not run as root.`);
  }
  if (port === QBITTORRENT_WEB_PORT) {
    throw new Error(`qbittorrent: torrentPort is the web UI's port (torrentPort: '${port}'). Pick another port such as 6881.`);
  }
  return settings;
}

/** The app-template description of qBittorrent for this homelab: every field derived from config and settings. */
export function qbittorrentDescription(config: ResolvedConfig, settings: QbittorrentSettings = QBITTORRENT_DEFAULTS): AppDescription {
  const reach = appReach(config, QBITTORRENT_APP, { port: 'http', ...settings.reach });
  return {
    name: QBITTORRENT_APP,
    namespace: MEDIA_CLAIM.namespace,
    description: 'qBittorrent: BitTorrent client downloading into the shared media volume',
    image: QBITTORRENT_IMAGE,
    ports: {
      'http': { port: QBITTORRENT_WEB_PORT, http: true },
      'bt-tcp': { port: settings.torrentPort, protocol: 'TCP' },
      'bt-udp': { port: settings.torrentPort, protocol: 'UDP' },
    },
    // TZ, PUID, PGID and 'baseline'; the security context is a setting (default: linuxserverSecurityContext()).
    ...linuxserverContainer(config, {
      env: { WEBUI_PORT: String(QBITTORRENT_WEB_PORT), TORRENTING_PORT: String(settings.torrentPort), ...settings.env },
    }),
    securityContext: settings.securityContext,
    probes: { startup: WEB_UI, liveness: WEB_UI, readiness: WEB_UI },
    resources: settings.resources,
    persistence: {
      config: configVolume(settings.configSize),
      // The whole media tree, read-write, at the path every media app uses: downloads land in
      // `<path>/downloads/…`, which Sonarr/Radarr see at the same place and hardlink from.
      media: mediaVolume(),
    },
    services: { main: { ports: ['http'] }, bittorrent: loadBalancerService(reach, ['bt-tcp', 'bt-udp']) },
    exposes: reach.exposes,
    network: settings.network,
  };
}

/**
 * The qBittorrent component. `overrides` patch `QbittorrentSettings` (torrent port, resources,
 * env, config size); `apps.qbittorrent.values` in homelab.yaml is merged onto the chart values by
 * the aggregator.
 */
export function buildQbittorrent(config: ResolvedConfig, overrides?: Patch<QbittorrentSettings>): AppComponent {
  return appComponent(qbittorrentDescription(config, qbittorrentSettings(overrides)), { source: SOURCE });
}

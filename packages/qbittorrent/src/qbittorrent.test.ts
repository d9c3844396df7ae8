/** qbittorrent's behaviour: the suite the linuxserver.io apps with their own description share (@homelab/testing), then what only qBittorrent does. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APP_TEMPLATE_CHART, APP_TEMPLATE_DEFAULTS, appResourceNames } from '@homelab/app-template';
import { formatIpv4, parseIpv4, type ResolvedConfig } from '@homelab/config';
import { MEDIA_CLAIM, MEDIA_MOUNT_PATH, STORAGE_CLASSES } from '@homelab/nfs-csi';
import { appTemplateObjects, configVariant, describeCustomLinuxserverApp, seedConfigWithoutApps } from '@homelab/testing';
import { buildQbittorrent, QBITTORRENT_DEFAULTS, QBITTORRENT_IMAGE, QBITTORRENT_WEB_PORT, qbittorrentModule } from './index.js';
import { qbittorrentDescription, qbittorrentSettings } from './qbittorrent.js';

const LB_ANNOTATION = 'lbipam.cilium.io/ips';
const seed = seedConfigWithoutApps();
/** An address of the seed's LoadBalancer pool other than the internal gateway's. */
const poolAddress = (config: ResolvedConfig) => formatIpv4(parseIpv4(config.network.ranges.loadBalancer.end) - 1);
const withAddress = configVariant((data) => {
  data.apps = { ...data.apps, qbittorrent: { loadBalancerIP: poolAddress(seed) } };
});

describeCustomLinuxserverApp({
  name: 'qbittorrent',
  build: buildQbittorrent,
  module: qbittorrentModule,
  settings: qbittorrentSettings,
  defaults: QBITTORRENT_DEFAULTS,
  resourceNames: (config) => appResourceNames(qbittorrentDescription(config)),
  appTemplate: { chart: APP_TEMPLATE_CHART, startupProbe: APP_TEMPLATE_DEFAULTS.startupProbe },
  image: { repository: 'lscr.io/linuxserver/qbittorrent', tag: QBITTORRENT_IMAGE.tag, tagPattern: /^\d+\.\d+\.\d+-r\d+-ls\d+$/ },
  port: QBITTORRENT_WEB_PORT,
  // TCP: the API refuses unauthenticated callers such as the kubelet.
  probe: { type: 'tcp' },
  // The ports come from the settings.
  env: { WEBUI_PORT: String(QBITTORRENT_WEB_PORT), TORRENTING_PORT: String(QBITTORRENT_DEFAULTS.torrentPort), UMASK: '002' },
  media: { claim: MEDIA_CLAIM.name, namespace: MEDIA_CLAIM.namespace, path: MEDIA_MOUNT_PATH, mount: 'read-write' },
  config: { storageClass: STORAGE_CLASSES.config, size: '2Gi' },
  // The web UI on the internal gateway behind the SSO proxy; nothing public.
  reach: { internal: 'qbittorrent', sso: 'proxy' },
  mainServiceType: 'ClusterIP',
  withLoadBalancerIP: withAddress,
  schemaOverrides: { torrentPort: 51413, resources: { limits: { cpu: '2' } }, env: { UMASK: null, DOCKER_MODS: 'x' } },
  renderedObjectCount: 5,
  sourceDir: fileURLToPath(new URL('.', import.meta.url)),
});

describe('reach follows homelab.yaml', () => {
  it('apps.qbittorrent.expose turns exposures on and off; sso overrides the default', () => {
    const tailnet = configVariant((data) => {
      data.apps = { ...data.apps, qbittorrent: { expose: { internal: false, tailnet: 'torrents' }, sso: 'none' } };
    });
    expect(buildQbittorrent(tailnet).exposes).toEqual([
      { host: 'torrents', access: 'tailnet', service: { name: 'qbittorrent', namespace: MEDIA_CLAIM.namespace, port: QBITTORRENT_WEB_PORT }, sso: 'none' },
    ]);
    const publicToo = configVariant((data) => {
      data.apps = { ...data.apps, qbittorrent: { expose: { public: 'torrents' } } };
    });
    expect(buildQbittorrent(publicToo).exposes.map((exposure) => [exposure.access, exposure.host])).toEqual([
      ['internal', `qbittorrent.${publicToo.domains.internal}`],
      ['public', `torrents.${publicToo.domains.public}`],
    ]);
    const publicOff = configVariant((data) => {
      data.apps = { ...data.apps, qbittorrent: { expose: { public: false } } };
    });
    expect(buildQbittorrent(publicOff).exposes.map((exposure) => exposure.access)).toEqual(['internal']);
  });
});

describe('BitTorrent LoadBalancer', () => {
  it('TCP and UDP on the torrent port, on the qbittorrent-bittorrent LoadBalancer Service; Cilium picks the address by default', () => {
    const values = buildQbittorrent(seed).values;
    const port = QBITTORRENT_DEFAULTS.torrentPort;
    expect(values.service['bittorrent']).toEqual({ controller: 'main', type: 'LoadBalancer', suffix: 'bittorrent', ports: { 'bt-tcp': { port, protocol: 'TCP' }, 'bt-udp': { port, protocol: 'UDP' } } });
    const { services } = appTemplateObjects(buildQbittorrent(seed), appResourceNames(qbittorrentDescription(seed)));
    const lb = services.find((service) => service.spec!.type === 'LoadBalancer')!;
    expect(lb.metadata!.name).toBe('qbittorrent-bittorrent');
    expect(lb.spec!.ports!.map((p) => [p.protocol, p.port])).toEqual([['TCP', port], ['UDP', port]]);
  });

  it('apps.qbittorrent.loadBalancerIP becomes the Cilium LB-IPAM annotation', () => {
    expect(withAddress.apps['qbittorrent']?.loadBalancerIP).toBe(poolAddress(seed));
    const values = buildQbittorrent(withAddress).values;
    expect(values.service['bittorrent']!.annotations).toEqual({ [LB_ANNOTATION]: withAddress.apps['qbittorrent']!.loadBalancerIP });
    expect(values.service['main']).not.toHaveProperty('annotations');
  });

  it('torrentPort sets the Service ports, the container ports and TORRENTING_PORT together', () => {
    const values = buildQbittorrent(seed, { torrentPort: 51413 }).values;
    expect(Object.values(values.service['bittorrent']!.ports).map((port) => port.port)).toEqual([51413, 51413]);
    expect(values.controllers['main']!.containers['app']!.env!['TORRENTING_PORT']).toBe('51413');
  });

  it.each<[number, string]>([
    [80, "qbittorrent: torrentPort is not a port from 1024 to 65535 (torrentPort: '80'). Pick an unprivileged port such as 6881; the app does not run as root."],
    [70000, "qbittorrent: torrentPort is not a port from 1024 to 65535 (torrentPort: '70000'). Pick an unprivileged port such as 6881; the app does not run as root."],
    [QBITTORRENT_WEB_PORT, `qbittorrent: torrentPort is the web UI's port (torrentPort: '${QBITTORRENT_WEB_PORT}'). Pick another port such as 6881.`],
  ])('refuses torrentPort %s', (torrentPort, message) => {
    expect(() => buildQbittorrent(seed, { torrentPort })).toThrow(message);
  });
});

describe('overrides (merge() onto QBITTORRENT_DEFAULTS)', () => {
  it('extra env is added, a default env dropped with null', () => {
    const env = buildQbittorrent(seed, { env: { DOCKER_MODS: 'x', UMASK: null } }).values.controllers['main']!.containers['app']!.env!;
    expect(env['DOCKER_MODS']).toBe('x');
    expect(env).not.toHaveProperty('UMASK');
    expect(env['WEBUI_PORT']).toBe(String(QBITTORRENT_WEB_PORT));
  });
});

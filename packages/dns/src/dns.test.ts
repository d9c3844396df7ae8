import { describe, expect, it } from 'vitest';
import { Service } from 'kubernetes-models/v1/Service';
import { formatIpv4, parseIpv4, type ResolvedConfig } from '@homelab/config';
import { hasGeneratedHeader, type Access, type Component, type Exposure } from '@homelab/core';
import { appComponent, appResourceNames, type AppDescription } from '@homelab/app-template';
import { plexModule } from '@homelab/plex';
import { qbittorrentModule } from '@homelab/qbittorrent';
import { configVariant, seedConfig } from '@homelab/testing';
import { DNS_DEFAULTS, DNS_FILES, LB_IPS_ANNOTATION } from './defaults.js';
import { dnsArtifact, piholeFiles } from './pihole.js';
import { dnsRecords, fixedLoadBalancers, loadBalancerHost } from './records.js';
import * as api from './index.js';

const config = seedConfig();
/** The n-th address of the LoadBalancer pool (0 = its start). */
const poolAddress = (cfg: ResolvedConfig, n: number) => formatIpv4(parseIpv4(cfg.network.ranges.loadBalancer.start) + n);

const exposure = (cfg: ResolvedConfig, label: string, namespace: string, access: Access = 'internal'): Exposure => ({
  host: `${label}.${access === 'public' ? cfg.domains.public : cfg.domains.internal}`,
  access,
  service: { name: label, namespace, port: 80 },
  sso: 'none',
});
const app = (name: string, namespace: string, exposes: Exposure[], extra: Partial<Component> = {}): Component => ({ name, group: 'apps', namespace, source: 'test', exposes, ...extra });

/** A media server on app-template with its main Service as a LoadBalancer at a fixed pool address. */
const mediaServer = (cfg: ResolvedConfig, address?: string): AppDescription => ({
  name: 'jellyfin',
  namespace: 'media',
  image: { repository: 'jellyfin/jellyfin', tag: '10.11.0' },
  ports: { http: { port: 8096, http: true }, discovery: { port: 7359, protocol: 'UDP' } },
  services: { main: { type: 'LoadBalancer', ports: ['http'], ...(address ? { loadBalancerIP: address } : {}) }, discovery: { type: 'LoadBalancer', ports: ['discovery'], loadBalancerIP: poolAddress(cfg, 9) } },
  exposes: { web: { access: 'internal', host: `jellyfin.${cfg.domains.internal}`, port: 'http', sso: 'none' } },
});

/** A DNS server as a raw Service object (not app-template), fixed at two pool addresses. */
const dnsService = (cfg: ResolvedConfig) =>
  new Service({
    metadata: { name: 'blocky', namespace: 'dns', annotations: { [LB_IPS_ANNOTATION]: `${poolAddress(cfg, 5)},${poolAddress(cfg, 6)}` } },
    spec: { type: 'LoadBalancer', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
  });

function homelab(cfg: ResolvedConfig = config): Component[] {
  return [
    app('sonarr', 'media', [exposure(cfg, 'sonarr', 'media')]),
    app('plex', 'media', [exposure(cfg, 'plex', 'media'), exposure(cfg, 'plex', 'media', 'public')]),
    app('tailnet-only', 'tools', [exposure(cfg, 'notes', 'tools', 'tailnet')]),
    appComponent(mediaServer(cfg, poolAddress(cfg, 8)), { source: '@homelab/jellyfin' }),
    app('blocky', 'dns', [], { objects: { service: dnsService(cfg), plain: new Service({ metadata: { name: 'internal', namespace: 'dns' }, spec: { type: 'ClusterIP' } }) } }),
  ];
}

describe('records', () => {
  const records = dnsRecords(config, homelab());

  it('send every internal host, and only those, to the internal gateway', () => {
    const internal = homelab().flatMap((component) => (component.exposes ?? []).filter((entry) => entry.access === 'internal').map((entry) => entry.host));
    const toGateway = records.filter((record) => record.ip === config.network.internalGatewayIP).map((record) => record.host);
    expect(toGateway.sort()).toEqual(internal.sort());
    expect(records.map((record) => record.host)).not.toContain(`plex.${config.domains.public}`);
    expect(records.map((record) => record.host)).not.toContain(`notes.${config.domains.internal}`);
  });

  it('send fixed LoadBalancer Services to their addresses, named <service>.<namespace>.<domains.internal>', () => {
    const names = appResourceNames(mediaServer(config, poolAddress(config, 8))).services;
    const lb = records.filter((record) => record.ip !== config.network.internalGatewayIP).map((record) => [record.host, record.ip]);
    expect(lb).toEqual(
      [
        [`blocky.dns.${config.domains.internal}`, poolAddress(config, 5)],
        [`blocky.dns.${config.domains.internal}`, poolAddress(config, 6)],
        [`${names['discovery']}.media.${config.domains.internal}`, poolAddress(config, 9)],
        [`${names['main']}.media.${config.domains.internal}`, poolAddress(config, 8)],
      ].sort(),
    );
  });

  it('leave out LoadBalancers whose address Cilium picks at runtime, and ClusterIP Services', () => {
    const dynamic = appComponent(mediaServer(config), { source: '@homelab/jellyfin' });
    expect(fixedLoadBalancers([dynamic]).map((service) => service.name)).toEqual([appResourceNames(mediaServer(config)).services['discovery']]);
    expect(fixedLoadBalancers(homelab()).map((service) => service.name)).not.toContain('internal');
  });

  it('are sorted by host then address, and independent of component order', () => {
    const keys = records.map((record) => `${record.host} ${record.ip}`);
    expect(keys).toEqual([...keys].sort());
    expect(dnsRecords(config, [...homelab()].reverse())).toEqual(records.map((record) => expect.objectContaining({ host: record.host, ip: record.ip })));
  });

  it('keep a host declared twice to the same place once', () => {
    const twice = [app('a', 'x', [exposure(config, 'same', 'x')]), app('b', 'y', [exposure(config, 'same', 'y')])];
    expect(dnsRecords(config, twice).map((record) => record.host)).toEqual([`same.${config.domains.internal}`]);
  });

  it('reject a host that would resolve to two places', () => {
    const service = new Service({
      metadata: { name: 'x', namespace: 'y', annotations: { [LB_IPS_ANNOTATION]: poolAddress(config, 3) } },
      spec: { type: 'LoadBalancer' },
    });
    const clash = [app('web', 'y', [{ ...exposure(config, 'x', 'y'), host: loadBalancerHost({ name: 'x', namespace: 'y' }, config) }]), app('lb', 'y', [], { objects: { svc: service } })];
    expect(() => dnsRecords(config, clash)).toThrow(
      `dns: host would resolve to two places, ${config.network.internalGatewayIP} for web.exposes[0] (lb: Service y/x: 'x.y.${config.domains.internal} → ${poolAddress(config, 3)}'). Expose the host once, or rename one of them.`,
    );
  });

  it('reject an annotation that holds no IP address', () => {
    const bad = new Service({ metadata: { name: 'x', namespace: 'y', annotations: { [LB_IPS_ANNOTATION]: 'auto' } }, spec: { type: 'LoadBalancer' } });
    expect(() => dnsRecords(config, [app('lb', 'y', [], { objects: { svc: bad } })])).toThrow(
      `dns: not an IP address in the LoadBalancer annotation (lb.objects.svc.metadata.annotations['${LB_IPS_ANNOTATION}']: 'auto'). Use addresses of network.ranges.loadBalancer, separated by commas.`,
    );
  });
});

describe('the seed media apps', () => {
  const apps = [plexModule.build(config), qbittorrentModule.build(config)].flat();

  it('resolve each fixed apps.<name>.loadBalancerIP to one Service of the app, <app>[-<key>].<namespace>.<domain>', () => {
    const records = dnsRecords(config, apps);
    for (const component of apps) {
      const address = config.apps[component.name]?.loadBalancerIP;
      expect(address, `apps.${component.name}.loadBalancerIP in the seed`).toBeDefined();
      const hosts = records.filter((record) => record.ip === address).map((record) => record.host);
      expect(hosts).toHaveLength(1);
      const suffix = `.${component.namespace}.${config.domains.internal}`;
      expect(hosts[0]!.endsWith(suffix)).toBe(true);
      expect(hosts[0]!.slice(0, -suffix.length)).toMatch(new RegExp(`^${component.name}(-[a-z0-9-]+)?$`));
    }
    // Plex serves its web port on its LoadBalancer: the exposed Service is the one with the address
    const plex = apps.find((component) => component.name === 'plex')!;
    expect(records).toContainEqual(expect.objectContaining({ host: loadBalancerHost(plex.exposes![0]!.service, config), ip: config.apps['plex']!.loadBalancerIP }));
  });

  it('send their internal hosts to the gateway', () => {
    const records = dnsRecords(config, apps);
    for (const entry of apps.flatMap((component) => component.exposes ?? []).filter((entry) => entry.access === 'internal')) {
      expect(records).toContainEqual(expect.objectContaining({ host: entry.host, ip: config.network.internalGatewayIP }));
    }
  });
});

describe('late binding', () => {
  it('follows domains.internal', () => {
    const moved = configVariant((data) => {
      data.domains.internal = 'home.example.org';
    });
    const hosts = dnsRecords(moved, homelab(moved)).map((record) => record.host);
    expect(hosts.every((host) => host.endsWith('.home.example.org'))).toBe(true);
    expect(hosts).toContain('sonarr.home.example.org');
    expect(hosts).toContain('blocky.dns.home.example.org');
  });

  it('follows network.internalGatewayIP', () => {
    // the first pool address neither the gateway nor an app's fixed LoadBalancer uses
    const used = new Set([config.network.internalGatewayIP, ...Object.values(config.apps).map((entry) => entry.loadBalancerIP)]);
    let free = 0;
    while (used.has(poolAddress(config, free))) free++;
    const moved = configVariant((data) => {
      data.network.internalGatewayIP = poolAddress(config, free);
    });
    expect(moved.network.internalGatewayIP).not.toBe(config.network.internalGatewayIP);
    const before = dnsRecords(config, homelab());
    const after = dnsRecords(moved, homelab());
    expect(after.filter((record) => record.ip === moved.network.internalGatewayIP).map((record) => record.host)).toEqual(
      before.filter((record) => record.ip === config.network.internalGatewayIP).map((record) => record.host),
    );
    expect(after.map((record) => record.ip)).not.toContain(config.network.internalGatewayIP);
  });

  it('changing one exposure changes exactly its record', () => {
    const withSonarr = (access: Access) => homelab().map((component) => (component.name === 'sonarr' ? app('sonarr', 'media', [exposure(config, 'sonarr', 'media', access)]) : component));
    const lines = (components: Component[]) => piholeFiles(config, components)[0]!.content.split('\n');
    const before = lines(withSonarr('internal'));
    const after = lines(withSonarr('tailnet'));
    expect(before.filter((line) => !after.includes(line))).toEqual([`${config.network.internalGatewayIP} sonarr.${config.domains.internal}`]);
    expect(after.filter((line) => !before.includes(line))).toEqual([]);
  });
});

describe('Pi-hole files', () => {
  const files = piholeFiles(config, homelab());
  const records = dnsRecords(config, homelab());
  const body = (content: string) => content.split('\n').filter((line) => line !== '' && !line.startsWith('#'));

  it('are written under dns/: custom.list, the pihole.toml hosts array, and how to import them', () => {
    expect(files.map((file) => file.path)).toEqual([DNS_FILES.customList, DNS_FILES.tomlHosts, DNS_FILES.readme].map((file) => `${DNS_DEFAULTS.directory}/${file}`));
    for (const file of files) {
      expect(file.source).toBe('@homelab/dns');
      expect(hasGeneratedHeader(file.content)).toBe(true);
    }
  });

  it('custom.list is one `<ip> <hostname>` line per record', () => {
    const lines = body(files[0]!.content);
    expect(lines).toEqual(records.map((record) => `${record.ip} ${record.host}`));
    for (const line of lines) expect(line).toMatch(/^\S+ \S+$/);
    expect(files[0]!.content.endsWith('\n')).toBe(true);
  });

  it('the TOML form holds the same lines as a `hosts` array of strings', () => {
    const lines = body(files[1]!.content);
    expect(lines[0]).toBe('hosts = [');
    expect(lines.at(-1)).toBe(']');
    expect(lines.slice(1, -1).map((line) => JSON.parse(line.trim().replace(/,$/, '')))).toEqual(body(files[0]!.content));
    expect(body(piholeFiles(config, [])[1]!.content)).toEqual(['hosts = []']);
  });

  it('the README names the gateway address and the files', () => {
    const readme = files[2]!.content;
    expect(readme).toContain(config.network.internalGatewayIP);
    expect(readme).toContain(`${DNS_DEFAULTS.directory}/${DNS_FILES.tomlHosts}`);
    expect(readme).toContain('/etc/pihole/custom.list');
  });

  it('are the same bytes every run', () => {
    expect(piholeFiles(config, homelab())).toEqual(files);
    expect(piholeFiles(config, [...homelab()].reverse())).toEqual(files);
  });

  it('can go to another directory', () => {
    expect(piholeFiles(config, homelab(), { directory: 'pihole' }).map((file) => file.path.split('/')[0])).toEqual(['pihole', 'pihole', 'pihole']);
  });

  it('come from the artifact module the aggregator registers', () => {
    expect(dnsArtifact.name).toBe('dns');
    expect(dnsArtifact.build(config, homelab())).toEqual(files);
  });
});

it('exports a small, fixed surface', () => {
  expect(Object.keys(api).sort()).toEqual([
    'DNS_DEFAULTS',
    'DNS_FILES',
    'LB_IPS_ANNOTATION',
    'customList',
    'dnsArtifact',
    'dnsRecords',
    'fixedLoadBalancers',
    'loadBalancerHost',
    'piholeFiles',
    'tomlHosts',
  ]);
});

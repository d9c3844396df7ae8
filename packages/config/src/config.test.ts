import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump, load } from 'js-yaml';
import { loadConfigFile, parseConfigText, validateConfig, type ConfigResult } from './load.js';
import { ConfigError, formatProblem, type ConfigProblem } from './errors.js';
import type { ResolvedConfig } from './resolve.js';
import { STATEFUL_VOLUMES, type HomelabConfigInput } from './schema.js';
import { STATEFUL_VOLUME_NAMES } from './shape.js';

const SEED_URL = new URL('../../../homelab.yaml', import.meta.url);
const seedText = readFileSync(SEED_URL, 'utf8');
const seed = load(seedText) as HomelabConfigInput;

/** Invalid configs hold values the input type forbids; mutations of them are untyped on purpose. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

/** A deep clone of the seed, changed by `mutate`. */
function variant(mutate: (config: HomelabConfigInput) => void): HomelabConfigInput {
  const config = structuredClone(seed);
  mutate(config);
  return config;
}

function broken(mutate: (config: Loose) => void): unknown {
  const config: Loose = structuredClone(seed);
  mutate(config);
  return config;
}

function accepted(result: ConfigResult): ResolvedConfig {
  if (!result.ok) expect.fail(`expected a valid config, got:\n${result.problems.map(formatProblem).join('\n')}`);
  return result.config;
}

function rejected(result: ConfigResult): ConfigProblem[] {
  if (result.ok) expect.fail('expected the config to be rejected');
  return result.problems;
}

const messages = (result: ConfigResult) => rejected(result).map(formatProblem);

describe('valid configs', () => {
  it('accepts the seed homelab.yaml and resolves it', () => {
    const config = accepted(validateConfig(seed));
    expect(config.cluster).toEqual({
      name: 'homelab',
      apiAddress: '192.168.30.50',
      endpoint: 'https://192.168.30.50:6443',
      schedulesOnControlPlanes: true,
    });
    expect(config.network.nameservers).toEqual(['192.168.30.45']);
    expect(config.nfs.server).toBe('192.168.30.20');
    expect(config.nodes).toEqual([
      {
        name: 'talos-cp01',
        ip: '192.168.30.50',
        role: 'controlplane',
        installDisk: '/dev/sda',
        vm: { cores: 6, cpuType: 'x86-64-v2-AES', memoryMiB: 16384, diskGiB: 100 },
      },
    ]);
    expect(config.controlPlanes.map((node) => node.name)).toEqual(['talos-cp01']);
    expect(config.workers).toEqual([]);
    expect(config.workloads).toEqual({ timezone: 'Europe/Brussels', puid: 1000, pgid: 1000 });
    expect(config.components).toEqual({});
    expect(config.apps).toEqual(Object.fromEntries(Object.entries(seed.apps ?? {}).map(([name, app]) => [name, { enabled: true, ...app }])));
  });

  it('accepts the seed through parseConfigText and loadConfigFile', () => {
    const parsed = accepted(parseConfigText(seedText));
    expect(loadConfigFile(fileURLToPath(SEED_URL))).toEqual(parsed);
    expect(parsed).toEqual(accepted(validateConfig(seed)));
  });

  it('does not modify its input when filling defaults', () => {
    const input = variant((c) => {
      delete c.workloads;
      delete c.nodes['talos-cp01']!.vm;
    });
    const before = structuredClone(input);
    accepted(validateConfig(input));
    expect(input).toEqual(before);
  });

  it('accepts another domain and a 10.0.0.0/16 plan, filling every schema default', () => {
    const input = variant((c) => {
      c.cluster.name = 'lab';
      c.domains = { public: 'example.com', internal: 'home.example.com' };
      c.network = {
        subnet: '10.0.0.0/16',
        gateway: '10.0.0.1',
        nameservers: ['dns', '1.1.1.1'],
        ranges: {
          infrastructure: { start: '10.0.1.0', end: '10.0.1.255' },
          nodes: { start: '10.0.2.0', end: '10.0.2.255' },
          loadBalancer: { start: '10.0.3.0', end: '10.0.3.255' },
        },
        internalGatewayIP: '10.0.3.10',
      };
      c.hosts = { pve: { ip: '10.0.1.10' }, nas: { ip: '10.0.1.20' }, dns: { ip: '10.0.1.53' } };
      c.proxmox!.host = 'pve';
      c.nodes = { cp: { ip: '10.0.2.10', role: 'controlplane' } };
      c.nfs.server = 'nas';
      delete c.gitops.revision;
      delete c.workloads;
      delete c.apps;
    });
    const config = accepted(validateConfig(input));
    expect(config.domains).toEqual({ public: 'example.com', internal: 'home.example.com' });
    expect(config.network.nameservers).toEqual(['10.0.1.53', '1.1.1.1']);
    expect(config.network.ntpServers).toEqual(['time.cloudflare.com']);
    expect(config.network).not.toHaveProperty('vlan');
    expect(config.network.ranges).not.toHaveProperty('dhcp');
    expect(config.nfs.server).toBe('10.0.1.20');
    expect(config.cluster.endpoint).toBe('https://10.0.2.10:6443');
    expect(config.nodes).toEqual([
      { name: 'cp', ip: '10.0.2.10', role: 'controlplane', installDisk: '/dev/sda', vm: { cores: 4, cpuType: 'x86-64-v2-AES', memoryMiB: 8192, diskGiB: 100 } },
    ]);
    expect(config.gitops.revision).toBe('main');
    expect(config.workloads).toEqual({ timezone: 'UTC', puid: 1000, pgid: 1000 });
    expect(config.components).toEqual({});
    expect(config.apps).toEqual({});
    // No placement chosen: every stateful volume takes its package's default.
    expect(config.storage).toEqual({ volumes: {} });
  });

  it('lists the stateful volumes storage.volumes places, at run time, as the schema source declares them', () => {
    expect(STATEFUL_VOLUME_NAMES).toEqual(Object.keys(STATEFUL_VOLUMES));
  });

  it('accepts time zones by their canonical name or an alias, in the IANA letter case', () => {
    for (const timezone of ['UTC', 'America/Argentina/Buenos_Aires', 'Asia/Kolkata', 'Asia/Calcutta', 'US/Pacific']) {
      expect(accepted(validateConfig(variant((c) => (c.workloads!.timezone = timezone)))).workloads.timezone, timezone).toBe(timezone);
    }
  });

  it('accepts 3 control planes + 3 workers behind a controlPlaneVIP', () => {
    const input = variant((c) => {
      c.cluster.controlPlaneVIP = '192.168.30.58';
      // Out of name order on purpose: resolution sorts nodes by name.
      c.nodes = {
        'talos-w03': { ip: '192.168.30.55', role: 'worker' },
        'talos-cp02': { ip: '192.168.30.51', role: 'controlplane' },
        'talos-w01': { ip: '192.168.30.53', role: 'worker', vm: { cores: 8, memoryMiB: 32768 } },
        'talos-cp01': { ip: '192.168.30.50', role: 'controlplane' },
        'talos-w02': { ip: '192.168.30.54', role: 'worker', installDisk: '/dev/nvme0n1' },
        'talos-cp03': { ip: '192.168.30.52', role: 'controlplane' },
      };
    });
    const config = accepted(validateConfig(input));
    expect(config.cluster).toEqual({
      name: 'homelab',
      controlPlaneVIP: '192.168.30.58',
      apiAddress: '192.168.30.58',
      endpoint: 'https://192.168.30.58:6443',
      schedulesOnControlPlanes: false,
    });
    expect(config.nodes.map((node) => node.name)).toEqual(['talos-cp01', 'talos-cp02', 'talos-cp03', 'talos-w01', 'talos-w02', 'talos-w03']);
    expect(config.controlPlanes.map((node) => node.ip)).toEqual(['192.168.30.50', '192.168.30.51', '192.168.30.52']);
    expect(config.workers.map((node) => node.ip)).toEqual(['192.168.30.53', '192.168.30.54', '192.168.30.55']);
    const w01 = config.nodes.find((node) => node.name === 'talos-w01');
    expect(w01?.vm).toEqual({ cores: 8, cpuType: 'x86-64-v2-AES', memoryMiB: 32768, diskGiB: 100 });
    expect(config.nodes.find((node) => node.name === 'talos-w02')?.installDisk).toBe('/dev/nvme0n1');
  });

  it('uses the only control plane as endpoint and keeps workloads off it when workers exist', () => {
    const input = variant((c) => {
      c.nodes['talos-w01'] = { ip: '192.168.30.51', role: 'worker' };
      c.nodes['talos-w02'] = { ip: '192.168.30.52', role: 'worker' };
    });
    const config = accepted(validateConfig(input));
    expect(config.cluster.endpoint).toBe('https://192.168.30.50:6443');
    expect(config.cluster).not.toHaveProperty('controlPlaneVIP');
    expect(config.cluster.schedulesOnControlPlanes).toBe(false);
    expect(config.workers).toHaveLength(2);
  });

  it('accepts apps with loadBalancerIPs, exposed hosts and sso, and components with overrides', () => {
    const input = variant((c) => {
      c.apps = {
        plex: { loadBalancerIP: '192.168.30.62', expose: { internal: 'plex', public: 'watch', tailnet: false }, sso: 'none' },
        sonarr: { expose: { internal: 'sonarr', tailnet: 'sonarr' }, sso: 'proxy' },
        grafana: { expose: { internal: 'grafana.int.lorenzodebie.be' }, sso: 'oidc', syncWave: 5 },
        // The same label under different domains does not collide.
        jellyfin: { loadBalancerIP: '192.168.30.80', expose: { internal: 'media', public: 'media' }, enabled: false },
      };
      c.components = { cilium: { values: { hubble: { enabled: true } } }, loki: { enabled: false, syncWave: -1 } };
    });
    const config = accepted(validateConfig(input));
    expect(config.apps['plex']).toEqual({
      enabled: true,
      loadBalancerIP: '192.168.30.62',
      expose: { internal: 'plex', public: 'watch', tailnet: false },
      sso: 'none',
    });
    expect(config.apps['sonarr']).toEqual({ enabled: true, expose: { internal: 'sonarr', tailnet: 'sonarr' }, sso: 'proxy' });
    expect(config.apps['grafana']?.syncWave).toBe(5);
    expect(config.apps['jellyfin']?.enabled).toBe(false);
    expect(config.components).toEqual({
      cilium: { enabled: true, values: { hubble: { enabled: true } } },
      loki: { enabled: false, syncWave: -1 },
    });
  });

  it('resolves cloudflare and tailscale settings, deriving the operator hostname from the cluster name', () => {
    const config = accepted(
      validateConfig(
        variant((c) => {
          c.cloudflare = { tunnelId: '6ff42ae2-765d-4adf-8112-31c55c1551ef' };
          c.tailscale = { tags: ['tag:k8s-operator'], proxyTags: ['tag:k8s'] };
        }),
      ),
    );
    expect(config.cloudflare).toEqual({ tunnelId: '6ff42ae2-765d-4adf-8112-31c55c1551ef' });
    expect(config.tailscale).toEqual({ hostname: `${config.cluster.name}-operator`, tags: ['tag:k8s-operator'], proxyTags: ['tag:k8s'] });
  });

  it('accepts plain IPs for nfs.server, nameservers and proxmox.host, without any hosts', () => {
    const input = variant((c) => {
      c.hosts = {};
      c.network.nameservers = ['192.168.30.45', '9.9.9.9'];
      c.nfs.server = '192.168.30.20';
      c.proxmox!.host = '192.168.30.10';
    });
    const config = accepted(validateConfig(input));
    expect(config.network.nameservers).toEqual(['192.168.30.45', '9.9.9.9']);
    expect(config.nfs.server).toBe('192.168.30.20');
    expect(config.proxmox?.endpoint).toBe('https://192.168.30.10:8006/');
    expect(config.hosts).toEqual({});
  });

  it("accepts a host named like an inherited object property ('constructor')", () => {
    const input = variant((c) => {
      c.hosts['constructor'] = { ip: '192.168.30.46' };
      c.network.nameservers = ['constructor'];
    });
    expect(accepted(validateConfig(input)).network.nameservers).toEqual(['192.168.30.46']);
  });
});

interface InvalidCase {
  name: string;
  mutate: (config: Loose) => void;
  /** Every problem reported, formatted. */
  expected: string[];
}

const LB_FIX = 'Use an address inside that range, or widen the range.';
const DISJOINT = 'Make the ranges disjoint: shrink or move one of them.';
const UNIQUE = 'Give every host, node and LoadBalancer its own address.';
const LABEL_FIX = "Use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit.";

const shapeCases: InvalidCase[] = [
  {
    name: 'missing required key',
    mutate: (c) => delete c.cluster.name,
    expected: ['cluster.name: is required (got nothing). Add cluster.name: Cluster name, used by Talos and in object names.'],
  },
  {
    name: 'missing required section',
    mutate: (c) => delete c.acme,
    expected: ["acme: is required (got nothing). Add acme: Let's Encrypt (cert-manager)."],
  },
  {
    name: 'missing required key inside a map entry',
    mutate: (c) => delete c.nodes['talos-cp01'].role,
    expected: ['nodes.talos-cp01.role: is required (got nothing). Add nodes.talos-cp01.role: Talos machine type.'],
  },
  {
    name: 'unknown key with a did-you-mean suggestion',
    mutate: (c) => (c.network.gatway = '192.168.30.1'),
    expected: [
      "network.gatway: is not a known setting (got 'gatway'). Did you mean 'gateway'? Allowed here: subnet, gateway, vlan, nameservers, ntpServers, ranges, internalGatewayIP.",
    ],
  },
  {
    name: 'unknown top-level key with a suggestion',
    mutate: (c) => (c.node = {}),
    expected: [
      "node: is not a known setting (got 'node'). Did you mean 'nodes'? Allowed here: cluster, domains, network, hosts, nodes, proxmox, cloudflare, tailscale, nfs, storage, gitops, secrets, acme, workloads, security, components, apps, modules.",
    ],
  },
  {
    name: 'unknown key without a close match',
    mutate: (c) => (c.network.mtu = 1500),
    expected: [
      "network.mtu: is not a known setting (got 'mtu'). Remove it; allowed here: subnet, gateway, vlan, nameservers, ntpServers, ranges, internalGatewayIP.",
    ],
  },
  {
    name: 'unknown key inside an app (wrong case)',
    mutate: (c) => (c.apps = { sonarr: { loadBalancerIp: '192.168.30.62' } }),
    expected: [
      "apps.sonarr.loadBalancerIp: is not a known setting (got 'loadBalancerIp'). Did you mean 'loadBalancerIP'? Allowed here: enabled, syncWave, values, expose, sso, loadBalancerIP.",
    ],
  },
  {
    name: 'string where a whole number belongs',
    mutate: (c) => (c.network.vlan = 'thirty'),
    expected: ["network.vlan: must be a whole number, not a string (got 'thirty'). Use a whole number, without quotes or decimals."],
  },
  {
    name: 'fraction where a whole number belongs',
    mutate: (c) => (c.nodes['talos-cp01'].vm.cores = 2.5),
    expected: ["nodes.talos-cp01.vm.cores: must be a whole number, not a fractional number (got '2.5'). Use a whole number, without quotes or decimals."],
  },
  {
    name: 'scalar where a list belongs',
    mutate: (c) => (c.network.nameservers = 'pihole'),
    expected: ["network.nameservers: must be a list, not a string (got 'pihole'). Write network.nameservers as a list: [a, b] or one '- item' per line."],
  },
  {
    name: 'empty section (null) where a mapping belongs',
    mutate: (c) => (c.cluster = null),
    expected: ["cluster: must be a mapping, not null (got 'null'). Write cluster as key: value entries indented under it."],
  },
  {
    name: 'quoted boolean',
    mutate: (c) => (c.components = { cilium: { enabled: 'yes' } }),
    expected: ["components.cilium.enabled: must be a boolean, not a string (got 'yes'). Use true or false, without quotes."],
  },
  {
    name: 'bad IPv4 address',
    mutate: (c) => (c.network.gateway = '192.168.30.256'),
    expected: ["network.gateway: is not a valid IPv4 address (got '192.168.30.256'). Use a dotted IPv4 address such as 10.0.0.10."],
  },
  {
    name: 'bad CIDR prefix',
    mutate: (c) => (c.network.subnet = '192.168.30.0/33'),
    expected: ["network.subnet: does not have the expected form (got '192.168.30.0/33'). Use CIDR notation such as 192.0.2.0/24."],
  },
  {
    name: 'bad DNS-label node name (map key)',
    mutate: (c) => {
      c.nodes.Talos_CP01 = c.nodes['talos-cp01'];
      delete c.nodes['talos-cp01'];
    },
    expected: [`nodes.Talos_CP01: is not a valid name (got 'Talos_CP01'). ${LABEL_FIX}`],
  },
  {
    name: 'bad host name (map key with a dot)',
    mutate: (c) => (c.hosts['pi.hole'] = { ip: '192.168.30.46' }),
    expected: [`hosts.pi.hole: is not a valid name (got 'pi.hole'). ${LABEL_FIX}`],
  },
  {
    name: 'bad app name (map key)',
    mutate: (c) => (c.apps = { Sonarr: {} }),
    expected: [`apps.Sonarr: is not a valid name (got 'Sonarr'). ${LABEL_FIX}`],
  },
  {
    name: 'bad cluster name',
    mutate: (c) => (c.cluster.name = '-homelab'),
    expected: [`cluster.name: does not have the expected form (got '-homelab'). ${LABEL_FIX}`],
  },
  {
    name: 'bad domain (upper case)',
    mutate: (c) => (c.domains.public = 'Example.COM'),
    expected: ["domains.public: does not have the expected form (got 'Example.COM'). Use a lowercase fully qualified domain such as example.com or int.example.com."],
  },
  {
    name: 'bad domain (single label)',
    mutate: (c) => (c.domains.internal = 'localhost'),
    expected: ["domains.internal: does not have the expected form (got 'localhost'). Use a lowercase fully qualified domain such as example.com or int.example.com."],
  },
  {
    name: 'bad email',
    mutate: (c) => (c.acme.email = 'admin-at-example.com'),
    expected: ["acme.email: is not a valid email address (got 'admin-at-example.com'). Use an email address you read."],
  },
  {
    name: 'bad age recipient',
    mutate: (c) => c.secrets.ageRecipients.push('age1abc'),
    expected: ["secrets.ageRecipients[1]: does not have the expected form (got 'age1abc'). Use an age public key (age1…, 62 characters) as printed by age-keygen."],
  },
  {
    name: 'no age recipient',
    mutate: (c) => (c.secrets.ageRecipients = []),
    expected: ["secrets.ageRecipients: must have at least 1 item (got '[]'). Add entries to secrets.ageRecipients."],
  },
  {
    name: 'bad enum role',
    mutate: (c) => (c.nodes['talos-cp01'].role = 'master'),
    expected: ["nodes.talos-cp01.role: is not one of the allowed values (got 'master'). Use one of: controlplane, worker."],
  },
  {
    name: 'bad enum sso',
    mutate: (c) => (c.apps = { sonarr: { sso: 'basic' } }),
    expected: ["apps.sonarr.sso: is not one of the allowed values (got 'basic'). Use one of: proxy, oidc, none."],
  },
  {
    name: 'vm memory below minimum',
    mutate: (c) => (c.nodes['talos-cp01'].vm.memoryMiB = 1024),
    expected: ["nodes.talos-cp01.vm.memoryMiB: must be at least 2048 (got '1024'). Use a value >= 2048."],
  },
  {
    name: 'memory of 1e30 MiB',
    mutate: (c) => (c.nodes['talos-cp01'].vm.memoryMiB = 1e30),
    expected: ["nodes.talos-cp01.vm.memoryMiB: must be at most 1048576 (got '1e+30'). Use a value <= 1048576."],
  },
  {
    name: 'a disk of a petabyte',
    mutate: (c) => (c.nodes['talos-cp01'].vm.diskGiB = 1_000_000),
    expected: ["nodes.talos-cp01.vm.diskGiB: must be at most 65536 (got '1000000'). Use a value <= 65536."],
  },
  {
    name: 'a sync wave past any ordering need',
    mutate: (c) => (c.components = { loki: { syncWave: 1e9 } }),
    expected: ["components.loki.syncWave: must be at most 1000 (got '1000000000'). Use a value <= 1000."],
  },
  {
    name: 'a volume placement that is neither node-local nor nfs',
    mutate: (c) => (c.storage = { volumes: { prometheus: 'local' } }),
    expected: ["storage.volumes.prometheus: is not one of the allowed values (got 'local'). Use one of: node-local, nfs."],
  },
  {
    name: 'a stateful volume no package places',
    mutate: (c) => (c.storage = { volumes: { prometheuss: 'nfs' } }),
    expected: ["storage.volumes.prometheuss: is not a known setting (got 'prometheuss'). Did you mean 'prometheus'? Allowed here: prometheus, alertmanager, loki, grafana, authentikPostgres."],
  },
  {
    name: 'a PUID past the 32-bit user IDs',
    mutate: (c) => (c.workloads.puid = 2 ** 32),
    expected: ["workloads.puid: must be at most 4294967294 (got '4294967296'). Use a value <= 4294967294."],
  },
  {
    name: 'more nameservers than resolv.conf uses',
    mutate: (c) => (c.network.nameservers = ['pihole', '1.1.1.1', '8.8.8.8', '9.9.9.9']),
    expected: ["network.nameservers: must have at most 3 items (got '[\"pihole\",\"1.1.1.1\",\"8.8.8.8\",\"9.9.9.9\"]'). Remove entries from network.nameservers."],
  },
  {
    name: 'vlan above maximum',
    mutate: (c) => (c.network.vlan = 5000),
    expected: ["network.vlan: must be at most 4094 (got '5000'). Use a value <= 4094."],
  },
  {
    name: 'bad expose host',
    mutate: (c) => (c.apps = { sonarr: { expose: { internal: 'Sonarr!' } } }),
    expected: [
      "apps.sonarr.expose.internal: is not an accepted value (got 'Sonarr!'). Use a DNS label (it is prefixed to the domain), a fully qualified host name, or false.",
    ],
  },
  {
    name: 'expose host true instead of a name',
    mutate: (c) => (c.apps = { sonarr: { expose: { public: true } } }),
    expected: [
      "apps.sonarr.expose.public: is not an accepted value (got 'true'). Use a DNS label (it is prefixed to the domain), a fully qualified host name, or false.",
    ],
  },
  {
    name: 'relative NFS path',
    mutate: (c) => (c.nfs.exports.media = 'mnt/tank/media'),
    expected: ["nfs.exports.media: does not have the expected form (got 'mnt/tank/media'). Use an absolute path starting with /."],
  },
  {
    name: 'relative install disk',
    mutate: (c) => (c.nodes['talos-cp01'].installDisk = 'sda'),
    expected: ["nodes.talos-cp01.installDisk: does not have the expected form (got 'sda'). Use an absolute path starting with /."],
  },
  {
    name: 'nameserver that is neither an address nor a name',
    mutate: (c) => (c.network.nameservers = ['Pi Hole']),
    expected: ["network.nameservers[0]: does not have the expected form (got 'Pi Hole'). Use an IPv4 address or the name of an entry under hosts."],
  },
  {
    name: 'no nameservers',
    mutate: (c) => (c.network.nameservers = []),
    expected: ["network.nameservers: must have at least 1 item (got '[]'). Add entries to network.nameservers."],
  },
  {
    name: 'no nodes',
    mutate: (c) => (c.nodes = {}),
    expected: ["nodes: must have at least 1 entry (got '{}'). Add entries to nodes."],
  },
  {
    name: 'empty revision',
    mutate: (c) => (c.gitops.revision = ''),
    expected: ["gitops.revision: must not be empty (got ''). Give it a value, or remove the key to use the default 'main'."],
  },
  {
    name: 'repo URL without a scheme',
    mutate: (c) => (c.gitops.repoURL = 'github.com/me/homelab'),
    expected: ["gitops.repoURL: does not have the expected form (got 'github.com/me/homelab'). Use an https://, ssh:// or git@ URL of your repository."],
  },
  {
    name: 'negative puid',
    mutate: (c) => (c.workloads.puid = -1),
    expected: ["workloads.puid: must be at least 0 (got '-1'). Use a value >= 0."],
  },
];

const semanticCases: InvalidCase[] = [
  {
    name: 'node IP outside the subnet',
    mutate: (c) => (c.nodes['talos-cp01'].ip = '192.168.31.50'),
    expected: ["nodes.talos-cp01.ip: is outside the subnet (got '192.168.31.50'). Use an address inside network.subnet (192.168.30.0/24)."],
  },
  {
    name: 'node IP outside the nodes range',
    mutate: (c) => (c.nodes['talos-cp01'].ip = '192.168.30.5'),
    expected: [`nodes.talos-cp01.ip: is outside network.ranges.nodes (192.168.30.50-192.168.30.59) (got '192.168.30.5'). ${LB_FIX}`],
  },
  {
    name: 'LoadBalancer pool outside the subnet',
    mutate: (c) => (c.network.ranges.loadBalancer.end = '192.168.31.80'),
    expected: [
      "network.ranges.loadBalancer: is not inside the subnet (got '192.168.30.60-192.168.31.80'). Keep the whole range inside network.subnet (192.168.30.0/24).",
    ],
  },
  {
    name: 'DHCP range outside the subnet',
    mutate: (c) => (c.network.ranges.dhcp.end = '192.168.31.10'),
    expected: [
      "network.ranges.dhcp: is not inside the subnet (got '192.168.30.81-192.168.31.10'). Keep the whole range inside network.subnet (192.168.30.0/24).",
    ],
  },
  {
    name: 'LoadBalancer pool starts after it ends',
    mutate: (c) => (c.network.ranges.loadBalancer = { start: '192.168.30.80', end: '192.168.30.60' }),
    expected: ["network.ranges.loadBalancer: starts after it ends (got '192.168.30.80-192.168.30.60'). Swap start and end."],
  },
  {
    name: 'LoadBalancer pool overlaps the nodes range',
    mutate: (c) => (c.network.ranges.loadBalancer.start = '192.168.30.55'),
    expected: [
      `network.ranges.loadBalancer: overlaps network.ranges.nodes (192.168.30.50-192.168.30.59) (got '192.168.30.55-192.168.30.80'). ${DISJOINT}`,
    ],
  },
  {
    name: 'LoadBalancer pool overlaps the infrastructure range',
    mutate: (c) => {
      c.network.ranges.loadBalancer = { start: '192.168.30.40', end: '192.168.30.49' };
      c.network.internalGatewayIP = '192.168.30.41';
      c.apps = {};
    },
    expected: [
      `network.ranges.loadBalancer: overlaps network.ranges.infrastructure (192.168.30.10-192.168.30.49) (got '192.168.30.40-192.168.30.49'). ${DISJOINT}`,
    ],
  },
  {
    name: 'LoadBalancer pool overlaps the DHCP range',
    mutate: (c) => (c.network.ranges.loadBalancer.end = '192.168.30.90'),
    expected: [
      `network.ranges.loadBalancer: overlaps network.ranges.dhcp (192.168.30.81-192.168.30.254) (got '192.168.30.60-192.168.30.90'). ${DISJOINT}`,
    ],
  },
  {
    name: 'nodes range overlaps the infrastructure range',
    mutate: (c) => (c.network.ranges.nodes.start = '192.168.30.45'),
    expected: [
      `network.ranges.nodes: overlaps network.ranges.infrastructure (192.168.30.10-192.168.30.49) (got '192.168.30.45-192.168.30.59'). ${DISJOINT}`,
    ],
  },
  {
    name: 'internal gateway IP outside the pool',
    mutate: (c) => (c.network.internalGatewayIP = '192.168.30.90'),
    expected: [`network.internalGatewayIP: is outside network.ranges.loadBalancer (192.168.30.60-192.168.30.80) (got '192.168.30.90'). ${LB_FIX}`],
  },
  {
    name: 'app loadBalancerIP outside the pool',
    mutate: (c) => (c.apps = { plex: { loadBalancerIP: '192.168.30.90' } }),
    expected: [`apps.plex.loadBalancerIP: is outside network.ranges.loadBalancer (192.168.30.60-192.168.30.80) (got '192.168.30.90'). ${LB_FIX}`],
  },
  {
    name: 'two apps with the same loadBalancerIP',
    mutate: (c) => (c.apps = { plex: { loadBalancerIP: '192.168.30.62' }, jellyfin: { loadBalancerIP: '192.168.30.62' } }),
    expected: [`apps.jellyfin.loadBalancerIP: uses the same address as apps.plex.loadBalancerIP (got '192.168.30.62'). ${UNIQUE}`],
  },
  {
    name: 'app loadBalancerIP equal to the internal gateway IP',
    mutate: (c) => (c.apps = { plex: { loadBalancerIP: '192.168.30.61' } }),
    expected: [`apps.plex.loadBalancerIP: uses the same address as network.internalGatewayIP (got '192.168.30.61'). ${UNIQUE}`],
  },
  {
    name: 'two apps exposing the same internal host (label and FQDN)',
    mutate: (c) => (c.apps = { sonarr: { expose: { internal: 'media' } }, radarr: { expose: { internal: 'media.int.lorenzodebie.be' } } }),
    expected: [
      "apps.radarr.expose.internal: resolves to media.int.lorenzodebie.be, already used by apps.sonarr.expose.internal (got 'media.int.lorenzodebie.be'). Give each exposure its own host name.",
    ],
  },
  {
    name: 'duplicate node IPs',
    mutate: (c) => (c.nodes['talos-w01'] = { ip: '192.168.30.50', role: 'worker' }),
    expected: [`nodes.talos-w01.ip: uses the same address as nodes.talos-cp01.ip (got '192.168.30.50'). ${UNIQUE}`],
  },
  {
    name: 'host using a node address (outside its range, too)',
    mutate: (c) => (c.hosts.pihole.ip = '192.168.30.50'),
    expected: [
      `hosts.pihole.ip: is outside network.ranges.infrastructure (192.168.30.10-192.168.30.49) (got '192.168.30.50'). ${LB_FIX}`,
      `nodes.talos-cp01.ip: uses the same address as hosts.pihole.ip (got '192.168.30.50'). ${UNIQUE}`,
    ],
  },
  {
    name: 'nameserver naming a missing host',
    mutate: (c) => (c.network.nameservers = ['pihole', 'adguard']),
    expected: ["network.nameservers[1]: names no entry in hosts (got 'adguard'). Use an IPv4 address or one of: proxmox, truenas, pihole."],
  },
  {
    name: "nameserver naming an inherited property ('constructor')",
    mutate: (c) => (c.network.nameservers = ['constructor']),
    expected: ["network.nameservers[0]: names no entry in hosts (got 'constructor'). Use an IPv4 address or one of: proxmox, truenas, pihole."],
  },
  {
    name: 'nameserver with an out-of-range octet',
    mutate: (c) => (c.network.nameservers = ['999.1.1.1']),
    expected: [
      "network.nameservers[0]: is not a valid IPv4 address (got '999.1.1.1'). Use a dotted IPv4 address such as 10.0.0.10 (each part 0-255), or the name of an entry under hosts.",
    ],
  },
  {
    name: 'nfs.server naming a missing host',
    mutate: (c) => (c.nfs.server = 'nas'),
    expected: ["nfs.server: names no entry in hosts (got 'nas'). Use an IPv4 address or one of: proxmox, truenas, pihole."],
  },
  {
    name: 'host references with no hosts declared',
    mutate: (c) => (c.hosts = {}),
    expected: [
      "network.nameservers[0]: names no entry in hosts (got 'pihole'). Declare it under hosts (hosts.pihole.ip) or use an IPv4 address.",
      "nfs.server: names no entry in hosts (got 'truenas'). Declare it under hosts (hosts.truenas.ip) or use an IPv4 address.",
      "proxmox.host: names no entry in hosts (got 'proxmox'). Declare it under hosts (hosts.proxmox.ip) or use an IPv4 address.",
    ],
  },
  {
    name: 'unknown network policy mode',
    mutate: (c) => (c.security = { networkPolicies: 'strict' as never }),
    expected: ["security.networkPolicies: is not one of the allowed values (got 'strict'). Use one of: enforce, audit, off."],
  },
  {
    name: 'tunnel ID that is not a UUID',
    mutate: (c) => (c.cloudflare = { tunnelId: 'my-tunnel' }),
    expected: [
      "cloudflare.tunnelId: is not a valid tunnel ID (got 'my-tunnel'). Use the lowercase UUID printed by `cloudflared tunnel create` or `cloudflared tunnel list`.",
    ],
  },
  {
    name: 'tailscale tag without the tag: prefix',
    mutate: (c) => (c.tailscale = { tags: ['k8s-operator'], proxyTags: ['tag:k8s'] }),
    expected: ["tailscale.tags[0]: does not have the expected form (got 'k8s-operator'). Use 'tag:' followed by a name, such as tag:k8s-operator."],
  },
  {
    name: 'tailscale section without proxy tags',
    mutate: (c) => (c.tailscale = { tags: ['tag:k8s-operator'] } as never),
    expected: [
      'tailscale.proxyTags: is required (got nothing). Add tailscale.proxyTags: Tags of the proxies and the subnet router; owned by the operator tags in the tailnet policy.',
    ],
  },
  {
    name: 'subnet with host bits set',
    mutate: (c) => (c.network.subnet = '192.168.30.5/24'),
    expected: ["network.subnet: has host bits set (got '192.168.30.5/24'). Use the network address: 192.168.30.0/24."],
  },
  {
    name: 'subnet with an out-of-range octet',
    mutate: (c) => (c.network.subnet = '192.168.300.0/24'),
    expected: ["network.subnet: is not a valid CIDR block (got '192.168.300.0/24'). Use CIDR notation such as 192.0.2.0/24."],
  },
  {
    name: 'gateway outside the subnet',
    mutate: (c) => (c.network.gateway = '192.168.31.1'),
    expected: ["network.gateway: is outside the subnet (got '192.168.31.1'). Use an address inside network.subnet (192.168.30.0/24)."],
  },
  {
    name: 'gateway inside the nodes range',
    mutate: (c) => (c.network.gateway = '192.168.30.51'),
    expected: [
      "network.gateway: lies inside network.ranges.nodes (192.168.30.50-192.168.30.59) (got '192.168.30.51'). Move the range so it does not include the router.",
    ],
  },
  {
    name: 'several control planes without controlPlaneVIP',
    mutate: (c) => {
      c.nodes['talos-cp02'] = { ip: '192.168.30.51', role: 'controlplane' };
      c.nodes['talos-cp03'] = { ip: '192.168.30.52', role: 'controlplane' };
    },
    expected: [
      'cluster.controlPlaneVIP: is required with 3 control planes (got nothing). Add cluster.controlPlaneVIP: a free address in network.ranges.nodes that the control planes share.',
    ],
  },
  {
    name: 'controlPlaneVIP outside the nodes range',
    mutate: (c) => (c.cluster.controlPlaneVIP = '192.168.30.70'),
    expected: [`cluster.controlPlaneVIP: is outside network.ranges.nodes (192.168.30.50-192.168.30.59) (got '192.168.30.70'). ${LB_FIX}`],
  },
  {
    name: 'no control plane',
    mutate: (c) => (c.nodes['talos-cp01'].role = 'worker'),
    expected: ["nodes: has no control plane (got 'talos-cp01'). Set role: controlplane on at least one node."],
  },
  {
    name: 'host outside the infrastructure range',
    mutate: (c) => (c.hosts.pihole.ip = '192.168.30.100'),
    expected: [`hosts.pihole.ip: is outside network.ranges.infrastructure (192.168.30.10-192.168.30.49) (got '192.168.30.100'). ${LB_FIX}`],
  },
  {
    name: 'host with the same name as a node',
    mutate: (c) => (c.hosts['talos-cp01'] = { ip: '192.168.30.11' }),
    expected: ["hosts.talos-cp01: has the same name as a node (got 'talos-cp01'). Host names must be unique across hosts and nodes: rename one."],
  },
  {
    name: 'the internal domain equal to the public one',
    mutate: (c) => (c.domains.internal = c.domains.public),
    expected: [
      "domains.internal: is the same as domains.public: an app exposed both ways would get one host name for the LAN gateway and the tunnel (got 'lorenzodebie.be'). Use a subdomain of the public domain, such as int.lorenzodebie.be.",
    ],
  },
  {
    name: 'invalid time zone',
    mutate: (c) => (c.workloads.timezone = 'Europe/Brussel'),
    expected: ["workloads.timezone: is not a known IANA time zone (got 'Europe/Brussel'). Use a zone such as Europe/Brussels or UTC."],
  },
  {
    name: 'time zone in the wrong letter case',
    mutate: (c) => (c.workloads.timezone = 'europe/brussels'),
    expected: ["workloads.timezone: has the wrong letter case (got 'europe/brussels'). Use Europe/Brussels."],
  },
];

describe('invalid configs', () => {
  it('has enough cases', () => {
    expect(shapeCases.length + semanticCases.length).toBeGreaterThanOrEqual(30);
  });

  it.each([...shapeCases, ...semanticCases])('rejects: $name', ({ mutate, expected }) => {
    const found = messages(validateConfig(broken(mutate)));
    for (const line of expected) expect(found).toContain(line);
    expect(found).toHaveLength(expected.length);
  });

  it('names a path, the offending value and a fix in every message', () => {
    for (const { mutate } of [...shapeCases, ...semanticCases]) {
      for (const problem of rejected(validateConfig(broken(mutate)))) {
        expect(problem.path).not.toBe('');
        expect(problem.fix).toMatch(/\S.*\.$/);
        if (!('got' in problem)) expect(problem.problem).toMatch(/is required/);
      }
    }
  });
});

describe('several errors at once', () => {
  it('reports every shape problem, not just the first', () => {
    const found = messages(
      validateConfig(
        broken((c) => {
          c.cluster.name = 'Homelab';
          c.network.gatway = '192.168.30.1';
          c.nodes['talos-cp01'].role = 'master';
          c.acme.email = 'nope';
          delete c.gitops.repoURL;
        }),
      ),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        `cluster.name: does not have the expected form (got 'Homelab'). ${LABEL_FIX}`,
        "network.gatway: is not a known setting (got 'gatway'). Did you mean 'gateway'? Allowed here: subnet, gateway, vlan, nameservers, ntpServers, ranges, internalGatewayIP.",
        "nodes.talos-cp01.role: is not one of the allowed values (got 'master'). Use one of: controlplane, worker.",
        "acme.email: is not a valid email address (got 'nope'). Use an email address you read.",
        'gitops.repoURL: is required (got nothing). Add gitops.repoURL: Git repository ArgoCD reads this tree from.',
      ]),
    );
    expect(found).toHaveLength(5);
  });

  it('reports every semantic problem, not just the first', () => {
    const found = messages(
      validateConfig(
        broken((c) => {
          c.nodes['talos-cp01'].ip = '192.168.30.5';
          c.network.internalGatewayIP = '192.168.30.90';
          c.nfs.server = 'nas';
          c.workloads.timezone = 'Mars/Olympus';
          // Valid on its own now that the internal gateway moved off this address.
          c.apps = { plex: { loadBalancerIP: '192.168.30.61' } };
        }),
      ),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        `nodes.talos-cp01.ip: is outside network.ranges.nodes (192.168.30.50-192.168.30.59) (got '192.168.30.5'). ${LB_FIX}`,
        `network.internalGatewayIP: is outside network.ranges.loadBalancer (192.168.30.60-192.168.30.80) (got '192.168.30.90'). ${LB_FIX}`,
        "nfs.server: names no entry in hosts (got 'nas'). Use an IPv4 address or one of: proxmox, truenas, pihole.",
        "workloads.timezone: is not a known IANA time zone (got 'Mars/Olympus'). Use a zone such as Europe/Brussels or UTC.",
      ]),
    );
    expect(found).toHaveLength(4);
  });

  it('reports shape problems alone: semantic checks need a well-shaped config', () => {
    const found = messages(
      validateConfig(
        broken((c) => {
          c.acme.email = 'nope';
          c.nfs.server = 'nas';
        }),
      ),
    );
    expect(found).toEqual(["acme.email: is not a valid email address (got 'nope'). Use an email address you read."]);
  });
});

describe('parseConfigText', () => {
  it('turns invalid YAML into a (root) problem', () => {
    const problems = rejected(parseConfigText('cluster:\n  name: [homelab\n'));
    expect(problems).toHaveLength(1);
    const [problem] = problems;
    expect(problem?.path).toBe('(root)');
    expect(problem?.problem).toMatch(/^is not valid YAML: \S/);
    expect(formatProblem(problem!)).toMatch(/^\(root\): is not valid YAML: .* \(got nothing\)\. Fix the YAML syntax at the position shown\.$/);
  });

  it('reports duplicate keys as invalid YAML', () => {
    const problems = rejected(parseConfigText(`${seedText}\ncluster:\n  name: again\n`));
    expect(problems.map((p) => p.path)).toEqual(['(root)']);
    expect(problems[0]?.problem).toMatch(/^is not valid YAML: .*duplicate/i);
  });

  it.each(['', '\n\n', '# only a comment\n', '---\n'])('turns an empty document (%j) into a (root) problem', (text) => {
    expect(messages(parseConfigText(text))).toEqual(['(root): is empty (got nothing). Start from the default homelab.yaml in the repository.']);
  });

  it('rejects several YAML documents', () => {
    expect(messages(parseConfigText(`${seedText}\n---\n${seedText}`))).toEqual([
      "(root): must be a single YAML document (got '2 documents'). Remove the extra '---' separators.",
    ]);
  });

  it('rejects a document that is not a mapping', () => {
    expect(messages(parseConfigText('- cluster\n- nodes\n'))).toEqual([
      "(root): must be a mapping, not a list (got '[\"cluster\",\"nodes\"]'). Write the document as a mapping of top-level settings (cluster:, network:, …).",
    ]);
  });
});

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'homelab-config-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('throws a ConfigError listing every problem', () => {
    const path = join(dir, 'homelab.yaml');
    const config = broken((c) => {
      c.network.gateway = '192.168.31.1';
      c.nodes['talos-cp01'].ip = '192.168.30.5';
      c.workloads.timezone = 'Nowhere/Town';
    });
    writeFileSync(path, dump(config));
    const expected = [
      "network.gateway: is outside the subnet (got '192.168.31.1'). Use an address inside network.subnet (192.168.30.0/24).",
      `nodes.talos-cp01.ip: is outside network.ranges.nodes (192.168.30.50-192.168.30.59) (got '192.168.30.5'). ${LB_FIX}`,
      "workloads.timezone: is not a known IANA time zone (got 'Nowhere/Town'). Use a zone such as Europe/Brussels or UTC.",
    ];
    let error: unknown;
    try {
      loadConfigFile(path);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.name).toBe('ConfigError');
    expect(configError.problems.map(formatProblem)).toEqual(expect.arrayContaining(expected));
    expect(configError.problems).toHaveLength(3);
    expect(configError.message.split('\n')[0]).toBe(`${path} is invalid (3 problems):`);
    for (const line of expected) expect(configError.message).toContain(`\n  ${line}`);
  });

  it('says "1 problem" for a single problem, including YAML syntax errors', () => {
    const path = join(dir, 'broken.yaml');
    writeFileSync(path, 'cluster: [\n');
    expect(() => loadConfigFile(path)).toThrow(ConfigError);
    expect(() => loadConfigFile(path)).toThrow(/is invalid \(1 problem\):\n {2}\(root\): is not valid YAML: /);
  });
});

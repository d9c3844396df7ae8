/**
 * Hostile input: malformed configs (YAML bombs included), wrong types, out-of-bounds sizes,
 * contradictions, and broken output directories. Every case must end in a sentence — exit 1, the
 * config path named, "Nothing was written", no raw system error, no stack trace — within a
 * generous "did not hang" bound, and leave the directory exactly as it was.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dump, load } from 'js-yaml';
import { snapshotTree, seedConfigPath } from '@homelab/testing';
import { runCli, type CliRun } from './testing/run-cli.js';
import { MANIFEST_PATH, stagedPath } from '@homelab/generator';

/**
 * A read-only file system, injected: under root (as in CI) chmod does not stop writes, and a real
 * read-only mount needs privileges. Every write, mkdir, rename or removal below `root` fails with
 * EROFS, exactly as Node reports it from a read-only mount.
 */
const readOnly = vi.hoisted(() => ({ root: undefined as string | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const guard =
    <F extends (path: any, ...rest: any[]) => any>(syscall: string, step: F) =>
    (path: Parameters<F>[0], ...rest: unknown[]): ReturnType<F> => {
      if (readOnly.root !== undefined && String(path).startsWith(readOnly.root)) {
        throw Object.assign(new Error(`EROFS: read-only file system, ${syscall} '${String(path)}'`), { code: 'EROFS', errno: -30, syscall, path: String(path) });
      }
      return step(path, ...rest);
    };
  const writes = {
    writeFileSync: guard('open', fs.writeFileSync),
    mkdirSync: guard('mkdir', fs.mkdirSync),
    renameSync: guard('rename', fs.renameSync),
    rmSync: guard('rm', fs.rmSync),
    rmdirSync: guard('rmdir', fs.rmdirSync),
    unlinkSync: guard('unlink', fs.unlinkSync),
  };
  return { ...fs, ...writes, default: { ...fs, ...writes } };
});

/** Not a speed target: far above any real run, so only a hang (or a bomb being expanded) trips it. */
const DID_NOT_HANG_MS = 60_000;

const SEED_TEXT = readFileSync(seedConfigPath(), 'utf8');

const run = (cwd: string, ...argv: string[]) => runCli(argv, { cwd });

/** Node's own error text (`EISDIR: illegal operation…`, `ENOENT: no such file…`) or a stack frame: never shown to a user. */
const RAW_SYSTEM_ERROR = /\bE[A-Z]{2,}: |\n\s+at .+[:(]\d+|TypeError|RangeError|ReferenceError|SyntaxError|Maximum call stack/;

function expectSentence(result: CliRun): void {
  expect(result.err).not.toMatch(RAW_SYSTEM_ERROR);
  expect(result.out).not.toMatch(RAW_SYSTEM_ERROR);
}

type Config = Record<string, any>;
const seed = (): Config => load(SEED_TEXT) as Config;
const yaml = (config: Config) => dump(config, { noRefs: true });

/** A config text (or bytes): a mutation of the seed's data, or text built from scratch. */
type Source = { edit: (config: Config) => void } | { text: () => string | Buffer };

interface ConfigCase {
  name: string;
  source: Source;
  /** Fragments the error output must contain, in order of importance: the config path first. */
  expect: string[];
}

const edit = (name: string, change: (config: Config) => void, ...fragments: string[]): ConfigCase => ({
  name,
  source: { edit: change },
  expect: fragments,
});
const text = (name: string, build: () => string | Buffer, ...fragments: string[]): ConfigCase => ({
  name,
  source: { text: build },
  expect: fragments,
});

/** `depth` levels of aliases, each a list of `width` aliases of the level below: width^depth leaves from a few hundred bytes. */
function aliasBomb(depth: number, width: number): string {
  const lines = ['      l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let level = 1; level < depth; level++) lines.push(`      l${level}: &l${level} [${Array(width).fill(`*l${level - 1}`).join(', ')}]`);
  return lines.join('\n');
}

/** Text as Latin-1 bytes, as an editor set to that encoding saves it. */
const latin1 = (source: string) => Buffer.from(source, 'latin1');

/** The seed with `block` (already indented for `components.<name>.values`) under that component. */
const underComponentValues = (component: string, block: string) => `${SEED_TEXT}\ncomponents:\n  ${component}:\n    values:\n${block}\n`;

const VALUES_CASES: ConfigCase[] = [
  text('a billion-laughs alias bomb under components.<x>.values', () => underComponentValues('argocd', aliasBomb(10, 9)), 'components.argocd.values', 'expands to more than 100000 nodes'),
  text('an alias bomb under an unknown key', () => `${SEED_TEXT}\nbomb:\n${aliasBomb(10, 9).replace(/^ {6}/gm, '  ')}\n`, 'bomb', 'expands to more than 100000 nodes'),
  text('an alias bomb under a known section', () => `${SEED_TEXT.replace('workloads:\n', `workloads:\n  extra:\n${aliasBomb(10, 9).replace(/^ {6}/gm, '    ')}\n`)}`, 'workloads.extra', 'expands to more than 100000 nodes'),
  text('a long flow sequence under components.<x>.values', () => underComponentValues('loki', `      list: [${Array(150_000).fill('1').join(',')}]`), 'components.loki.values', 'expands to more than 100000 nodes'),
  text(
    'deep nesting of flow sequences under components.<x>.values',
    () => underComponentValues('cilium', `      deep: ${'['.repeat(200)}${']'.repeat(200)}`),
    '(root)',
    'nests deeper than 64 levels',
  ),
  text(
    'deep nesting of block mappings under components.<x>.values',
    () => underComponentValues('cilium', Array.from({ length: 100 }, (_, level) => `${' '.repeat(6 + 2 * level)}k${level}:`).join('\n') + ' leaf'),
    '(root)',
    'nests deeper than 64 levels',
  ),
  text(
    'deep nesting through aliases (each level an alias of the one below)',
    () =>
      underComponentValues(
        'alloy',
        [`      d0: &d0 [x]`, ...Array.from({ length: 80 }, (_, level) => `      d${level + 1}: &d${level + 1} [*d${level}]`)].join('\n'),
      ),
    'components.alloy.values',
    'nests deeper than 64 levels',
  ),
  text('a huge document (over 1 MiB of comments)', () => `${SEED_TEXT}\n${'# padding padding padding padding padding padding padding\n'.repeat(20_000)}`, '(root)', 'is larger than 1 MiB'),
  text('a huge scalar under components.<x>.values', () => underComponentValues('loki', `      blob: ${'x'.repeat(1_200_000)}`), '(root)', 'is larger than 1 MiB'),
];

const YAML_CASES: ConfigCase[] = [
  text('an empty file', () => '', '(root)', 'is empty'),
  text('only comments', () => '# nothing here\n', '(root)', 'is empty'),
  text('two YAML documents', () => `${SEED_TEXT}\n---\ncluster: { name: other }\n`, '(root)', 'must be a single YAML document'),
  text('a YAML syntax error (unclosed flow mapping)', () => SEED_TEXT.replace('cluster:\n  name: homelab', 'cluster: { name: homelab'), '(root)', 'is not valid YAML'),
  text('a tab used for indentation', () => SEED_TEXT.replace('  name: homelab', '\tname: homelab'), '(root)', 'is not valid YAML'),
  text('a duplicated key', () => SEED_TEXT.replace('  name: homelab', '  name: homelab\n  name: again'), '(root)', 'is not valid YAML'),
  text('an unknown alias', () => SEED_TEXT.replace('  name: homelab', '  name: *nowhere'), '(root)', 'is not valid YAML'),
  text('a JavaScript function tag', () => SEED_TEXT.replace('  name: homelab', '  name: !!js/function "function () { return 1 }"'), '(root)', 'is not valid YAML'),
  text('a Python object tag', () => SEED_TEXT.replace('  name: homelab', '  name: !!python/object:os.system ls'), '(root)', 'is not valid YAML'),
  text('a list at the root', () => '- cluster\n- nodes\n', '(root)'),
  text('a scalar at the root', () => 'homelab\n', '(root)'),
  text('invalid UTF-8 (a stray 0xff byte in a comment)', () => Buffer.concat([Buffer.from('# caf'), Buffer.from([0xff]), Buffer.from(`\n${SEED_TEXT}`)]), '(root)', 'the file is not UTF-8 (byte 6, line 1)'),
  text('Latin-1 text in a value (0xe9 for é)', () => latin1(SEED_TEXT.replace('lorenzodebie.be\n', 'lorenzodebié.be\n')), '(root)', 'the file is not UTF-8'),
  text('a truncated UTF-8 sequence at the end', () => Buffer.concat([Buffer.from(SEED_TEXT), Buffer.from([0xe2, 0x82])]), '(root)', 'the file is not UTF-8'),
  text('an overlong UTF-8 encoding of "/"', () => Buffer.concat([Buffer.from(SEED_TEXT), Buffer.from('# '), Buffer.from([0xc0, 0xaf]), Buffer.from('\n')]), '(root)', 'the file is not UTF-8'),
  text('a UTF-8 encoded surrogate', () => Buffer.concat([Buffer.from(SEED_TEXT), Buffer.from('# '), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('\n')]), '(root)', 'the file is not UTF-8'),
  text('a NUL byte', () => `${SEED_TEXT}\n# \u0000\n`, '(root)'),
];

const TYPE_CASES: ConfigCase[] = [
  edit('cluster.name a number', (c) => void (c.cluster.name = 42), 'cluster.name'),
  edit('cluster.name with upper case and underscores', (c) => void (c.cluster.name = 'My_Cluster'), 'cluster.name'),
  edit('cluster.name 10,000 characters long', (c) => void (c.cluster.name = 'a'.repeat(10_000)), 'cluster.name'),
  edit('domains.public a list', (c) => void (c.domains.public = ['example.com']), 'domains.public'),
  edit('domains.public with a space', (c) => void (c.domains.public = 'exa mple.com'), 'domains.public'),
  edit('network.subnet not a CIDR', (c) => void (c.network.subnet = 'not-a-cidr'), 'network.subnet'),
  edit('network.vlan a word', (c) => void (c.network.vlan = 'thirty'), 'network.vlan'),
  edit('network.vlan out of range', (c) => void (c.network.vlan = 5000), 'network.vlan'),
  edit('network.vlan a boolean', (c) => void (c.network.vlan = true), 'network.vlan'),
  edit('network.gateway not an address', (c) => void (c.network.gateway = '192.168.30.300'), 'network.gateway'),
  edit('network.nameservers a string', (c) => void (c.network.nameservers = 'pihole'), 'network.nameservers'),
  edit('a node IP that is not an address', (c) => void (c.nodes['talos-cp01'].ip = 'banana'), 'nodes.talos-cp01.ip'),
  edit('a node role that does not exist', (c) => void (c.nodes['talos-cp01'].role = 'boss'), 'nodes.talos-cp01.role'),
  edit('installDisk a relative path', (c) => void (c.nodes['talos-cp01'].installDisk = 'sda'), 'nodes.talos-cp01.installDisk'),
  edit('memoryMiB 1e30', (c) => void (c.nodes['talos-cp01'].vm.memoryMiB = 1e30), 'nodes.talos-cp01.vm.memoryMiB'),
  edit('memoryMiB below what Talos needs', (c) => void (c.nodes['talos-cp01'].vm.memoryMiB = 512), 'nodes.talos-cp01.vm.memoryMiB'),
  edit('memoryMiB a fraction', (c) => void (c.nodes['talos-cp01'].vm.memoryMiB = 4096.5), 'nodes.talos-cp01.vm.memoryMiB'),
  edit('memoryMiB a string with a unit', (c) => void (c.nodes['talos-cp01'].vm.memoryMiB = '16 GiB'), 'nodes.talos-cp01.vm.memoryMiB'),
  text('memoryMiB .nan', () => SEED_TEXT.replace('memoryMiB: 16384', 'memoryMiB: .nan'), 'nodes.talos-cp01.vm.memoryMiB', "not the not-a-number value .nan (got 'NaN')"),
  text('cores .inf', () => SEED_TEXT.replace('cores: 6', 'cores: .inf'), 'nodes.talos-cp01.vm.cores', "not an infinite number (got 'Infinity')"),
  edit('cores zero', (c) => void (c.nodes['talos-cp01'].vm.cores = 0), 'nodes.talos-cp01.vm.cores'),
  edit('cores negative', (c) => void (c.nodes['talos-cp01'].vm.cores = -4), 'nodes.talos-cp01.vm.cores'),
  edit('cores a million', (c) => void (c.nodes['talos-cp01'].vm.cores = 1_000_000), 'nodes.talos-cp01.vm.cores'),
  edit('diskGiB 1e30', (c) => void (c.nodes['talos-cp01'].vm.diskGiB = 1e30), 'nodes.talos-cp01.vm.diskGiB'),
  edit('diskGiB too small for Talos', (c) => void (c.nodes['talos-cp01'].vm.diskGiB = 1), 'nodes.talos-cp01.vm.diskGiB'),
  edit('cpuType a Terraform expression', (c) => void (c.nodes['talos-cp01'].vm.cpuType = '${file("/etc/passwd")}'), 'nodes.talos-cp01.vm.cpuType'),
  edit('cpuType a Terraform directive', (c) => void (c.nodes['talos-cp01'].vm.cpuType = '%{ for x in [1] }host%{ endfor }'), 'nodes.talos-cp01.vm.cpuType'),
  edit('a Proxmox bridge with a newline', (c) => void (c.proxmox.bridge = 'vmbr0\nvmbr1'), 'proxmox.bridge'),
  edit('a Proxmox datastore a Terraform expression', (c) => void (c.proxmox.datastore = '${var.secret}'), 'proxmox.datastore'),
  edit('an ISO datastore empty', (c) => void (c.proxmox.isoDatastore = ''), 'proxmox.isoDatastore'),
  edit('more than 100 nodes', (c) => {
    for (let index = 0; index < 101; index++) c.nodes[`talos-w${index}`] = { ip: `10.0.${index}.1`, role: 'worker' };
  }, 'nodes', 'must have at most 100'),
  edit('two nodes with the same IP', (c) => void (c.nodes['talos-w01'] = { ip: '192.168.30.50', role: 'worker' }), 'nodes.talos-w01.ip', 'uses the same address as nodes.talos-cp01.ip'),
  edit('a node name longer than a DNS label', (c) => void (c.nodes['t'.repeat(64)] = { ip: '192.168.30.51', role: 'worker' }), `nodes.${'t'.repeat(64)}`),
  edit('cluster.name empty', (c) => void (c.cluster.name = ''), 'cluster.name'),
  edit('domains.public in upper case', (c) => void (c.domains.public = 'Example.COM'), 'domains.public'),
  edit('a subnet with a /33 prefix', (c) => void (c.network.subnet = '192.168.30.0/33'), 'network.subnet'),
  edit('a host on the gateway address', (c) => void (c.hosts.pihole.ip = c.network.gateway), 'hosts.pihole.ip'),
  edit('puid negative', (c) => void (c.workloads.puid = -1), 'workloads.puid'),
  edit('pgid past the largest ID', (c) => void (c.workloads.pgid = 2 ** 40), 'workloads.pgid'),
  edit('a component syncWave out of bounds', (c) => void (c.components = { argocd: { syncWave: 1e9 } }), 'components.argocd.syncWave'),
  edit('a component enabled as a string', (c) => void (c.components = { loki: { enabled: 'no' } }), 'components.loki.enabled'),
  edit('components.<x>.values a string', (c) => void (c.components = { loki: { values: 'replicas: 3' } }), 'components.loki.values'),
  edit('an age recipient that is not an age key', (c) => void (c.secrets.ageRecipients = ['not-an-age-key']), 'secrets.ageRecipients[0]'),
  edit('no age recipient', (c) => void (c.secrets.ageRecipients = []), 'secrets.ageRecipients'),
  edit('acme.email not an address', (c) => void (c.acme.email = 'nope'), 'acme.email'),
  edit('gitops.repoURL not a URL', (c) => void (c.gitops.repoURL = 'not a url'), 'gitops.repoURL'),
  edit('gitops.revision empty', (c) => void (c.gitops.revision = ''), 'gitops.revision'),
  edit('a tailscale tag without tag:', (c) => void (c.tailscale.tags = ['k8s']), 'tailscale.tags[0]'),
  edit('cloudflare.tunnelId not a UUID', (c) => void (c.cloudflare.tunnelId = 'not-a-uuid'), 'cloudflare.tunnelId'),
  edit('an app sso mode that does not exist', (c) => void (c.apps.plex.sso = 'magic'), 'apps.plex.sso'),
  edit('an app host name with a space', (c) => void (c.apps.plex.expose = { internal: 'my plex' }), 'apps.plex.expose.internal'),
  edit('security.networkPolicies not one of the modes', (c) => void (c.security = { networkPolicies: 'strict' }), 'security.networkPolicies'),
  edit('a section that is null', (c) => void (c.network = null), 'network'),
  edit('a section that is a list', (c) => void (c.nodes = ['talos-cp01']), 'nodes'),
];

const UNKNOWN_CASES: ConfigCase[] = [
  edit('an unknown top-level key', (c) => void (c.clutser = { name: 'x' }), 'clutser'),
  edit('a misspelt nested key', (c) => void (c.cluster.nmae = 'x'), 'cluster.nmae'),
  edit('an unknown VM option', (c) => void (c.nodes['talos-cp01'].vm.gpu = true), 'nodes.talos-cp01.vm.gpu'),
  edit('an unknown app', (c) => void (c.apps.nosuchapp = {}), 'apps.nosuchapp'),
  edit('an unknown component', (c) => void (c.components = { nosuchcomponent: { enabled: true } }), 'components.nosuchcomponent'),
  edit('an unknown component setting', (c) => void (c.components = { loki: { replicas: 3 } }), 'components.loki.replicas'),
  text('a __proto__ key', () => `${SEED_TEXT}\n__proto__:\n  polluted: true\n`, '__proto__'),
  text('a constructor key in a section', () => SEED_TEXT.replace('cluster:\n', 'cluster:\n  constructor: x\n'), 'cluster.constructor'),
];

const MISSING_CASES: ConfigCase[] = [
  ...['cluster', 'domains', 'network', 'hosts', 'nodes', 'nfs', 'gitops', 'secrets', 'acme'].map((section) =>
    edit(`no ${section} section`, (c) => void delete c[section], section),
  ),
  edit('no nodes at all', (c) => void (c.nodes = {}), 'nodes'),
  edit('no control plane', (c) => void (c.nodes['talos-cp01'].role = 'worker'), 'nodes'),
  edit('a node name that is not a DNS label', (c) => {
    c.nodes.Talos_CP = c.nodes['talos-cp01'];
    delete c.nodes['talos-cp01'];
  }, 'nodes.Talos_CP'),
  edit('no cloudflare section while an app is public', (c) => void delete c.cloudflare, 'cloudflare'),
  edit('the tunnel disabled while an app is public', (c) => void (c.components = { cloudflared: { enabled: false } }), 'components.cloudflared'),
  edit('no subnet', (c) => void delete c.network.subnet, 'network.subnet'),
  edit('no ranges', (c) => void delete c.network.ranges, 'network.ranges'),
];

const RELATION_CASES: ConfigCase[] = [
  edit('two hosts with the same IP', (c) => void (c.hosts.pihole.ip = c.hosts.truenas.ip), '192.168.30.20'),
  edit('a node with a host IP', (c) => void (c.nodes['talos-cp01'].ip = c.hosts.proxmox.ip), 'nodes.talos-cp01.ip'),
  edit('two apps with the same LoadBalancer IP', (c) => void (c.apps.qbittorrent.loadBalancerIP = c.apps.plex.loadBalancerIP), '192.168.30.62'),
  edit('an app on the internal gateway IP', (c) => void (c.apps.plex.loadBalancerIP = c.network.internalGatewayIP), 'apps.plex.loadBalancerIP'),
  edit('a LoadBalancer IP outside its range', (c) => void (c.apps.plex.loadBalancerIP = '192.168.30.100'), 'apps.plex.loadBalancerIP'),
  edit('a node IP outside the subnet', (c) => void (c.nodes['talos-cp01'].ip = '10.0.0.50'), 'nodes.talos-cp01.ip'),
  edit('a node IP outside the node range', (c) => void (c.nodes['talos-cp01'].ip = '192.168.30.70'), 'nodes.talos-cp01.ip'),
  edit('a host IP outside the subnet', (c) => void (c.hosts.pihole.ip = '10.0.0.45'), 'hosts.pihole.ip'),
  edit('the gateway outside the subnet', (c) => void (c.network.gateway = '10.0.0.1'), 'network.gateway'),
  edit('a range outside the subnet', (c) => void (c.network.ranges.loadBalancer = { start: '10.9.9.1', end: '10.9.9.20' }), 'network.ranges.loadBalancer'),
  edit('a range that ends before it starts', (c) => void (c.network.ranges.nodes = { start: '192.168.30.59', end: '192.168.30.50' }), 'network.ranges.nodes'),
  edit('two ranges that overlap', (c) => void (c.network.ranges.dhcp = { start: '192.168.30.70', end: '192.168.30.254' }), 'network.ranges'),
  edit('the internal gateway outside the LoadBalancer range', (c) => void (c.network.internalGatewayIP = '192.168.30.90'), 'network.internalGatewayIP'),
  edit('a nameserver that is no host', (c) => void (c.network.nameservers = ['nosuchhost']), 'network.nameservers[0]'),
  edit('a Proxmox host that is no host', (c) => void (c.proxmox.host = 'nosuchhost'), 'proxmox.host'),
  edit('an NFS server that is no host', (c) => void (c.nfs.server = 'nosuchhost'), 'nfs.server'),
  edit('domains.internal equal to domains.public', (c) => void (c.domains.internal = c.domains.public), 'domains.internal'),
  edit('two control planes without a VIP', (c) => void (c.nodes['talos-cp02'] = { ip: '192.168.30.51', role: 'controlplane' }), 'cluster.controlPlaneVIP'),
  edit('the VIP equal to a node IP', (c) => {
    c.nodes['talos-cp02'] = { ip: '192.168.30.51', role: 'controlplane' };
    c.cluster.controlPlaneVIP = '192.168.30.50';
  }, 'cluster.controlPlaneVIP'),
];

/** Mistakes in different sections are reported together, in one run, in the one format. */
const COMBINED_CASES: ConfigCase[] = [
  edit('three shape mistakes at once', (c) => {
    c.network.vlan = 5000;
    c.nodes['talos-cp01'].vm.memoryMiB = 1e30;
    c.clutser = {};
  }, '3 problems', 'network.vlan', 'nodes.talos-cp01.vm.memoryMiB', 'clutser'),
  // The components' checks need a consistent config, so they run once these are fixed.
  edit('two address clashes at once', (c) => {
    c.hosts.pihole.ip = c.hosts.truenas.ip;
    c.apps.qbittorrent.loadBalancerIP = c.apps.plex.loadBalancerIP;
    delete c.cloudflare;
  }, '2 problems', 'hosts.pihole.ip', 'apps.qbittorrent.loadBalancerIP'),
  edit('the tunnel disabled with two public apps: both named', (c) => void (c.components = { cloudflared: { enabled: false } }), '2 problems', 'apps.plex.expose.public', 'apps.overseerr.expose.public'),
];

export const CONFIG_CASES: ConfigCase[] = [...VALUES_CASES, ...YAML_CASES, ...TYPE_CASES, ...UNKNOWN_CASES, ...MISSING_CASES, ...RELATION_CASES, ...COMBINED_CASES];

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'homelab-hostile-'));
});
afterEach(() => {
  readOnly.root = undefined;
  rmSync(home, { recursive: true, force: true });
});

function writeCase(source: Source): void {
  if ('text' in source) {
    writeFileSync(join(home, 'homelab.yaml'), source.text());
    return;
  }
  const config = seed();
  source.edit(config);
  writeFileSync(join(home, 'homelab.yaml'), yaml(config));
}

const writeSeed = () => writeFileSync(join(home, 'homelab.yaml'), SEED_TEXT);
const HAND_WRITTEN = 'kubernetes/notes.md';

/** A generated tree beside the seed config, plus a hand-written file homelab must never touch. */
async function generatedHome(): Promise<void> {
  writeSeed();
  expect((await run(home, 'generate')).code).toBe(0);
  writeFileSync(join(home, HAND_WRITTEN), 'mine\n');
}

/** Every directory and file under dir, with each file's bytes: a run that changes any of it fails the comparison. */
function treeState(dir: string): { dirs: string[]; files: Record<string, string> } {
  const dirs: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      dirs.push(relative(dir, join(current, entry.name)));
      walk(join(current, entry.name));
    }
  };
  walk(dir);
  return { dirs: dirs.sort(), files: snapshotTree(dir) };
}

/**
 * Every command that reads homelab.yaml, in the mode that touches no cluster and needs no key:
 * bootstrap without --run only prints its plan, secrets list only reads.
 */
const CONFIG_READERS: string[][] = [['generate'], ['validate'], ['diff'], ['bootstrap'], ['secrets', 'list']];

describe('hostile configs: exit 1, the config path named, nothing written', () => {
  it.each(CONFIG_READERS.flatMap((command) => CONFIG_CASES.map((testCase) => [command.join(' '), testCase.name, command, testCase] as const)))(
    'homelab %s: %s',
    async (_command, _name, command, testCase) => {
      writeCase(testCase.source);
      const before = treeState(home);
      const result = await run(home, ...command);
      expectSentence(result);
      expect(result.code, result.err).toBe(1);
      expect(result.err).toContain('homelab.yaml');
      for (const fragment of testCase.expect) expect(result.err).toContain(fragment);
      expect(result.err).toContain('Nothing was written.');
      expect(treeState(home)).toEqual(before);
    },
    DID_NOT_HANG_MS,
  );
});

describe.each(CONFIG_READERS.map((command) => [command.join(' '), command] as const))('the config path itself is hostile: homelab %s', (_command, command) => {
  it(
    'a directory: says so and names the file to pass',
    async () => {
      mkdirSync(join(home, 'configs'));
      const result = await run(home, ...command, '--config', 'configs');
      expectSentence(result);
      expect(result.code).toBe(1);
      expect(result.err).toContain('configs: 1 problem');
      expect(result.err).toContain('(root): is a directory, not a file');
      expect(result.err).toContain(join(home, 'configs', 'homelab.yaml'));
      expect(result.err).toContain('Nothing was written.');
      expect(treeState(home)).toEqual({ dirs: ['configs'], files: {} });
    },
    DID_NOT_HANG_MS,
  );

  it(
    'a directory named homelab.yaml, found from the working directory',
    async () => {
      mkdirSync(join(home, 'homelab.yaml'));
      const result = await run(home, ...command);
      expectSentence(result);
      expect(result.code).toBe(1);
      expect(result.err).toContain('homelab.yaml: 1 problem');
      expect(result.err).toContain('is a directory, not a file');
      expect(result.err).toContain('Nothing was written.');
    },
    DID_NOT_HANG_MS,
  );

  it(
    'a named pipe: refused before it is read (reading would block forever)',
    async () => {
      execFileSync('mkfifo', [join(home, 'homelab.yaml')]);
      const result = await run(home, ...command);
      expectSentence(result);
      expect(result.code).toBe(1);
      expect(result.err).toContain('homelab.yaml: 1 problem');
      expect(result.err).toContain('is not a regular file');
      expect(result.err).toContain('Nothing was written.');
    },
    DID_NOT_HANG_MS,
  );

  it(
    'a file that does not exist: a usage error naming the path',
    async () => {
      const result = await run(home, ...command, '--config', 'nowhere.yaml');
      expectSentence(result);
      expect(result.code).toBe(2);
      expect(result.err).toContain(`config file not found: ${join(home, 'nowhere.yaml')}`);
      expect(treeState(home)).toEqual({ dirs: [], files: {} });
    },
    DID_NOT_HANG_MS,
  );

  it(
    'a symlink to itself: a usage error naming the path, not ELOOP',
    async () => {
      symlinkSync('homelab.yaml', join(home, 'homelab.yaml'));
      const result = await run(home, ...command, '--config', 'homelab.yaml');
      expectSentence(result);
      expect(result.code).toBe(2);
      expect(result.err).toContain(`config file not found: ${join(home, 'homelab.yaml')}`);
    },
    DID_NOT_HANG_MS,
  );

  it.skipIf(process.getuid?.() === 0)(
    'a file without read permission (skipped as root, who reads it anyway)',
    async () => {
      writeSeed();
      chmodSync(join(home, 'homelab.yaml'), 0o000);
      const result = await run(home, ...command);
      expectSentence(result);
      expect(result.code).toBe(1);
      expect(result.err).toContain('(root): cannot be read (permission denied)');
      expect(result.err).toContain('Nothing was written.');
    },
    DID_NOT_HANG_MS,
  );
});

describe('hostile command lines', () => {
  it.each([
    [['generate', '--bogus'], "unknown option --bogus for 'homelab generate'; see homelab generate --help"],
    [['generate', '-Z'], "unknown option -Z for 'homelab generate'; see homelab generate --help"],
    [['generate', '--out'], "Option '-o, --out <value>' argument missing"],
    [['generate', 'extra'], "unexpected argument 'extra'"],
    [['generrate'], "unknown command 'generrate'"],
  ])('%j: exit 2 with a sentence', async (argv, sentence) => {
    writeSeed();
    const result = await run(home, ...argv);
    expectSentence(result);
    expect(result.code).toBe(2);
    expect(result.err).toContain(sentence);
    expect(result.err).not.toContain('To specify a positional argument');
    expect(treeState(home)).toEqual({ dirs: [], files: { 'homelab.yaml': SEED_TEXT } });
  });
});

describe('output-directory faults: a sentence, and the tree byte-for-byte untouched', () => {
  const faults: { name: string; plant: () => string[]; expect: (outDir: string) => string }[] = [
    {
      name: 'the output directory is read-only (EROFS)',
      plant: () => {
        // A changed config, so that the run has files to write.
        writeFileSync(join(home, 'homelab.yaml'), SEED_TEXT.replace('revision: main', 'revision: next'));
        readOnly.root = home;
        return ['generate'];
      },
      expect: () => 'the file system is read-only. Generate into a writable directory (--out DIR), or remount it read-write.',
    },
    {
      name: 'a file where a generated directory must be (talos/)',
      plant: () => {
        rmSync(join(home, 'talos'), { recursive: true });
        writeFileSync(join(home, 'talos'), 'not a directory\n');
        return ['generate'];
      },
      expect: () => `cannot write ${join(home, 'talos')}: it is a file, where homelab needs a directory`,
    },
    {
      name: 'a directory where a generated file must be (talos/talconfig.yaml)',
      plant: () => {
        rmSync(join(home, 'talos/talconfig.yaml'));
        mkdirSync(join(home, 'talos/talconfig.yaml'));
        writeFileSync(join(home, 'talos/talconfig.yaml/mine.txt'), 'mine\n');
        return ['generate'];
      },
      expect: () => `cannot write ${join(home, 'talos/talconfig.yaml')}: it is a directory, where homelab writes a file. Move or remove that directory, then run generate again.`,
    },
    {
      name: '--out at a file',
      plant: () => {
        writeFileSync(join(home, 'out.txt'), 'a file\n');
        return ['generate', '--out', 'out.txt'];
      },
      expect: () => `cannot write ${join(home, 'out.txt')}: it is a file, where homelab writes its output directory. Pass --out a directory, or a path that does not exist yet.`,
    },
    {
      name: '--out under a file',
      plant: () => {
        writeFileSync(join(home, 'out.txt'), 'a file\n');
        return ['generate', '--out', 'out.txt/deeper/tree'];
      },
      expect: () => `cannot write ${join(home, 'out.txt')}: it is a file, where homelab needs a directory (for the output directory ${join(home, 'out.txt/deeper/tree')}). Pass --out a path that is not below a file.`,
    },
  ];

  it.each(faults.map((fault) => [fault.name, fault] as const))(
    '%s',
    async (_name, fault) => {
      await generatedHome();
      const argv = fault.plant();
      const before = treeState(home);
      const result = await run(home, ...argv);
      readOnly.root = undefined;
      expectSentence(result);
      expect(result.code, result.err).toBe(1);
      expect(result.err).toContain(fault.expect(home));
      expect(treeState(home)).toEqual(before);
      expect(readFileSync(join(home, HAND_WRITTEN), 'utf8')).toBe('mine\n');
    },
    DID_NOT_HANG_MS,
  );

  it.skipIf(process.getuid?.() === 0)(
    'a directory without write permission (skipped as root, who writes anyway; EROFS above covers the path)',
    async () => {
      await generatedHome();
      writeFileSync(join(home, 'homelab.yaml'), SEED_TEXT.replace('revision: main', 'revision: next'));
      chmodSync(join(home, 'kubernetes'), 0o555);
      const before = treeState(home);
      const result = await run(home, 'generate');
      chmodSync(join(home, 'kubernetes'), 0o755);
      expectSentence(result);
      expect(result.code).toBe(1);
      expect(result.err).toContain('permission denied');
      expect(treeState(home)).toEqual(before);
    },
    DID_NOT_HANG_MS,
  );
});

describe('staged files an interrupted run left behind', () => {
  it(
    'a planted .<name>.homelab-staged file is removed by the next successful run, and said so',
    async () => {
      await generatedHome();
      const target = join(home, 'kubernetes/bootstrap/app-of-apps/root.yaml');
      const stale = stagedPath(target);
      writeFileSync(stale, 'half-written by a killed run\n');
      const result = await run(home, 'generate');
      expectSentence(result);
      expect(result.code).toBe(0);
      expect(result.out).toContain('removed 1 staged file left by an interrupted run');
      expect(existsSync(stale)).toBe(false);
      expect(readFileSync(join(home, HAND_WRITTEN), 'utf8')).toBe('mine\n');
    },
    DID_NOT_HANG_MS,
  );

  it(
    'a staged file for a path homelab no longer owns, beside the manifest, is removed too',
    async () => {
      await generatedHome();
      const stale = stagedPath(join(home, MANIFEST_PATH));
      writeFileSync(stale, '{}\n');
      expect((await run(home, 'generate')).code).toBe(0);
      expect(existsSync(stale)).toBe(false);
    },
    DID_NOT_HANG_MS,
  );

  it(
    '--check reports a staged leftover without removing it',
    async () => {
      await generatedHome();
      const stale = stagedPath(join(home, 'talos/talconfig.yaml'));
      writeFileSync(stale, 'partial\n');
      const result = await run(home, 'generate', '--check');
      expectSentence(result);
      expect(result.err).toContain('staged file left by an interrupted run');
      expect(existsSync(stale)).toBe(true);
    },
    DID_NOT_HANG_MS,
  );

  it(
    'a hidden file of another naming in an owned directory is left alone',
    async () => {
      await generatedHome();
      const mine = join(home, 'talos/.talconfig.yaml.swp');
      writeFileSync(mine, 'an editor swap file\n');
      expect((await run(home, 'generate')).code).toBe(0);
      expect(readFileSync(mine, 'utf8')).toBe('an editor swap file\n');
    },
    DID_NOT_HANG_MS,
  );
});

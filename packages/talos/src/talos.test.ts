import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { AnySchema, ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '@homelab/config';
import { hasGeneratedHeader, imageFactorySchematicId } from '@homelab/core';
import { buildCilium, KUBEPRISM_PORT } from '@homelab/cilium';
import { LOCAL_PATH_ROOT, localPath } from '@homelab/local-path';
import { chartSchemaDir, configVariant, freeNodeAddresses, haConfig, seedConfig } from '@homelab/testing';
import {
  buildTalos,
  kubeletExtraMounts,
  CONTROLLER_MANAGER_METRICS_PORT,
  ETCD_METRICS_PORT,
  KUBERNETES_VERSION,
  METRICS_BIND_ADDRESS,
  SCHEDULER_METRICS_PORT,
  schematicId,
  TALCONFIG_PATH,
  talconfig,
  TALOS_VERSION,
  talosArtifact,
  talosPatches,
  TALOS_DEFAULTS,
  type Talconfig,
} from './index.js';

type AddFormats = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as AddFormats;

const seed = seedConfig();

/** The seed grown to 3 control planes + 3 workers sharing a VIP. */
const ha = haConfig();

const content = (config: ResolvedConfig) => buildTalos(config)[0]!.content;
/** talconfig.yaml of a composition with node-local storage (whose component declares a host directory). */
const withLocalPath = (config: ResolvedConfig) => load(buildTalos(config, undefined, [localPath(config)])[0]!.content) as Talconfig;
/** talconfig.yaml as talhelper reads it. */
const parsed = (config: ResolvedConfig) => load(content(config)) as Talconfig;
const occurrences = (text: string, needle: string) => text.split(needle).length - 1;

/** Every inline patch of a talconfig, parsed, with where it is applied. */
function inlinePatches(tc: Talconfig): { where: string; text: string; patch: unknown }[] {
  const groups: [string, string[] | undefined][] = [
    ['patches', tc.patches],
    ['controlPlane.patches', tc.controlPlane.patches],
    ['worker.patches', tc.worker?.patches],
    ...tc.nodes.map((node, i): [string, string[] | undefined] => [`nodes[${i}].patches`, (node as { patches?: string[] }).patches]),
  ];
  return groups.flatMap(([where, texts]) => (texts ?? []).map((text, i) => ({ where: `${where}[${i}]`, text, patch: load(text) })));
}

describe('talconfig.yaml', () => {
  const [file] = buildTalos(seed);

  it('is one file at talos/talconfig.yaml with the generated header, built by the artifact module', () => {
    expect(buildTalos(seed)).toHaveLength(1);
    expect(file!.path).toBe(TALCONFIG_PATH);
    expect(file!.source).toBe('@homelab/talos');
    expect(hasGeneratedHeader(file!.content)).toBe(true);
    expect(talosArtifact.name).toBe('talos');
    expect(talosArtifact.build(seed, [])).toEqual(buildTalos(seed));
  });

  it('is a pure function of the config: same input, same bytes', () => {
    expect(content(seed)).toBe(file!.content);
    expect(content(ha)).toBe(content(ha));
  });

  it('names the cluster, the API endpoint and the pinned versions', () => {
    const tc = parsed(seed);
    expect(tc.clusterName).toBe(seed.cluster.name);
    expect(tc.endpoint).toBe(seed.cluster.endpoint);
    expect(tc.talosVersion).toBe(TALOS_VERSION);
    expect(tc.kubernetesVersion).toBe(KUBERNETES_VERSION);
  });

  it('writes each version once, and only src/versions.ts spells a version out', () => {
    for (const config of [seed, ha]) {
      expect(occurrences(content(config), TALOS_VERSION)).toBe(1);
      expect(occurrences(content(config), KUBERNETES_VERSION)).toBe(1);
    }
    const srcDir = fileURLToPath(new URL('.', import.meta.url));
    const spelling = /['"]v\d+\.\d+\.\d+['"]/;
    const sources = readdirSync(srcDir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
    expect(sources).toContain('versions.ts');
    expect(sources.filter((name) => spelling.test(readFileSync(join(srcDir, name), 'utf8')))).toEqual(['versions.ts']);
  });

  it('lists every node, sorted by name, with its role, disk, nameservers and static address', () => {
    for (const config of [seed, ha]) {
      const tc = parsed(config);
      const prefix = config.network.subnet.split('/')[1];
      expect(tc.nodes.map((node) => node.hostname)).toEqual(config.nodes.map((node) => node.name));
      for (const [i, node] of config.nodes.entries()) {
        const out = tc.nodes[i]!;
        expect(out).toMatchObject({ ipAddress: node.ip, controlPlane: node.role === 'controlplane', installDisk: node.installDisk });
        expect(out.nameservers).toEqual(config.network.nameservers);
        expect(out.networkInterfaces).toHaveLength(1);
        expect(out.networkInterfaces[0]).toMatchObject({
          deviceSelector: { physical: true },
          addresses: [`${node.ip}/${prefix}`],
          routes: [{ network: '0.0.0.0/0', gateway: config.network.gateway }],
        });
      }
    }
  });

  it('uses resolved nameserver addresses, not host names', () => {
    const pihole = seed.hosts['pihole']!.ip;
    expect(parsed(seed).nodes[0]!.nameservers).toEqual([pihole]);
  });
});

describe('single control plane (the seed)', () => {
  const tc = parsed(seed);

  it('points the endpoint at the only control plane, without a VIP', () => {
    expect(seed.cluster.controlPlaneVIP).toBeUndefined();
    expect(tc.endpoint).toBe(`https://${seed.controlPlanes[0]!.ip}:6443`);
    for (const node of tc.nodes) expect(node.networkInterfaces[0]!.vip).toBeUndefined();
  });

  it('lets workloads schedule on the control plane (there is no worker)', () => {
    expect(seed.workers).toEqual([]);
    expect(tc.allowSchedulingOnControlPlanes).toBe(true);
    expect(tc.worker).toBeUndefined();
  });
});

describe('three control planes and three workers with a VIP', () => {
  const tc = parsed(ha);
  const vip = ha.cluster.controlPlaneVIP!;

  it('serves the API on the VIP', () => {
    expect(tc.nodes).toHaveLength(6);
    expect(tc.endpoint).toBe(`https://${vip}:6443`);
  });

  it('puts the VIP on every control plane and on no worker', () => {
    const byRole = (controlPlane: boolean) => tc.nodes.filter((node) => node.controlPlane === controlPlane);
    expect(byRole(true).map((node) => node.hostname)).toEqual(ha.controlPlanes.map((node) => node.name));
    expect(byRole(false).map((node) => node.hostname)).toEqual(ha.workers.map((node) => node.name));
    for (const node of byRole(true)) expect(node.networkInterfaces[0]!.vip).toEqual({ ip: vip });
    for (const node of byRole(false)) expect(node.networkInterfaces[0]!.vip).toBeUndefined();
    expect(occurrences(content(ha), vip)).toBe(1 + ha.controlPlanes.length);
  });

  it('keeps workloads off the control planes', () => {
    expect(tc.allowSchedulingOnControlPlanes).toBe(false);
  });
});

describe('late binding: the output follows the config', () => {
  it('moves a node to a new address everywhere (ipAddress, interface address, endpoint)', () => {
    const oldIp = seed.nodes[0]!.ip;
    let newIp = '';
    const moved = configVariant((data) => {
      newIp = freeNodeAddresses(data, 1)[0]!;
      data.nodes[seed.nodes[0]!.name]!.ip = newIp;
    });
    const before = content(seed);
    const after = content(moved);
    expect(occurrences(before, oldIp)).toBeGreaterThanOrEqual(3);
    expect(occurrences(after, oldIp)).toBe(0);
    expect(occurrences(after, newIp)).toBe(occurrences(before, oldIp));
    expect(after.replaceAll(newIp, oldIp)).toBe(before);
  });

  it('moves a control plane of the HA cluster without touching the VIP endpoint', () => {
    const target = ha.controlPlanes[1]!;
    let newIp = '';
    const moved = configVariant((data) => {
      Object.assign(data.nodes, Object.fromEntries(ha.nodes.map((node) => [node.name, { ip: node.ip, role: node.role }])));
      data.cluster.controlPlaneVIP = ha.cluster.controlPlaneVIP!;
      newIp = freeNodeAddresses(data, 1)[0]!;
      data.nodes[target.name]!.ip = newIp;
    });
    expect(occurrences(content(moved), target.ip)).toBe(0);
    expect(content(moved).replaceAll(newIp, target.ip)).toBe(content(ha));
  });

  it('takes the gateway, NTP servers and nameservers from the network section', () => {
    const changed = configVariant((data) => {
      data.network.gateway = '192.168.30.254';
      data.network.ntpServers = ['ntp1.example.org', 'ntp2.example.org'];
      data.network.ranges.dhcp = { start: '192.168.30.81', end: '192.168.30.253' };
      data.network.nameservers = ['192.168.30.46', 'pihole'];
    });
    const tc = parsed(changed);
    expect(tc.nodes[0]!.networkInterfaces[0]!.routes).toEqual([{ network: '0.0.0.0/0', gateway: changed.network.gateway }]);
    expect(tc.nodes[0]!.nameservers).toEqual(['192.168.30.46', changed.hosts['pihole']!.ip]);
    const timeSync = inlinePatches(tc).find(({ patch }) => (patch as { kind?: string }).kind === 'TimeSyncConfig');
    expect(timeSync?.patch).toEqual({ apiVersion: 'v1alpha1', kind: 'TimeSyncConfig', ntp: { servers: changed.network.ntpServers } });
  });

  it('adds the QEMU guest agent to the installer image only when the nodes are Proxmox VMs', () => {
    expect(parsed(seed).controlPlane.schematic).toEqual({ customization: { systemExtensions: { officialExtensions: ['siderolabs/qemu-guest-agent'] } } });
    expect(parsed(ha).worker?.schematic).toEqual(parsed(ha).controlPlane.schematic);
    const bare = configVariant((data) => {
      delete data.proxmox;
    });
    expect(parsed(bare).controlPlane.schematic).toBeUndefined();
    expect(content(bare)).not.toContain('qemu-guest-agent');
  });
});

describe('patches matching the Cilium setup and the observability stack', () => {
  const patches = talosPatches(seed);

  it('names every inline patch once', () => {
    for (const config of [seed, ha]) {
      const names = inlinePatches(parsed(config)).map(({ text }) => /^# (\S+)\n/.exec(text)?.[1]);
      expect(names).not.toContain(undefined);
      expect(new Set(names).size).toBe(names.length);
    }
    expect(inlinePatches(parsed(seed)).map(({ patch }) => patch)).toEqual([...Object.values(patches.cluster), ...Object.values(patches.controlPlane)]);
  });

  it('leaves the CNI and kube-proxy to Cilium', () => {
    expect(patches.cluster['cilium']).toEqual({ cluster: { network: { cni: { name: 'none' } }, proxy: { disabled: true } } });
  });

  it("enables KubePrism on the port Cilium's agent talks to", () => {
    expect(patches.cluster['kubePrism']).toEqual({ machine: { features: { kubePrism: { enabled: true, port: KUBEPRISM_PORT } } } });
    expect(buildCilium(seed).values?.['k8sServicePort']).toBe(KUBEPRISM_PORT);
    expect(buildCilium(seed).values?.['kubeProxyReplacement']).toBe(true);
  });

  it('keeps host DNS but does not forward CoreDNS to it', () => {
    expect(patches.cluster['hostDNS']).toEqual({ machine: { features: { hostDNS: { enabled: true, forwardKubeDNSToHost: false } } } });
  });

  it('pins the kubelet node IP and etcd peers to the LAN subnet', () => {
    expect(patches.cluster['kubeletNodeIP']).toEqual({ machine: { kubelet: { nodeIP: { validSubnets: [seed.network.subnet] } } } });
    expect(patches.controlPlane['etcdSubnet']).toEqual({ cluster: { etcd: { advertisedSubnets: [seed.network.subnet] } } });
  });

  it('exposes etcd, controller-manager and scheduler metrics on the exported address and ports', () => {
    expect(patches.controlPlane['metrics']).toEqual({
      cluster: {
        etcd: { extraArgs: { 'listen-metrics-urls': `http://${METRICS_BIND_ADDRESS}:${ETCD_METRICS_PORT}` } },
        controllerManager: { extraArgs: { 'bind-address': METRICS_BIND_ADDRESS } },
        scheduler: { extraArgs: { 'bind-address': METRICS_BIND_ADDRESS } },
      },
    });
    expect([METRICS_BIND_ADDRESS, ETCD_METRICS_PORT, CONTROLLER_MANAGER_METRICS_PORT, SCHEDULER_METRICS_PORT]).toEqual(['0.0.0.0', 2381, 10257, 10259]);
  });

  it('applies the metrics patches to control planes only', () => {
    const tc = parsed(ha);
    const where = (name: string) => inlinePatches(tc).filter(({ text }) => text.startsWith(`# ${name}\n`)).map(({ where }) => where.replace(/\[\d+\]$/, ''));
    expect(where('metrics')).toEqual(['controlPlane.patches']);
    expect(where('etcdSubnet')).toEqual(['controlPlane.patches']);
    expect(where('kubePrism')).toEqual(['patches']);
  });
});

describe('kubelet mounts for the host directories components declare', () => {
  const patchOf = (tc: Talconfig) => inlinePatches(tc).find(({ text }) => text.startsWith('# kubeletHostDirectories\n'));

  it("bind-mounts node-local storage's directory into the kubelet, rshared, on every node", () => {
    const found = patchOf(withLocalPath(ha));
    expect(found?.where).toMatch(/^patches\[\d+\]$/);
    expect(found?.patch).toEqual({ machine: { kubelet: { extraMounts: [{ destination: LOCAL_PATH_ROOT, type: 'bind', source: LOCAL_PATH_ROOT, options: ['bind', 'rshared', 'rw'] }] } } });
    expect(localPath(seed).hostDirectories).toEqual([LOCAL_PATH_ROOT]);
  });

  it('adds no patch when no component declares a directory', () => {
    expect(patchOf(parsed(seed))).toBeUndefined();
    expect(talosArtifact.build(seed, [])).toEqual(buildTalos(seed));
    expect(talosArtifact.build(seed, [localPath(seed)])).toEqual(buildTalos(seed, undefined, [localPath(seed)]));
    expect(talosArtifact.build(seed, [localPath(seed)])).not.toEqual(buildTalos(seed));
  });

  it('mounts each directory once, sorted, however many components declare it', () => {
    const mounts = kubeletExtraMounts([{ hostDirectories: ['/var/mnt/b', '/var/mnt/a'] }, { hostDirectories: ['/var/mnt/a'] }, {}]);
    expect(mounts.map((mount) => mount.source)).toEqual(['/var/mnt/a', '/var/mnt/b']);
  });

  it('rejects a directory outside /var, which Talos keeps read-only, naming it and the fix', () => {
    expect(() => kubeletExtraMounts([{ hostDirectories: ['/opt/local-path-provisioner'] }])).toThrow(
      "talos: is not below /var, the only part of a Talos node workloads may write (hostDirectories: '/opt/local-path-provisioner'). Declare a directory below /var, such as /var/mnt/<name>.",
    );
    expect(() => kubeletExtraMounts([{ name: 'local-path', hostDirectories: ['/var/mnt/ok', '/opt/local-path-provisioner'] }])).toThrow(
      "talos: is not below /var, the only part of a Talos node workloads may write (component local-path) (hostDirectories: '/opt/local-path-provisioner'). Declare a directory below /var, such as /var/mnt/<name>.",
    );
  });
});

describe('settings', () => {
  it('takes a narrower device selector for multi-NIC nodes', () => {
    const tc = talconfig(seed, { deviceSelector: { physical: null, hardwareAddr: 'bc:24:11:*' } });
    expect(tc.nodes[0]!.networkInterfaces[0]!.deviceSelector).toEqual({ hardwareAddr: 'bc:24:11:*' });
  });

  it('drops an extension by name with null', () => {
    expect(talconfig(seed, { systemExtensions: { 'siderolabs/qemu-guest-agent': null } }).controlPlane.schematic).toBeUndefined();
    expect(talconfig(seed, { systemExtensions: { 'siderolabs/iscsi-tools': 'always' } }).controlPlane.schematic?.customization.systemExtensions.officialExtensions).toEqual([
      'siderolabs/iscsi-tools',
      'siderolabs/qemu-guest-agent',
    ]);
  });

  it("gives the installer image's schematic its Image Factory ID (the one an ISO of the same extensions needs)", () => {
    const extensions = talconfig(seed).controlPlane.schematic?.customization.systemExtensions.officialExtensions;
    expect(extensions).toEqual(['siderolabs/qemu-guest-agent']);
    expect(schematicId(seed)).toBe(imageFactorySchematicId(extensions!));
    // Without Proxmox no extension applies: the empty schematic.
    expect(schematicId({ ...seed, proxmox: undefined })).toBe(imageFactorySchematicId([]));
    expect(() => schematicId(seed, { ...TALOS_DEFAULTS, systemExtensions: { 'Qemu Agent': 'always' } })).toThrow(
      "talos: is not an official extension name (systemExtensions.Qemu Agent: 'Qemu Agent'). Name it as the Image Factory lists it, e.g. siderolabs/qemu-guest-agent.",
    );
  });

  it('rejects invalid settings naming the setting and the fix', () => {
    expect(() => talconfig(seed, { deviceSelector: { physical: null } })).toThrow(
      "talos: selects every link (deviceSelector: '{}'). Set at least one field, such as physical: true or hardwareAddr.",
    );
    expect(() => talconfig(seed, { talosVersion: '1.13' })).toThrow(`talos: is not a release tag (talosVersion: '1.13'). Use a tag such as '${TALOS_VERSION}'.`);
    expect(() => talconfig(seed, { kubernetesVersion: 'latest' })).toThrow(
      `talos: is not a release tag (kubernetesVersion: 'latest'). Use a tag such as '${KUBERNETES_VERSION}'.`,
    );
  });
});

const talhelperDir = chartSchemaDir('talhelper');
const talosDir = chartSchemaDir('talos');

/** draft 2020-12 validator for a stored schema (both schemas declare that draft). */
function compile(schema: unknown): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, strictTypes: false });
  addFormats(ajv);
  // Documentation keywords of the Talos schema, annotations only.
  ajv.addVocabulary(['markdownDescription', 'x-intellij-html-description']);
  return ajv.compile(schema as AnySchema);
}

const problems = (validate: ValidateFunction, data: unknown) =>
  validate(data) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'}: ${error.message ?? error.keyword}`);

describe.skipIf(!talhelperDir)('talhelper v3.1.16 schema (shared/chart-schemas/talhelper/talconfig.json)', () => {
  const validate = () => compile(JSON.parse(readFileSync(join(talhelperDir!, 'talconfig.json'), 'utf8')));

  it('accepts the talconfig of the seed and of the HA cluster, with and without node-local storage', () => {
    const check = validate();
    expect(problems(check, parsed(seed))).toEqual([]);
    expect(problems(check, parsed(ha))).toEqual([]);
    expect(problems(check, withLocalPath(seed))).toEqual([]);
    expect(problems(check, withLocalPath(ha))).toEqual([]);
  });

  it('would reject patches given as objects: it takes inline YAML strings only', () => {
    const tc = parsed(seed);
    expect(problems(validate(), { ...tc, patches: Object.values(talosPatches(seed).cluster) })).not.toEqual([]);
  });
});

/**
 * A copy of `schema` without its `required` constraints, except on `keep` properties.
 *
 * A strategic-merge patch is a partial document: talhelper merges it onto the complete config the
 * Talos generator produced, so required fields (machine.type, cluster.clusterName, …) are normally
 * absent from the patch and come from that base. Everything else still applies: unknown keys
 * (additionalProperties: false), types, enums and patterns, so a misspelled key or one Talos 1.13
 * removed still fails. `apiVersion` and `kind` stay required: a multi-document patch must name the
 * document it adds, and with them required exactly one branch of the root `oneOf` matches.
 */
function relaxRequired(schema: unknown, keep: readonly string[] = ['apiVersion', 'kind']): unknown {
  if (Array.isArray(schema)) return schema.map((item) => relaxRequired(item, keep));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'required' && Array.isArray(value) && value.every((item) => typeof item === 'string')) {
      const kept = value.filter((name) => keep.includes(name));
      if (kept.length > 0) out[key] = kept;
    } else {
      out[key] = relaxRequired(value, keep);
    }
  }
  return out;
}

describe.skipIf(!talosDir)('Talos v1.13.9 machine-config schema (shared/chart-schemas/talos/config.schema.json), required relaxed for patches', () => {
  // The describe body runs even when skipped: read the schema only where shared/ exists.
  const validate = talosDir ? compile(relaxRequired(JSON.parse(readFileSync(join(talosDir, 'config.schema.json'), 'utf8')))) : (undefined as never);

  it('accepts every inline patch of the seed and the HA talconfig, with and without node-local storage', () => {
    for (const tc of [parsed(seed), parsed(ha), withLocalPath(seed), withLocalPath(ha)]) {
      const patches = inlinePatches(tc);
      expect(patches.length).toBeGreaterThan(0);
      for (const { where, patch } of patches) expect({ where, problems: problems(validate, patch) }).toEqual({ where, problems: [] });
    }
  });

  it('still rejects keys Talos 1.13 does not know, wrong types, and documents without a kind', () => {
    expect(problems(validate, { machine: { time: { servers: ['time.cloudflare.com'] } } })).not.toEqual([]);
    expect(problems(validate, { machine: { features: { kubePrism: { enabled: true, port: String(KUBEPRISM_PORT) } } } })).not.toEqual([]);
    expect(problems(validate, { cluster: { network: { cni: { name: 'cilium' } } } })).not.toEqual([]);
    expect(problems(validate, { machine: { kubelet: { extraMounts: [{ destination: LOCAL_PATH_ROOT, type: 'bind', source: LOCAL_PATH_ROOT, options: 'rshared' }] } } })).not.toEqual([]);
    expect(problems(validate, { ntp: { servers: ['time.cloudflare.com'] } })).not.toEqual([]);
  });

  it('relaxes only required: the full schema rejects a document missing a required field, the relaxed one accepts it', () => {
    const strict = compile(JSON.parse(readFileSync(join(talosDir!, 'config.schema.json'), 'utf8')));
    expect(problems(strict, { apiVersion: 'v1alpha1', kind: 'TimeSyncConfig' })).toEqual([]);
    expect(problems(strict, { apiVersion: 'v1alpha1', kind: 'Layer2VIPConfig' })).not.toEqual([]);
    expect(problems(validate, { apiVersion: 'v1alpha1', kind: 'Layer2VIPConfig' })).toEqual([]);
  });
});

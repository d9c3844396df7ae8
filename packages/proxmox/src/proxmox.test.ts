import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIpv4, parseCidr, parseIpv4, type ResolvedConfig } from '@homelab/config';
import { generatedHeader, type GeneratedFile } from '@homelab/core';
import { configVariant, seedConfig } from '@homelab/testing';
import { QEMU_GUEST_AGENT_EXTENSION, schematicId as talosSchematicId, talconfig } from '@homelab/talos';
import {
  buildProxmox,
  DOWNLOAD_RESOURCE,
  PROXMOX_DEFAULTS,
  PROXMOX_PROVIDER,
  proxmoxArtifact,
  proxmoxTerraform,
  TALOS_VERSION,
  TERRAFORM_DIR,
  terraformJsonHeader,
  VARIABLES,
  VM_RESOURCE,
} from './index.js';

const seed = seedConfig();
const SOURCE = '@homelab/proxmox';

/**
 * 3 control planes and 3 workers spread over two Proxmox nodes (named after the seed's default
 * node), addresses taken in order from network.ranges.nodes, the VIP from its end.
 */
const HOSTS = [`${seed.proxmox!.defaultNode}-a`, `${seed.proxmox!.defaultNode}-b`];
const multiNode = configVariant((data) => {
  const start = parseIpv4(data.network.ranges.nodes.start);
  const vm = { ...Object.values(data.nodes)[0]!.vm };
  data.cluster.controlPlaneVIP = data.network.ranges.nodes.end;
  data.nodes = {};
  ['cp01', 'cp02', 'cp03', 'worker01', 'worker02', 'worker03'].forEach((suffix, index) => {
    data.nodes[`talos-${suffix}`] = {
      ip: formatIpv4(start + index),
      role: suffix.startsWith('cp') ? 'controlplane' : 'worker',
      vm: { ...vm, host: HOSTS[index % HOSTS.length]! },
    };
  });
});

type Json = Record<string, any>;

/** Every generated file parsed, keyed by file name. */
function parse(files: GeneratedFile[]): Record<string, Json> {
  return Object.fromEntries(files.map((file) => [file.path.slice(TERRAFORM_DIR.length + 1), JSON.parse(file.content) as Json]));
}

/** All resources of all files, as type → name → body. */
function resources(parsed: Record<string, Json>): Record<string, Record<string, Json>> {
  const all: Record<string, Record<string, Json>> = {};
  for (const body of Object.values(parsed)) {
    for (const [type, byName] of Object.entries((body.resource ?? {}) as Record<string, Record<string, Json>>)) {
      all[type] = { ...all[type], ...byName };
    }
  }
  return all;
}

/** Every string value in a JSON tree (object keys excluded). */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/**
 * References inside `${...}` interpolations that name nothing in the module: `var.X` needs a
 * variable X, `TYPE.NAME` a resource of that type and name. ("//" comments are skipped.)
 */
function danglingReferences(parsed: Record<string, Json>): string[] {
  const declared = resources(parsed);
  const variables = new Set(Object.values(parsed).flatMap((body) => Object.keys(body.variable ?? {})));
  const dangling: string[] = [];
  for (const body of Object.values(parsed)) {
    const { '//': _comment, ...rest } = body;
    for (const text of strings(rest)) {
      for (const [, expression] of text.matchAll(/\$\{([^}]*)\}/g)) {
        for (const [reference, first, second] of expression!.matchAll(/(?<![\w.])([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)/g)) {
          const ok = first === 'var' ? variables.has(second!) : declared[first!]?.[second!] !== undefined;
          if (!ok) dangling.push(reference);
        }
      }
    }
  }
  return dangling;
}

const vms = (config: ResolvedConfig) => resources(parse(buildProxmox(config)))[VM_RESOURCE] ?? {};
const downloads = (config: ResolvedConfig) => resources(parse(buildProxmox(config)))[DOWNLOAD_RESOURCE] ?? {};

describe('files', () => {
  const files = buildProxmox(seed);
  const parsed = parse(files);

  it('are the five .tf.json files of terraform/proxmox, sorted by path, from this package', () => {
    expect(files.map((file) => file.path)).toEqual(
      ['main', 'outputs', 'providers', 'variables', 'versions'].map((name) => `${TERRAFORM_DIR}/${name}.tf.json`),
    );
    expect(new Set(files.map((file) => file.source))).toEqual(new Set([SOURCE]));
  });

  it('parse as JSON and are written as 2-space JSON with a trailing newline', () => {
    for (const file of files) {
      expect(file.content.endsWith('}\n')).toBe(true);
      expect(file.content).toBe(`${JSON.stringify(JSON.parse(file.content), null, 2)}\n`);
    }
  });

  it('open with the generated-file header in a top-level "//" property (a comment in Terraform JSON)', () => {
    const header = generatedHeader(SOURCE, '').replaceAll('\n', ' ').replace(/\s+/g, ' ').trim();
    expect(terraformJsonHeader(SOURCE)).toBe(header);
    for (const file of files) {
      expect(Object.keys(JSON.parse(file.content) as Json)[0]).toBe('//');
      expect(file.content.startsWith(`{\n  "//": "Generated by homelab from ${SOURCE}. Do not edit by hand: change homelab.yaml`)).toBe(true);
      expect((JSON.parse(file.content) as Json)['//']).toBe(header);
    }
  });

  it('use only top-level block types Terraform knows', () => {
    for (const body of Object.values(parsed)) {
      for (const key of Object.keys(body)) expect(['//', 'terraform', 'provider', 'variable', 'resource', 'output']).toContain(key);
    }
  });

  it('are the same bytes every run, and the artifact module renders them', () => {
    expect(buildProxmox(seed)).toEqual(files);
    expect(proxmoxArtifact.name).toBe('proxmox');
    expect(proxmoxArtifact.build(seed, [])).toEqual(files);
  });

  it('are not generated without a proxmox section', () => {
    const withoutProxmox = configVariant((data) => {
      delete data.proxmox;
    });
    expect(withoutProxmox.proxmox).toBeUndefined();
    expect(buildProxmox(withoutProxmox)).toEqual([]);
    expect(proxmoxArtifact.build(withoutProxmox, [])).toEqual([]);
    expect(proxmoxTerraform(withoutProxmox)).toBeUndefined();
  });
});

describe('provider and variables', () => {
  const parsed = parse(buildProxmox(seed));

  it('pin bpg/proxmox to one exact version', () => {
    const required = parsed['versions.tf.json']!.terraform.required_providers.proxmox;
    expect(required).toEqual({ source: 'bpg/proxmox', version: PROXMOX_PROVIDER.version });
    expect(required.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(required.version).not.toMatch(/[~<>=!,*^ ]/);
  });

  it('use only resource types of that provider', () => {
    for (const type of Object.keys(resources(parsed))) expect(type.startsWith('proxmox_')).toBe(true);
  });

  it('reach the API at the endpoint from homelab.yaml with the credentials from variables', () => {
    const provider = parsed['providers.tf.json']!.provider.proxmox;
    expect(provider).toEqual({
      endpoint: seed.proxmox!.endpoint,
      api_token: `\${var.${VARIABLES.apiToken}}`,
      insecure: `\${var.${VARIABLES.insecure}}`,
    });
    const moved = configVariant((data) => {
      data.hosts.proxmox!.ip = formatIpv4(parseIpv4(data.hosts.proxmox!.ip) + 1);
    });
    expect(parse(buildProxmox(moved))['providers.tf.json']!.provider.proxmox.endpoint).toBe(moved.proxmox!.endpoint);
    expect(moved.proxmox!.endpoint).not.toBe(seed.proxmox!.endpoint);
  });

  it('give credentials no default and mark them sensitive', () => {
    const variables = parsed['variables.tf.json']!.variable as Record<string, Json>;
    const credentials = Object.entries(variables).filter(([name, variable]) => variable.sensitive === true || /token|secret|password|key/i.test(name));
    expect(credentials.map(([name]) => name)).toContain(VARIABLES.apiToken);
    for (const [, variable] of credentials) {
      expect(variable).not.toHaveProperty('default');
      expect(variable.sensitive).toBe(true);
    }
  });

  it('skip TLS verification by default, as a variable a user can turn off', () => {
    const insecure = parsed['variables.tf.json']!.variable[VARIABLES.insecure];
    expect(insecure).toMatchObject({ type: 'bool', default: PROXMOX_DEFAULTS.insecure });
    expect(PROXMOX_DEFAULTS.insecure).toBe(true);
    const strict = parse(buildProxmox(seed, { insecure: false }))['variables.tf.json']!.variable[VARIABLES.insecure];
    expect(strict.default).toBe(false);
  });
});

describe('references', () => {
  it('resolve to declared resources and variables, on one node and on six', () => {
    for (const config of [seed, multiNode]) {
      const parsed = parse(buildProxmox(config));
      expect(danglingReferences(parsed)).toEqual([]);
      // The check looks at every reference the module makes, not at none.
      const referenced = strings(parsed).filter((text) => text.includes('${'));
      expect(referenced.length).toBeGreaterThanOrEqual(2 + 2 * config.nodes.length);
    }
  });

  it('are caught when one names a resource or variable that does not exist', () => {
    const parsed = parse(buildProxmox(seed));
    const vm = Object.values(parsed['main.tf.json']!.resource[VM_RESOURCE] as Record<string, Json>)[0]!;
    vm.cdrom.file_id = `\${${DOWNLOAD_RESOURCE}.talos_iso_elsewhere.id}`;
    parsed['providers.tf.json']!.provider.proxmox.api_token = '${var.missing}';
    expect(danglingReferences(parsed).sort()).toEqual([`${DOWNLOAD_RESOURCE}.talos_iso_elsewhere`, 'var.missing']);
  });
});

describe('VMs', () => {
  it('are one per node, named after it, in name order', () => {
    for (const config of [seed, multiNode]) {
      const byName = vms(config);
      expect(Object.keys(byName)).toHaveLength(config.nodes.length);
      expect(Object.values(byName).map((vm) => vm.name)).toEqual(config.nodes.map((node) => node.name));
      expect(Object.keys(byName)).toEqual(config.nodes.map((node) => node.name.replaceAll('-', '_')));
    }
  });

  it('take their size from the node and their storage and network from the proxmox section', () => {
    const node = seed.nodes[0]!;
    const vm = vms(seed)[node.name.replaceAll('-', '_')]!;
    expect(vm.node_name).toBe(seed.proxmox!.defaultNode);
    expect(vm.cpu).toEqual({ cores: node.vm.cores, type: node.vm.cpuType });
    expect(vm.memory.dedicated).toBe(node.vm.memoryMiB);
    expect(vm.disk).toHaveLength(1);
    expect(vm.disk[0]).toMatchObject({ datastore_id: seed.proxmox!.datastore, size: node.vm.diskGiB, interface: 'scsi0' });
    expect(vm.efi_disk.datastore_id).toBe(seed.proxmox!.datastore);
    expect(vm.network_device).toEqual([{ bridge: seed.proxmox!.bridge, model: 'virtio', vlan_id: seed.network.vlan }]);
    expect(seed.network.vlan).toBeDefined();
  });

  it('follow changes to homelab.yaml', () => {
    const changed = configVariant((data) => {
      const node = Object.values(data.nodes)[0]!;
      node.vm = { cores: node.vm!.cores! + 2, cpuType: 'host', memoryMiB: node.vm!.memoryMiB! * 2, diskGiB: node.vm!.diskGiB! + 20 };
      data.proxmox = { ...data.proxmox!, defaultNode: 'hv1', bridge: 'vmbr1', datastore: 'tank', isoDatastore: 'isos' };
      data.network.vlan = data.network.vlan! + 1;
    });
    const node = changed.nodes[0]!;
    const vm = vms(changed)[node.name.replaceAll('-', '_')]!;
    expect(vm.cpu).toEqual({ cores: node.vm.cores, type: 'host' });
    expect(vm.memory.dedicated).toBe(node.vm.memoryMiB);
    expect(vm.disk[0]).toMatchObject({ datastore_id: 'tank', size: node.vm.diskGiB });
    expect(vm.efi_disk.datastore_id).toBe('tank');
    expect(vm.node_name).toBe('hv1');
    expect(vm.network_device[0]).toEqual({ bridge: 'vmbr1', model: 'virtio', vlan_id: changed.network.vlan });
    expect(Object.values(downloads(changed))).toEqual([expect.objectContaining({ node_name: 'hv1', datastore_id: 'isos' })]);
  });

  it('leave the NIC untagged without network.vlan', () => {
    const untagged = configVariant((data) => {
      delete data.network.vlan;
    });
    for (const vm of Object.values(vms(untagged))) expect(vm.network_device[0]).not.toHaveProperty('vlan_id');
  });

  it('boot UEFI on q35 from the disk, else from the Talos ISO, and run as Talos VMs', () => {
    for (const vm of Object.values(vms(multiNode))) {
      expect(vm).toMatchObject({
        bios: 'ovmf',
        machine: 'q35',
        started: true,
        on_boot: true,
        agent: { enabled: true },
        operating_system: { type: 'l26' },
        efi_disk: { type: '4m', pre_enrolled_keys: false },
        cdrom: { interface: 'ide2' },
        boot_order: [vm.disk[0].interface, 'ide2'],
      });
      expect(vm).not.toHaveProperty('initialization');
      expect(vm.network_device[0]).not.toHaveProperty('mac_address');
    }
  });

  it('run the QEMU guest agent exactly when the installed Talos has its extension (one declaration: @homelab/talos)', () => {
    const talconfigExtensions = talconfig(multiNode).controlPlane.schematic?.customization.systemExtensions.officialExtensions ?? [];
    expect(talconfigExtensions).toContain(QEMU_GUEST_AGENT_EXTENSION);
    for (const vm of Object.values(vms(multiNode))) expect(vm.agent).toEqual({ enabled: true });
  });

  it('are tagged talos and with their role, sorted as Proxmox stores tags', () => {
    for (const config of [seed, multiNode]) {
      for (const node of config.nodes) {
        const tags = vms(config)[node.name.replaceAll('-', '_')]!.tags as string[];
        expect(new Set(tags)).toEqual(new Set(['talos', node.role]));
        expect(tags).toEqual([...tags].sort());
      }
    }
  });

  it('attach the disk where the node installs Talos', () => {
    const virtio = configVariant((data) => {
      Object.values(data.nodes)[0]!.installDisk = '/dev/vda';
    });
    const vm = Object.values(vms(virtio))[0]!;
    expect(vm.disk[0].interface).toBe('virtio0');
    expect(vm.disk[0]).not.toHaveProperty('ssd');
    expect(vm.boot_order[0]).toBe('virtio0');
    const nvme = configVariant((data) => {
      Object.values(data.nodes)[0]!.installDisk = '/dev/nvme0n1';
    });
    expect(() => buildProxmox(nvme)).toThrow(
      `proxmox: cannot give node ${nvme.nodes[0]!.name} that install disk: its VM has one disk (nodes.${nvme.nodes[0]!.name}.installDisk: '/dev/nvme0n1'). Use /dev/sda (a SCSI disk, the default) or /dev/vda (a VirtIO block disk).`,
    );
  });
});

describe('VM ids', () => {
  const subnetStart = parseCidr(seed.network.subnet)!.start;

  it('are the base plus the offset of the node IP in the subnet', () => {
    for (const config of [seed, multiNode]) {
      for (const node of config.nodes) {
        expect(vms(config)[node.name.replaceAll('-', '_')]!.vm_id).toBe(PROXMOX_DEFAULTS.vmIdBase + parseIpv4(node.ip) - subnetStart);
      }
    }
    const offset = parseIpv4(seed.nodes[0]!.ip) - subnetStart;
    expect(Object.values(resources(parse(buildProxmox(seed, { vmIdBase: 5000 })))[VM_RESOURCE]!)[0]!.vm_id).toBe(5000 + offset);
  });

  it('are unique, and adding a node that sorts first renumbers no other VM', () => {
    const ids = Object.values(vms(multiNode)).map((vm) => vm.vm_id);
    expect(new Set(ids).size).toBe(ids.length);
    const before = Object.fromEntries(Object.values(vms(multiNode)).map((vm) => [vm.name, vm.vm_id]));
    const grown = configVariant((data) => {
      const start = parseIpv4(data.network.ranges.nodes.start);
      const vm = { ...Object.values(data.nodes)[0]!.vm };
      data.cluster.controlPlaneVIP = data.network.ranges.nodes.end;
      data.nodes = {};
      Object.entries(before).forEach(([name], index) => {
        data.nodes[name] = { ip: formatIpv4(start + index), role: name.includes('cp') ? 'controlplane' : 'worker', vm: { ...vm, host: HOSTS[index % 2]! } };
      });
      data.nodes['a-first'] = { ip: formatIpv4(start + Object.keys(before).length), role: 'worker' };
    });
    const after = Object.fromEntries(Object.values(vms(grown)).map((vm) => [vm.name, vm.vm_id]));
    expect(Object.keys(after)[0]).toBe('a-first');
    expect(after).toMatchObject(before);
  });

  it('reject a base below the lowest id Proxmox accepts', () => {
    expect(() => buildProxmox(seed, { vmIdBase: 99 })).toThrow("proxmox: must be an integer of at least 100, the lowest VM id Proxmox accepts (vmIdBase: '99'). Use 100 or more.");
  });
});

describe('Talos ISO', () => {
  it('is downloaded once per Proxmox node that runs a VM, and each VM boots its own node’s copy', () => {
    const byName = downloads(multiNode);
    expect(Object.keys(byName)).toHaveLength(HOSTS.length);
    expect(Object.values(byName).map((download) => download.node_name)).toEqual([...HOSTS].sort());
    for (const vm of Object.values(vms(multiNode))) {
      const [, name] = /^\$\{proxmox_download_file\.([\w]+)\.id\}$/.exec(vm.cdrom.file_id)!;
      expect(byName[name!]!.node_name).toBe(vm.node_name);
    }
    expect(Object.keys(downloads(seed))).toHaveLength(1);
  });

  it('counts nodes without vm.host on the default Proxmox node', () => {
    const mixed = configVariant((data) => {
      data.nodes['talos-w01'] = { ip: formatIpv4(parseIpv4(data.network.ranges.nodes.start) + 1), role: 'worker', vm: { host: 'other' } };
    });
    expect(Object.values(downloads(mixed)).map((download) => download.node_name)).toEqual(['other', mixed.proxmox!.defaultNode].sort());
  });

  it('is the pinned Talos release from the Image Factory, as an ISO in the ISO datastore, with the installed nodes\' extensions', () => {
    const { platform, factoryUrl } = PROXMOX_DEFAULTS.talosImage;
    // The installer image's schematic (talconfig), so maintenance mode runs the guest agent the VM enables.
    const schematicId = talosSchematicId(seed);
    const download = Object.values(downloads(seed))[0]!;
    expect(download).toMatchObject({ content_type: 'iso', datastore_id: seed.proxmox!.isoDatastore, overwrite: false });
    expect(download.url).toBe(`${factoryUrl}/image/${schematicId}/${TALOS_VERSION}/${platform}-amd64.iso`);
    expect(download.file_name).toMatch(/\.iso$/);
    expect(download.file_name).toContain(TALOS_VERSION);
    expect(TALOS_VERSION).toMatch(/^v\d+\.\d+\.\d+$/);
    const nocloud = Object.values(resources(parse(buildProxmox(seed, { talosImage: { platform: 'nocloud', schematicId: 'abc123def4567890' } })))[DOWNLOAD_RESOURCE]!)[0]!;
    expect(nocloud.url).toBe(`${factoryUrl}/image/abc123def4567890/${TALOS_VERSION}/nocloud-amd64.iso`);
    expect(nocloud.file_name).not.toBe(download.file_name);
  });
});

describe('outputs', () => {
  it('give each node its VM id and IP, by node name', () => {
    for (const config of [seed, multiNode]) {
      const output = parse(buildProxmox(config))['outputs.tf.json']!.output;
      expect(output.node_ips.value).toEqual(Object.fromEntries(config.nodes.map((node) => [node.name, node.ip])));
      expect(output.vm_ids.value).toEqual(
        Object.fromEntries(config.nodes.map((node) => [node.name, `\${${VM_RESOURCE}.${node.name.replaceAll('-', '_')}.vm_id}`])),
      );
    }
  });
});

/**
 * Terraform's own parser, offline: `terraform init` reads and checks the configuration before it
 * installs providers; with an empty filesystem mirror as the only source it then stops at the
 * provider, having contacted nothing. Runs where a terraform binary is on the PATH.
 */
const terraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;
describe.skipIf(!terraform)('terraform init (offline)', () => {
  function init(files: GeneratedFile[]): string {
    const root = mkdtempSync(join(tmpdir(), 'homelab-proxmox-'));
    try {
      for (const file of files) {
        mkdirSync(dirname(join(root, file.path)), { recursive: true });
        writeFileSync(join(root, file.path), file.content);
      }
      mkdirSync(join(root, 'mirror'));
      writeFileSync(join(root, 'terraformrc'), `disable_checkpoint = true\nprovider_installation {\n  filesystem_mirror {\n    path = "${join(root, 'mirror')}"\n    include = ["*/*/*"]\n  }\n}\n`);
      const result = spawnSync('terraform', ['init', '-backend=false', '-input=false', '-no-color'], {
        cwd: join(root, TERRAFORM_DIR),
        encoding: 'utf8',
        env: { ...process.env, TF_CLI_CONFIG_FILE: join(root, 'terraformrc'), CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' },
        timeout: 60_000,
      });
      return `${result.stdout}${result.stderr}`;
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }

  it('reads the module and asks for exactly the pinned provider version', () => {
    for (const config of [seed, multiNode]) {
      const output = init(buildProxmox(config));
      expect(output).toContain(`Finding bpg/proxmox versions matching "${PROXMOX_PROVIDER.version}"`);
      expect(output).not.toContain('problems during initialisation');
    }
  });

  it('reports a malformed module (the check can fail)', () => {
    const [main, ...rest] = buildProxmox(seed);
    const broken = JSON.parse(main!.content) as Json;
    Object.values(broken.resource[VM_RESOURCE] as Record<string, Json>)[0]!.lifecycle = { not_a_meta_argument: true };
    const output = init([{ ...main!, content: JSON.stringify(broken) }, ...rest]);
    expect(output).toContain('problems during initialisation');
  });
});

/**
 * Terraform for the Talos VMs on Proxmox VE, in Terraform's JSON syntax (the form HashiCorp
 * documents for generated configuration): one VM per node of homelab.yaml, booting a Talos ISO
 * that each Proxmox node downloads from the Image Factory. Pure functions of the resolved config;
 * `proxmoxTerraform` returns each file's body by name so callers can patch before rendering.
 */
import { generatedHeader, merge, type GeneratedFile, type Patch } from '@homelab/core';
import { parseCidr, parseIpv4, type ResolvedConfig, type ResolvedNode } from '@homelab/config';
import { PROXMOX_DEFAULTS, type ProxmoxSettings } from './defaults.js';
import { PROXMOX_PROVIDER, TALOS_VERSION } from './versions.js';
import { QEMU_GUEST_AGENT_EXTENSION, schematicId as talosSchematicId, systemExtensions } from '@homelab/talos';

/** Artifact name; also the key homelab.yaml uses (`proxmox:`). */
export const PROXMOX_ARTIFACT = 'proxmox';
const SOURCE = '@homelab/proxmox';

/** Directory of the generated Terraform root module, relative to the output root. */
export const TERRAFORM_DIR = 'terraform/proxmox';

/** The provider's local name (the prefix of its resource types). */
const PROVIDER_NAME = 'proxmox';
export const VM_RESOURCE = 'proxmox_virtual_environment_vm';
export const DOWNLOAD_RESOURCE = 'proxmox_download_file';

/** Input variables, so nothing secret is ever written: set them as TF_VAR_<name>. */
export const VARIABLES = { apiToken: 'proxmox_api_token', insecure: 'proxmox_insecure' } as const;

/** Talos images for x86-64; the VM's cpu type comes from homelab.yaml (nodes.<name>.vm.cpuType). */
const ARCH = 'amd64';
/** q35 has two IDE ports (ide0, ide2); Proxmox puts the CD-ROM on ide2. */
const CDROM_INTERFACE = 'ide2';
const VM_ID_MIN = 100;
const VM_ID_MAX = 999_999_999;

/** A JSON value as Terraform's JSON syntax reads it (strings are templates: `${...}` interpolates). */
export type TerraformJson = string | number | boolean | TerraformJson[] | { [key: string]: TerraformJson };
export type TerraformBody = { [key: string]: TerraformJson };

/** The generated root module, one body per file, keyed by a stable name. */
export interface ProxmoxTerraform {
  versions: TerraformBody;
  providers: TerraformBody;
  variables: TerraformBody;
  main: TerraformBody;
  outputs: TerraformBody;
}

/** File name of each part under TERRAFORM_DIR. */
export const TERRAFORM_FILES: { readonly [K in keyof ProxmoxTerraform]: string } = {
  versions: 'versions.tf.json',
  providers: 'providers.tf.json',
  variables: 'variables.tf.json',
  main: 'main.tf.json',
  outputs: 'outputs.tf.json',
};

type ProxmoxConfig = NonNullable<ResolvedConfig['proxmox']>;

function fail(problem: string, path: string, value: unknown, fix: string): never {
  throw new Error(`${PROXMOX_ARTIFACT}: ${problem} (${path}: '${String(value)}'). ${fix}`);
}

/**
 * A Terraform identifier from a DNS label: '-' becomes '_' (injective, labels have no '_'), and a
 * leading digit gets a '_' prefix because identifiers must not start with one.
 */
export function terraformName(label: string): string {
  const name = label.replaceAll('-', '_');
  return /^\d/.test(name) ? `_${name}` : name;
}

/** `${type.name.attribute}`: a reference in Terraform's JSON syntax. */
const ref = (...parts: string[]) => `\${${parts.join('.')}}`;

/** The Proxmox node that runs a Talos node's VM. */
export function proxmoxNodeOf(proxmox: ProxmoxConfig, node: ResolvedNode): string {
  return node.vm.host ?? proxmox.defaultNode;
}

/** Distinct Proxmox nodes that run a VM, sorted. */
export function proxmoxNodes(config: ResolvedConfig & { proxmox: ProxmoxConfig }): string[] {
  return [...new Set(config.nodes.map((node) => proxmoxNodeOf(config.proxmox, node)))].sort();
}

/** VM id: `vmIdBase` plus the offset of the node's IP in the subnet (see ProxmoxSettings.vmIdBase). */
export function vmIdOf(config: ResolvedConfig, node: ResolvedNode, settings: ProxmoxSettings): number {
  if (!Number.isInteger(settings.vmIdBase) || settings.vmIdBase < VM_ID_MIN) {
    fail(`must be an integer of at least ${VM_ID_MIN}, the lowest VM id Proxmox accepts`, 'vmIdBase', settings.vmIdBase, `Use ${VM_ID_MIN} or more.`);
  }
  const subnet = parseCidr(config.network.subnet)!; // checked by the config's semantic rules
  const id = settings.vmIdBase + (parseIpv4(node.ip) - subnet.start);
  if (id > VM_ID_MAX) {
    fail(`gives node ${node.name} VM id ${id}, above Proxmox's maximum ${VM_ID_MAX}`, 'vmIdBase', settings.vmIdBase, 'Lower the base.');
  }
  return id;
}

/**
 * The VM's one disk, attached where Talos looks for it: /dev/sda is the first SCSI disk, /dev/vda
 * the first VirtIO block device. Anything else names a disk this VM does not have.
 */
export function bootDiskInterface(node: ResolvedNode): 'scsi0' | 'virtio0' {
  if (node.installDisk === '/dev/sda') return 'scsi0';
  if (node.installDisk === '/dev/vda') return 'virtio0';
  return fail(
    `cannot give node ${node.name} that install disk: its VM has one disk`,
    `nodes.${node.name}.installDisk`,
    node.installDisk,
    'Use /dev/sda (a SCSI disk, the default) or /dev/vda (a VirtIO block disk).',
  );
}

/** The ISO's schematic: the settings', else the installer image's (one declaration: the Talos system extensions). */
const isoSchematicId = (config: ResolvedConfig, settings: ProxmoxSettings) => settings.talosImage.schematicId ?? talosSchematicId(config);

/** Image Factory URL of the Talos ISO. */
export function talosIsoUrl(config: ResolvedConfig, settings: ProxmoxSettings): string {
  const { factoryUrl, platform } = settings.talosImage;
  return `${factoryUrl.replace(/\/+$/, '')}/image/${isoSchematicId(config, settings)}/${TALOS_VERSION}/${platform}-${ARCH}.iso`;
}

/**
 * Name of the ISO in the datastore. Version and schematic are part of it, so a new image is a new
 * file: it is downloaded before the old one is deleted (create_before_destroy) without a clash.
 */
export function talosIsoFileName(config: ResolvedConfig, settings: ProxmoxSettings): string {
  return `talos-${TALOS_VERSION}-${isoSchematicId(config, settings).slice(0, 12)}-${settings.talosImage.platform}-${ARCH}.iso`;
}

/** Terraform name of the ISO download on one Proxmox node. */
export const isoResourceName = (proxmoxNode: string) => terraformName(`talos-iso-${proxmoxNode}`);

function isoDownload(config: ResolvedConfig & { proxmox: ProxmoxConfig }, proxmoxNode: string, settings: ProxmoxSettings): TerraformBody {
  const { proxmox } = config;
  return {
    node_name: proxmoxNode,
    content_type: 'iso',
    datastore_id: proxmox.isoDatastore,
    url: talosIsoUrl(config, settings),
    file_name: talosIsoFileName(config, settings),
    // The URL names an exact release and schematic, so the file never changes upstream: no size
    // check against the URL on every plan.
    overwrite: false,
    lifecycle: { create_before_destroy: true },
  };
}

function vm(config: ResolvedConfig & { proxmox: ProxmoxConfig }, node: ResolvedNode, settings: ProxmoxSettings): TerraformBody {
  const { proxmox, network } = config;
  const host = proxmoxNodeOf(proxmox, node);
  const disk = bootDiskInterface(node);
  return {
    name: node.name,
    description: `Talos ${node.role} ${node.name} (${node.ip}) of cluster ${config.cluster.name}.`,
    // Proxmox stores tags sorted; an unsorted list would show a diff on every plan.
    tags: ['talos', node.role].sort(),
    node_name: host,
    vm_id: vmIdOf(config, node, settings),
    machine: 'q35',
    bios: 'ovmf',
    started: true,
    on_boot: true,
    // Never reboot a Talos node from Terraform (a version bump would reboot every node at once);
    // changes that need a reboot wait for `talosctl reboot`, one node at a time.
    reboot_after_update: false,
    // Destroying discards the VM: do not wait for a guest shutdown.
    stop_on_destroy: true,
    // The guest agent runs exactly when the installed Talos has its extension (one declaration,
    // @homelab/talos): Proxmox then shuts the VM down through it and shows the node's addresses.
    agent: { enabled: systemExtensions(config).includes(QEMU_GUEST_AGENT_EXTENSION) },
    operating_system: { type: 'l26' },
    cpu: { cores: node.vm.cores, type: node.vm.cpuType },
    // floating 0: no balloon device, the node always has all its memory (Kubernetes sizes
    // allocatable memory from what it sees at boot).
    memory: { dedicated: node.vm.memoryMiB, floating: 0 },
    scsi_hardware: 'virtio-scsi-single',
    // UEFI variables; no pre-enrolled keys, because they turn on Secure Boot, which the default
    // (non-Secure-Boot) Talos image cannot pass.
    efi_disk: { datastore_id: proxmox.datastore, file_format: 'raw', type: '4m', pre_enrolled_keys: false },
    disk: [
      {
        datastore_id: proxmox.datastore,
        interface: disk,
        size: node.vm.diskGiB,
        // raw works on every storage type (LVM-thin and ZFS support nothing else).
        file_format: 'raw',
        iothread: true,
        discard: 'on',
        ...(disk === 'scsi0' ? { ssd: true } : {}), // VirtIO block has no SSD emulation
      },
    ],
    cdrom: { file_id: ref(DOWNLOAD_RESOURCE, isoResourceName(host), 'id'), interface: CDROM_INTERFACE },
    // Disk first: empty until Talos installs, so the first boot falls through to the ISO and every
    // later boot starts the installed system.
    boot_order: [disk, CDROM_INTERFACE],
    network_device: [
      {
        bridge: proxmox.bridge,
        model: 'virtio',
        ...(network.vlan !== undefined ? { vlan_id: network.vlan } : {}),
      },
    ],
  };
}

/** The root module's bodies, or undefined when homelab.yaml has no proxmox section. */
export function proxmoxTerraform(config: ResolvedConfig, overrides?: Patch<ProxmoxSettings>): ProxmoxTerraform | undefined {
  const { proxmox } = config;
  if (!proxmox) return undefined;
  const withProxmox = { ...config, proxmox };
  const settings = merge<ProxmoxSettings>(PROXMOX_DEFAULTS, overrides);
  const vmName = (node: ResolvedNode) => terraformName(node.name);
  // config.nodes is sorted by name, and so is every map below.
  const byNode = <T extends TerraformJson>(value: (node: ResolvedNode) => T) =>
    Object.fromEntries(config.nodes.map((node) => [node.name, value(node)]));

  return {
    versions: {
      terraform: { required_providers: { [PROVIDER_NAME]: { source: PROXMOX_PROVIDER.source, version: PROXMOX_PROVIDER.version } } },
    },
    providers: {
      provider: {
        [PROVIDER_NAME]: {
          endpoint: proxmox.endpoint,
          api_token: ref('var', VARIABLES.apiToken),
          insecure: ref('var', VARIABLES.insecure),
        },
      },
    },
    variables: {
      variable: {
        [VARIABLES.apiToken]: {
          description: 'Proxmox VE API token as USER@REALM!TOKENID=SECRET. Set TF_VAR_proxmox_api_token; never commit it.',
          type: 'string',
          sensitive: true,
          nullable: false,
        },
        [VARIABLES.insecure]: {
          description: "Skip TLS verification of the Proxmox API (its default certificate is signed by the cluster's own CA).",
          type: 'bool',
          default: settings.insecure,
        },
      },
    },
    main: {
      resource: {
        [DOWNLOAD_RESOURCE]: Object.fromEntries(
          proxmoxNodes(withProxmox).map((host) => [isoResourceName(host), isoDownload(withProxmox, host, settings)]),
        ),
        [VM_RESOURCE]: Object.fromEntries(config.nodes.map((node) => [vmName(node), vm(withProxmox, node, settings)])),
      },
    },
    outputs: {
      output: {
        vm_ids: {
          description: 'Proxmox VM id of each Talos node, by node name.',
          value: byNode((node) => ref(VM_RESOURCE, vmName(node), 'vm_id')),
        },
        node_ips: {
          description: 'Static address of each Talos node, by node name (homelab.yaml; Talos sets it from talconfig).',
          value: byNode((node) => node.ip),
        },
      },
    },
  };
}

/**
 * The generated-file header as the text of a top-level `"//"` property, which Terraform's JSON
 * syntax ignores as a comment: the same words as every other generated file, on one line.
 */
export function terraformJsonHeader(source: string): string {
  return generatedHeader(source, '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
}

/** A .tf.json file: the header property first, then the body; 2-space JSON, trailing newline. */
export function renderTerraformJson(path: string, source: string, body: TerraformBody): GeneratedFile {
  return { path, source, content: `${JSON.stringify({ '//': terraformJsonHeader(source), ...body }, null, 2)}\n` };
}

/** The files of terraform/proxmox/, sorted by path; none without a proxmox section. */
export function buildProxmox(config: ResolvedConfig, overrides?: Patch<ProxmoxSettings>): GeneratedFile[] {
  const terraform = proxmoxTerraform(config, overrides);
  if (!terraform) return [];
  return (Object.keys(TERRAFORM_FILES) as (keyof ProxmoxTerraform)[])
    .map((part) => renderTerraformJson(`${TERRAFORM_DIR}/${TERRAFORM_FILES[part]}`, SOURCE, terraform[part]))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

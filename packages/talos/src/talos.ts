/**
 * talconfig.yaml for talhelper: the Talos cluster of homelab.yaml's nodes, with static addressing,
 * the control-plane VIP, and machine-config patches matching the Cilium setup (no CNI, no
 * kube-proxy, KubePrism on Cilium's port) and the metrics the observability stack scrapes.
 * Pure functions of the resolved config; each returns a named part so callers can patch it by name.
 */
import { imageFactorySchematicId, isOfficialExtensionName, merge, renderYamlFile, toYaml, type ArtifactModule, type Component, type GeneratedFile, type Patch } from '@homelab/core';
import { parseCidr, type ResolvedConfig, type ResolvedNode } from '@homelab/config';
import { KUBEPRISM_PORT } from '@homelab/cilium';
import {
  CONTROLLER_MANAGER_METRICS_PORT,
  ETCD_METRICS_PORT,
  METRICS_BIND_ADDRESS,
  SCHEDULER_METRICS_PORT,
  TALCONFIG_PATH,
  TALOS_DEFAULTS,
  type DeviceSelector,
  type TalosSettings,
} from './defaults.js';

/** Artifact name (the aggregator's key) and the npm package named in the file header. */
export const TALOS_ARTIFACT = 'talos';
const SOURCE = '@homelab/talos';

/** Every IPv4 destination: a route to it is the default route. */
const DEFAULT_ROUTE = '0.0.0.0/0';

/**
 * One strategic-merge patch: a partial `v1alpha1` machine config (`machine:` / `cluster:` keys) or
 * a whole multi-document config document (`apiVersion`, `kind`, …), which Talos adds to the config.
 * @see https://docs.siderolabs.com/talos/v1.13/configure-your-talos-cluster/system-configuration/patching
 */
export type TalosPatch = Record<string, unknown>;

/** Patches by where talconfig.yaml applies them, each keyed by a stable name. */
export interface TalosPatches {
  /** Every node (talconfig `patches`). */
  cluster: Record<string, TalosPatch>;
  /** Control-plane nodes only (talconfig `controlPlane.patches`). */
  controlPlane: Record<string, TalosPatch>;
}

/** talhelper's `networkInterfaces[]` entry (a Talos v1alpha1 device), as far as this package sets it. */
export interface TalhelperNetworkInterface {
  deviceSelector: DeviceSelector;
  addresses: string[];
  routes: { network: string; gateway: string }[];
  /** Shared Kubernetes API address, announced by one control plane at a time. */
  vip?: { ip: string };
}

/** talhelper's `nodes[]` entry, as far as this package sets it. */
export interface TalhelperNode {
  hostname: string;
  ipAddress: string;
  controlPlane: boolean;
  installDisk: string;
  nameservers: string[];
  networkInterfaces: TalhelperNetworkInterface[];
}

/** Image Factory schematic of a node group (the installer image's system extensions). */
export interface TalhelperSchematic {
  customization: { systemExtensions: { officialExtensions: string[] } };
}

/** A talhelper node group (`controlPlane` / `worker`), as far as this package sets it. */
export interface TalhelperNodeGroup {
  patches?: string[];
  schematic?: TalhelperSchematic;
}

/** The talconfig.yaml document (talhelper's schema: shared/chart-schemas/talhelper/talconfig.json). */
export interface Talconfig {
  clusterName: string;
  talosVersion: string;
  kubernetesVersion: string;
  endpoint: string;
  allowSchedulingOnControlPlanes: boolean;
  patches: string[];
  nodes: TalhelperNode[];
  controlPlane: TalhelperNodeGroup;
  worker?: TalhelperNodeGroup;
}

function fail(problem: string, path: string, value: unknown, fix: string): never {
  throw new Error(`${TALOS_ARTIFACT}: ${problem} (${path}: '${String(value)}'). ${fix}`);
}

/** The package defaults with `overrides` merged on (merge() semantics: null deletes, lists replace). */
export function talosSettings(overrides?: Patch<TalosSettings>): TalosSettings {
  const settings = merge<TalosSettings>(TALOS_DEFAULTS, overrides);
  checkSettings(settings);
  return settings;
}

function checkSettings(settings: TalosSettings): void {
  const release = /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
  if (!release.test(settings.talosVersion)) fail('is not a release tag', 'talosVersion', settings.talosVersion, `Use a tag such as '${TALOS_DEFAULTS.talosVersion}'.`);
  if (!release.test(settings.kubernetesVersion)) {
    fail('is not a release tag', 'kubernetesVersion', settings.kubernetesVersion, `Use a tag such as '${TALOS_DEFAULTS.kubernetesVersion}'.`);
  }
  const selector = Object.entries(settings.deviceSelector).filter(([, value]) => value !== undefined);
  if (selector.length === 0) {
    fail('selects every link', 'deviceSelector', JSON.stringify(settings.deviceSelector), 'Set at least one field, such as physical: true or hardwareAddr.');
  }
  for (const [name, condition] of Object.entries(settings.systemExtensions)) {
    if (condition !== 'always' && condition !== 'proxmox') {
      fail('is not a condition', `systemExtensions.${name}`, condition, "Use 'always' or 'proxmox', or null to drop the extension.");
    }
  }
}

/** The subnet's prefix length (24 for 192.0.2.0/24). */
export function subnetPrefix(config: ResolvedConfig): number {
  const block = parseCidr(config.network.subnet);
  if (!block) fail('is not a CIDR block', 'network.subnet', config.network.subnet, 'Use CIDR notation such as 192.0.2.0/24.');
  return block.prefix;
}

/** The node's static interface: its address in the subnet, the default route, and the VIP on control planes. */
export function networkInterface(config: ResolvedConfig, node: ResolvedNode, settings: TalosSettings = TALOS_DEFAULTS): TalhelperNetworkInterface {
  const vip = node.role === 'controlplane' ? config.cluster.controlPlaneVIP : undefined;
  return {
    deviceSelector: { ...settings.deviceSelector },
    addresses: [`${node.ip}/${subnetPrefix(config)}`],
    routes: [{ network: DEFAULT_ROUTE, gateway: config.network.gateway }],
    ...(vip ? { vip: { ip: vip } } : {}),
  };
}

/** One talhelper node. */
export function talosNode(config: ResolvedConfig, node: ResolvedNode, settings: TalosSettings = TALOS_DEFAULTS): TalhelperNode {
  return {
    hostname: node.name,
    ipAddress: node.ip,
    controlPlane: node.role === 'controlplane',
    installDisk: node.installDisk,
    nameservers: [...config.network.nameservers],
    networkInterfaces: [networkInterface(config, node, settings)],
  };
}

/**
 * The machine-config patches, keyed by name.
 *
 * Every node:
 * - `cilium`: Cilium is the CNI and replaces kube-proxy, so Talos deploys neither.
 * - `kubePrism`: the node-local API load balancer Cilium reaches the API through (same port).
 * - `hostDNS`: see TalosSettings.hostDNS.
 * - `kubeletNodeIP`: the kubelet registers its address in the LAN subnet, never one of Cilium's
 *   interface addresses or the VIP.
 * - `timeSync`: NTP servers. Talos 1.13 configures time with a TimeSyncConfig document; the
 *   machine.time section of older releases is gone from its schema.
 *
 * Control planes:
 * - `metrics`: etcd, controller-manager and scheduler metrics reachable from other nodes.
 * - `etcdSubnet`: etcd peers advertise their LAN address (never the VIP or a pod-network address).
 *
 * - `kubeletHostDirectories` (only when a component declares `hostDirectories`): each directory
 *   bind-mounted into the kubelet's container, so volumes the kubelet mounts from it (a node-local
 *   provisioner's) are the host's directory and not an empty one inside the kubelet container.
 *
 * NFS needs no patch: the NFS CSI driver mounts inside its own node pod and propagates the mount
 * through /var/lib/kubelet, which Talos already shares (rshared) between the host and the kubelet,
 * so no kubelet extraMounts are needed; NFSv4 needs no rpc.statd on the host.
 */
export function talosPatches(config: ResolvedConfig, settings: TalosSettings = TALOS_DEFAULTS, components: readonly Pick<Component, 'hostDirectories'>[] = []): TalosPatches {
  const subnet = config.network.subnet;
  const mounts = kubeletExtraMounts(components);
  return {
    cluster: {
      cilium: { cluster: { network: { cni: { name: 'none' } }, proxy: { disabled: true } } },
      kubePrism: { machine: { features: { kubePrism: { enabled: true, port: KUBEPRISM_PORT } } } },
      hostDNS: { machine: { features: { hostDNS: { ...settings.hostDNS } } } },
      kubeletNodeIP: { machine: { kubelet: { nodeIP: { validSubnets: [subnet] } } } },
      timeSync: { apiVersion: 'v1alpha1', kind: 'TimeSyncConfig', ntp: { servers: [...config.network.ntpServers] } },
      ...(mounts.length > 0 ? { kubeletHostDirectories: { machine: { kubelet: { extraMounts: mounts } } } } : {}),
    },
    controlPlane: {
      metrics: {
        cluster: {
          etcd: { extraArgs: { 'listen-metrics-urls': `http://${METRICS_BIND_ADDRESS}:${ETCD_METRICS_PORT}` } },
          controllerManager: { extraArgs: { 'bind-address': METRICS_BIND_ADDRESS } },
          scheduler: { extraArgs: { 'bind-address': METRICS_BIND_ADDRESS } },
        },
      },
      etcdSubnet: { cluster: { etcd: { advertisedSubnets: [subnet] } } },
    },
  };
}

/** A Talos kubelet extra mount: a host directory bind-mounted at the same path into the kubelet's container. */
export interface KubeletExtraMount {
  destination: string;
  type: 'bind';
  source: string;
  options: string[];
}

/**
 * The kubelet extra mounts for every directory the components declare (sorted, each once).
 * `rshared` lets mounts made below it on either side (the kubelet's volume mounts) reach the
 * other, as Talos' local-storage guide has it.
 * @see https://docs.siderolabs.com/kubernetes-guides/csi/local-storage
 */
export function kubeletExtraMounts(components: readonly (Pick<Component, 'hostDirectories'> & Partial<Pick<Component, 'name'>>)[]): KubeletExtraMount[] {
  for (const component of components) {
    const outside = (component.hostDirectories ?? []).find((directory) => !directory.startsWith('/var/'));
    if (outside !== undefined) {
      const owner = component.name === undefined ? '' : ` (component ${component.name})`;
      fail(`is not below /var, the only part of a Talos node workloads may write${owner}`, 'hostDirectories', outside, 'Declare a directory below /var, such as /var/mnt/<name>.');
    }
  }
  const directories = [...new Set(components.flatMap((component) => component.hostDirectories ?? []))].sort();
  return directories.map((directory) => ({ destination: directory, type: 'bind', source: directory, options: ['bind', 'rshared', 'rw'] }));
}

/**
 * A patch as talhelper takes it: an inline YAML document (the schema allows strings only), opened
 * by a comment naming it so the generated file reads like the patch map.
 */
export function renderPatch(name: string, patch: TalosPatch): string {
  return `# ${name}\n${toYaml(patch)}`;
}

const renderPatches = (patches: Record<string, TalosPatch>) => Object.entries(patches).map(([name, patch]) => renderPatch(name, patch));

/**
 * The official system extensions the installed nodes run (sorted): the one declaration other
 * artifacts read facts about the nodes from (Proxmox enables its guest agent for
 * QEMU_GUEST_AGENT_EXTENSION).
 */
export function systemExtensions(config: Pick<ResolvedConfig, 'proxmox'>, settings: Pick<TalosSettings, 'systemExtensions'> = TALOS_DEFAULTS): string[] {
  const applies = (condition: string) => condition === 'always' || (condition === 'proxmox' && config.proxmox !== undefined);
  return Object.entries(settings.systemExtensions)
    .filter(([, condition]) => applies(condition))
    .map(([name]) => name)
    .sort();
}

/** The installer image's schematic, or undefined when no extension applies. */
export function schematic(config: ResolvedConfig, settings: TalosSettings = TALOS_DEFAULTS): TalhelperSchematic | undefined {
  const extensions = systemExtensions(config, settings);
  return extensions.length > 0 ? { customization: { systemExtensions: { officialExtensions: extensions } } } : undefined;
}

/** The Image Factory ID of the installer image's schematic: an ISO of that ID boots with the extensions the nodes run. */
export function schematicId(config: ResolvedConfig, settings: TalosSettings = TALOS_DEFAULTS): string {
  const extensions = schematic(config, settings)?.customization.systemExtensions.officialExtensions ?? [];
  const unnamed = extensions.find((name) => !isOfficialExtensionName(name));
  if (unnamed !== undefined) fail('is not an official extension name', `systemExtensions.${unnamed}`, unnamed, 'Name it as the Image Factory lists it, e.g. siderolabs/qemu-guest-agent.');
  return imageFactorySchematicId(extensions);
}

/** The talconfig.yaml document. */
export function talconfig(config: ResolvedConfig, overrides?: Patch<TalosSettings>, components: readonly Pick<Component, 'hostDirectories'>[] = []): Talconfig {
  const settings = talosSettings(overrides);
  const patches = talosPatches(config, settings, components);
  const image = schematic(config, settings);
  return {
    clusterName: config.cluster.name,
    talosVersion: settings.talosVersion,
    kubernetesVersion: settings.kubernetesVersion,
    endpoint: config.cluster.endpoint,
    allowSchedulingOnControlPlanes: config.cluster.schedulesOnControlPlanes,
    patches: renderPatches(patches.cluster),
    nodes: config.nodes.map((node) => talosNode(config, node, settings)),
    controlPlane: { patches: renderPatches(patches.controlPlane), ...(image ? { schematic: image } : {}) },
    ...(image && config.workers.length > 0 ? { worker: { schematic: image } } : {}),
  };
}

/** The generated files: talos/talconfig.yaml, with the kubelet mounts the components' host directories need. */
export function buildTalos(config: ResolvedConfig, overrides?: Patch<TalosSettings>, components: readonly Pick<Component, 'hostDirectories'>[] = []): GeneratedFile[] {
  return [renderYamlFile(TALCONFIG_PATH, SOURCE, talconfig(config, overrides, components))];
}

/** Registers talconfig.yaml with the aggregator. */
export const talosArtifact: ArtifactModule<ResolvedConfig> = {
  name: TALOS_ARTIFACT,
  build: (config, components) => buildTalos(config, undefined, components),
};

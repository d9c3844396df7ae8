/** From validated input to the ResolvedConfig every component is a function of. */
import type { AppConfig, ComponentConfig, HomelabConfigInput, NodeConfig, StatefulVolume, VolumePlacement } from './schema.js';
import { isIpv4 } from './ip.js';

export interface ResolvedNode {
  name: string;
  ip: string;
  role: NodeConfig['role'];
  installDisk: string;
  vm: { host?: string; cores: number; cpuType: string; memoryMiB: number; diskGiB: number };
}

export interface ResolvedConfig {
  cluster: {
    name: string;
    controlPlaneVIP?: string;
    /** Address clients use for the Kubernetes API: the VIP, or the only control plane's IP. */
    apiAddress: string;
    /** `https://<apiAddress>:6443`. */
    endpoint: string;
    /** True when no worker exists, so workloads must schedule on control planes. */
    schedulesOnControlPlanes: boolean;
  };
  domains: { public: string; internal: string };
  network: {
    subnet: string;
    gateway: string;
    vlan?: number;
    /** Nameserver addresses (host references resolved). */
    nameservers: string[];
    ntpServers: string[];
    ranges: HomelabConfigInput['network']['ranges'];
    internalGatewayIP: string;
  };
  hosts: HomelabConfigInput['hosts'];
  /** Nodes sorted by name. */
  nodes: ResolvedNode[];
  controlPlanes: ResolvedNode[];
  workers: ResolvedNode[];
  nfs: { server: string; exports: { media: string; config: string } };
  /** `volumes`: the placement homelab.yaml chose per stateful volume; absent ones take their package's default. */
  storage: { volumes: Partial<Record<StatefulVolume, VolumePlacement>> };
  /** Present when homelab.yaml has a cloudflare section. */
  cloudflare?: { tunnelId?: string };
  /** Present when homelab.yaml has a tailscale section. */
  tailscale?: { hostname: string; tags: string[]; proxyTags: string[] };
  /** Present when homelab.yaml has a proxmox section. */
  proxmox?: { host: string; endpoint: string; defaultNode: string; bridge: string; datastore: string; isoDatastore: string };
  gitops: { repoURL: string; revision: string };
  secrets: { ageRecipients: string[] };
  acme: { email: string };
  workloads: { timezone: string; puid: number; pgid: number };
  security: { networkPolicies: 'enforce' | 'audit' | 'off' };
  components: Record<string, ComponentConfig>;
  apps: Record<string, AppConfig>;
}


const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Derives values from checked input. Input must have passed `checkShape`, which fills in the
 * schema's defaults (the only place defaults live, hence the non-null assertions below), and
 * `checkSemantics` (host references exist, there is a control plane).
 */
export function resolveConfig(input: HomelabConfigInput): ResolvedConfig {
  const hostIp = (ref: string) => (isIpv4(ref) ? ref : input.hosts[ref]!.ip);
  const nodes = Object.entries(input.nodes)
    .map(([name, node]): ResolvedNode => ({
      name,
      ip: node.ip,
      role: node.role,
      installDisk: node.installDisk!,
      vm: { ...(node.vm!.host ? { host: node.vm!.host } : {}), cores: node.vm!.cores!, cpuType: node.vm!.cpuType!, memoryMiB: node.vm!.memoryMiB!, diskGiB: node.vm!.diskGiB! },
    }))
    .sort(byName);
  const controlPlanes = nodes.filter((node) => node.role === 'controlplane');
  const workers = nodes.filter((node) => node.role === 'worker');
  const apiAddress = input.cluster.controlPlaneVIP ?? controlPlanes[0]!.ip;
  return {
    cluster: {
      name: input.cluster.name,
      ...(input.cluster.controlPlaneVIP ? { controlPlaneVIP: input.cluster.controlPlaneVIP } : {}),
      apiAddress,
      endpoint: `https://${apiAddress}:6443`,
      schedulesOnControlPlanes: workers.length === 0,
    },
    domains: { ...input.domains },
    network: {
      subnet: input.network.subnet,
      gateway: input.network.gateway,
      ...(input.network.vlan !== undefined ? { vlan: input.network.vlan } : {}),
      nameservers: input.network.nameservers.map(hostIp),
      ntpServers: input.network.ntpServers!,
      ranges: input.network.ranges,
      internalGatewayIP: input.network.internalGatewayIP,
    },
    hosts: input.hosts,
    nodes,
    controlPlanes,
    workers,
    nfs: { server: hostIp(input.nfs.server), exports: { ...input.nfs.exports } },
    storage: { volumes: { ...input.storage!.volumes! } },
    ...(input.cloudflare ? { cloudflare: { ...input.cloudflare } } : {}),
    ...(input.tailscale
      ? {
          tailscale: {
            hostname: input.tailscale.hostname ?? `${input.cluster.name}-operator`,
            tags: [...input.tailscale.tags],
            proxyTags: [...input.tailscale.proxyTags],
          },
        }
      : {}),
    ...(input.proxmox
      ? {
          proxmox: {
            host: hostIp(input.proxmox.host),
            endpoint: `https://${hostIp(input.proxmox.host)}:8006/`,
            defaultNode: input.proxmox.defaultNode!,
            bridge: input.proxmox.bridge!,
            datastore: input.proxmox.datastore!,
            isoDatastore: input.proxmox.isoDatastore!,
          },
        }
      : {}),
    gitops: { repoURL: input.gitops.repoURL, revision: input.gitops.revision! },
    secrets: { ageRecipients: [...input.secrets.ageRecipients] },
    acme: { ...input.acme },
    workloads: { timezone: input.workloads!.timezone!, puid: input.workloads!.puid!, pgid: input.workloads!.pgid! },
    security: { networkPolicies: input.security!.networkPolicies! },
    components: input.components!,
    apps: input.apps!,
  };
}

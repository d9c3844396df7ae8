/**
 * The Talos package's constants and settings with their defaults, in one place. Everything that
 * depends on the homelab (addresses, subnet, gateway, nameservers, NTP servers, the VIP, which
 * nodes are control planes) is derived from the config in talos.ts, not set here.
 */
import { KUBERNETES_VERSION, TALOS_VERSION } from './versions.js';

/** Where the talhelper config is written, relative to the output root. */
export const TALCONFIG_PATH = 'talos/talconfig.yaml';

/**
 * Address the control-plane components' metrics listeners bind to, so Prometheus can scrape them
 * from another node: all interfaces. Talos binds them to localhost by default.
 */
export const METRICS_BIND_ADDRESS = '0.0.0.0';

/**
 * Plain-HTTP etcd metrics port (etcd's `--listen-metrics-urls`), the one kube-prometheus-stack's
 * kubeEtcd scrape expects. The client port 2379 serves metrics only over mutual TLS.
 */
export const ETCD_METRICS_PORT = 2381;

/** kube-controller-manager's secure port (HTTPS, /metrics), bound to METRICS_BIND_ADDRESS. */
export const CONTROLLER_MANAGER_METRICS_PORT = 10257;

/** kube-scheduler's secure port (HTTPS, /metrics), bound to METRICS_BIND_ADDRESS. */
export const SCHEDULER_METRICS_PORT = 10259;

/** A talhelper/Talos network device selector (all given fields must match). */
export interface DeviceSelector {
  /** Only physical (not virtual) links. */
  physical?: boolean;
  /** MAC address, globs allowed ('00:1a:2b:*'). */
  hardwareAddr?: string;
  /** Kernel driver name ('virtio_net', 'e1000'). */
  driver?: string;
  /** PCI bus path ('0000:00:12.0'). */
  busPath?: string;
}

/** When an official Talos system extension goes into the installer image. */
export type ExtensionCondition = 'always' | 'proxmox';

export interface TalosSettings {
  /** Talos release the nodes install. @default TALOS_VERSION (src/versions.ts) */
  talosVersion: string;
  /** Kubernetes release of the control plane. @default KUBERNETES_VERSION (src/versions.ts) */
  kubernetesVersion: string;
  /**
   * Which link carries the node's static address (and the VIP on control planes). talhelper
   * turns the selector into a Talos LinkAliasConfig, which must match exactly one physical link:
   * right for single-NIC VMs. Nodes with several NICs need a narrower selector (hardwareAddr).
   * @default { physical: true }
   * @see https://docs.siderolabs.com/talos/v1.13/networking/configuration/aliases
   */
  deviceSelector: DeviceSelector;
  /**
   * Talos host DNS: a caching resolver on every node for host processes and host-network pods.
   * `forwardKubeDNSToHost` would also make CoreDNS forward to it (through 169.254.116.108); the
   * Talos Cilium guide lists that as broken with Cilium's BPF masquerading (a likely
   * `components.cilium.values` tweak next to kube-proxy replacement), so CoreDNS forwards to the
   * network's nameservers directly and only the shared cache is lost.
   * @default { enabled: true, forwardKubeDNSToHost: false }
   * @see https://docs.siderolabs.com/talos/v1.13/networking/host-dns
   */
  hostDNS: { enabled: boolean; forwardKubeDNSToHost: boolean };
  /**
   * Official system extensions baked into the installer image (through the Image Factory),
   * keyed by name, with when to include them: 'always', or 'proxmox' when homelab.yaml has a
   * proxmox section (the nodes are Proxmox VMs). `null` in a patch drops one.
   * @default { 'siderolabs/qemu-guest-agent': 'proxmox' } (lets Proxmox shut VMs down cleanly and show their addresses)
   * @see https://github.com/siderolabs/extensions
   */
  systemExtensions: Record<string, ExtensionCondition>;
}

/** The system extension that runs the QEMU guest agent on a node (clean shutdown, IP reporting to the hypervisor). */
export const QEMU_GUEST_AGENT_EXTENSION = 'siderolabs/qemu-guest-agent';

export const TALOS_DEFAULTS = {
  talosVersion: TALOS_VERSION,
  kubernetesVersion: KUBERNETES_VERSION,
  deviceSelector: { physical: true },
  hostDNS: { enabled: true, forwardKubeDNSToHost: false },
  systemExtensions: { [QEMU_GUEST_AGENT_EXTENSION]: 'proxmox' },
} satisfies TalosSettings;

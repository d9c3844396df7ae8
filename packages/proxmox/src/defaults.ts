/**
 * The Proxmox package's settings and their defaults, in one place. Everything homelab-specific
 * (endpoint, Proxmox node names, datastores, bridge, VLAN, VM sizes, node IPs) comes from
 * homelab.yaml; these are the generic choices a package may make.
 */

export interface ProxmoxSettings {
  /**
   * A node's VM id is this base plus the offset of the node's IP in `network.subnet`
   * (10.0.0.50 in 10.0.0.0/24 → base + 50). Adding, removing or renaming another node
   * never renumbers a VM (a changed vm_id would replace it); ids are unique because IPs are.
   * Proxmox accepts ids from 100 to 999999999.
   * @default 1000
   */
  vmIdBase: number;
  /**
   * Default of the `proxmox_insecure` variable: skip TLS verification of the Proxmox API.
   * Proxmox VE serves a certificate signed by its own cluster CA until you configure ACME or
   * upload one, so verification fails out of the box. Set `TF_VAR_proxmox_insecure=false` once
   * the API has a trusted certificate.
   * @default true
   */
  insecure: boolean;
  /** The Talos ISO each Proxmox node downloads from the Sidero Labs Image Factory. */
  talosImage: {
    /** @default 'https://factory.talos.dev' */
    factoryUrl: string;
    /**
     * Image Factory schematic of the ISO. By default the one of talconfig's installer image
     * (@homelab/talos `schematicId`): maintenance mode already runs the same system extensions,
     * so the guest agent the VM enables answers from the first boot (the provider otherwise waits
     * `agent.timeout`, 15 minutes, for it on every VM of the first apply).
     * @default the installer image's schematic ID
     */
    schematicId?: string;
    /**
     * Image Factory platform. `metal` reads no cloud-init data source: the machine config is
     * applied with talosctl / talhelper, which also sets the static address. Use `nocloud` only
     * when you feed machine config through a cloud-init drive (this package creates none).
     * @default 'metal'
     */
    platform: 'metal' | 'nocloud';
  };
}

export const PROXMOX_DEFAULTS = {
  vmIdBase: 1000,
  insecure: true,
  talosImage: {
    factoryUrl: 'https://factory.talos.dev',
    platform: 'metal',
  },
} satisfies ProxmoxSettings;

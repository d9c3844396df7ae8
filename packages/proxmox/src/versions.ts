/**
 * Pinned versions, in one small file Renovate can read. Both are exact: never a range.
 */

/**
 * The bpg/proxmox Terraform provider, pinned exactly in terraform/proxmox/versions.tf.json.
 * 0.107.0 (June 2026) registers the short `proxmox_download_file` name (ADR-007 phase 2; the long
 * `proxmox_virtual_environment_download_file` is deprecated and goes in v1.0) and keeps
 * `proxmox_virtual_environment_vm`, whose short twin is still experimental upstream.
 * @see https://registry.terraform.io/providers/bpg/proxmox/latest/docs
 */
export const PROXMOX_PROVIDER = {
  // renovate: datasource=terraform-provider depName=bpg/proxmox
  source: 'bpg/proxmox',
  version: '0.107.0',
} as const;

/**
 * Talos Linux release the VMs first boot from (the Image Factory ISO), pinned once in
 * @homelab/talos so talconfig.yaml and the ISO never disagree. Once installed, nodes are upgraded
 * with talosctl, not by Terraform.
 */
export { TALOS_VERSION } from '@homelab/talos';

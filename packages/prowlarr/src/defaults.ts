/**
 * Every default of @homelab/prowlarr, in one place. The settings type documents each field; the
 * build merges a caller's overrides onto PROWLARR_DEFAULTS with merge() and reads nothing else.
 */
import { LINUXSERVER_CAPABILITIES, type AppDescription, type AppImage, type AppResources } from '@homelab/app-template';
import { PROWLARR_IMAGE } from './versions.js';

/**
 * The port Prowlarr listens on: its built-in default, kept because the image does not move it.
 * Not a setting: changing it here would not change what Prowlarr listens on.
 */
export const PROWLARR_PORT = 9696;

/** What a caller may change; every field has its default in PROWLARR_DEFAULTS. */
export interface ProwlarrSettings {
  /** Container image, pinned in versions.ts where Renovate updates it. @default PROWLARR_IMAGE */
  image: AppImage;
  /** Size of the `config` claim (SQLite databases, logs, scheduled backups). @default '1Gi' */
  configSize: string;
  /**
   * Container resources. No CPU limit (throttling only slows searches on a homelab); a memory
   * limit so a runaway process cannot starve the node.
   * @default { requests: { cpu: '50m', memory: '256Mi' }, limits: { memory: '1Gi' } }
   */
  resources: AppResources;
  /**
   * Capabilities added to the container (all others are dropped): the ones linuxserver.io's init
   * needs as root, documented on LINUXSERVER_CAPABILITIES.
   * @default [...LINUXSERVER_CAPABILITIES]
   */
  capabilities: string[];
  /**
   * Who Prowlarr talks to; its network policies derive from it: Sonarr and Radarr (it pushes its
   * indexers into them), by component name, and the internet (the indexers themselves).
   * Reaching it is derived from its exposures; its LoadBalancer ports from its Services.
   * @default { connectsTo: ['sonarr', 'radarr'], internetEgress: true }
   */
  network: NonNullable<AppDescription['network']>;
}

export const PROWLARR_DEFAULTS = {
  image: PROWLARR_IMAGE,
  configSize: '1Gi',
  resources: { requests: { cpu: '50m', memory: '256Mi' }, limits: { memory: '1Gi' } },
  capabilities: [...LINUXSERVER_CAPABILITIES],
  network: { connectsTo: ['sonarr', 'radarr'], internetEgress: true },
} satisfies ProwlarrSettings;

/**
 * Every default of @homelab/sonarr, in one place. The settings type documents each field; the
 * build merges a caller's overrides onto SONARR_DEFAULTS with merge() and reads nothing else.
 */
import { LINUXSERVER_CAPABILITIES, type AppDescription, type AppImage, type AppResources } from '@homelab/app-template';
import { SONARR_IMAGE } from './versions.js';

/**
 * The port Sonarr listens on: its built-in default, kept because the image does not move it.
 * Not a setting: changing it here would not change what Sonarr listens on.
 */
export const SONARR_PORT = 8989;

/** What a caller may change; every field has its default in SONARR_DEFAULTS. */
export interface SonarrSettings {
  /** Container image, pinned in versions.ts where Renovate updates it. @default SONARR_IMAGE */
  image: AppImage;
  /**
   * Size of the `config` claim (SQLite databases, logs, MediaCover artwork, scheduled backups).
   * Artwork grows with the library. @default '5Gi'
   */
  configSize: string;
  /**
   * Container resources. No CPU limit (throttling slows imports and scans for nothing on a
   * homelab); a memory limit so a runaway scan cannot starve the node.
   * @default { requests: { cpu: '100m', memory: '384Mi' }, limits: { memory: '2Gi' } }
   */
  resources: AppResources;
  /**
   * Capabilities added to the container (all others are dropped): the ones linuxserver.io's init
   * needs as root, documented on LINUXSERVER_CAPABILITIES.
   * @default [...LINUXSERVER_CAPABILITIES]
   */
  capabilities: string[];
  /**
   * Who Sonarr talks to; its network policies derive from it: Prowlarr (indexer searches) and
   * qBittorrent (download client), by component name, and the internet (metadata, release
   * notifications).
   * Reaching it is derived from its exposures; its LoadBalancer ports from its Services.
   * @default { connectsTo: ['prowlarr', 'qbittorrent'], internetEgress: true }
   */
  network: NonNullable<AppDescription['network']>;
}

export const SONARR_DEFAULTS = {
  image: SONARR_IMAGE,
  configSize: '5Gi',
  resources: { requests: { cpu: '100m', memory: '384Mi' }, limits: { memory: '2Gi' } },
  capabilities: [...LINUXSERVER_CAPABILITIES],
  network: { connectsTo: ['prowlarr', 'qbittorrent'], internetEgress: true },
} satisfies SonarrSettings;

/**
 * Every default of @homelab/bazarr, in one place. The settings type documents each field; the
 * build merges a caller's overrides onto BAZARR_DEFAULTS with merge() and reads nothing else.
 */
import { LINUXSERVER_CAPABILITIES, type AppDescription, type AppImage, type AppResources } from '@homelab/app-template';
import { BAZARR_IMAGE } from './versions.js';

/**
 * The port Bazarr listens on: its built-in default, kept because the image does not move it.
 * Not a setting: changing it here would not change what Bazarr listens on.
 */
export const BAZARR_PORT = 6767;

/** What a caller may change; every field has its default in BAZARR_DEFAULTS. */
export interface BazarrSettings {
  /** Container image, pinned in versions.ts where Renovate updates it. @default BAZARR_IMAGE */
  image: AppImage;
  /** Size of the `config` claim (SQLite database, logs, cache, backups). @default '1Gi' */
  configSize: string;
  /**
   * Container resources. No CPU limit (throttling only slows subtitle searches and syncs); a
   * memory limit so a runaway subtitle sync cannot starve the node.
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
   * Who Bazarr talks to; its network policies derive from it: Sonarr and Radarr (the series and
   * movies it subtitles), by component name, and the internet (subtitle providers).
   * Reaching it is derived from its exposures; its LoadBalancer ports from its Services.
   * @default { connectsTo: ['sonarr', 'radarr'], internetEgress: true }
   */
  network: NonNullable<AppDescription['network']>;
}

export const BAZARR_DEFAULTS = {
  image: BAZARR_IMAGE,
  configSize: '1Gi',
  resources: { requests: { cpu: '50m', memory: '256Mi' }, limits: { memory: '1Gi' } },
  capabilities: [...LINUXSERVER_CAPABILITIES],
  network: { connectsTo: ['sonarr', 'radarr'], internetEgress: true },
} satisfies BazarrSettings;

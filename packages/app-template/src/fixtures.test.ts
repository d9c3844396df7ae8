/**
 * Test fixtures: app descriptions an app package would write, built from the seed homelab.yaml
 * (hosts, LoadBalancer address, user ids and time zone derive from the config, as they will in
 * the app packages). Storage class and claim names stand in for @homelab/nfs-csi's constants.
 * A *.test.ts file so the dependency rules treat it as test code; it holds one sanity test.
 */
import { expect, it } from 'vitest';
import { qualifyHost, type ResolvedConfig } from '@homelab/config';
import { configVariant, seedConfig as loadSeedConfig, seedConfigData } from '@homelab/testing';
import { workloadDefaults } from './app-template.js';
import type { AppDescription } from './description.js';

export const seedConfig = loadSeedConfig();
export const seedData = seedConfigData();
/** The seed config changed by `mutate`, checked and resolved like a user's file. */
export const configWith = configVariant;

export const CONFIG_CLASS = 'nfs-config';
export const MEDIA_CLAIM = 'media';

/** An *arr app: config claim, the shared media claim, /tmp scratch, HTTP probes, an internal route. */
export function arrApp(config: ResolvedConfig = seedConfig): AppDescription {
  const workload = workloadDefaults(config);
  return {
    name: 'sonarr',
    namespace: 'media',
    description: 'TV series manager',
    image: { repository: 'ghcr.io/home-operations/sonarr', tag: '4.0.14.2938', digest: `sha256:${'a'.repeat(64)}` },
    ports: { http: { port: 8989, http: true } },
    env: { ...workload.env, SONARR__SERVER__PORT: '8989' },
    probes: {
      liveness: { type: 'http', path: '/ping' },
      readiness: { type: 'http', path: '/ping', periodSeconds: 5 },
      startup: { type: 'tcp' },
    },
    resources: { requests: { cpu: '50m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    persistence: {
      config: { type: 'claim', mountPath: '/config', storageClass: CONFIG_CLASS, size: '5Gi' },
      media: { type: 'existingClaim', claim: MEDIA_CLAIM, mountPath: '/data' },
      tmp: { type: 'emptyDir', mountPath: '/tmp' },
    },
    securityContext: workload.securityContext,
    exposes: { web: { access: 'internal', host: qualifyHost('sonarr', 'internal', config), port: 'http', sso: 'proxy' } },
  };
}

/** A torrent client: web UI on the main Service, BitTorrent TCP+UDP on a fixed LoadBalancer address. */
export function torrentApp(config: ResolvedConfig = seedConfig): AppDescription {
  const workload = workloadDefaults(config);
  return {
    name: 'qbittorrent',
    namespace: 'media',
    image: { repository: 'ghcr.io/home-operations/qbittorrent', tag: '5.1.2' },
    ports: {
      'http': { port: 8080, http: true },
      'bt-tcp': { port: 50413 },
      'bt-udp': { port: 50413, protocol: 'UDP' },
    },
    env: workload.env,
    probes: { liveness: { type: 'http', path: '/api/v2/app/version', port: 'http' } },
    persistence: {
      config: { type: 'claim', mountPath: '/config', storageClass: CONFIG_CLASS, size: '1Gi' },
      downloads: { type: 'existingClaim', claim: MEDIA_CLAIM, mountPath: '/data/downloads', subPath: 'downloads' },
    },
    securityContext: workload.securityContext,
    services: {
      main: { ports: ['http'] },
      bittorrent: { type: 'LoadBalancer', ports: ['bt-tcp', 'bt-udp'], loadBalancerIP: config.network.ranges.loadBalancer.end },
    },
    exposes: { web: { access: 'internal', host: qualifyHost('qbittorrent', 'internal', config), port: 'http', sso: 'proxy' } },
  };
}

/** A media server that only reads the library (read-only mount), public and on the tailnet. */
export function mediaServerApp(config: ResolvedConfig = seedConfig): AppDescription {
  const workload = workloadDefaults(config);
  return {
    name: 'plex',
    namespace: 'media',
    image: { repository: 'ghcr.io/home-operations/plex', tag: '1.41.6.9685' },
    ports: { http: { port: 32400, http: true } },
    env: workload.env,
    probes: { readiness: { type: 'http', path: '/identity' } },
    persistence: {
      config: { type: 'claim', mountPath: '/config', storageClass: CONFIG_CLASS, size: '20Gi', retain: true },
      media: { type: 'existingClaim', claim: MEDIA_CLAIM, mountPath: '/data', readOnly: true },
      transcode: { type: 'emptyDir', mountPath: '/transcode', medium: 'Memory', sizeLimit: '4Gi' },
    },
    securityContext: { ...workload.securityContext, supplementalGroups: [44, 109] },
    exposes: {
      public: { access: 'public', host: qualifyHost('plex', 'public', config), port: 'http', sso: 'none' },
      tailnet: { access: 'tailnet', host: 'plex', port: 'http', sso: 'none' },
    },
  };
}

/** A worker without ports that reads API keys from Secrets (and has no volumes). */
export function secretEnvApp(config: ResolvedConfig = seedConfig): AppDescription {
  return {
    name: 'unpackerr',
    namespace: 'media',
    image: { repository: 'ghcr.io/unpackerr/unpackerr', tag: '0.14.5' },
    ports: {},
    env: { ...workloadDefaults(config).env, UN_SONARR_0_URL: 'http://sonarr.media:8989' },
    envFromSecrets: {
      UN_SONARR_0_API_KEY: { secret: 'sonarr-api', key: 'api-key' },
      UN_RADARR_0_API_KEY: { secret: 'radarr-api', key: 'api-key' },
      UN_WEBHOOK_0_TOKEN: { secret: 'unpackerr', key: 'webhook-token' },
    },
    secretDescriptions: { 'sonarr-api': "Sonarr's API key (Settings → General), shared with the apps that call Sonarr." },
    securityContext: workloadDefaults(config).securityContext,
  };
}

export const FIXTURES = { arrApp, torrentApp, mediaServerApp, secretEnvApp } as const;

it('fixtures derive from the seed config', () => {
  expect(arrApp().exposes?.['web']?.host).toBe(`sonarr.${seedConfig.domains.internal}`);
});

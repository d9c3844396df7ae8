/** plex's behaviour: the suite the linuxserver.io apps with their own description share (@homelab/testing), then what only Plex does. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APP_TEMPLATE_CHART, APP_TEMPLATE_DEFAULTS, appResourceNames } from '@homelab/app-template';
import { formatIpv4, parseIpv4, type ResolvedConfig } from '@homelab/config';
import { MEDIA_CLAIM, MEDIA_MOUNT_PATH, STORAGE_CLASSES } from '@homelab/nfs-csi';
import { appTemplateObjects, configVariant, describeCustomLinuxserverApp, seedConfigWithoutApps } from '@homelab/testing';
import { buildPlex, PLEX_DEFAULTS, PLEX_IMAGE, PLEX_PORT, plexModule } from './index.js';
import { plexDescription, plexSettings } from './plex.js';

const LB_ANNOTATION = 'lbipam.cilium.io/ips';
const seed = seedConfigWithoutApps();
/** An address of the seed's LoadBalancer pool other than the internal gateway's. */
const poolAddress = (config: ResolvedConfig) => formatIpv4(parseIpv4(config.network.ranges.loadBalancer.end));
const withAddress = configVariant((data) => {
  data.apps = { ...data.apps, plex: { loadBalancerIP: poolAddress(seed) } };
});

describeCustomLinuxserverApp({
  name: 'plex',
  build: buildPlex,
  module: plexModule,
  settings: plexSettings,
  defaults: PLEX_DEFAULTS,
  resourceNames: (config) => appResourceNames(plexDescription(config)),
  appTemplate: { chart: APP_TEMPLATE_CHART, startupProbe: APP_TEMPLATE_DEFAULTS.startupProbe },
  image: { repository: 'lscr.io/linuxserver/plex', tag: PLEX_IMAGE.tag, tagPattern: /^\d+\.\d+\.\d+\.\d+-[0-9a-f]+-ls\d+$/ },
  port: PLEX_PORT,
  probe: { type: 'http', path: '/identity' },
  env: { VERSION: 'docker' },
  media: { claim: MEDIA_CLAIM.name, namespace: MEDIA_CLAIM.namespace, path: MEDIA_MOUNT_PATH, mount: 'read-only' },
  config: { storageClass: STORAGE_CLASSES.config, size: '50Gi' },
  // No SSO: Plex authenticates itself.
  reach: { internal: 'plex', public: 'plex', sso: 'none' },
  mainServiceType: 'LoadBalancer',
  withLoadBalancerIP: withAddress,
  schemaOverrides: { lanService: false, resources: { limits: { cpu: '4' } }, env: { PLEX_CLAIM: 'claim-x' } },
  renderedObjectCount: 4,
  sourceDir: fileURLToPath(new URL('.', import.meta.url)),
});

describe('storage', () => {
  it('transcoder scratch: an emptyDir at /transcode with the size limit from the settings', () => {
    expect(buildPlex(seed).values.persistence['transcode']).toEqual({ type: 'emptyDir', sizeLimit: PLEX_DEFAULTS.transcodeSizeLimit, globalMounts: [{ path: '/transcode', readOnly: false }] });
    expect(buildPlex(seed, { transcodeSizeLimit: '8Gi' }).values.persistence['transcode']).toMatchObject({ sizeLimit: '8Gi' });
  });
});

describe('reach follows homelab.yaml', () => {
  it('apps.plex.expose.public: false drops the public exposure; expose and sso override the defaults', () => {
    const config = configVariant((data) => {
      data.apps = { ...data.apps, plex: { expose: { public: false, internal: 'tv' }, sso: 'proxy' } };
    });
    expect(buildPlex(config).exposes).toEqual([
      { host: `tv.${config.domains.internal}`, access: 'internal', service: { name: 'plex', namespace: MEDIA_CLAIM.namespace, port: PLEX_PORT }, sso: 'proxy' },
    ]);
  });
});

describe('LAN LoadBalancer', () => {
  it('the Service is a LoadBalancer for 32400 (TCP); without apps.plex.loadBalancerIP Cilium picks the address', () => {
    const service = buildPlex(seed).values.service['main']!;
    expect(service).toMatchObject({ type: 'LoadBalancer', ports: { http: { port: PLEX_PORT, protocol: 'HTTP' } } });
    expect(service).not.toHaveProperty('annotations');
    const [rendered] = appTemplateObjects(buildPlex(seed), appResourceNames(plexDescription(seed))).services;
    expect(rendered!.spec!.ports).toEqual([{ name: 'http', port: PLEX_PORT, targetPort: PLEX_PORT, protocol: 'TCP' }]);
  });

  it('apps.plex.loadBalancerIP becomes the Cilium LB-IPAM annotation', () => {
    expect(withAddress.apps['plex']?.loadBalancerIP).toBe(poolAddress(seed));
    expect(buildPlex(withAddress).values.service['main']!.annotations).toEqual({ [LB_ANNOTATION]: withAddress.apps['plex']!.loadBalancerIP });
  });

  it('lanService: false makes it a ClusterIP Service, and refuses a fixed address it could not use', () => {
    expect(buildPlex(seed, { lanService: false }).values.service['main']!.type).toBe('ClusterIP');
    expect(() => buildPlex(withAddress, { lanService: false })).toThrow(
      "plex: apps.plex.loadBalancerIP is set but the LAN Service is off (lanService: 'false'). Remove apps.plex.loadBalancerIP from homelab.yaml, or leave lanService on.",
    );
  });
});

describe('overrides (merge() onto PLEX_DEFAULTS)', () => {
  it('extra env is added, a default env dropped with null', () => {
    const env = buildPlex(seed, { env: { PLEX_CLAIM: 'claim-x', VERSION: null } }).values.controllers['main']!.containers['app']!.env!;
    expect(env['PLEX_CLAIM']).toBe('claim-x');
    expect(env).not.toHaveProperty('VERSION');
    expect(env['TZ']).toBe(seed.workloads.timezone);
  });
});

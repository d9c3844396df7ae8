/** overseerr's behaviour: the suite the linuxserver.io apps with their own description share (@homelab/testing), then what only Overseerr does. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APP_TEMPLATE_CHART, APP_TEMPLATE_DEFAULTS, appResourceNames } from '@homelab/app-template';
import { formatIpv4, parseIpv4 } from '@homelab/config';
import { MEDIA_CLAIM, MEDIA_MOUNT_PATH, STORAGE_CLASSES } from '@homelab/nfs-csi';
import { configVariant, describeCustomLinuxserverApp, seedConfig } from '@homelab/testing';
import { buildOverseerr, OVERSEERR_DEFAULTS, OVERSEERR_IMAGE, OVERSEERR_PORT, overseerrModule } from './index.js';
import { overseerrDescription, overseerrSettings } from './overseerr.js';

const seed = seedConfig();

describeCustomLinuxserverApp({
  name: 'overseerr',
  build: buildOverseerr,
  module: overseerrModule,
  settings: overseerrSettings,
  defaults: OVERSEERR_DEFAULTS,
  resourceNames: (config) => appResourceNames(overseerrDescription(config)),
  appTemplate: { chart: APP_TEMPLATE_CHART, startupProbe: APP_TEMPLATE_DEFAULTS.startupProbe },
  image: { repository: 'lscr.io/linuxserver/overseerr', tag: OVERSEERR_IMAGE.tag, tagPattern: /^v\d+\.\d+\.\d+-ls\d+$/ },
  port: OVERSEERR_PORT,
  probe: { type: 'http', path: '/api/v1/status' },
  env: {},
  media: { claim: MEDIA_CLAIM.name, namespace: MEDIA_CLAIM.namespace, path: MEDIA_MOUNT_PATH, mount: 'none' },
  config: { storageClass: STORAGE_CLASSES.config, size: '2Gi' },
  // No SSO: users sign in with their Plex account.
  reach: { internal: 'requests', public: 'requests', sso: 'none' },
  mainServiceType: 'ClusterIP',
  connectsTo: ['sonarr', 'radarr', 'plex'],
  schemaOverrides: { configSize: '5Gi', resources: { limits: { cpu: '1' } }, env: { LOG_LEVEL: 'debug' } },
  renderedObjectCount: 4,
  sourceDir: fileURLToPath(new URL('.', import.meta.url)),
});

describe('reach follows homelab.yaml', () => {
  it('apps.overseerr.expose.public: false drops the public exposure; expose and sso override the defaults', () => {
    const config = configVariant((data) => {
      data.apps = { ...data.apps, overseerr: { expose: { public: false, internal: 'overseerr' }, sso: 'oidc' } };
    });
    expect(buildOverseerr(config).exposes).toEqual([
      { host: `overseerr.${config.domains.internal}`, access: 'internal', service: { name: 'overseerr', namespace: MEDIA_CLAIM.namespace, port: OVERSEERR_PORT }, sso: 'oidc' },
    ]);
  });

  it('refuses apps.overseerr.loadBalancerIP: there is no LoadBalancer Service to give it', () => {
    const address = formatIpv4(parseIpv4(seed.network.ranges.loadBalancer.end));
    const config = configVariant((data) => {
      data.apps = { ...data.apps, overseerr: { loadBalancerIP: address } };
    });
    expect(() => buildOverseerr(config)).toThrow(
      `overseerr: has no LoadBalancer Service to give an address (apps.overseerr.loadBalancerIP: '${address}'). Remove it from homelab.yaml; Overseerr is reached through apps.overseerr.expose.`,
    );
  });
});

describe('overrides (merge() onto OVERSEERR_DEFAULTS)', () => {
  it('extra env is added beside the derived variables', () => {
    const env = buildOverseerr(seed, { env: { LOG_LEVEL: 'debug' } }).values.controllers['main']!.containers['app']!.env;
    expect(env).toEqual({ TZ: seed.workloads.timezone, PUID: String(seed.workloads.puid), PGID: String(seed.workloads.pgid), LOG_LEVEL: 'debug' });
  });
});

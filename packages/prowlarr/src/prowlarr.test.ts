import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appTemplateValidator, configVariant, seedConfig, seedConfigData } from '@homelab/testing';
import { MEDIA_CLAIM, MEDIA_MOUNT_PATH, STORAGE_CLASSES } from '@homelab/nfs-csi';
import { PROWLARR_DEFAULTS } from './defaults.js';
import { prowlarr } from './prowlarr.js';
import * as api from './index.js';

const seed = seedConfig();
const component = prowlarr(seed);
const main = (c = component) => c.values.controllers['main']!;
const validator = appTemplateValidator();

describe.skipIf(!validator)('app-template chart schema (skipped when ../shared/chart-schemas is absent)', () => {
  it('the values pass the pinned chart schema', () => {
    expect(validator!(component.values)).toEqual([]);
  });
});

describe('prowlarr', () => {
  it('registers as apps.prowlarr, in the media namespace', () => {
    expect(api.prowlarrModule).toMatchObject({ name: 'prowlarr', kind: 'app' });
    expect(api.prowlarrModule.build(seed)).toEqual(component);
    expect(component.namespace).toBe(MEDIA_CLAIM.namespace);
  });

  it('keeps its config on its own claim and does not mount the media claim', () => {
    expect(Object.keys(component.values.persistence)).toEqual(['config']);
    expect(JSON.stringify(component.values.persistence)).not.toContain(MEDIA_MOUNT_PATH);
    expect(component.values.persistence['config']).toMatchObject({ storageClass: STORAGE_CLASSES.config, size: PROWLARR_DEFAULTS.configSize, globalMounts: [{ path: '/config' }] });
  });

  it('runs the linuxserver init as root with PUID/PGID/TZ from workloads, within the baseline level', () => {
    const config = configVariant((data) => {
      data.workloads = { timezone: 'America/Chicago', puid: 1234, pgid: 2345 };
    });
    const { pod, containers } = main(prowlarr(config));
    expect(containers['app']!.env).toEqual({ TZ: 'America/Chicago', PUID: '1234', PGID: '2345' });
    expect(pod.securityContext).toEqual({ runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } });
    expect(containers['app']!.securityContext).toMatchObject({ readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'], add: PROWLARR_DEFAULTS.capabilities } });
    expect(component.podSecurity).toBe('baseline');
  });

  it('probes /ping on the port the Service and the exposure use', () => {
    const probes = main().containers['app']!.probes!;
    for (const probe of [probes.startup, probes.liveness, probes.readiness]) expect(probe!.spec.httpGet).toEqual({ path: '/ping', port: 9696 });
    expect(component.values.service['main']!.ports['http']!.port).toBe(9696);
    expect(component.exposes.map((exposure) => exposure.service.port)).toEqual([9696]);
  });

  it('is reached on the internal domain behind SSO, and follows the config', () => {
    expect(component.exposes).toEqual([{ access: 'internal', host: `prowlarr.${seed.domains.internal}`, service: { name: 'prowlarr', namespace: MEDIA_CLAIM.namespace, port: 9696 }, sso: 'proxy' }]);
    const moved = configVariant((data) => {
      data.domains = { public: 'example.org', internal: 'lab.example.org' };
    });
    expect(prowlarr(moved).exposes.map((exposure) => exposure.host)).toEqual(['prowlarr.lab.example.org']);
    const hidden = configVariant((data) => {
      data.apps = { prowlarr: { expose: { internal: false } } };
    });
    expect(prowlarr(hidden).exposes).toEqual([]);
  });

  it('a fixed LoadBalancer IP from homelab.yaml makes the Service a LoadBalancer at that address', () => {
    let ip = '';
    const config = configVariant((data) => {
      ip = data.network.ranges.loadBalancer.end;
      data.apps = { prowlarr: { loadBalancerIP: ip } };
    });
    expect(prowlarr(config).values.service['main']).toMatchObject({ type: 'LoadBalancer', annotations: { 'lbipam.cilium.io/ips': ip } });
    expect(component.values.service['main']!.type).toBe('ClusterIP');
  });

  it('merges overrides onto the defaults', () => {
    const patched = prowlarr(seed, { configSize: '20Gi', resources: { limits: { memory: '4Gi' } } });
    expect(patched.values.persistence['config']).toMatchObject({ size: '20Gi' });
    expect(main(patched).containers['app']!.resources).toEqual({ requests: PROWLARR_DEFAULTS.resources.requests, limits: { memory: '4Gi' } });
  });

  it('holds no homelab literal in its sources', () => {
    const literals = new Set<string>();
    const walk = (value: unknown): void => {
      if (typeof value === 'string' && value.length > 4 && /[./]/.test(value)) literals.add(value);
      else if (value && typeof value === 'object') Object.values(value).forEach(walk);
    };
    walk(seedConfigData());
    expect(JSON.stringify(component)).toContain(seed.domains.internal); // the check looks for what the output does use
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const sources = readdirSync(dir).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
    expect(sources.length).toBe(4);
    for (const file of sources) {
      const text = readFileSync(`${dir}/${file}`, 'utf8');
      expect([...literals].filter((literal) => text.includes(literal)), file).toEqual([]);
    }
  });
});

describe('network declaration (the source of its network policies)', () => {
  it('calls sonarr and radarr by component name and the internet; reached only through its exposures', () => {
    expect(component.network).toEqual({ connectsTo: ['sonarr', 'radarr'], internetEgress: true });
    expect(PROWLARR_DEFAULTS.network.connectsTo).toEqual(['sonarr', 'radarr']);
  });

  it('takes a dependency list from the settings (lists replace)', () => {
    expect(prowlarr(seed, { network: { connectsTo: ['sonarr'] } }).network!.connectsTo).toEqual(['sonarr']);
  });
});

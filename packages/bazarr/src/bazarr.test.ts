import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appTemplateValidator, configVariant, seedConfig, seedConfigData } from '@homelab/testing';
import { MEDIA_CLAIM, MEDIA_MOUNT_PATH, STORAGE_CLASSES } from '@homelab/nfs-csi';
import { BAZARR_DEFAULTS } from './defaults.js';
import { bazarr } from './bazarr.js';
import * as api from './index.js';

const seed = seedConfig();
const component = bazarr(seed);
const main = (c = component) => c.values.controllers['main']!;
const validator = appTemplateValidator();

describe.skipIf(!validator)('app-template chart schema (skipped when ../shared/chart-schemas is absent)', () => {
  it('the values pass the pinned chart schema', () => {
    expect(validator!(component.values)).toEqual([]);
  });
});

describe('bazarr', () => {
  it('registers as apps.bazarr, in the media namespace', () => {
    expect(api.bazarrModule).toMatchObject({ name: 'bazarr', kind: 'app' });
    expect(api.bazarrModule.build(seed)).toEqual(component);
    expect(component.namespace).toBe(MEDIA_CLAIM.namespace);
  });

  it('mounts the shared media claim read-write at the one media path, and its config on its own claim', () => {
    expect(component.values.persistence['media']).toEqual({ type: 'persistentVolumeClaim', existingClaim: MEDIA_CLAIM.name, globalMounts: [{ path: MEDIA_MOUNT_PATH, readOnly: false }] });
    expect(component.values.persistence['config']).toMatchObject({ storageClass: STORAGE_CLASSES.config, size: BAZARR_DEFAULTS.configSize, globalMounts: [{ path: '/config' }] });
  });

  it('runs the linuxserver init as root with PUID/PGID/TZ from workloads, within the baseline level', () => {
    const config = configVariant((data) => {
      data.workloads = { timezone: 'America/Chicago', puid: 1234, pgid: 2345 };
    });
    const { pod, containers } = main(bazarr(config));
    expect(containers['app']!.env).toEqual({ TZ: 'America/Chicago', PUID: '1234', PGID: '2345' });
    expect(pod.securityContext).toEqual({ runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } });
    expect(containers['app']!.securityContext).toMatchObject({ readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'], add: BAZARR_DEFAULTS.capabilities } });
    expect(component.podSecurity).toBe('baseline');
  });

  it('probes / on the port the Service and the exposure use', () => {
    const probes = main().containers['app']!.probes!;
    for (const probe of [probes.startup, probes.liveness, probes.readiness]) expect(probe!.spec.httpGet).toEqual({ path: '/', port: 6767 });
    expect(component.values.service['main']!.ports['http']!.port).toBe(6767);
    expect(component.exposes.map((exposure) => exposure.service.port)).toEqual([6767]);
  });

  it('is reached on the internal domain behind SSO, and follows the config', () => {
    expect(component.exposes).toEqual([{ access: 'internal', host: `bazarr.${seed.domains.internal}`, service: { name: 'bazarr', namespace: MEDIA_CLAIM.namespace, port: 6767 }, sso: 'proxy' }]);
    const moved = configVariant((data) => {
      data.domains = { public: 'example.org', internal: 'lab.example.org' };
    });
    expect(bazarr(moved).exposes.map((exposure) => exposure.host)).toEqual(['bazarr.lab.example.org']);
    const hidden = configVariant((data) => {
      data.apps = { bazarr: { expose: { internal: false } } };
    });
    expect(bazarr(hidden).exposes).toEqual([]);
  });

  it('a fixed LoadBalancer IP from homelab.yaml makes the Service a LoadBalancer at that address', () => {
    let ip = '';
    const config = configVariant((data) => {
      ip = data.network.ranges.loadBalancer.end;
      data.apps = { bazarr: { loadBalancerIP: ip } };
    });
    expect(bazarr(config).values.service['main']).toMatchObject({ type: 'LoadBalancer', annotations: { 'lbipam.cilium.io/ips': ip } });
    expect(component.values.service['main']!.type).toBe('ClusterIP');
  });

  it('merges overrides onto the defaults', () => {
    const patched = bazarr(seed, { configSize: '20Gi', resources: { limits: { memory: '4Gi' } } });
    expect(patched.values.persistence['config']).toMatchObject({ size: '20Gi' });
    expect(main(patched).containers['app']!.resources).toEqual({ requests: BAZARR_DEFAULTS.resources.requests, limits: { memory: '4Gi' } });
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
    expect(BAZARR_DEFAULTS.network.connectsTo).toEqual(['sonarr', 'radarr']);
  });

  it('takes a dependency list from the settings (lists replace)', () => {
    expect(bazarr(seed, { network: { connectsTo: ['sonarr'] } }).network!.connectsTo).toEqual(['sonarr']);
  });
});

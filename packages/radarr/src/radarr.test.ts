import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appTemplateValidator, configVariant, seedConfig, seedConfigData } from '@homelab/testing';
import { MEDIA_CLAIM, MEDIA_MOUNT_PATH, STORAGE_CLASSES } from '@homelab/nfs-csi';
import { RADARR_DEFAULTS } from './defaults.js';
import { radarr } from './radarr.js';
import * as api from './index.js';

const seed = seedConfig();
const component = radarr(seed);
const main = (c = component) => c.values.controllers['main']!;
const validator = appTemplateValidator();

describe.skipIf(!validator)('app-template chart schema (skipped when ../shared/chart-schemas is absent)', () => {
  it('the values pass the pinned chart schema', () => {
    expect(validator!(component.values)).toEqual([]);
  });
});

describe('radarr', () => {
  it('registers as apps.radarr, in the media namespace', () => {
    expect(api.radarrModule).toMatchObject({ name: 'radarr', kind: 'app' });
    expect(api.radarrModule.build(seed)).toEqual(component);
    expect(component.namespace).toBe(MEDIA_CLAIM.namespace);
  });

  it('mounts the shared media claim read-write at the one media path, and its config on its own claim', () => {
    expect(component.values.persistence['media']).toEqual({ type: 'persistentVolumeClaim', existingClaim: MEDIA_CLAIM.name, globalMounts: [{ path: MEDIA_MOUNT_PATH, readOnly: false }] });
    expect(component.values.persistence['config']).toMatchObject({ storageClass: STORAGE_CLASSES.config, size: RADARR_DEFAULTS.configSize, globalMounts: [{ path: '/config' }] });
  });

  it('runs the linuxserver init as root with PUID/PGID/TZ from workloads, within the baseline level', () => {
    const config = configVariant((data) => {
      data.workloads = { timezone: 'America/Chicago', puid: 1234, pgid: 2345 };
    });
    const { pod, containers } = main(radarr(config));
    expect(containers['app']!.env).toEqual({ TZ: 'America/Chicago', PUID: '1234', PGID: '2345' });
    expect(pod.securityContext).toEqual({ runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } });
    expect(containers['app']!.securityContext).toMatchObject({ readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'], add: RADARR_DEFAULTS.capabilities } });
    expect(component.podSecurity).toBe('baseline');
  });

  it('probes /ping on the port the Service and the exposure use', () => {
    const probes = main().containers['app']!.probes!;
    for (const probe of [probes.startup, probes.liveness, probes.readiness]) expect(probe!.spec.httpGet).toEqual({ path: '/ping', port: 7878 });
    expect(component.values.service['main']!.ports['http']!.port).toBe(7878);
    expect(component.exposes.map((exposure) => exposure.service.port)).toEqual([7878]);
  });

  it('is reached on the internal domain behind SSO, and follows the config', () => {
    expect(component.exposes).toEqual([{ access: 'internal', host: `radarr.${seed.domains.internal}`, service: { name: 'radarr', namespace: MEDIA_CLAIM.namespace, port: 7878 }, sso: 'proxy' }]);
    const moved = configVariant((data) => {
      data.domains = { public: 'example.org', internal: 'lab.example.org' };
    });
    expect(radarr(moved).exposes.map((exposure) => exposure.host)).toEqual(['radarr.lab.example.org']);
    const hidden = configVariant((data) => {
      data.apps = { radarr: { expose: { internal: false } } };
    });
    expect(radarr(hidden).exposes).toEqual([]);
  });

  it('a fixed LoadBalancer IP from homelab.yaml makes the Service a LoadBalancer at that address', () => {
    let ip = '';
    const config = configVariant((data) => {
      ip = data.network.ranges.loadBalancer.end;
      data.apps = { radarr: { loadBalancerIP: ip } };
    });
    expect(radarr(config).values.service['main']).toMatchObject({ type: 'LoadBalancer', annotations: { 'lbipam.cilium.io/ips': ip } });
    expect(component.values.service['main']!.type).toBe('ClusterIP');
  });

  it('merges overrides onto the defaults', () => {
    const patched = radarr(seed, { configSize: '20Gi', resources: { limits: { memory: '4Gi' } } });
    expect(patched.values.persistence['config']).toMatchObject({ size: '20Gi' });
    expect(main(patched).containers['app']!.resources).toEqual({ requests: RADARR_DEFAULTS.resources.requests, limits: { memory: '4Gi' } });
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
  it('calls prowlarr and qbittorrent by component name and the internet; reached only through its exposures', () => {
    expect(component.network).toEqual({ connectsTo: ['prowlarr', 'qbittorrent'], internetEgress: true });
    expect(RADARR_DEFAULTS.network.connectsTo).toEqual(['prowlarr', 'qbittorrent']);
  });

  it('takes a dependency list from the settings (lists replace)', () => {
    expect(radarr(seed, { network: { connectsTo: ['prowlarr'] } }).network!.connectsTo).toEqual(['prowlarr']);
  });
});

/**
 * The behaviour every linuxserver.io *arr app package shares (Sonarr, Radarr, Prowlarr, Bazarr):
 * one suite, run by each package's test file with that app's facts, instead of four copies.
 */
import { describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '@homelab/config';
import { appTemplateValidator } from './app-template-schema.js';
import { packageSources } from './literals.js';
import { configVariant, seedConfig, seedConfigData } from './seed.js';

/** The parts of an app-template app Component the suite reads (structural: no app-template import). */
interface AppLike {
  namespace: string;
  podSecurity?: string;
  network?: { connectsTo?: string[]; internetEgress?: boolean };
  exposes: { access: string; host: string; service: { name: string; namespace: string; port: number }; sso: string }[];
  values: {
    controllers: Record<string, { pod: { securityContext?: unknown }; containers: Record<string, { env?: unknown; securityContext?: unknown; resources?: unknown; probes?: Record<string, { spec: { httpGet?: unknown } } | undefined> }> }>;
    service: Record<string, { type?: string; ports: Record<string, { port: number }> }>;
    persistence: Record<string, unknown>;
  };
}

export interface LinuxserverAppFacts {
  name: string;
  build(config: ResolvedConfig, overrides?: Record<string, unknown>): AppLike;
  module: { name: string; kind: string; build(config: ResolvedConfig): unknown };
  defaults: { configSize: string; capabilities: readonly string[]; resources: { requests?: unknown }; network: { connectsTo?: readonly string[] } };
  port: number;
  probePath: string;
  /** The shared media claim, and whether this app mounts it (read-write) or must not. */
  media: { claim: string; namespace: string; path: string; mounted: boolean };
  configStorageClass: string;
  /** The components the app must call, as its package declares them (its network policy's source). */
  connectsTo: string[];
  /** The app's `src` directory and how many non-test sources it holds, for the literal scan. */
  sourceDir: string;
  sourceCount: number;
}

export function describeLinuxserverApp(app: LinuxserverAppFacts): void {
  const seed = seedConfig();
  const component = app.build(seed);
  const main = (c: AppLike = component) => c.values.controllers['main']!;
  const validator = appTemplateValidator();

  describe.skipIf(!validator)('app-template chart schema (skipped when ../shared/chart-schemas is absent)', () => {
    it('the values pass the pinned chart schema', () => {
      expect(validator!(component.values)).toEqual([]);
    });
  });

  describe(app.name, () => {
    it(`registers as apps.${app.name}, in the media namespace`, () => {
      expect(app.module).toMatchObject({ name: app.name, kind: 'app' });
      expect(app.module.build(seed)).toEqual(component);
      expect(component.namespace).toBe(app.media.namespace);
    });

    if (app.media.mounted) {
      it('mounts the shared media claim read-write at the one media path, and its config on its own claim', () => {
        expect(component.values.persistence['media']).toEqual({ type: 'persistentVolumeClaim', existingClaim: app.media.claim, globalMounts: [{ path: app.media.path, readOnly: false }] });
        expect(component.values.persistence['config']).toMatchObject({ storageClass: app.configStorageClass, size: app.defaults.configSize, globalMounts: [{ path: '/config' }] });
      });
    } else {
      it('keeps its config on its own claim and does not mount the media claim', () => {
        expect(Object.keys(component.values.persistence)).toEqual(['config']);
        expect(JSON.stringify(component.values.persistence)).not.toContain(app.media.path);
        expect(component.values.persistence['config']).toMatchObject({ storageClass: app.configStorageClass, size: app.defaults.configSize, globalMounts: [{ path: '/config' }] });
      });
    }

    it('runs the linuxserver init as root with PUID/PGID/TZ from workloads, within the baseline level', () => {
      const config = configVariant((data) => {
        data.workloads = { timezone: 'America/Chicago', puid: 1234, pgid: 2345 };
      });
      const { pod, containers } = main(app.build(config));
      expect(containers['app']!.env).toEqual({ TZ: 'America/Chicago', PUID: '1234', PGID: '2345' });
      expect(pod.securityContext).toEqual({ runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } });
      expect(containers['app']!.securityContext).toMatchObject({ readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'], add: app.defaults.capabilities } });
      expect(component.podSecurity).toBe('baseline');
    });

    it(`probes ${app.probePath} on the port the Service and the exposure use`, () => {
      const probes = main().containers['app']!.probes!;
      for (const probe of [probes['startup'], probes['liveness'], probes['readiness']]) expect(probe!.spec.httpGet).toEqual({ path: app.probePath, port: app.port });
      expect(component.values.service['main']!.ports['http']!.port).toBe(app.port);
      expect(component.exposes.map((exposure) => exposure.service.port)).toEqual([app.port]);
    });

    it('is reached on the internal domain behind SSO, and follows the config', () => {
      expect(component.exposes).toEqual([{ access: 'internal', host: `${app.name}.${seed.domains.internal}`, service: { name: app.name, namespace: app.media.namespace, port: app.port }, sso: 'proxy' }]);
      const moved = configVariant((data) => {
        data.domains = { public: 'example.org', internal: 'lab.example.org' };
      });
      expect(app.build(moved).exposes.map((exposure) => exposure.host)).toEqual([`${app.name}.lab.example.org`]);
      const hidden = configVariant((data) => {
        data.apps = { [app.name]: { expose: { internal: false } } };
      });
      expect(app.build(hidden).exposes).toEqual([]);
    });

    it('a fixed LoadBalancer IP from homelab.yaml makes the Service a LoadBalancer at that address', () => {
      let ip = '';
      const config = configVariant((data) => {
        ip = data.network.ranges.loadBalancer.end;
        data.apps = { [app.name]: { loadBalancerIP: ip } };
      });
      expect(app.build(config).values.service['main']).toMatchObject({ type: 'LoadBalancer', annotations: { 'lbipam.cilium.io/ips': ip } });
      expect(component.values.service['main']!.type).toBe('ClusterIP');
    });

    it('merges overrides onto the defaults', () => {
      const patched = app.build(seed, { configSize: '20Gi', resources: { limits: { memory: '4Gi' } } });
      expect(patched.values.persistence['config']).toMatchObject({ size: '20Gi' });
      expect(main(patched).containers['app']!.resources).toEqual({ requests: app.defaults.resources.requests, limits: { memory: '4Gi' } });
    });

    it('holds no homelab literal in its sources', () => {
      const literals = new Set<string>();
      const walk = (value: unknown): void => {
        if (typeof value === 'string' && value.length > 4 && /[./]/.test(value)) literals.add(value);
        else if (value && typeof value === 'object') Object.values(value).forEach(walk);
      };
      walk(seedConfigData());
      expect(JSON.stringify(component)).toContain(seed.domains.internal); // the check looks for what the output does use
      const sources = packageSources(app.sourceDir);
      expect(sources.size).toBe(app.sourceCount);
      for (const [file, text] of sources) expect([...literals].filter((literal) => text.includes(literal)), file).toEqual([]);
    });
  });

  describe('network declaration (the source of its network policies)', () => {
    const { connectsTo } = app;

    it(`calls ${connectsTo.join(' and ')} by component name and the internet; reached only through its exposures`, () => {
      expect(component.network).toEqual({ connectsTo, internetEgress: true });
      expect(app.defaults.network.connectsTo).toEqual(connectsTo);
    });

    it('takes a dependency list from the settings (lists replace)', () => {
      expect(app.build(seed, { network: { connectsTo: connectsTo.slice(0, 1) } }).network!.connectsTo).toEqual(connectsTo.slice(0, 1));
    });
  });
}

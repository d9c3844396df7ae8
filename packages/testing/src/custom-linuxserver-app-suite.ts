/**
 * The behaviour shared by the linuxserver.io app packages that write their own app description
 * (Plex, Overseerr, qBittorrent: public routes, LoadBalancer Services, settings of their own): one
 * suite, run by each package's test file with that app's facts. What only one app does stays in
 * its file. The *arr apps, which share their whole build, have describeLinuxserverApp.
 */
import { describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '@homelab/config';
import { merge } from '@homelab/core';
import { appTemplateObjects, type AppTemplateValuesShape } from './app-template-objects.js';
import { appTemplateValidator } from './app-template-schema.js';
import { packageSources, seedSectionLiterals } from './literals.js';
import { configVariant, seedConfig, seedConfigWithoutApps } from './seed.js';

/** The parts of an app-template app Component the suite reads (structural: no app-template import). */
interface AppComponentShape {
  name: string;
  namespace: string;
  group: string;
  syncWave?: number;
  source: string;
  podSecurity?: string;
  chart?: unknown;
  network?: { connectsTo?: string[]; internetEgress?: boolean; lanPorts?: { port: number }[] };
  exposes: { access: string; host: string; service: { name: string; namespace: string; port: number }; sso: string }[];
  values: AppTemplateValuesShape;
}

/** What the suite needs of an app's settings (each package documents its own). */
interface SettingsShape {
  configSize: string;
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  network: { connectsTo?: readonly string[]; internetEgress?: boolean };
}

export interface CustomLinuxserverAppFacts {
  /** The component and `apps.<name>` key; its package is `@homelab/<name>`. */
  name: string;
  build(config: ResolvedConfig, overrides?: Record<string, unknown>): AppComponentShape;
  module: { name: string; kind: string; build(config: ResolvedConfig): unknown };
  /** The package's settings merge (the defaults with overrides merged on). */
  settings(overrides?: Record<string, unknown>): SettingsShape;
  defaults: SettingsShape;
  /** app-template's `appResourceNames` of the app's description for `config`. */
  resourceNames(config: ResolvedConfig): { services: Record<string, string>; claims: Record<string, string> };
  /** app-template's pinned chart and startup probe defaults (APP_TEMPLATE_CHART, APP_TEMPLATE_DEFAULTS.startupProbe). */
  appTemplate: { chart: { version: string }; startupProbe: Record<string, number> };
  /** The expected image: linuxserver.io's repository, the pinned tag, and the shape of its tags. */
  image: { repository: string; tag: string; tagPattern: RegExp };
  /** The web port, named `http`: the main Service's, the exposures' and the probes'. */
  port: number;
  /** What the startup, liveness and readiness probes do on that port. */
  probe: { type: 'http'; path: string } | { type: 'tcp' };
  /** The container's environment after TZ, PUID and PGID, with the default settings. */
  env: Record<string, string>;
  /** The shared media claim, and how this app mounts it (or that it must not). */
  media: { claim: string; namespace: string; path: string; mount: 'read-write' | 'read-only' | 'none' };
  /** The `/config` claim: its StorageClass and default size. */
  config: { storageClass: string; size: string };
  /** Default host labels per access path, and the SSO of the internal route. */
  reach: { internal?: string; public?: string; sso: string };
  mainServiceType: 'ClusterIP' | 'LoadBalancer';
  /** The components the app calls by name (its network policy's source); absent: none. */
  connectsTo?: string[];
  /** The seed with `apps.<name>.loadBalancerIP` set, for an app that has a LoadBalancer Service. */
  withLoadBalancerIP?: ResolvedConfig;
  /** Settings overrides whose values must pass the chart schema too. */
  schemaOverrides: Record<string, unknown>;
  /** How many objects appTemplateObjects renders, with the seed as with withLoadBalancerIP. */
  renderedObjectCount: number;
  /** The app's `src` directory, for the literal scan. */
  sourceDir: string;
}

/** The access paths whose host labels are qualified with a domain of homelab.yaml, in the order of `exposes`. */
const DOMAIN_ACCESS = ['internal', 'public'] as const;

export function describeCustomLinuxserverApp(app: CustomLinuxserverAppFacts): void {
  const seed = seedConfigWithoutApps();
  const component = app.build(seed);
  const container = (c: AppComponentShape = component) => c.values.controllers['main']!.containers['app']!;
  const validator = appTemplateValidator();
  const configs: [string, ResolvedConfig][] = [['seed config', seed]];
  if (app.withLoadBalancerIP) configs.push(['fixed LoadBalancer address', app.withLoadBalancerIP]);
  const builds: [string, () => AppComponentShape][] = configs.map(([label, config]) => [label, () => app.build(config)]);
  builds.push(['overrides', () => app.build(seed, app.schemaOverrides)]);

  describe.skipIf(!validator)(`values conform to app-template ${app.appTemplate.chart.version}`, () => {
    it.each(builds)('%s: pass the real chart schema', (_, build) => {
      expect(validator!(build().values)).toEqual([]);
    });

    it('a values patch in homelab.yaml style still passes the chart schema', () => {
      const values = merge(component.values, { controllers: { main: { containers: { app: { resources: { limits: { memory: '6Gi' } } } } } } });
      expect(validator!(values)).toEqual([]);
    });
  });

  describe('Kubernetes objects', () => {
    it.each(configs)('%s: Services, claims, container and pod security context validate', (_, config) => {
      const { objects } = appTemplateObjects(app.build(config), app.resourceNames(config));
      expect(objects.length).toBe(app.renderedObjectCount);
      for (const object of objects) expect(() => object.validate()).not.toThrow();
    });
  });

  describe('component', () => {
    it('an app in the media namespace, group apps, wave 0, baseline Pod Security, the pinned chart and image', () => {
      expect(component).toMatchObject({ name: app.name, namespace: app.media.namespace, group: 'apps', syncWave: 0, podSecurity: 'baseline', source: `@homelab/${app.name}`, chart: app.appTemplate.chart });
      expect(container().image).toEqual({ repository: app.image.repository, tag: app.image.tag });
      expect(app.image.tag).toMatch(app.image.tagPattern);
    });

    it(`the module registers as app ${app.name} and builds the component`, () => {
      expect(app.module).toMatchObject({ name: app.name, kind: 'app' });
      expect(app.module.build(seed)).toEqual(component);
    });

    it("linuxserver.io environment: TZ, PUID and PGID follow homelab.yaml workloads, then the app's own", () => {
      const config = configVariant((data) => {
        data.workloads = { timezone: 'America/New_York', puid: 2001, pgid: 2002 };
      });
      expect(container(app.build(config)).env).toEqual({ TZ: 'America/New_York', PUID: '2001', PGID: '2002', ...app.env });
      expect(container().env).toEqual({ TZ: seed.workloads.timezone, PUID: String(seed.workloads.puid), PGID: String(seed.workloads.pgid), ...app.env });
    });

    it('starts as root for s6-overlay: not runAsNonRoot, no fixed user, writable root, the capabilities its init needs', () => {
      const pod = component.values.controllers['main']!.pod.securityContext;
      expect(pod.runAsNonRoot).toBe(false);
      expect(pod).not.toHaveProperty('runAsUser');
      expect(pod).not.toHaveProperty('fsGroup');
      expect(container().securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: false,
        privileged: false,
        capabilities: { add: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'KILL', 'SETGID', 'SETUID'], drop: ['ALL'] },
      });
    });

    const [handler, target] = app.probe.type === 'http' ? (['httpGet', { path: app.probe.path, port: app.port }] as const) : (['tcpSocket', { port: app.port }] as const);
    it(`${app.probe.type === 'http' ? `HTTP probes on ${app.probe.path}` : 'TCP probes'} at port ${app.port}`, () => {
      const probes = container().probes!;
      expect(Object.keys(probes).sort()).toEqual(['liveness', 'readiness', 'startup']);
      for (const probe of Object.values(probes)) expect(probe.spec[handler]).toEqual(target);
      expect(probes['startup']!.spec).toMatchObject(app.appTemplate.startupProbe);
    });
  });

  describe('storage', () => {
    const mediaMount = app.media.mount === 'none' ? 'the media claim is not mounted' : `the shared media claim at ${app.media.path}, ${app.media.mount}`;
    it(`${mediaMount}; /config on its own claim of the config class; one pod at a time`, () => {
      const { persistence, controllers } = component.values;
      if (app.media.mount === 'none') {
        expect(Object.keys(persistence)).toEqual(['config']);
        expect(Object.values(persistence).flatMap((item) => item.globalMounts.map((mount) => mount.path))).not.toContain(app.media.path);
        expect(Object.values(persistence).some((item) => 'existingClaim' in item && item.existingClaim === app.media.claim)).toBe(false);
      } else {
        expect(persistence['media']).toEqual({ type: 'persistentVolumeClaim', existingClaim: app.media.claim, globalMounts: [{ path: app.media.path, readOnly: app.media.mount === 'read-only' }] });
      }
      expect(persistence['config']).toMatchObject({ type: 'persistentVolumeClaim', storageClass: app.config.storageClass, size: app.config.size, globalMounts: [{ path: '/config', readOnly: false }] });
      expect(app.defaults.configSize).toBe(app.config.size);
      expect(controllers['main']!.strategy).toBe('Recreate');
    });

    it('the config size is a setting', () => {
      expect(app.build(seed, { configSize: '120Gi' }).values.persistence['config']).toMatchObject({ size: '120Gi' });
    });
  });

  describe('reach follows homelab.yaml', () => {
    const accesses = DOMAIN_ACCESS.filter((access) => app.reach[access]);
    const hosts = (domains: Pick<ResolvedConfig['domains'], 'internal' | 'public'>) => accesses.map((access) => `${app.reach[access]}.${domains[access]}`);

    it(`${accesses.join(' and ')} exposures of the ${app.name} Service app-template creates, internal SSO '${app.reach.sso}'`, () => {
      const service = { name: app.resourceNames(seed).services['main']!, namespace: app.media.namespace, port: app.port };
      expect(service.name).toBe(app.name);
      const seedHosts = hosts(seed.domains);
      expect(component.exposes).toEqual(accesses.map((access, i) => ({ host: seedHosts[i], access, service, sso: access === 'internal' ? app.reach.sso : 'none' })));
      expect(component.values.service['main']).toMatchObject({ type: app.mainServiceType, ports: { http: { port: app.port, protocol: 'HTTP' } } });
    });

    it('hosts change with the domains', () => {
      const domains = { public: 'example.org', internal: 'lan.example.org' };
      const config = configVariant((data) => {
        data.domains = domains;
      });
      expect(app.build(config).exposes.map((exposure) => exposure.host)).toEqual(hosts(domains));
    });
  });

  describe('overrides (merge() onto the defaults)', () => {
    it('resources merge: a limit changes, the rest stays', () => {
      expect(container(app.build(seed, { resources: { limits: { memory: '8Gi' } } })).resources).toEqual({ requests: app.defaults.resources.requests, limits: { memory: '8Gi' } });
      expect(container().resources).toEqual(app.defaults.resources);
    });

    it('settings merge leaves the defaults untouched', () => {
      const before = JSON.stringify(app.defaults);
      expect(app.settings({ resources: { requests: { cpu: '1' } } }).resources.requests).toEqual({ ...app.defaults.resources.requests, cpu: '1' });
      expect(JSON.stringify(app.defaults)).toBe(before);
    });
  });

  describe('sources', () => {
    it('hold no homelab-specific literal (domains, addresses, paths, time zone come from homelab.yaml)', () => {
      const literals = seedSectionLiterals();
      expect(literals.size).toBeGreaterThan(10);
      const sources = packageSources(app.sourceDir);
      expect(sources.size).toBeGreaterThanOrEqual(4);
      for (const [file, text] of sources) {
        for (const literal of literals) expect(text.includes(literal), `${file} contains '${literal}'`).toBe(false);
      }
    });
  });

  describe('network declaration (the source of its network policies)', () => {
    // The seed as it is, fixed LoadBalancer addresses included.
    const declared = app.build(seedConfig());

    it(app.connectsTo ? `calls ${app.connectsTo.join(', ')} by component name and the internet` : 'calls no app, only the internet', () => {
      expect(declared.network?.connectsTo).toEqual(app.connectsTo);
      expect(app.defaults.network.connectsTo).toEqual(app.connectsTo);
      expect(declared.network?.internetEgress).toBe(true);
    });

    it('declares the container ports of its LoadBalancer Service as LAN ports (app-template derives them)', () => {
      const services = declared.values.service;
      const lan = Object.values(services).filter((service) => service.type === 'LoadBalancer').flatMap((service) => Object.values(service.ports).map((port) => port.port));
      expect((declared.network?.lanPorts ?? []).map((port) => port.port).sort()).toEqual(lan.sort());
    });
  });
}

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APP_TEMPLATE_CHART, APP_TEMPLATE_DEFAULTS, appResourceNames, type AppTemplateValues } from '@homelab/app-template';
import { formatIpv4, parseIpv4, type ResolvedConfig } from '@homelab/config';
import { merge } from '@homelab/core';
import { MEDIA_CLAIM, MEDIA_MOUNT_PATH, STORAGE_CLASSES } from '@homelab/nfs-csi';
import { appTemplateValidator, configVariant, packageSources, seedConfig, seedSectionLiterals } from '@homelab/testing';
import { Container } from 'kubernetes-models/v1/Container';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { PodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import { Service } from 'kubernetes-models/v1/Service';
import { buildOverseerr, OVERSEERR_DEFAULTS, OVERSEERR_IMAGE, OVERSEERR_PORT, overseerrModule } from './index.js';
import { overseerrDescription, overseerrSettings } from './overseerr.js';

const validator = appTemplateValidator();
const seed = seedConfig();
const app = (values: AppTemplateValues) => values.controllers['main']!.containers['app']!;

/** The objects app-template renders from the values (names from app-template's naming rules), for schema checks. */
function renderedObjects(config: ResolvedConfig) {
  const component = buildOverseerr(config);
  const values = component.values;
  const names = appResourceNames(overseerrDescription(config));
  const services = Object.entries(values.service).map(
    ([key, service]) =>
      new Service({
        metadata: { name: names.services[key]!, namespace: component.namespace, ...(service.annotations ? { annotations: service.annotations } : {}) },
        spec: { type: service.type, ports: Object.entries(service.ports).map(([name, port]) => ({ name, port: port.port, targetPort: port.port, protocol: port.protocol === 'UDP' ? 'UDP' : 'TCP' })) },
      }),
  );
  const claims = Object.entries(values.persistence).flatMap(([key, item]) =>
    item.type === 'persistentVolumeClaim' && 'size' in item
      ? [new PersistentVolumeClaim({ metadata: { name: names.claims[key]!, namespace: component.namespace }, spec: { accessModes: [item.accessMode], storageClassName: item.storageClass, resources: { requests: { storage: item.size } } } })]
      : [],
  );
  const container = app(values);
  const rendered = new Container({
    name: 'app',
    image: `${container.image.repository}:${container.image.tag}`,
    env: Object.entries(container.env ?? {}).map(([name, value]) => (typeof value === 'string' ? { name, value } : { name, valueFrom: value.valueFrom })),
    ports: Object.values(values.service).flatMap((service) => Object.entries(service.ports).map(([name, port]) => ({ name, containerPort: port.port, protocol: port.protocol === 'UDP' ? ('UDP' as const) : ('TCP' as const) }))),
    volumeMounts: Object.entries(values.persistence).flatMap(([name, item]) => item.globalMounts.map((mount) => ({ name, mountPath: mount.path, readOnly: mount.readOnly }))),
    ...Object.fromEntries(Object.entries(container.probes ?? {}).map(([kind, probe]) => [`${kind}Probe`, probe.spec])),
    ...(container.resources ? { resources: container.resources } : {}),
    securityContext: container.securityContext,
  });
  return [...services, ...claims, rendered, new PodSecurityContext(values.controllers['main']!.pod.securityContext)];
}

describe.skipIf(!validator)(`values conform to app-template ${APP_TEMPLATE_CHART.version}`, () => {
  it.each([
    ['seed config', () => buildOverseerr(seed)],
    ['overrides', () => buildOverseerr(seed, { configSize: '5Gi', resources: { limits: { cpu: '1' } }, env: { LOG_LEVEL: 'debug' } })],
  ])('%s: pass the real chart schema', (_, build) => {
    expect(validator!(build().values)).toEqual([]);
  });
});

describe('Kubernetes objects', () => {
  it('Service, claim, container and pod security context validate', () => {
    const objects = renderedObjects(seed);
    expect(objects.length).toBe(4);
    for (const object of objects) expect(() => object.validate()).not.toThrow();
  });
});

describe('component', () => {
  it('an app in the media namespace, group apps, wave 0, baseline Pod Security, the pinned chart and image', () => {
    const component = buildOverseerr(seed);
    expect(component).toMatchObject({ name: 'overseerr', namespace: MEDIA_CLAIM.namespace, group: 'apps', syncWave: 0, podSecurity: 'baseline', source: '@homelab/overseerr', chart: APP_TEMPLATE_CHART });
    expect(app(component.values).image).toEqual({ repository: 'lscr.io/linuxserver/overseerr', tag: OVERSEERR_IMAGE.tag });
    expect(OVERSEERR_IMAGE.tag).toMatch(/^v\d+\.\d+\.\d+-ls\d+$/);
  });

  it('the module registers as app overseerr and builds the component', () => {
    expect(overseerrModule).toMatchObject({ name: 'overseerr', kind: 'app' });
    expect(overseerrModule.build(seed)).toEqual(buildOverseerr(seed));
  });

  it('linuxserver.io environment: TZ, PUID and PGID follow homelab.yaml workloads', () => {
    const config = configVariant((data) => {
      data.workloads = { timezone: 'Asia/Tokyo', puid: 3001, pgid: 3002 };
    });
    expect(app(buildOverseerr(config).values).env).toEqual({ TZ: 'Asia/Tokyo', PUID: '3001', PGID: '3002' });
    expect(app(buildOverseerr(seed).values).env).toEqual({ TZ: seed.workloads.timezone, PUID: String(seed.workloads.puid), PGID: String(seed.workloads.pgid) });
  });

  it('starts as root for s6-overlay: not runAsNonRoot, no fixed user, writable root, the capabilities its init needs', () => {
    const values = buildOverseerr(seed).values;
    const pod = values.controllers['main']!.pod.securityContext;
    expect(pod.runAsNonRoot).toBe(false);
    expect(pod).not.toHaveProperty('runAsUser');
    expect(pod).not.toHaveProperty('fsGroup');
    expect(app(values).securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: false,
      privileged: false,
      capabilities: { add: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'KILL', 'SETGID', 'SETUID'], drop: ['ALL'] },
    });
  });

  it('HTTP probes on /api/v1/status at the Overseerr port', () => {
    const probes = app(buildOverseerr(seed).values).probes!;
    expect(Object.keys(probes).sort()).toEqual(['liveness', 'readiness', 'startup']);
    for (const probe of Object.values(probes)) expect(probe.spec.httpGet).toEqual({ path: '/api/v1/status', port: OVERSEERR_PORT });
    expect(probes.startup!.spec).toMatchObject(APP_TEMPLATE_DEFAULTS.startupProbe);
  });
});

describe('storage', () => {
  it('/config on its own claim of the config class; the media claim is not mounted', () => {
    const persistence = buildOverseerr(seed).values.persistence;
    expect(Object.keys(persistence)).toEqual(['config']);
    expect(persistence['config']).toMatchObject({ type: 'persistentVolumeClaim', storageClass: STORAGE_CLASSES.config, size: '2Gi', globalMounts: [{ path: '/config', readOnly: false }] });
    const mounts = Object.values(persistence).flatMap((item) => item.globalMounts.map((mount) => mount.path));
    expect(mounts).not.toContain(MEDIA_MOUNT_PATH);
    expect(Object.values(persistence).some((item) => 'existingClaim' in item && item.existingClaim === MEDIA_CLAIM.name)).toBe(false);
  });

  it('the config size is a setting', () => {
    expect(buildOverseerr(seed, { configSize: '10Gi' }).values.persistence['config']).toMatchObject({ size: '10Gi' });
  });
});

describe('reach follows homelab.yaml', () => {
  it('requests.<internal domain> and requests.<public domain> on the overseerr Service, no SSO (Plex sign-in)', () => {
    const component = buildOverseerr(seed);
    const service = { name: appResourceNames(overseerrDescription(seed)).services['main']!, namespace: MEDIA_CLAIM.namespace, port: OVERSEERR_PORT };
    expect(service.name).toBe('overseerr');
    expect(component.exposes).toEqual([
      { host: `requests.${seed.domains.internal}`, access: 'internal', service, sso: 'none' },
      { host: `requests.${seed.domains.public}`, access: 'public', service, sso: 'none' },
    ]);
    expect(component.values.service['main']).toMatchObject({ type: 'ClusterIP', ports: { http: { port: OVERSEERR_PORT, protocol: 'HTTP' } } });
  });

  it('hosts change with the domains', () => {
    const config = configVariant((data) => {
      data.domains = { public: 'example.org', internal: 'lan.example.org' };
    });
    expect(buildOverseerr(config).exposes.map((exposure) => exposure.host)).toEqual(['requests.lan.example.org', 'requests.example.org']);
  });

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
  it('resources merge: a limit changes, the rest stays', () => {
    const resources = app(buildOverseerr(seed, { resources: { limits: { memory: '2Gi' } } }).values).resources;
    expect(resources).toEqual({ requests: OVERSEERR_DEFAULTS.resources.requests, limits: { memory: '2Gi' } });
    expect(app(buildOverseerr(seed).values).resources).toEqual(OVERSEERR_DEFAULTS.resources);
  });

  it('extra env is added beside the derived variables', () => {
    const env = app(buildOverseerr(seed, { env: { LOG_LEVEL: 'debug' } }).values).env!;
    expect(env).toEqual({ TZ: seed.workloads.timezone, PUID: String(seed.workloads.puid), PGID: String(seed.workloads.pgid), LOG_LEVEL: 'debug' });
  });

  it('settings merge leaves the defaults untouched', () => {
    const before = JSON.stringify(OVERSEERR_DEFAULTS);
    expect(overseerrSettings({ resources: { requests: { cpu: '1' } } }).resources.requests).toEqual({ ...OVERSEERR_DEFAULTS.resources.requests, cpu: '1' });
    expect(JSON.stringify(OVERSEERR_DEFAULTS)).toBe(before);
  });

  it('a values patch in homelab.yaml style still passes the chart schema', () => {
    if (!validator) return;
    const values = merge(buildOverseerr(seed).values as Record<string, unknown>, { controllers: { main: { containers: { app: { resources: { limits: { memory: '3Gi' } } } } } } });
    expect(validator(values)).toEqual([]);
  });
});

describe('sources', () => {
  it('hold no homelab-specific literal (domains, addresses, paths, time zone come from homelab.yaml)', () => {
    const literals = seedSectionLiterals();
    expect(literals.size).toBeGreaterThan(10);
    const sources = packageSources(fileURLToPath(new URL('.', import.meta.url)));
    expect(sources.size).toBeGreaterThanOrEqual(4);
    for (const [file, text] of sources) {
      for (const literal of literals) expect(text.includes(literal), `${file} contains '${literal}'`).toBe(false);
    }
  });
});

describe('network declaration (the source of its network policies)', () => {
  const component = buildOverseerr(seedConfig());

  it('calls sonarr, radarr, plex by component name and the internet', () => {
    expect(component.network?.connectsTo).toEqual(['sonarr', 'radarr', 'plex']);
    expect(component.network?.internetEgress).toBe(true);
    expect(OVERSEERR_DEFAULTS.network.connectsTo).toEqual(['sonarr', 'radarr', 'plex']);
  });

  it('declares the container ports of its LoadBalancer Service as LAN ports (app-template derives them)', () => {
    const services = component.values.service;
    const lan = Object.values(services).filter((service) => service.type === 'LoadBalancer').flatMap((service) => Object.values(service.ports).map((port) => port.port));
    expect((component.network?.lanPorts ?? []).map((port) => port.port).sort()).toEqual(lan.sort());
  });
});

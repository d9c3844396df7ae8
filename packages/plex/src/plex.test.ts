import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APP_TEMPLATE_CHART, APP_TEMPLATE_DEFAULTS, appResourceNames, type AppTemplateValues } from '@homelab/app-template';
import { formatIpv4, parseIpv4, type ResolvedConfig } from '@homelab/config';
import { merge } from '@homelab/core';
import { MEDIA_CLAIM, MEDIA_MOUNT_PATH, STORAGE_CLASSES } from '@homelab/nfs-csi';
import { appTemplateValidator, configVariant, packageSources, seedSectionLiterals } from '@homelab/testing';
import { Container } from 'kubernetes-models/v1/Container';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { PodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import { Service } from 'kubernetes-models/v1/Service';
import { buildPlex, PLEX_DEFAULTS, PLEX_IMAGE, PLEX_PORT, plexModule } from './index.js';
import { plexDescription, plexSettings } from './plex.js';

const LB_ANNOTATION = 'lbipam.cilium.io/ips';
const validator = appTemplateValidator();
/** The seed without fixed LoadBalancer IPs (Cilium picks them); tests that need one add it. */
const seed = configVariant((data) => {
  data.apps = {};
});
const app = (values: AppTemplateValues) => values.controllers['main']!.containers['app']!;
/** An address of the seed's LoadBalancer pool other than the internal gateway's. */
const poolAddress = (config: ResolvedConfig) => formatIpv4(parseIpv4(config.network.ranges.loadBalancer.end));
const withAddress = configVariant((data) => {
  data.apps = { ...data.apps, plex: { loadBalancerIP: poolAddress(seed) } };
});

/** The objects app-template renders from the values (names from app-template's naming rules), for schema checks. */
function renderedObjects(config: ResolvedConfig) {
  const component = buildPlex(config);
  const values = component.values;
  const names = appResourceNames(plexDescription(config));
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
    ['seed config', () => buildPlex(seed)],
    ['fixed LoadBalancer address', () => buildPlex(withAddress)],
    ['no LAN Service, overrides', () => buildPlex(seed, { lanService: false, resources: { limits: { cpu: '4' } }, env: { PLEX_CLAIM: 'claim-x' } })],
  ])('%s: pass the real chart schema', (_, build) => {
    expect(validator!(build().values)).toEqual([]);
  });
});

describe('Kubernetes objects', () => {
  it.each([
    ['seed config', seed],
    ['fixed LoadBalancer address', withAddress],
  ])('%s: Service, claim, container and pod security context validate', (_, config) => {
    const objects = renderedObjects(config);
    expect(objects.length).toBeGreaterThanOrEqual(4);
    for (const object of objects) expect(() => object.validate()).not.toThrow();
  });
});

describe('component', () => {
  it('an app in the media namespace, group apps, wave 0, baseline Pod Security, the pinned chart and image', () => {
    const component = buildPlex(seed);
    expect(component).toMatchObject({ name: 'plex', namespace: MEDIA_CLAIM.namespace, group: 'apps', syncWave: 0, podSecurity: 'baseline', source: '@homelab/plex', chart: APP_TEMPLATE_CHART });
    expect(app(component.values).image).toEqual({ repository: 'lscr.io/linuxserver/plex', tag: PLEX_IMAGE.tag });
    expect(PLEX_IMAGE.tag).toMatch(/^\d+\.\d+\.\d+\.\d+-[0-9a-f]+-ls\d+$/);
  });

  it('the module registers as app plex and builds the component', () => {
    expect(plexModule).toMatchObject({ name: 'plex', kind: 'app' });
    expect(plexModule.build(seed)).toEqual(buildPlex(seed));
  });

  it('linuxserver.io environment: TZ, PUID and PGID follow homelab.yaml workloads; VERSION=docker', () => {
    const config = configVariant((data) => {
      data.workloads = { timezone: 'America/New_York', puid: 2001, pgid: 2002 };
    });
    expect(app(buildPlex(config).values).env).toEqual({ TZ: 'America/New_York', PUID: '2001', PGID: '2002', VERSION: 'docker' });
    expect(app(buildPlex(seed).values).env).toMatchObject({ TZ: seed.workloads.timezone, PUID: String(seed.workloads.puid), PGID: String(seed.workloads.pgid) });
  });

  it('starts as root for s6-overlay: not runAsNonRoot, no fixed user, writable root, the capabilities its init needs', () => {
    const values = buildPlex(seed).values;
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

  it('HTTP probes on /identity at the Plex port', () => {
    const probes = app(buildPlex(seed).values).probes!;
    expect(Object.keys(probes).sort()).toEqual(['liveness', 'readiness', 'startup']);
    for (const probe of Object.values(probes)) expect(probe.spec.httpGet).toEqual({ path: '/identity', port: PLEX_PORT });
    expect(probes.startup!.spec).toMatchObject(APP_TEMPLATE_DEFAULTS.startupProbe);
  });
});

describe('storage', () => {
  it('the shared media claim at MEDIA_MOUNT_PATH, read-only; /config on its own claim of the config class', () => {
    const persistence = buildPlex(seed).values.persistence;
    expect(persistence['media']).toEqual({ type: 'persistentVolumeClaim', existingClaim: MEDIA_CLAIM.name, globalMounts: [{ path: MEDIA_MOUNT_PATH, readOnly: true }] });
    expect(persistence['config']).toMatchObject({ type: 'persistentVolumeClaim', storageClass: STORAGE_CLASSES.config, size: PLEX_DEFAULTS.configSize, globalMounts: [{ path: '/config', readOnly: false }] });
    expect(PLEX_DEFAULTS.configSize).toBe('50Gi');
  });

  it('the config size is a setting', () => {
    expect(buildPlex(seed, { configSize: '120Gi' }).values.persistence['config']).toMatchObject({ size: '120Gi' });
  });

  it('transcoder scratch: an emptyDir at /transcode with the size limit from the settings', () => {
    expect(buildPlex(seed).values.persistence['transcode']).toEqual({ type: 'emptyDir', sizeLimit: PLEX_DEFAULTS.transcodeSizeLimit, globalMounts: [{ path: '/transcode', readOnly: false }] });
    expect(buildPlex(seed, { transcodeSizeLimit: '8Gi' }).values.persistence['transcode']).toMatchObject({ sizeLimit: '8Gi' });
  });
});

describe('reach follows homelab.yaml', () => {
  it('internal and public exposures of the plex Service, no SSO (Plex authenticates itself)', () => {
    const component = buildPlex(seed);
    expect(component.exposes).toEqual([
      { host: `plex.${seed.domains.internal}`, access: 'internal', service: { name: 'plex', namespace: MEDIA_CLAIM.namespace, port: PLEX_PORT }, sso: 'none' },
      { host: `plex.${seed.domains.public}`, access: 'public', service: { name: 'plex', namespace: MEDIA_CLAIM.namespace, port: PLEX_PORT }, sso: 'none' },
    ]);
    // the exposures name the Service app-template creates, at a port it serves
    expect(component.exposes.map((exposure) => exposure.service.name)).toEqual([appResourceNames(plexDescription(seed)).services['main'], appResourceNames(plexDescription(seed)).services['main']]);
    expect(component.values.service['main']!.ports['http']!.port).toBe(PLEX_PORT);
  });

  it('hosts change with the domains', () => {
    const config = configVariant((data) => {
      data.domains = { public: 'example.org', internal: 'lan.example.org' };
    });
    expect(buildPlex(config).exposes.map((exposure) => exposure.host)).toEqual(['plex.lan.example.org', 'plex.example.org']);
  });

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
    const rendered = renderedObjects(seed).find((object): object is Service => object instanceof Service)!;
    expect(rendered.spec!.ports).toEqual([{ name: 'http', port: PLEX_PORT, targetPort: PLEX_PORT, protocol: 'TCP' }]);
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
  it('resources merge: a limit changes, the rest stays', () => {
    const resources = app(buildPlex(seed, { resources: { limits: { memory: '8Gi' } } }).values).resources;
    expect(resources).toEqual({ requests: PLEX_DEFAULTS.resources.requests, limits: { memory: '8Gi' } });
    expect(app(buildPlex(seed).values).resources).toEqual(PLEX_DEFAULTS.resources);
  });

  it('extra env is added, a default env dropped with null', () => {
    const env = app(buildPlex(seed, { env: { PLEX_CLAIM: 'claim-x', VERSION: null } }).values).env!;
    expect(env['PLEX_CLAIM']).toBe('claim-x');
    expect(env).not.toHaveProperty('VERSION');
    expect(env['TZ']).toBe(seed.workloads.timezone);
  });

  it('settings merge leaves the defaults untouched', () => {
    const before = JSON.stringify(PLEX_DEFAULTS);
    expect(plexSettings({ resources: { requests: { cpu: '1' } } }).resources.requests).toEqual({ ...PLEX_DEFAULTS.resources.requests, cpu: '1' });
    expect(JSON.stringify(PLEX_DEFAULTS)).toBe(before);
  });

  it('a values patch in homelab.yaml style still passes the chart schema', () => {
    if (!validator) return;
    const values = merge(buildPlex(seed).values as Record<string, unknown>, { controllers: { main: { containers: { app: { resources: { limits: { memory: '6Gi' } } } } } } });
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
  const component = buildPlex(configVariant(() => {}));

  it('calls no app, only the internet', () => {
    expect(component.network?.connectsTo).toBeUndefined();
    expect(component.network?.internetEgress).toBe(true);
  });

  it('declares the container ports of its LoadBalancer Service as LAN ports (app-template derives them)', () => {
    const services = component.values.service;
    const lan = Object.values(services).filter((service) => service.type === 'LoadBalancer').flatMap((service) => Object.values(service.ports).map((port) => port.port));
    expect((component.network?.lanPorts ?? []).map((port) => port.port).sort()).toEqual(lan.sort());
  });
});

import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { merge, type Component } from '@homelab/core';
import { appTemplateValidator } from '@homelab/testing';
import { Container } from 'kubernetes-models/v1/Container';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { PodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import { Service } from 'kubernetes-models/v1/Service';
import { appComponent, appResourceNames, appTemplateValues, workloadDefaults, type AppTemplateValues } from './app-template.js';
import { APP_TEMPLATE_DEFAULTS } from './defaults.js';
import type { AppDescription } from './description.js';
import { APP_TEMPLATE_CHART } from './versions.js';
import * as api from './index.js';
import { CONFIG_CLASS, FIXTURES, MEDIA_CLAIM, arrApp, configWith, mediaServerApp, secretEnvApp, seedConfig, seedData, torrentApp } from './fixtures.test.js';

const validator = appTemplateValidator();
const SOURCE = '@homelab/test-app';
const fixtures = Object.entries(FIXTURES).map(([name, build]) => [name, build()] as const);

/**
 * Resource names as app-template 4.6.2 computes them, written from the chart's templates (not from
 * this package): `bjw-s.common.lib.chart.names.fullname` and
 * `bjw-s.common.lib.determineResourceNameFromValues`, fed the item count of enabled Services, or of
 * enabled chart-managed claims (persistentVolumeClaim without existingClaim) for PVCs.
 */
function chartResourceNames(values: Record<string, any>, kind: 'service' | 'pvc', releaseName = 'release'): Record<string, string> {
  const chartName = values['global']?.nameOverride ?? 'app-template';
  const fullname = (values['global']?.fullnameOverride ?? (releaseName.includes(chartName) ? releaseName : `${releaseName}-${chartName}`)).slice(0, 63).replace(/-$/, '');
  const items = Object.entries<Record<string, any>>(kind === 'service' ? values['service'] ?? {} : values['persistence'] ?? {}).filter(
    ([, item]) =>
      item['enabled'] !== false && (kind === 'service' || ((item['type'] ?? 'persistentVolumeClaim') === 'persistentVolumeClaim' && !item['existingClaim'])),
  );
  const always = values['global']?.alwaysAppendIdentifierToResourceName === true;
  const names: Record<string, string> = {};
  for (const [id, item] of items) {
    let name: string = fullname;
    if (item['forceRename']) {
      name = item['forceRename'];
    } else {
      if (item['prefix'] && item['prefix'] !== name) name = `${item['prefix']}-${name}`;
      if ((items.length > 1 || always) && !name.endsWith(`-${id}`) && name !== id) name = `${name}-${id}`;
      if (item['suffix'] && !name.endsWith(`-${item['suffix']}`)) name = `${name}-${item['suffix']}`;
    }
    names[id] = name.toLowerCase();
  }
  return names;
}

/** The main container as app-template renders it (name, image, env list, ports from Services, mounts), for schema checks. */
function renderedContainer(values: AppTemplateValues): Container {
  const app = values.controllers['main']!.containers['app']!;
  const image = `${app.image.repository}:${app.image.tag}${app.image.digest ? `@${app.image.digest}` : ''}`;
  const env = Object.entries(app.env ?? {}).map(([name, value]) => (typeof value === 'string' ? { name, value } : { name, valueFrom: value.valueFrom }));
  const ports = Object.values(values.service).flatMap((service) =>
    Object.entries(service.ports).map(([name, port]) => ({ name, containerPort: port.port, protocol: port.protocol === 'UDP' ? ('UDP' as const) : ('TCP' as const) })),
  );
  const volumeMounts = Object.entries(values.persistence).flatMap(([name, item]) => item.globalMounts.map((mount) => ({ name, mountPath: mount.path, readOnly: mount.readOnly, ...(mount.subPath ? { subPath: mount.subPath } : {}) })));
  const probes = Object.fromEntries(Object.entries(app.probes ?? {}).map(([kind, probe]) => [`${kind}Probe`, probe.spec]));
  return new Container({ name: 'app', image, env, ports, volumeMounts, ...probes, ...(app.resources ? { resources: app.resources } : {}), securityContext: app.securityContext });
}

describe.skipIf(!validator)(`conformance with app-template ${APP_TEMPLATE_CHART.version} (common library schema)`, () => {
  it.each(fixtures)('%s: values pass the real schema', (_, desc) => {
    expect(validator!(appTemplateValues(desc))).toEqual([]);
  });

  it('would catch a misspelt key, a wrong type and a missing required field (the oracle is not vacuous)', () => {
    const values = appTemplateValues(arrApp()) as Record<string, any>;
    const misspelt = merge(values, { controllers: { main: { containers: { app: { probes: { liveness: { enable: true } } } } } } });
    expect(validator!(misspelt).join('\n')).toContain("must NOT have additional properties 'enable'");
    expect(validator!(merge(values, { service: { main: { type: 'NodePorts' } } })).join('\n')).toContain('/service/main/type: must be equal to one of the allowed values');
    expect(validator!(merge(values, { persistence: { config: { size: null } } })).join('\n')).toContain("must have required property 'size'");
    expect(validator!({ ...values, services: {} })).toContain("services: not a key of the common library's values.yaml");
  });

  it('emits no route or ingress values: routes derive centrally from exposes', () => {
    for (const [, desc] of fixtures) expect(Object.keys(appTemplateValues(desc)).sort()).toEqual(['controllers', 'global', 'persistence', 'service']);
  });
});

describe('Kubernetes objects the values become', () => {
  it.each(fixtures)('%s: container, pod security context, Services and claims validate', (_, desc) => {
    const values = appTemplateValues(desc);
    expect(() => renderedContainer(values).validate()).not.toThrow();
    expect(() => new PodSecurityContext(values.controllers['main']!.pod.securityContext).validate()).not.toThrow();
    const serviceNames = chartResourceNames(values, 'service', desc.name);
    for (const [key, service] of Object.entries(values.service)) {
      const object = new Service({
        metadata: { name: serviceNames[key]!, namespace: desc.namespace, ...(service.annotations ? { annotations: service.annotations } : {}) },
        spec: {
          type: service.type,
          ports: Object.entries(service.ports).map(([name, port]) => ({ name, port: port.port, targetPort: port.port, protocol: port.protocol === 'UDP' ? 'UDP' : 'TCP' })),
        },
      });
      expect(() => object.validate()).not.toThrow();
    }
    const claimNames = chartResourceNames(values, 'pvc', desc.name);
    for (const [key, item] of Object.entries(values.persistence)) {
      if (item.type !== 'persistentVolumeClaim' || !('size' in item)) continue;
      const claim = new PersistentVolumeClaim({
        metadata: { name: claimNames[key]!, namespace: desc.namespace },
        spec: { accessModes: [item.accessMode], storageClassName: item.storageClass, resources: { requests: { storage: item.size } } },
      });
      expect(() => claim.validate()).not.toThrow();
    }
  });

  it('the container check is not vacuous: a wrongly typed field fails it', () => {
    const values = appTemplateValues(arrApp());
    const broken = merge(values as Record<string, any>, { controllers: { main: { containers: { app: { securityContext: { readOnlyRootFilesystem: 'yes' } } } } } });
    expect(() => renderedContainer(broken as AppTemplateValues).validate()).toThrow();
  });
});

describe('names: exposures point at the Services app-template creates', () => {
  it.each(fixtures)('%s: every exposure names the chart-computed Service that owns its port, at the port number', (_, desc) => {
    const component = appComponent(desc, { source: SOURCE });
    const chartNames = chartResourceNames(component.values, 'service', component.chart.releaseName ?? component.name);
    expect(component.exposes).toHaveLength(Object.keys(desc.exposes ?? {}).length);
    for (const exposure of component.exposes) {
      const owner = Object.entries(component.values.service).find(([key]) => chartNames[key] === exposure.service.name);
      expect(owner, `${exposure.service.name} is not a Service of the chart (${Object.values(chartNames).join(', ')})`).toBeDefined();
      expect(Object.values(owner![1].ports).map((port) => port.port)).toContain(exposure.service.port);
      expect(exposure.service.namespace).toBe(desc.namespace);
    }
  });

  it('the main Service and Deployment are named like the app; other Services and new claims get their key', () => {
    const desc = torrentApp();
    const values = appTemplateValues(desc);
    expect(chartResourceNames(values, 'service', desc.name)).toEqual({ main: 'qbittorrent', bittorrent: 'qbittorrent-bittorrent' });
    expect(chartResourceNames(values, 'pvc', desc.name)).toEqual({ config: 'qbittorrent-config' });
    expect(appResourceNames(desc)).toEqual({
      release: 'qbittorrent',
      deployment: 'qbittorrent',
      services: { main: 'qbittorrent', bittorrent: 'qbittorrent-bittorrent' },
      claims: { config: 'qbittorrent-config', downloads: MEDIA_CLAIM },
    });
  });

  it('names stay put when a second Service or claim is added (the chart alone would rename the first)', () => {
    const one = { ...arrApp(), persistence: { config: arrApp().persistence!['config']! }, probes: {} };
    const two: AppDescription = {
      ...one,
      ports: { ...one.ports, metrics: { port: 9707 } },
      services: { main: { ports: ['http'] }, metrics: { ports: ['metrics'] } },
      persistence: { ...one.persistence, backup: { type: 'claim', mountPath: '/backup', storageClass: CONFIG_CLASS, size: '1Gi' } },
    };
    const before = appTemplateValues(one);
    const after = appTemplateValues(two);
    expect(chartResourceNames(after, 'service', 'sonarr')['main']).toBe(chartResourceNames(before, 'service', 'sonarr')['main']);
    expect(chartResourceNames(after, 'pvc', 'sonarr')['config']).toBe(chartResourceNames(before, 'pvc', 'sonarr')['config']);
    // without our forceRename/suffix the chart would have renamed both
    const bare = merge(after as Record<string, any>, { service: { main: { forceRename: null } }, persistence: { config: { suffix: null } } });
    expect(chartResourceNames(bare, 'service', 'sonarr')['main']).toBe('sonarr-main');
    expect(chartResourceNames(bare, 'pvc', 'sonarr')['config']).toBe('sonarr-config');
    expect(chartResourceNames(merge(before as Record<string, any>, { persistence: { config: { suffix: null } } }), 'pvc', 'sonarr')['config']).toBe('sonarr');
  });

  it('sets the release full name, so names do not depend on the chart name', () => {
    expect(appTemplateValues(arrApp()).global).toEqual({ fullnameOverride: 'sonarr' });
  });
});

describe('values', () => {
  it('one deployment controller with the pinned image, env and secret refs', () => {
    const desc = secretEnvApp();
    const values = appTemplateValues(desc);
    const controller = values.controllers['main']!;
    expect(controller.type).toBe('deployment');
    expect(controller.containers['app']!.image).toEqual(desc.image);
    expect(controller.containers['app']!.env).toEqual({
      ...desc.env,
      UN_SONARR_0_API_KEY: { valueFrom: { secretKeyRef: { name: 'sonarr-api', key: 'api-key' } } },
      UN_RADARR_0_API_KEY: { valueFrom: { secretKeyRef: { name: 'radarr-api', key: 'api-key' } } },
      UN_WEBHOOK_0_TOKEN: { valueFrom: { secretKeyRef: { name: 'unpackerr', key: 'webhook-token' } } },
    });
    expect(values.service).toEqual({});
    expect(values.persistence).toEqual({});
  });

  it('probes use app-template\'s custom spec format, on the port number, with startup timing defaults', () => {
    const desc = arrApp();
    const probes = appTemplateValues(desc).controllers['main']!.containers['app']!.probes!;
    const port = desc.ports['http']!.port;
    expect(probes.liveness).toEqual({ enabled: true, custom: true, spec: { httpGet: { path: '/ping', port } } });
    expect(probes.readiness).toEqual({ enabled: true, custom: true, spec: { httpGet: { path: '/ping', port }, periodSeconds: 5 } });
    expect(probes.startup).toEqual({ enabled: true, custom: true, spec: { tcpSocket: { port }, ...APP_TEMPLATE_DEFAULTS.startupProbe } });
  });

  it('a probe without a port uses the only HTTP port, also when the app has other TCP ports', () => {
    const desc: AppDescription = { ...arrApp(), ports: { ...arrApp().ports, metrics: { port: 9707 } } };
    const probes = appTemplateValues(desc).controllers['main']!.containers['app']!.probes!;
    expect(probes.startup!.spec.tcpSocket).toEqual({ port: desc.ports['http']!.port });
    const tcpOnly = { ...arrApp(), ports: { db: { port: 5432 } }, probes: { liveness: { type: 'tcp' as const } }, exposes: {} };
    expect(appTemplateValues(tcpOnly).controllers['main']!.containers['app']!.probes!.liveness!.spec.tcpSocket).toEqual({ port: 5432 });
  });

  it('volumes: a new claim with class, mode and size; the existing claim by name; read-only and subPath mounts', () => {
    const plex = appTemplateValues(mediaServerApp()).persistence;
    expect(plex['config']).toEqual({
      type: 'persistentVolumeClaim',
      suffix: 'config',
      storageClass: CONFIG_CLASS,
      accessMode: APP_TEMPLATE_DEFAULTS.claimAccessMode,
      size: '20Gi',
      retain: true,
      globalMounts: [{ path: '/config', readOnly: false }],
    });
    expect(plex['media']).toEqual({ type: 'persistentVolumeClaim', existingClaim: MEDIA_CLAIM, globalMounts: [{ path: '/data', readOnly: true }] });
    expect(plex['transcode']).toEqual({ type: 'emptyDir', medium: 'Memory', sizeLimit: '4Gi', globalMounts: [{ path: '/transcode', readOnly: false }] });
    expect(appTemplateValues(torrentApp()).persistence['downloads']!.globalMounts).toEqual([{ path: '/data/downloads', readOnly: false, subPath: 'downloads' }]);
  });

  it('strategy: Recreate with a single-writer claim, RollingUpdate without', () => {
    const strategy = (desc: AppDescription) => appTemplateValues(desc).controllers['main']!.strategy;
    const base = arrApp();
    expect(strategy(base)).toBe('Recreate');
    expect(strategy({ ...base, persistence: { tmp: base.persistence!['tmp']! } })).toBe('RollingUpdate');
    expect(strategy({ ...base, persistence: { shared: { type: 'claim', mountPath: '/shared', storageClass: CONFIG_CLASS, size: '1Gi', accessMode: 'ReadWriteMany' } } })).toBe('RollingUpdate');
    expect(strategy({ ...base, persistence: { media: { type: 'existingClaim', claim: MEDIA_CLAIM, mountPath: '/data' } } })).toBe('Recreate');
    expect(strategy({ ...base, persistence: { media: { type: 'existingClaim', claim: MEDIA_CLAIM, mountPath: '/data', readOnly: true } } })).toBe('RollingUpdate');
  });

  it('LoadBalancer Service: TCP and UDP ports, the fixed address through the Cilium LB-IPAM annotation', () => {
    const desc = torrentApp();
    const service = appTemplateValues(desc).service;
    expect(service['bittorrent']).toEqual({
      controller: 'main',
      type: 'LoadBalancer',
      suffix: 'bittorrent',
      annotations: { 'lbipam.cilium.io/ips': desc.services!['bittorrent']!.loadBalancerIP },
      ports: { 'bt-tcp': { port: 50413, protocol: 'TCP' }, 'bt-udp': { port: 50413, protocol: 'UDP' } },
    });
    expect(service['main']).toEqual({ controller: 'main', type: 'ClusterIP', forceRename: 'qbittorrent', ports: { http: { port: 8080, protocol: 'HTTP' } } });
  });

  it('network: declares the container ports of LoadBalancer Services as LAN ports, and passes the app\'s own declaration through', () => {
    const desc = torrentApp();
    const lbPorts = Object.values(desc.services!).filter((service) => service.type === 'LoadBalancer').flatMap((service) => service.ports.map((name) => ({ port: desc.ports[name]!.port, protocol: desc.ports[name]!.protocol ?? 'TCP' })));
    expect(lbPorts.length).toBeGreaterThan(0);
    const plain = appComponent(desc, { source: '@homelab/qbittorrent' });
    expect(plain.network).toEqual({ lanPorts: lbPorts });
    const declared = appComponent({ ...desc, network: { connectsTo: ['prowlarr'], internetEgress: true } }, { source: '@homelab/qbittorrent' });
    expect(declared.network).toEqual({ connectsTo: ['prowlarr'], internetEgress: true, lanPorts: lbPorts });
    // No LoadBalancer and no declaration: nothing to declare.
    expect(appComponent(arrApp(), { source: '@homelab/sonarr' }).network).toBeUndefined();
  });

  it('without services: one ClusterIP main Service with every port', () => {
    const service = appTemplateValues(arrApp()).service;
    expect(Object.keys(service)).toEqual([APP_TEMPLATE_DEFAULTS.mainService]);
    expect(service['main']!.type).toBe(APP_TEMPLATE_DEFAULTS.serviceType);
    expect(Object.keys(service['main']!.ports)).toEqual(Object.keys(arrApp().ports));
  });

  it('secure defaults: non-root, read-only root, no escalation, ALL capabilities dropped, no API token', () => {
    const controller = appTemplateValues(arrApp()).controllers['main']!;
    const defaults = APP_TEMPLATE_DEFAULTS.securityContext;
    expect(controller.pod.automountServiceAccountToken).toBe(false);
    expect(controller.pod.securityContext).toMatchObject({ runAsNonRoot: defaults.runAsNonRoot, seccompProfile: { type: defaults.seccompProfile }, fsGroupChangePolicy: defaults.fsGroupChangePolicy });
    expect(controller.containers['app']!.securityContext).toEqual({
      allowPrivilegeEscalation: defaults.allowPrivilegeEscalation,
      readOnlyRootFilesystem: defaults.readOnlyRootFilesystem,
      privileged: defaults.privileged,
      capabilities: defaults.capabilities,
    });
  });

  it('a description loosens security field by field; lists replace', () => {
    const desc = { ...arrApp(), securityContext: { runAsNonRoot: false, readOnlyRootFilesystem: false, capabilities: { add: ['CHOWN', 'SETUID', 'SETGID'] } } };
    const controller = appTemplateValues(desc).controllers['main']!;
    expect(controller.pod.securityContext.runAsNonRoot).toBe(false);
    expect(controller.containers['app']!.securityContext).toMatchObject({ readOnlyRootFilesystem: false, allowPrivilegeEscalation: false, capabilities: { add: ['CHOWN', 'SETUID', 'SETGID'], drop: ['ALL'] } });
  });

  it('is pure and deterministic: the description is not modified and the output repeats', () => {
    const desc = torrentApp();
    const before = JSON.stringify(desc);
    expect(JSON.stringify(appTemplateValues(desc))).toBe(JSON.stringify(appTemplateValues(desc)));
    expect(JSON.stringify(desc)).toBe(before);
  });
});

describe('merge() overrides on the values', () => {
  const patch = { controllers: { main: { containers: { app: { resources: { limits: { memory: '2Gi', cpu: '2' } } } } } } };

  it('changes resources by patch and leaves the rest', () => {
    const values = appTemplateValues(arrApp());
    const patched = merge(values, patch);
    expect(patched.controllers['main']!.containers['app']!.resources).toEqual({ requests: { cpu: '50m', memory: '256Mi' }, limits: { memory: '2Gi', cpu: '2' } });
    expect(patched.controllers['main']!.containers['app']!.image).toEqual(values.controllers['main']!.containers['app']!.image);
    if (validator) expect(validator(patched)).toEqual([]);
  });

  it('appComponent applies a values patch (null deletes: here a probe)', () => {
    const values = { controllers: { main: { containers: { app: { resources: patch.controllers.main.containers.app.resources, probes: { liveness: null } } } } } };
    const component = appComponent(arrApp(), { source: SOURCE, values });
    const app = component.values.controllers['main']!.containers['app']!;
    expect(app.resources?.limits).toEqual({ memory: '2Gi', cpu: '2' });
    expect(Object.keys(app.probes!)).toEqual(['readiness', 'startup']);
  });

  it('a homelab.yaml-style values patch adds a chart feature the description does not model', () => {
    const values = merge(appTemplateValues(arrApp()) as Record<string, unknown>, { controllers: { main: { pod: { nodeSelector: { 'kubernetes.io/arch': 'amd64' } } } } });
    if (validator) expect(validator(values)).toEqual([]);
  });
});

describe('appComponent', () => {
  it('is a complete Component: group, namespace, wave, source, pinned chart, values, podSecurity', () => {
    const desc = arrApp();
    const component: Component = appComponent(desc, { source: SOURCE });
    expect(component).toMatchObject({
      name: desc.name,
      group: APP_TEMPLATE_DEFAULTS.group,
      namespace: desc.namespace,
      syncWave: APP_TEMPLATE_DEFAULTS.syncWave,
      source: SOURCE,
      description: desc.description,
      chart: APP_TEMPLATE_CHART,
      podSecurity: APP_TEMPLATE_DEFAULTS.podSecurity,
    });
    expect(component.values).toEqual(appTemplateValues(desc));
    expect(component.chart).toEqual({ repo: 'https://bjw-s-labs.github.io/helm-charts', name: 'app-template', version: '4.6.2' });
  });

  it('honours group, wave and privileged when asked', () => {
    const component = appComponent({ ...arrApp(), group: 'observability', syncWave: 3, podSecurity: 'privileged', securityContext: { privileged: true } }, { source: SOURCE });
    expect(component).toMatchObject({ group: 'observability', syncWave: 3, podSecurity: 'privileged' });
  });

  it('derives exposures: host, access, sso, Service name and port, sorted by key', () => {
    const desc = mediaServerApp();
    expect(appComponent(desc, { source: SOURCE }).exposes).toEqual([
      { host: `plex.${seedConfig.domains.public}`, access: 'public', service: { name: 'plex', namespace: 'media', port: 32400 }, sso: 'none' },
      { host: 'plex', access: 'tailnet', service: { name: 'plex', namespace: 'media', port: 32400 }, sso: 'none' },
    ]);
    const torrent = appComponent(torrentApp(), { source: SOURCE }).exposes;
    expect(torrent.map((exposure) => exposure.service)).toEqual([{ name: 'qbittorrent', namespace: 'media', port: 8080 }]);
  });

  it('declares every Secret the environment reads (keys, never values), with descriptions', () => {
    const desc = secretEnvApp();
    const secrets = appComponent(desc, { source: SOURCE }).secrets!;
    expect(secrets.map((secret) => [secret.name, secret.namespace, secret.keys])).toEqual([
      ['radarr-api', 'media', ['api-key']],
      ['sonarr-api', 'media', ['api-key']],
      ['unpackerr', 'media', ['webhook-token']],
    ]);
    expect(secrets[1]!.description).toBe(desc.secretDescriptions!['sonarr-api']);
    expect(secrets[2]!.description).toBe('Read by unpackerr as environment variables: UN_WEBHOOK_0_TOKEN (key webhook-token).');
    expect(appComponent(arrApp(), { source: SOURCE }).secrets).toBeUndefined();
  });

  it('follows the config (late binding): domain, LoadBalancer pool, user ids and time zone', () => {
    const config = configWith((data) => {
      data.domains = { public: 'example.org', internal: 'lan.example.org' };
      data.network.ranges.loadBalancer = { start: data.network.ranges.loadBalancer.start, end: '192.168.30.70' };
      data.workloads = { timezone: 'America/New_York', puid: 2000, pgid: 2001 };
    });
    const sonarr = appComponent(arrApp(config), { source: SOURCE });
    expect(sonarr.exposes[0]!.host).toBe(`sonarr.${config.domains.internal}`);
    expect(sonarr.values.controllers['main']!.pod.securityContext).toMatchObject({ runAsUser: config.workloads.puid, runAsGroup: config.workloads.pgid, fsGroup: config.workloads.pgid });
    expect(sonarr.values.controllers['main']!.containers['app']!.env!['TZ']).toBe(config.workloads.timezone);
    const torrent = appComponent(torrentApp(config), { source: SOURCE });
    expect(torrent.values.service['bittorrent']!.annotations).toEqual({ 'lbipam.cilium.io/ips': config.network.ranges.loadBalancer.end });
    expect(torrent.values.service['bittorrent']!.annotations).not.toEqual(appComponent(torrentApp(), { source: SOURCE }).values.service['bittorrent']!.annotations);
  });

  it('workloadDefaults reads homelab.yaml workloads', () => {
    expect(workloadDefaults(seedConfig)).toEqual({
      env: { TZ: seedConfig.workloads.timezone },
      securityContext: { runAsUser: seedConfig.workloads.puid, runAsGroup: seedConfig.workloads.pgid, fsGroup: seedConfig.workloads.pgid },
    });
  });

  it('rejects a source that is not a package name', () => {
    expect(() => appComponent(arrApp(), { source: '' })).toThrow("app-template: source is not an npm package name (sonarr.source: ''). Pass the app package's name, e.g. '@homelab/sonarr'.");
  });
});

describe('invalid descriptions fail with clear errors', () => {
  const fails = (desc: AppDescription) => () => appTemplateValues(desc);
  const arr = arrApp();

  it.each<[string, AppDescription, string]>([
    ['an unpinned image', { ...arr, image: { repository: 'ghcr.io/home-operations/sonarr', tag: 'latest' } },
      "app-template: image tag 'latest' is not pinned (sonarr.image.tag: 'latest'). Pin a release tag (e.g. 4.0.14) in the app package's versions.ts, where Renovate updates it."],
    ['a tag inside the repository', { ...arr, image: { repository: 'ghcr.io/home-operations/sonarr:4', tag: '4.0.14' } },
      "app-template: image repository carries a tag or digest (sonarr.image.repository: 'ghcr.io/home-operations/sonarr:4'). Put the tag in image.tag and the digest in image.digest."],
    ['a bad app name', { ...arr, name: 'Sonarr' },
      "app-template: app name is not a DNS label starting with a letter (name: 'Sonarr'). Use lowercase letters, digits and -, starting with a letter (it names the release, Deployment and Services)."],
    ['a port name Kubernetes rejects', { ...arr, ports: { 'web-interface-http': { port: 8989, http: true } }, exposes: {}, probes: {} },
      "app-template: port name is not a valid port name (sonarr.ports.web-interface-http: 'web-interface-http'). Use at most 15 lowercase letters, digits and single hyphens, with at least one letter (e.g. http, bt-udp)."],
    ['an exposure of a port no Service serves', { ...arr, probes: {}, ports: { ...arr.ports, metrics: { port: 9707, http: true } }, services: { main: { ports: ['http'] } }, exposes: { m: { access: 'internal', host: 'metrics.example.com', port: 'metrics', sso: 'none' } } },
      "app-template: exposed port belongs to no Service (sonarr.exposes.m.port: 'metrics'). Add the port to one of services."],
    ['an internal exposure of a non-HTTP port', { ...arr, ports: { http: { port: 8989 } }, probes: {}, exposes: { web: { ...arr.exposes!['web']!, port: 'http' } } },
      "app-template: an internal exposure needs an HTTP port (sonarr.exposes.web.port: 'http'). Mark ports.http with http: true, or reach a non-HTTP port through a LoadBalancer service or the tailnet."],
    ['an unqualified public host', { ...arr, exposes: { web: { access: 'public', host: 'sonarr', port: 'http', sso: 'proxy' } } },
      "app-template: an public host must be fully qualified (sonarr.exposes.web.host: 'sonarr'). Qualify it with its domain (qualifyHost() from @homelab/config does), e.g. 'app.example.com'."],
    ['a fixed address on a ClusterIP Service', { ...arr, services: { main: { ports: ['http'], loadBalancerIP: '192.0.2.10' } } },
      "app-template: loadBalancerIP needs a LoadBalancer service (sonarr.services.main.loadBalancerIP: '192.0.2.10'). Set type: 'LoadBalancer', or drop the address."],
    ['a port in two Services', { ...arr, services: { main: { ports: ['http'] }, lan: { type: 'LoadBalancer', ports: ['http'] } } },
      "app-template: port is already served by services.main (sonarr.services.lan.ports: 'http'). A port belongs to one Service (the chart names container ports after service ports, and names are unique); declare a second port."],
    ['an ambiguous probe port', { ...arr, ports: { ...arr.ports, api: { port: 9000, http: true } }, probes: { liveness: { type: 'http', path: '/ping' } } },
      "app-template: probe port is ambiguous: the app has 2 'http: true' ports (sonarr.probes.liveness.port: 'undefined'). Name the port to probe."],
    ['a new claim without storage class', { ...arr, persistence: { config: { type: 'claim', mountPath: '/config', size: '1Gi' } as never } },
      "app-template: a new claim needs a storage class (sonarr.persistence.config.storageClass: 'undefined'). Name the StorageClass (take it from the package that provides it, e.g. @homelab/nfs-csi STORAGE_CLASSES)."],
    ['two volumes at one path', { ...arr, persistence: { ...arr.persistence, cache: { type: 'emptyDir', mountPath: '/config/' } } },
      "app-template: mount path is already used by persistence.config (sonarr.persistence.cache.mountPath: '/config/'). Mount each volume at its own path."],
    ['a capability beyond baseline', { ...arr, securityContext: { capabilities: { add: ['NET_ADMIN'] } } },
      "app-template: capabilities beyond the baseline set need podSecurity: 'privileged' (sonarr.securityContext.capabilities.add: 'NET_ADMIN'). Drop them, or set podSecurity: 'privileged'."],
    ['root with runAsNonRoot', { ...arr, securityContext: { runAsUser: 0 } },
      "app-template: runAsUser 0 (root) contradicts runAsNonRoot (sonarr.securityContext.runAsUser: '0'). Run as a non-root user (e.g. workloads.puid), or set runAsNonRoot: false for an image that must start as root."],
    ['a non-quantity resource', { ...arr, resources: { limits: { memory: '1 GB' } } },
      "app-template: is not a Kubernetes quantity (sonarr.resources.limits.memory: '1 GB'). Write it as a string such as '500m', '1', '512Mi' or '2Gi'."],
    ['a variable set twice', { ...arr, envFromSecrets: { TZ: { secret: 'tz', key: 'tz' } } },
      "app-template: environment variable is set both plainly and from a Secret (sonarr.envFromSecrets.TZ: 'TZ'). Remove it from env or from envFromSecrets."],
  ])('%s', (_, desc, message) => {
    expect(fails(desc)).toThrow(message);
    expect(() => appTemplateValues(desc)).toThrow(new Error(message));
  });

  it('restricted namespaces get the restricted checks', () => {
    expect(fails({ ...arr, podSecurity: 'restricted', securityContext: { ...arr.securityContext, allowPrivilegeEscalation: true } })).toThrow(
      "app-template: the 'restricted' level forbids privilege escalation (sonarr.securityContext.allowPrivilegeEscalation: 'true'). Keep the secure default, or ask for podSecurity: 'baseline'.",
    );
    expect(() => appTemplateValues({ ...arr, podSecurity: 'restricted' })).not.toThrow();
  });

  it('reports every problem at once, one line each', () => {
    const broken = { ...arr, image: { repository: arr.image.repository, tag: 'latest' }, namespace: 'Media', resources: { requests: { cpu: 'lots' } } };
    const lines = (() => {
      try {
        appTemplateValues(broken);
        return [];
      } catch (error) {
        return (error as Error).message.split('\n');
      }
    })();
    expect(lines).toHaveLength(3);
    expect(lines.every((line) => /^app-template: .+ \(sonarr\.[^:]+: '.*'\)\. .+$/.test(line))).toBe(true);
  });

  it('all four fixtures are valid (the failures above come from the one change each makes)', () => {
    for (const [, desc] of fixtures) expect(() => appComponent(desc, { source: SOURCE })).not.toThrow();
  });
});

describe('package surface and hygiene', () => {
  it('exports a small, fixed surface', () => {
    expect(Object.keys(api).sort()).toEqual(['APP_TEMPLATE_CHART', 'APP_TEMPLATE_DEFAULTS', 'LINUXSERVER_CAPABILITIES', 'appComponent', 'appReach', 'appResourceNames', 'appTemplateValues', 'internalLinuxserverApp', 'lanServiceWhenAddressed', 'linuxserverContainer', 'linuxserverSecurityContext', 'loadBalancerService', 'workloadDefaults']);
  });

  it('holds no homelab literal: no domain, address, path or URL of homelab.yaml appears in src', () => {
    const literals = new Set<string>();
    const walk = (value: unknown): void => {
      if (typeof value === 'string' && value.length > 4 && /[./]/.test(value)) literals.add(value);
      else if (value && typeof value === 'object') Object.values(value).forEach(walk);
    };
    walk(seedData);
    expect(literals.size).toBeGreaterThan(10);
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const sources = readdirSync(dir).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
    expect(sources.length).toBeGreaterThan(3);
    for (const file of sources) {
      const text = readFileSync(`${dir}/${file}`, 'utf8');
      for (const literal of literals) expect(text.includes(literal), `${file} contains '${literal}' from homelab.yaml`).toBe(false);
    }
  });
});

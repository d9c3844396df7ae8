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
import { buildQbittorrent, QBITTORRENT_DEFAULTS, QBITTORRENT_IMAGE, QBITTORRENT_WEB_PORT, qbittorrentModule } from './index.js';
import { qbittorrentDescription, qbittorrentSettings } from './qbittorrent.js';

const LB_ANNOTATION = 'lbipam.cilium.io/ips';
const validator = appTemplateValidator();
/** The seed without fixed LoadBalancer IPs (Cilium picks them); tests that need one add it. */
const seed = configVariant((data) => {
  data.apps = {};
});
const app = (values: AppTemplateValues) => values.controllers['main']!.containers['app']!;
/** An address of the seed's LoadBalancer pool other than the internal gateway's. */
const poolAddress = (config: ResolvedConfig) => formatIpv4(parseIpv4(config.network.ranges.loadBalancer.end) - 1);
const withAddress = configVariant((data) => {
  data.apps = { ...data.apps, qbittorrent: { loadBalancerIP: poolAddress(seed) } };
});

/** The objects app-template renders from the values (names from app-template's naming rules), for schema checks. */
function renderedObjects(config: ResolvedConfig) {
  const component = buildQbittorrent(config);
  const values = component.values;
  const names = appResourceNames(qbittorrentDescription(config));
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
  return { services, claims, objects: [...services, ...claims, rendered, new PodSecurityContext(values.controllers['main']!.pod.securityContext)] };
}

describe.skipIf(!validator)(`values conform to app-template ${APP_TEMPLATE_CHART.version}`, () => {
  it.each([
    ['seed config', () => buildQbittorrent(seed)],
    ['fixed LoadBalancer address', () => buildQbittorrent(withAddress)],
    ['overrides', () => buildQbittorrent(seed, { torrentPort: 51413, resources: { limits: { cpu: '2' } }, env: { UMASK: null, DOCKER_MODS: 'x' } })],
  ])('%s: pass the real chart schema', (_, build) => {
    expect(validator!(build().values)).toEqual([]);
  });
});

describe('Kubernetes objects', () => {
  it.each([
    ['seed config', seed],
    ['fixed LoadBalancer address', withAddress],
  ])('%s: Services, claim, container and pod security context validate', (_, config) => {
    const { objects } = renderedObjects(config);
    expect(objects.length).toBe(5);
    for (const object of objects) expect(() => object.validate()).not.toThrow();
  });
});

describe('component', () => {
  it('an app in the media namespace, group apps, wave 0, baseline Pod Security, the pinned chart and image', () => {
    const component = buildQbittorrent(seed);
    expect(component).toMatchObject({ name: 'qbittorrent', namespace: MEDIA_CLAIM.namespace, group: 'apps', syncWave: 0, podSecurity: 'baseline', source: '@homelab/qbittorrent', chart: APP_TEMPLATE_CHART });
    expect(app(component.values).image).toEqual({ repository: 'lscr.io/linuxserver/qbittorrent', tag: QBITTORRENT_IMAGE.tag });
    expect(QBITTORRENT_IMAGE.tag).toMatch(/^\d+\.\d+\.\d+-r\d+-ls\d+$/);
  });

  it('the module registers as app qbittorrent and builds the component', () => {
    expect(qbittorrentModule).toMatchObject({ name: 'qbittorrent', kind: 'app' });
    expect(qbittorrentModule.build(seed)).toEqual(buildQbittorrent(seed));
  });

  it('linuxserver.io environment: TZ, PUID and PGID follow homelab.yaml workloads; ports from the settings', () => {
    const config = configVariant((data) => {
      data.workloads = { timezone: 'Europe/Paris', puid: 4001, pgid: 4002 };
    });
    expect(app(buildQbittorrent(config).values).env).toEqual({
      TZ: 'Europe/Paris',
      PUID: '4001',
      PGID: '4002',
      WEBUI_PORT: String(QBITTORRENT_WEB_PORT),
      TORRENTING_PORT: String(QBITTORRENT_DEFAULTS.torrentPort),
      UMASK: '002',
    });
  });

  it('starts as root for s6-overlay: not runAsNonRoot, no fixed user, writable root, the capabilities its init needs', () => {
    const values = buildQbittorrent(seed).values;
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

  it('TCP probes on the web UI port (the API refuses unauthenticated callers)', () => {
    const probes = app(buildQbittorrent(seed).values).probes!;
    expect(Object.keys(probes).sort()).toEqual(['liveness', 'readiness', 'startup']);
    for (const probe of Object.values(probes)) expect(probe.spec.tcpSocket).toEqual({ port: QBITTORRENT_WEB_PORT });
    expect(probes.startup!.spec).toMatchObject(APP_TEMPLATE_DEFAULTS.startupProbe);
  });
});

describe('storage', () => {
  it('the shared media claim at MEDIA_MOUNT_PATH, read-write; /config on its own claim; one pod at a time', () => {
    const values = buildQbittorrent(seed).values;
    expect(values.persistence['media']).toEqual({ type: 'persistentVolumeClaim', existingClaim: MEDIA_CLAIM.name, globalMounts: [{ path: MEDIA_MOUNT_PATH, readOnly: false }] });
    expect(values.persistence['config']).toMatchObject({ type: 'persistentVolumeClaim', storageClass: STORAGE_CLASSES.config, size: '2Gi', globalMounts: [{ path: '/config', readOnly: false }] });
    expect(values.controllers['main']!.strategy).toBe('Recreate');
  });

  it('the config size is a setting', () => {
    expect(buildQbittorrent(seed, { configSize: '4Gi' }).values.persistence['config']).toMatchObject({ size: '4Gi' });
  });
});

describe('reach follows homelab.yaml', () => {
  it('the web UI on the internal gateway behind the SSO proxy; nothing public', () => {
    const component = buildQbittorrent(seed);
    const service = { name: appResourceNames(qbittorrentDescription(seed)).services['main']!, namespace: MEDIA_CLAIM.namespace, port: QBITTORRENT_WEB_PORT };
    expect(service.name).toBe('qbittorrent');
    expect(component.exposes).toEqual([{ host: `qbittorrent.${seed.domains.internal}`, access: 'internal', service, sso: 'proxy' }]);
    expect(component.values.service['main']).toMatchObject({ type: 'ClusterIP', ports: { http: { port: QBITTORRENT_WEB_PORT, protocol: 'HTTP' } } });
  });

  it('the host changes with the internal domain', () => {
    const config = configVariant((data) => {
      data.domains = { public: 'example.org', internal: 'lan.example.org' };
    });
    expect(buildQbittorrent(config).exposes.map((exposure) => exposure.host)).toEqual(['qbittorrent.lan.example.org']);
  });

  it('apps.qbittorrent.expose turns exposures on and off; sso overrides the default', () => {
    const tailnet = configVariant((data) => {
      data.apps = { ...data.apps, qbittorrent: { expose: { internal: false, tailnet: 'torrents' }, sso: 'none' } };
    });
    expect(buildQbittorrent(tailnet).exposes).toEqual([
      { host: 'torrents', access: 'tailnet', service: { name: 'qbittorrent', namespace: MEDIA_CLAIM.namespace, port: QBITTORRENT_WEB_PORT }, sso: 'none' },
    ]);
    const publicToo = configVariant((data) => {
      data.apps = { ...data.apps, qbittorrent: { expose: { public: 'torrents' } } };
    });
    expect(buildQbittorrent(publicToo).exposes.map((exposure) => [exposure.access, exposure.host])).toEqual([
      ['internal', `qbittorrent.${publicToo.domains.internal}`],
      ['public', `torrents.${publicToo.domains.public}`],
    ]);
    const publicOff = configVariant((data) => {
      data.apps = { ...data.apps, qbittorrent: { expose: { public: false } } };
    });
    expect(buildQbittorrent(publicOff).exposes.map((exposure) => exposure.access)).toEqual(['internal']);
  });
});

describe('BitTorrent LoadBalancer', () => {
  it('TCP and UDP on the torrent port, on the qbittorrent-bittorrent LoadBalancer Service; Cilium picks the address by default', () => {
    const values = buildQbittorrent(seed).values;
    const port = QBITTORRENT_DEFAULTS.torrentPort;
    expect(values.service['bittorrent']).toEqual({ controller: 'main', type: 'LoadBalancer', suffix: 'bittorrent', ports: { 'bt-tcp': { port, protocol: 'TCP' }, 'bt-udp': { port, protocol: 'UDP' } } });
    const lb = renderedObjects(seed).services.find((service) => service.spec!.type === 'LoadBalancer')!;
    expect(lb.metadata!.name).toBe('qbittorrent-bittorrent');
    expect(lb.spec!.ports!.map((p) => [p.protocol, p.port])).toEqual([['TCP', port], ['UDP', port]]);
  });

  it('apps.qbittorrent.loadBalancerIP becomes the Cilium LB-IPAM annotation', () => {
    expect(withAddress.apps['qbittorrent']?.loadBalancerIP).toBe(poolAddress(seed));
    const values = buildQbittorrent(withAddress).values;
    expect(values.service['bittorrent']!.annotations).toEqual({ [LB_ANNOTATION]: withAddress.apps['qbittorrent']!.loadBalancerIP });
    expect(values.service['main']).not.toHaveProperty('annotations');
  });

  it('torrentPort sets the Service ports, the container ports and TORRENTING_PORT together', () => {
    const values = buildQbittorrent(seed, { torrentPort: 51413 }).values;
    expect(Object.values(values.service['bittorrent']!.ports).map((port) => port.port)).toEqual([51413, 51413]);
    expect(app(values).env!['TORRENTING_PORT']).toBe('51413');
  });

  it.each<[number, string]>([
    [80, "qbittorrent: torrentPort is not a port from 1024 to 65535 (torrentPort: '80'). Pick an unprivileged port such as 6881; the app does not run as root."],
    [70000, "qbittorrent: torrentPort is not a port from 1024 to 65535 (torrentPort: '70000'). Pick an unprivileged port such as 6881; the app does not run as root."],
    [QBITTORRENT_WEB_PORT, `qbittorrent: torrentPort is the web UI's port (torrentPort: '${QBITTORRENT_WEB_PORT}'). Pick another port such as 6881.`],
  ])('refuses torrentPort %s', (torrentPort, message) => {
    expect(() => buildQbittorrent(seed, { torrentPort })).toThrow(message);
  });
});

describe('overrides (merge() onto QBITTORRENT_DEFAULTS)', () => {
  it('resources merge: a limit changes, the rest stays', () => {
    const resources = app(buildQbittorrent(seed, { resources: { limits: { memory: '4Gi' } } }).values).resources;
    expect(resources).toEqual({ requests: QBITTORRENT_DEFAULTS.resources.requests, limits: { memory: '4Gi' } });
    expect(app(buildQbittorrent(seed).values).resources).toEqual(QBITTORRENT_DEFAULTS.resources);
  });

  it('extra env is added, a default env dropped with null', () => {
    const env = app(buildQbittorrent(seed, { env: { DOCKER_MODS: 'x', UMASK: null } }).values).env!;
    expect(env['DOCKER_MODS']).toBe('x');
    expect(env).not.toHaveProperty('UMASK');
    expect(env['WEBUI_PORT']).toBe(String(QBITTORRENT_WEB_PORT));
  });

  it('settings merge leaves the defaults untouched', () => {
    const before = JSON.stringify(QBITTORRENT_DEFAULTS);
    expect(qbittorrentSettings({ resources: { requests: { cpu: '1' } } }).resources.requests).toEqual({ ...QBITTORRENT_DEFAULTS.resources.requests, cpu: '1' });
    expect(JSON.stringify(QBITTORRENT_DEFAULTS)).toBe(before);
  });

  it('a values patch in homelab.yaml style still passes the chart schema', () => {
    if (!validator) return;
    const values = merge(buildQbittorrent(seed).values as Record<string, unknown>, { controllers: { main: { containers: { app: { resources: { limits: { memory: '3Gi' } } } } } } });
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
  const component = buildQbittorrent(configVariant(() => {}));

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

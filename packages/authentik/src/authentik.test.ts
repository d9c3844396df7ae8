import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { hasGeneratedHeader, type BuildContext, type Component } from '@homelab/core';
import { LOCAL_PATH_STORAGE_CLASS, localPathModule } from '@homelab/local-path';
import { STORAGE_CLASSES } from '@homelab/nfs-csi';
import { chartSchemaDir, checkChartValues } from '@homelab/testing';
import { authentik, authentikModule, BLUEPRINT_KEY, nfsIdentity, type AuthentikValues } from './authentik.js';
import { AUTHENTIK_DEFAULTS } from './defaults.js';
import { AUTHENTIK_CHART } from './versions.js';
import { blueprintMap, config, configVariant, everything, fakeApps } from './fixtures.test.js';
import * as api from './index.js';

const build = (components: readonly Component[] = everything(), cfg = config, overrides?: Parameters<typeof authentik>[2]) => authentik(cfg, components, overrides);
const valuesOf = (component: Component) => component.values as AuthentikValues;

/** Every `{ name, key }` Secret reference in a values tree: `secretKeyRef`s and the subchart's existingSecret. */
function secretRefs(values: unknown): { name: string; key: string }[] {
  const refs: { name: string; key: string }[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, any>;
    if (record['secretKeyRef']) refs.push({ name: record['secretKeyRef'].name, key: record['secretKeyRef'].key });
    if (typeof record['existingSecret'] === 'string' && record['secretKeys']) {
      for (const key of Object.values(record['secretKeys'] as Record<string, string>)) refs.push({ name: record['existingSecret'], key });
    }
    Object.values(record).forEach(walk);
  };
  walk(values);
  return refs;
}

describe('authentik component', () => {
  const component = build();

  it('is a core component in its namespace, at wave 10, with the pinned chart', () => {
    expect(component).toMatchObject({ name: authentikModule.name, group: 'core', namespace: AUTHENTIK_DEFAULTS.namespace, syncWave: 10, source: '@homelab/authentik' });
    expect(component.chart).toEqual(AUTHENTIK_CHART);
    expect(component.chart).toEqual({ repo: 'https://charts.goauthentik.io', name: 'authentik', version: '2026.8.0' });
  });

  it('registers as a deriving module that reads context.components', () => {
    expect(authentikModule.derives).toBe(true);
    const alone = [authentikModule.build(config)].flat();
    const derived = [authentikModule.build(config, { components: fakeApps() })].flat();
    expect(alone).toHaveLength(1);
    expect(derived).toHaveLength(1);
    const blueprint = (built: Component) => blueprintMap(built).data![BLUEPRINT_KEY]!;
    expect(blueprint(alone[0]!)).not.toContain('sonarr');
    expect(blueprint(derived[0]!)).toContain(`https://sonarr.${config.domains.internal}`);
  });

  it('ignores a component named like itself among the components it derives from', () => {
    const twin = { ...fakeApps()[0]!, name: authentikModule.name };
    expect(build([twin, ...fakeApps().slice(1)]).objects).toEqual(build(fakeApps().slice(1)).objects);
  });

  it('exports a small, fixed surface', () => {
    expect(Object.keys(api).sort()).toEqual([
      'AUTHENTIK_BUILTINS',
      'AUTHENTIK_CHART',
      'AUTHENTIK_DEFAULTS',
      'BLUEPRINT_KEY',
      'BlueprintTag',
      'EMBEDDED_OUTPOST_SERVICE',
      'authentik',
      'authentikBlueprint',
      'authentikModule',
      'authentikRouteBuilder',
      'authentikSsoProxy',
      'blueprintYaml',
      'nfsIdentity',
      'oidcApplications',
      'outpostReferenceGrants',
      'protectedRoute',
      'proxyApplications',
    ]);
  });

  it('takes overrides with merge() semantics and leaves the defaults alone', () => {
    const before = JSON.stringify(AUTHENTIK_DEFAULTS);
    const patched = build(everything(), config, { server: { replicas: 2 }, postgres: { storageSize: '20Gi' } });
    expect(valuesOf(patched).server.replicas).toBe(2);
    expect(valuesOf(patched).server.resources).toEqual(AUTHENTIK_DEFAULTS.server.resources);
    expect(valuesOf(patched).postgresql.primary.persistence.size).toBe('20Gi');
    expect(JSON.stringify(AUTHENTIK_DEFAULTS)).toBe(before);
  });

  it('rejects settings the blueprint or the route could not use', () => {
    expect(() => build(everything(), config, { hostLabel: 'Auth' })).toThrow(
      "authentik: the host label is not a DNS label (hostLabel: 'Auth'). Use lower-case letters, digits and '-', e.g. auth.",
    );
    expect(() => build(everything(), config, { groups: { users: 'homelab-admins' } })).toThrow(
      "authentik: admins and users must be different groups (groups.users: 'homelab-admins'). Every admins member is an Authentik superuser: keep users apart.",
    );
  });

  it('serves metrics, their ServiceMonitor and alert rules exactly when the homelab has a Prometheus (serviceMonitor)', () => {
    const off = valuesOf(component);
    expect([off.server.metrics, off.prometheus.rules]).toEqual([{ enabled: false, serviceMonitor: { enabled: false } }, { enabled: false }]);
    const on = valuesOf(build(everything(), config, { serviceMonitor: true }));
    expect([on.server.metrics, on.prometheus.rules]).toEqual([{ enabled: true, serviceMonitor: { enabled: true } }, { enabled: true }]);
  });
});

describe('exposure', () => {
  it('is auth.<domains.internal> on the chart server Service, internal, without SSO', () => {
    const [exposure] = build().exposes!;
    const release = build().chart!.releaseName ?? build().name;
    expect(exposure).toEqual({
      host: `${AUTHENTIK_DEFAULTS.hostLabel}.${config.domains.internal}`,
      access: 'internal',
      // the chart's fullname is the release name when it contains the chart name; the server is <fullname>-server
      service: { name: `${release}-server`, namespace: AUTHENTIK_DEFAULTS.namespace, port: valuesOf(build()).server.service.servicePortHttp },
      sso: 'none',
    });
  });

  it('follows domains.internal and the host label (late binding)', () => {
    const moved = configVariant((data) => {
      data.domains.internal = 'home.example.org';
    });
    expect(build(everything(moved), moved).exposes![0]!.host).toBe('auth.home.example.org');
    expect(build(everything(), config, { hostLabel: 'sso' }).exposes![0]!.host).toBe(`sso.${config.domains.internal}`);
  });

  it('moves the server port and the exposure together', () => {
    const moved = build(everything(), config, { serverPort: 8080 });
    expect(valuesOf(moved).server.service.servicePortHttp).toBe(8080);
    expect(moved.exposes![0]!.service.port).toBe(8080);
  });
});

describe('secrets', () => {
  const component = build();
  const values = valuesOf(component);
  const declared = component.secrets!.flatMap((secret) => secret.keys.map((key) => `${secret.namespace}/${secret.name}/${key}`));

  it('declares authentik-secrets (secret-key, postgresql-password) and one client secret per OIDC application', () => {
    expect(component.secrets!.map((secret) => [secret.name, secret.keys])).toEqual([
      ['authentik-secrets', ['secret-key', 'postgresql-password']],
      ['authentik-oidc-clients', ['argocd-client-secret', 'grafana-client-secret']],
    ]);
    for (const secret of component.secrets!) expect(secret.namespace).toBe(component.namespace);
  });

  it('every reference in the values resolves to a declared Secret key, and every declared key is read', () => {
    const refs = secretRefs(values).map((ref) => `${component.namespace}/${ref.name}/${ref.key}`);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(declared).toContain(ref);
    expect([...new Set(refs)].sort()).toEqual([...declared].sort());
  });

  it('gives Authentik its secret key and database password, and the database the same password key', () => {
    const env = Object.fromEntries(values.global.env.map((entry) => [entry.name, entry.valueFrom.secretKeyRef]));
    expect(env['AUTHENTIK_SECRET_KEY']).toEqual({ name: AUTHENTIK_DEFAULTS.secret.name, key: AUTHENTIK_DEFAULTS.secret.keys.secretKey });
    expect(env['AUTHENTIK_POSTGRESQL__PASSWORD']).toEqual({ name: values.postgresql.auth.existingSecret, key: values.postgresql.auth.secretKeys.userPasswordKey });
  });

  it('puts no credential in the values: the chart gets no secret_key or password', () => {
    const text = JSON.stringify(values);
    expect(text).not.toMatch(/"(secret_key|password|postgresPassword)":/);
  });

  it("carries the app's own client secret value when the app declares one, and generates one for Authentik alone otherwise", () => {
    const clients = component.secrets!.find((secret) => secret.name === AUTHENTIK_DEFAULTS.oidcClientSecretName)!;
    const grafana = everything().find((entry) => entry.name === 'kube-prometheus-stack')!;
    const grafanaValue = grafana.exposes!.find((exposure) => exposure.sso === 'oidc')!.oidcClientSecret!;
    expect(Object.values(clients.values!)).toContainEqual(grafanaValue);
    expect(grafana.secrets!.flatMap((secret) => Object.values(secret.values ?? {}))).toContainEqual(grafanaValue);
    for (const [key, value] of Object.entries(clients.values!)) {
      expect(value.generate).toBeDefined();
      expect(clients.description).toContain(`${key}: `);
    }
  });

  it('declares no client Secret without OIDC applications', () => {
    expect(build(fakeApps()).secrets!.map((secret) => secret.name)).toEqual([AUTHENTIK_DEFAULTS.secret.name]);
    expect(valuesOf(build(fakeApps())).global.env.map((entry) => entry.name)).toEqual(['AUTHENTIK_SECRET_KEY', 'AUTHENTIK_POSTGRESQL__PASSWORD']);
  });

  it('follows a renamed Secret everywhere', () => {
    const renamed = build(everything(), config, { secret: { name: 'ak-creds' } });
    expect(new Set(secretRefs(valuesOf(renamed)).filter((ref) => ref.name !== AUTHENTIK_DEFAULTS.oidcClientSecretName).map((ref) => ref.name))).toEqual(new Set(['ak-creds']));
    expect(renamed.secrets![0]!.name).toBe('ak-creds');
  });
});

describe('PostgreSQL on the config NFS export', () => {
  const values = valuesOf(build());

  it('persists on nfs-config (@homelab/nfs-csi)', () => {
    expect(values.postgresql.primary.persistence).toEqual({ enabled: true, storageClass: STORAGE_CLASSES.config, size: AUTHENTIK_DEFAULTS.postgres.storageSize });
  });

  it('runs as workloads.puid/pgid with fsGroup and OnRootMismatch, and never chowns', () => {
    const { puid, pgid } = config.workloads;
    expect(values.postgresql.primary.containerSecurityContext).toMatchObject({ runAsUser: puid, runAsGroup: pgid });
    expect(values.postgresql.primary.podSecurityContext).toMatchObject({ fsGroup: pgid, fsGroupChangePolicy: 'OnRootMismatch' });
    expect(values.postgresql.volumePermissions.enabled).toBe(false);
  });

  it('follows workloads.puid/pgid (late binding)', () => {
    const squashed = configVariant((data) => {
      data.workloads = { ...data.workloads, puid: 568, pgid: 569 };
    });
    const moved = valuesOf(build(everything(squashed), squashed));
    expect(moved.postgresql.primary.containerSecurityContext).toEqual({ enabled: true, runAsUser: 568, runAsGroup: 569, runAsNonRoot: true });
    expect(moved.postgresql.primary.podSecurityContext.fsGroup).toBe(569);
    expect(nfsIdentity(squashed).container.runAsUser).toBe(568);
  });

  it('stays on NFS beside a node-local class unless storage.volumes.authentikPostgres says node-local', () => {
    const nodeLocal: BuildContext = { components: fakeApps(), ...localPathModule.provides };
    const storageClassOf = (c: typeof config, context: BuildContext) => valuesOf([authentikModule.build(c, context)].flat()[0]!).postgresql.primary.persistence.storageClass;
    expect(storageClassOf(config, nodeLocal)).toBe(STORAGE_CLASSES.config);
    const chosen = configVariant((data) => (data.storage = { volumes: { authentikPostgres: 'node-local' } }));
    expect(storageClassOf(chosen, nodeLocal)).toBe(LOCAL_PATH_STORAGE_CLASS);
    expect(() => storageClassOf(chosen, { components: fakeApps() })).toThrow(/^storage\.volumes\.authentikPostgres: asks for node-local storage/);
  });

  it('does not claim non-root for UID 0', () => {
    expect(nfsIdentity({ workloads: { timezone: 'UTC', puid: 0, pgid: 0 } }).container.runAsNonRoot).toBe(false);
  });
});

describe('objects', () => {
  const component = build();

  it('every object validates against its upstream schema', () => {
    const objects = Object.values(component.objects!);
    expect(objects.length).toBeGreaterThan(1);
    for (const object of objects) expect(() => object.validate()).not.toThrow();
  });

  it('the blueprint ConfigMap is the one the chart mounts, under a key Authentik discovers', () => {
    const map = blueprintMap(component);
    expect(valuesOf(component).blueprints.configMaps).toEqual([map.metadata!.name]);
    expect(map.metadata!.namespace).toBe(component.namespace);
    expect(Object.keys(map.data!)).toEqual([BLUEPRINT_KEY]);
    expect(BLUEPRINT_KEY).toMatch(/\.yaml$/);
    expect(hasGeneratedHeader(map.data![BLUEPRINT_KEY]!)).toBe(true);
  });

  it('holds one ReferenceGrant per namespace with protected routes', () => {
    const grants = Object.keys(component.objects!).filter((key) => key.startsWith('reference-grant-'));
    expect(grants).toEqual(['reference-grant-media', 'reference-grant-tools']);
  });
});

describe('chart conformance', () => {
  const chartDir = chartSchemaDir('authentik');
  /**
   * Keys of the bitnami `postgresql` subchart (18.x) we set. The subchart's values.yaml is not in
   * shared/chart-schemas (SOURCES.md note 5); each path is a documented bitnami/postgresql value:
   * auth.existingSecret, auth.secretKeys.userPasswordKey, auth.enablePostgresUser,
   * primary.persistence.{enabled,storageClass,size}, primary.podSecurityContext.*,
   * primary.containerSecurityContext.{enabled,runAsUser,runAsGroup,runAsNonRoot}, primary.resources,
   * volumePermissions.enabled. The parent values.yaml does know postgresql.enabled.
   */
  const allow = [
    'postgresql.auth.existingSecret',
    'postgresql.auth.secretKeys',
    'postgresql.auth.enablePostgresUser',
    'postgresql.primary.persistence',
    'postgresql.primary.podSecurityContext',
    'postgresql.primary.containerSecurityContext.enabled',
    'postgresql.primary.containerSecurityContext.runAsUser',
    'postgresql.primary.containerSecurityContext.runAsGroup',
    'postgresql.primary.containerSecurityContext.runAsNonRoot',
    'postgresql.primary.resources',
    'postgresql.volumePermissions.enabled',
  ];

  it.skipIf(!chartDir)('the values use only keys of the chart (and the listed subchart keys)', () => {
    expect(checkChartValues(chartDir!, valuesOf(build()), { allow })).toEqual([]);
    expect(checkChartValues(chartDir!, valuesOf(build(fakeApps())), { allow })).toEqual([]);
  });

  it.skipIf(!chartDir)('the allow list hides nothing else', () => {
    expect(checkChartValues(chartDir!, valuesOf(build()))).toEqual(allow.map((key) => `${key}: not a key of the chart's values.yaml`));
  });

  it.skipIf(!chartDir)('the oracle catches a misplaced key', () => {
    const values = valuesOf(build()) as unknown as Record<string, any>;
    const broken = { ...values, server: { ...values['server'], servicePortHttp: 80 } };
    expect(checkChartValues(chartDir!, broken, { allow })).toEqual(["server.servicePortHttp: not a key of the chart's values.yaml"]);
  });

  it.skipIf(!chartDir)('2026.8 bundles no Redis: the chart has no redis values any more', () => {
    const defaults = load(readFileSync(join(chartDir!, 'values.yaml'), 'utf8')) as Record<string, unknown>;
    expect(defaults['redis']).toBeUndefined();
    expect((defaults['authentik'] as Record<string, unknown>)['redis']).toBeUndefined();
    expect(defaults['postgresql']).toBeDefined();
  });
});

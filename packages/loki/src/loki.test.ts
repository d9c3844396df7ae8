import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import type { ResolvedConfig } from '@homelab/config';
import { namespaceLevels, renderComponents, type BuildContext } from '@homelab/core';
import { LOCAL_PATH_STORAGE_CLASS, localPathModule } from '@homelab/local-path';
import { STORAGE_CLASSES, nfsCsiDefaults } from '@homelab/nfs-csi';
import { chartSchemaDir, checkChartValues, configVariant, seedConfig } from '@homelab/testing';
import { LOKI_COMPONENT, LOKI_DEFAULTS, LOKI_SERVICE, LOKI_URLS } from './defaults.js';
import { LOKI_UNLISTED_VALUES, buildLoki, checkSettings, durationSeconds, lokiSettings, lokiValues, nfsPodSecurityContext, type LokiValues } from './loki.js';
import { LOKI_CHART } from './versions.js';
import * as api from './index.js';

const config = seedConfig();

const valuesOf = (c: ResolvedConfig = config, overrides?: Parameters<typeof buildLoki>[1]) => buildLoki(c, overrides).values as LokiValues;
const chartDir = chartSchemaDir('loki');

describe('loki component', () => {
  const component = buildLoki(config);

  it('is an observability component in the namespace its Service constant names, with the pinned chart', () => {
    expect(component).toMatchObject({
      name: LOKI_COMPONENT,
      group: 'observability',
      namespace: LOKI_SERVICE.namespace,
      syncWave: LOKI_DEFAULTS.syncWave,
      source: '@homelab/loki',
      chart: LOKI_CHART,
    });
    expect(LOKI_CHART).toEqual({ repo: 'https://grafana.github.io/helm-charts', name: 'loki', version: '7.3.0' });
  });

  it('comes after the storage driver that provisions its claim', () => {
    expect(component.syncWave).toBeGreaterThan(nfsCsiDefaults.syncWave);
  });

  it('registers under the name the aggregator applies homelab.yaml settings by', () => {
    const built = [api.lokiModule.build(config)].flat();
    expect(built.map((c) => c.name)).toEqual([api.lokiModule.name]);
    expect(api.lokiModule.kind).toBe('component');
    expect(JSON.stringify(built[0])).toEqual(JSON.stringify(component));
  });

  it('exports a small, fixed surface', () => {
    expect(Object.keys(api).sort()).toEqual(['LOKI_COMPONENT', 'LOKI_DEFAULTS', 'LOKI_SERVICE', 'LOKI_URLS', 'buildLoki', 'lokiModule']);
  });

  it('needs no more than the baseline Pod Security level (no host access)', () => {
    expect(component.podSecurity ?? 'baseline').toBe('baseline');
    expect(namespaceLevels([component]).get(LOKI_SERVICE.namespace)).toBe('baseline');
  });

  it('renders an Application and a values file, nothing else', () => {
    const files = renderComponents([component], { repoURL: config.gitops.repoURL, revision: config.gitops.revision }).map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining([`kubernetes/observability/${LOKI_COMPONENT}.yaml`, `kubernetes/observability/${LOKI_COMPONENT}/values.yaml`]));
    expect(files.some((path) => path.includes('/manifests/'))).toBe(false);
  });
});

describe('loki values', () => {
  const values = valuesOf();

  it('runs one single binary and no scalable or distributed targets', () => {
    expect(values.deploymentMode).toBe('SingleBinary');
    expect(values.singleBinary.replicas).toBe(1);
    expect([values.read.replicas, values.write.replicas, values.backend.replicas]).toEqual([0, 0, 0]);
  });

  it('stores chunks on the filesystem with a TSDB v13 schema on daily index tables', () => {
    expect(values.loki.storage.type).toBe('filesystem');
    expect(values.loki.schemaConfig.configs).toEqual([
      { from: LOKI_DEFAULTS.schemaFrom, store: 'tsdb', object_store: 'filesystem', schema: 'v13', index: { prefix: 'index_', period: '24h' } },
    ]);
    expect(values.loki.commonConfig.replication_factor).toBe(1);
  });

  it('deletes logs older than the retention period through the compactor', () => {
    expect(values.loki.compactor).toEqual({ retention_enabled: true, delete_request_store: values.loki.storage.type });
    expect(values.loki.limits_config.retention_period).toBe(LOKI_DEFAULTS.retention);
    expect(valuesOf(config, { retention: '7d' }).loki.limits_config.retention_period).toBe('7d');
  });

  it('persists on the config NFS StorageClass exported by @homelab/nfs-csi', () => {
    expect(values.singleBinary.persistence).toEqual({ enabled: true, storageClass: STORAGE_CLASSES.config, size: LOKI_DEFAULTS.storageSize });
  });

  it('runs as the NFS export owner from workloads.puid/pgid, and follows it', () => {
    expect(values.loki.podSecurityContext).toMatchObject({ runAsUser: config.workloads.puid, runAsGroup: config.workloads.pgid, fsGroup: config.workloads.pgid });
    const moved = valuesOf(configVariant((data) => (data['workloads'] = { ...data['workloads'], puid: 3001, pgid: 3002 })));
    expect(moved.loki.podSecurityContext).toEqual({ runAsUser: 3001, runAsGroup: 3002, fsGroup: 3002, fsGroupChangePolicy: 'OnRootMismatch', runAsNonRoot: true });
  });

  it('does not claim runAsNonRoot when the export owner is root', () => {
    const root = configVariant((data) => (data['workloads'] = { ...data['workloads'], puid: 0, pgid: 0 }));
    expect(nfsPodSecurityContext(root).runAsNonRoot).toBe(false);
  });

  it('turns off the gateway, the memcached caches, the canary and the Helm test', () => {
    expect(values.gateway.enabled).toBe(false);
    expect(values.chunksCache.enabled).toBe(false);
    expect(values.resultsCache.enabled).toBe(false);
    expect(values.lokiCanary.enabled).toBe(false);
    expect(values.test.enabled).toBe(false);
  });

  it('runs single-tenant (no X-Scope-OrgID header needed)', () => {
    expect(values.loki.auth_enabled).toBe(false);
  });

  it('creates a ServiceMonitor only when asked to', () => {
    expect(values.monitoring.serviceMonitor.enabled).toBe(false);
    expect(valuesOf(config, { serviceMonitor: true }).monitoring.serviceMonitor.enabled).toBe(true);
  });
});

describe('volume placement through the composition', () => {
  const nodeLocal: BuildContext = { components: [], ...localPathModule.provides };
  const storageClassOf = (c: ResolvedConfig, context?: BuildContext) => ([api.lokiModule.build(c, context)].flat()[0]!.values as LokiValues).singleBinary.persistence.storageClass;

  it('stays on NFS by default, node-local class or not (Loki supports a filesystem store on NFS)', () => {
    expect(storageClassOf(config, nodeLocal)).toBe(STORAGE_CLASSES.config);
    expect(storageClassOf(config, { components: [] })).toBe(STORAGE_CLASSES.config);
  });

  it('moves to the node-local class when storage.volumes.loki says so', () => {
    const chosen = configVariant((data) => (data['storage'] = { volumes: { loki: 'node-local' } }));
    expect(storageClassOf(chosen, nodeLocal)).toBe(LOCAL_PATH_STORAGE_CLASS);
    expect(() => storageClassOf(chosen, { components: [] })).toThrow(/^storage\.volumes\.loki: asks for node-local storage/);
  });
});

describe('Loki endpoints', () => {
  it('name the Service the chart creates (fullnameOverride) in the component namespace', () => {
    const component = buildLoki(config);
    expect((component.values as LokiValues).fullnameOverride).toBe(LOKI_SERVICE.name);
    expect(LOKI_URLS.query).toBe(`http://${LOKI_SERVICE.name}.${component.namespace}.svc:${LOKI_SERVICE.port}`);
    expect(LOKI_URLS.push).toBe(`${LOKI_URLS.query}/loki/api/v1/push`);
  });

  it.skipIf(!chartDir)('use the port Loki listens on in the pinned chart (loki.server.http_listen_port)', () => {
    const defaults = load(readFileSync(join(chartDir!, 'values.yaml'), 'utf8')) as { loki: { server: { http_listen_port: number } } };
    expect(LOKI_SERVICE.port).toBe(defaults.loki.server.http_listen_port);
  });

  it.skipIf(!chartDir)('need no gateway: the chart would otherwise put nginx in front on another Service', () => {
    const defaults = load(readFileSync(join(chartDir!, 'values.yaml'), 'utf8')) as { gateway: { enabled: boolean } };
    expect(defaults.gateway.enabled).toBe(true);
    expect(valuesOf().gateway.enabled).toBe(false);
  });
});

describe('loki settings', () => {
  it('parses Loki durations', () => {
    expect(durationSeconds('30d')).toBe(30 * 86400);
    expect(durationSeconds('1w2d')).toBe(9 * 86400);
    expect(durationSeconds('720h')).toBe(30 * 86400);
    expect(durationSeconds('30 days')).toBeUndefined();
  });

  it('rejects a retention that is not a duration', () => {
    expect(() => lokiSettings({ retention: 'a month' })).toThrow(
      "loki: retention is not a Loki duration (retention: 'a month'). Use a duration such as 30d, 4w or 720h.",
    );
  });

  it('rejects a retention shorter than a day or not a whole number of days', () => {
    const message = (value: string) =>
      `loki: retention must be a whole number of days, at least one (retention: '${value}'). Use a duration such as 7d or 30d: retention deletes whole daily index tables.`;
    expect(() => lokiSettings({ retention: '12h' })).toThrow(message('12h'));
    expect(() => lokiSettings({ retention: '36h' })).toThrow(message('36h'));
    expect(() => lokiSettings({ retention: '48h' })).not.toThrow();
  });

  it('rejects a storage size that is not a quantity and a schema start that is not a date', () => {
    expect(() => lokiSettings({ storageSize: '20 GB' })).toThrow("loki: storage size is not a Kubernetes quantity (storageSize: '20 GB'). Use a size such as 20Gi.");
    expect(() => lokiSettings({ schemaFrom: '2024-13-45' })).toThrow(
      "loki: schemaFrom is not a date (schemaFrom: '2024-13-45'). Use YYYY-MM-DD, and never change it once Loki has stored logs.",
    );
  });

  it('accepts its own defaults', () => {
    expect(() => checkSettings(LOKI_DEFAULTS)).not.toThrow();
  });
});

describe.skipIf(!chartDir)('loki chart conformance (chart 7.3.0)', () => {
  it('every key we set exists in the chart and passes its values.schema.json', () => {
    expect(
      checkChartValues(chartDir!, lokiValues(config, LOKI_DEFAULTS), {
        allow: [...LOKI_UNLISTED_VALUES],
      }),
    ).toEqual([]);
  });

  it('the allow list hides nothing else: without it only retention_period is unknown', () => {
    expect(checkChartValues(chartDir!, lokiValues(config, LOKI_DEFAULTS))).toEqual(["loki.limits_config.retention_period: not a key of the chart's values.yaml"]);
  });

  it('the oracle catches a misspelt key', () => {
    const values = { ...lokiValues(config, LOKI_DEFAULTS), singleBinary: { replica: 1 } };
    expect(checkChartValues(chartDir!, values, { allow: [...LOKI_UNLISTED_VALUES] })).toEqual(["singleBinary.replica: not a key of the chart's values.yaml"]);
  });
});

describe('declarations for the security layers', () => {
  it('calls the Kubernetes API exactly while the rules sidecar runs; lets ArgoCD create the chart\'s cluster-wide RBAC', () => {
    const component = buildLoki(config);
    expect((component.values as LokiValues).sidecar.rules.enabled).toBe(true);
    expect(component.network).toEqual({ kubeApi: { client: true } });
    expect(buildLoki(config, { rulesSidecar: false }).network).toEqual({ kubeApi: { client: false } });
    expect(component.clusterResources).toEqual(['ClusterRole', 'ClusterRoleBinding']);
  });
});

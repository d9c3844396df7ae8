/**
 * Loki for a homelab: one single-binary pod on the config NFS export, filesystem chunks, TSDB
 * index (schema v13) and compactor-driven retention. No gateway, no caches, no canary.
 */
import { merge, type Component, type Patch } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { LOKI_COMPONENT, LOKI_DEFAULTS, LOKI_SERVICE } from './defaults.js';
import { LOKI_CHART } from './versions.js';

const SOURCE = '@homelab/loki';

/** What a caller may change; every field has its default in `LOKI_DEFAULTS`. */
export interface LokiSettings {
  /**
   * ArgoCD sync wave. After storage (nfs-csi, -5); log shippers and Grafana only need Loki at run
   * time, so it shares the default wave with them.
   * @default 0
   */
  syncWave: number;
  /**
   * How long log lines are kept: the compactor deletes older chunks (`limits_config.retention_period`).
   * A Loki duration (`30d`, `4w`, `720h`), a whole number of days: retention works per daily index.
   * @see https://grafana.com/docs/loki/latest/operations/storage/retention/
   * @default '30d'
   */
  retention: string;
  /**
   * Size of the single binary's volume claim (chunks, TSDB index, WAL, compactor work space). NFS
   * does not enforce it; retention is what bounds the disk use.
   * @default '20Gi'
   */
  storageSize: string;
  /**
   * StorageClass of that claim; the module sets what `storage.volumes.loki` chooses (NFS unless
   * it says node-local: Loki's filesystem store works on NFS, though locally it is faster).
   * @default 'nfs-config' (STORAGE_CLASSES.config of @homelab/nfs-csi)
   */
  storageClass: string;
  /**
   * First day of the v13/TSDB schema period. Loki reads every day since then with this schema, so
   * it must never change once logs are stored; a later schema gets a new period instead.
   * @see https://grafana.com/docs/loki/latest/operations/storage/schema/
   * @default '2024-04-01'
   */
  schemaFrom: string;
  /**
   * Let the chart create a prometheus-operator ServiceMonitor for Loki. Needs the
   * monitoring.coreos.com CRDs, which exist only while kube-prometheus-stack is enabled: the
   * module turns this on from the composition (core's `serviceMonitorsWanted`).
   * @default false
   */
  serviceMonitor: boolean;
  /**
   * The chart's rules sidecar (k8s-sidecar): loads Loki ruler rules from labelled ConfigMaps,
   * which it watches through the Kubernetes API (so Loki's pods are an API client).
   * @default true (the chart's default)
   */
  rulesSidecar: boolean;
}

/** A pod security context matching the NFS export's owner (homelab.yaml `workloads.puid/pgid`). */
export type NfsPodSecurityContext = {
  runAsUser: number;
  runAsGroup: number;
  fsGroup: number;
  fsGroupChangePolicy: 'OnRootMismatch';
  runAsNonRoot: boolean;
};

/** The Helm values this package sets (a subset of the chart's values.yaml, checked by tests). */
export type LokiValues = {
  deploymentMode: 'SingleBinary';
  fullnameOverride: string;
  loki: {
    auth_enabled: false;
    commonConfig: { replication_factor: 1 };
    storage: { type: 'filesystem' };
    schemaConfig: {
      configs: { from: string; store: 'tsdb'; object_store: 'filesystem'; schema: 'v13'; index: { prefix: string; period: '24h' } }[];
    };
    compactor: { retention_enabled: true; delete_request_store: 'filesystem' };
    limits_config: { retention_period: string };
    podSecurityContext: NfsPodSecurityContext;
  };
  singleBinary: {
    replicas: 1;
    persistence: { enabled: true; storageClass: string; size: string };
  };
  read: { replicas: 0 };
  write: { replicas: 0 };
  backend: { replicas: 0 };
  gateway: { enabled: false };
  chunksCache: { enabled: false };
  resultsCache: { enabled: false };
  lokiCanary: { enabled: false };
  test: { enabled: false };
  monitoring: { serviceMonitor: { enabled: boolean } };
  sidecar: { rules: { enabled: boolean } };
};

const UNIT_SECONDS: Record<string, number> = { y: 365 * 86400, w: 7 * 86400, d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };
const DURATION = /^((\d+)(ms|y|w|d|h|m|s))+$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Seconds in a Loki/Prometheus duration such as `30d` or `1w3d12h`; undefined when malformed. */
export function durationSeconds(duration: string): number | undefined {
  if (!DURATION.test(duration)) return undefined;
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)) total += Number(amount) * UNIT_SECONDS[unit!]!;
  return total;
}

function fail(problem: string, path: string, value: unknown, fix: string): never {
  throw new Error(`${LOKI_COMPONENT}: ${problem} (${path}: '${String(value)}'). ${fix}`);
}

/** Rejects settings Loki would only reject at start-up (or silently misread). */
export function checkSettings(settings: LokiSettings): void {
  const seconds = durationSeconds(settings.retention);
  if (seconds === undefined) {
    fail('retention is not a Loki duration', 'retention', settings.retention, 'Use a duration such as 30d, 4w or 720h.');
  }
  if (seconds < 86400 || seconds % 86400 !== 0) {
    fail('retention must be a whole number of days, at least one', 'retention', settings.retention, 'Use a duration such as 7d or 30d: retention deletes whole daily index tables.');
  }
  if (!QUANTITY.test(settings.storageSize)) {
    fail('storage size is not a Kubernetes quantity', 'storageSize', settings.storageSize, 'Use a size such as 20Gi.');
  }
  if (!DATE.test(settings.schemaFrom) || Number.isNaN(Date.parse(settings.schemaFrom))) {
    fail('schemaFrom is not a date', 'schemaFrom', settings.schemaFrom, 'Use YYYY-MM-DD, and never change it once Loki has stored logs.');
  }
}

/**
 * Pod security context for pods writing to the config NFS export: the UID/GID the export maps
 * every client to (`workloads.puid/pgid`). With fsGroup equal to the export's group, kubelet's
 * ownership pass has nothing to change, so it never needs the chown a squashed export refuses.
 */
export function nfsPodSecurityContext(config: ResolvedConfig): NfsPodSecurityContext {
  const { puid, pgid } = config.workloads;
  return { runAsUser: puid, runAsGroup: pgid, fsGroup: pgid, fsGroupChangePolicy: 'OnRootMismatch', runAsNonRoot: puid !== 0 };
}

/**
 * Values the chart reads although its values.yaml does not list them: `loki.limits_config` is
 * copied verbatim into Loki's config file (`tpl (toYaml .)`); the chart's default lists only some
 * limits, and retention_period is a documented Loki limit.
 */
export const LOKI_UNLISTED_VALUES = ['loki.limits_config.retention_period'] as const;

/** Helm values for the loki chart. */
export function lokiValues(config: ResolvedConfig, settings: LokiSettings): LokiValues {
  return {
    deploymentMode: 'SingleBinary',
    // Pins the Service name LOKI_SERVICE promises, whatever the release is called.
    fullnameOverride: LOKI_SERVICE.name,
    loki: {
      // One tenant ('fake'): no X-Scope-OrgID needed by shippers or Grafana.
      auth_enabled: false,
      commonConfig: { replication_factor: 1 },
      storage: { type: 'filesystem' },
      schemaConfig: {
        configs: [{ from: settings.schemaFrom, store: 'tsdb', object_store: 'filesystem', schema: 'v13', index: { prefix: 'index_', period: '24h' } }],
      },
      compactor: { retention_enabled: true, delete_request_store: 'filesystem' },
      limits_config: { retention_period: settings.retention },
      podSecurityContext: nfsPodSecurityContext(config),
    },
    singleBinary: {
      // Filesystem storage cannot be shared: the chart refuses more than one replica without object storage.
      replicas: 1,
      persistence: { enabled: true, storageClass: settings.storageClass, size: settings.storageSize },
    },
    read: { replicas: 0 },
    write: { replicas: 0 },
    backend: { replicas: 0 },
    gateway: { enabled: false },
    chunksCache: { enabled: false },
    resultsCache: { enabled: false },
    lokiCanary: { enabled: false },
    test: { enabled: false },
    monitoring: { serviceMonitor: { enabled: settings.serviceMonitor } },
    sidecar: { rules: { enabled: settings.rulesSidecar } },
  };
}

/** Settings with the caller's overrides merged onto the defaults, checked. */
export function lokiSettings(overrides?: Patch<LokiSettings>): LokiSettings {
  const settings = merge<LokiSettings>(LOKI_DEFAULTS, overrides);
  checkSettings(settings);
  return settings;
}

/** The Loki component, with `overrides` merged onto `LOKI_DEFAULTS` (merge() semantics). */
export function buildLoki(config: ResolvedConfig, overrides?: Patch<LokiSettings>): Component {
  const settings = lokiSettings(overrides);
  const values = lokiValues(config, settings);
  return {
    name: LOKI_COMPONENT,
    group: 'observability',
    namespace: LOKI_SERVICE.namespace,
    syncWave: settings.syncWave,
    source: SOURCE,
    description: 'Loki single binary: filesystem log storage, with retention',
    chart: { ...LOKI_CHART, unlistedValues: LOKI_UNLISTED_VALUES },
    values,
    // Receives pushes and queries (from the components that declare them); calls the API only
    // from the rules sidecar, which the values run or not.
    network: { kubeApi: { client: values.sidecar.rules.enabled } },
    // The chart's cluster-wide RBAC (`rbac.namespaced: false`).
    clusterResources: ['ClusterRole', 'ClusterRoleBinding'],
  };
}

/**
 * Every name and default of the Loki component, in one place. `LOKI_SERVICE` and `LOKI_URLS` are
 * the contract log shippers and Grafana build on; `LOKI_DEFAULTS` holds what a caller may override.
 */
import { STORAGE_CLASSES } from '@homelab/nfs-csi';
import type { LokiSettings } from './loki.js';

/** Component name: ArgoCD Application, Helm release and key under `components:` in homelab.yaml. */
export const LOKI_COMPONENT = 'loki';

/**
 * The Service that serves both the push and the query API (single binary, no gateway). The name is
 * pinned by the chart's `fullnameOverride`, so it does not depend on the release name; the
 * namespace is not a setting, so this constant is always true.
 */
export const LOKI_SERVICE = { name: 'loki', namespace: 'observability', port: 3100 } as const;

const base = `http://${LOKI_SERVICE.name}.${LOKI_SERVICE.namespace}.svc:${LOKI_SERVICE.port}`;

/**
 * Where clients reach Loki from inside the cluster. `<service>.<namespace>.svc` resolves through the
 * pods' DNS search path, so no cluster domain is assumed.
 */
export const LOKI_URLS = {
  /** Base URL: what a Grafana Loki datasource points at. */
  query: base,
  /** Push API: what a log shipper (Alloy, Promtail, Fluent Bit…) writes to. */
  push: `${base}/loki/api/v1/push`,
} as const;

/** Documented defaults of `LokiSettings`; see the type for what each one means and why. */
export const LOKI_DEFAULTS = {
  syncWave: 0,
  retention: '30d',
  storageSize: '20Gi',
  storageClass: STORAGE_CLASSES.config,
  schemaFrom: '2024-04-01',
  serviceMonitor: false,
  rulesSidecar: true,
} satisfies LokiSettings;

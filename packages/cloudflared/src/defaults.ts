/** Every default of @homelab/cloudflared, in one place, and the settings they fill in. */

/** cloudflared's log levels (`--loglevel`). */
export type CloudflaredLogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** What a caller may change; every field has its default in `CLOUDFLARED_DEFAULTS`. */
export interface CloudflaredSettings {
  /**
   * UUID of the locally managed tunnel this connector runs, as printed by
   * `cloudflared tunnel create <name>` (and `cloudflared tunnel list`). The aggregator passes
   * homelab.yaml's `cloudflare.tunnelId` here. Required as soon as any component exposes a host
   * publicly; with no tunnel and no public exposure the component is left out.
   * @see https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/do-more-with-tunnels/local-management/create-local-tunnel/
   * @default '' (no tunnel yet)
   */
  tunnelId: string;
  /** Namespace of the connector. @default 'cloudflared' */
  namespace: string;
  /**
   * ArgoCD sync wave of the component: after the services it forwards to (apps at 0), so a fresh
   * cluster does not serve 502s from the edge while they start. @default 5
   */
  syncWave: number;
  /**
   * Most connector replicas. The count is this or the number of nodes that run workloads,
   * whichever is smaller: a second replica on the same node adds no availability, only a second
   * set of edge connections. Replicas prefer different nodes. @default 2
   */
  maxReplicas: number;
  /**
   * The cluster DNS domain; tunnel rules address services as `<service>.<namespace>.svc.<clusterDomain>`.
   * Talos keeps the Kubernetes default. @default 'cluster.local'
   */
  clusterDomain: string;
  /**
   * The Secret holding the tunnel's credentials file (`~/.cloudflared/<tunnel-id>.json`) and its key.
   * Only that file: the account certificate (`cert.pem`) never enters the cluster.
   * @default { name: 'cloudflared-credentials', key: 'credentials.json' }
   */
  credentials: { secretName: string; key: string };
  /** cloudflared log level. @default 'info' */
  logLevel: CloudflaredLogLevel;
  /**
   * Connector resources. cloudflared idles at ~20 MiB and grows with concurrent streams; the limit
   * stops a runaway from starving the node. @default requests 10m CPU / 64Mi, limit 256Mi
   */
  resources: { requests: { cpu: string; memory: string }; limits: { memory: string } };
  /**
   * A prometheus-operator PodMonitor for the metrics cloudflared always serves (the chart creates
   * neither a Service nor a monitor for them). Needs the monitoring.coreos.com CRDs, which exist
   * only while kube-prometheus-stack is enabled: the module turns this on from the composition
   * (core's `serviceMonitorsWanted`).
   * @default false
   */
  podMonitor: boolean;
}

export const CLOUDFLARED_DEFAULTS = {
  tunnelId: '',
  namespace: 'cloudflared',
  syncWave: 5,
  maxReplicas: 2,
  clusterDomain: 'cluster.local',
  credentials: { secretName: 'cloudflared-credentials', key: 'credentials.json' },
  logLevel: 'info',
  resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
  podMonitor: false,
} satisfies CloudflaredSettings;

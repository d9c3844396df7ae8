/** Every default of @homelab/tailscale, in one place, and the settings they fill in. */

/** What a caller may change; every field has its default in `TAILSCALE_DEFAULTS` or is derived. */
export interface TailscaleSettings {
  /** Namespace of the operator and of every proxy it creates. @default 'tailscale' */
  namespace: string;
  /**
   * ArgoCD sync wave of the component: after the services its proxies forward to (apps at 0).
   * @default 5
   */
  syncWave: number;
  /**
   * Tailnet device name of the operator (homelab.yaml `tailscale.hostname` once wired).
   * @default `<cluster.name>-operator`, so two clusters on one tailnet do not collide
   */
  hostname?: string;
  /**
   * ACL tags of the operator's own device (homelab.yaml `tailscale.tags`). Its OAuth client must
   * carry them, and the tailnet policy must own them (see TAILNET-POLICY.md).
   * @see https://tailscale.com/kb/1236/kubernetes-operator#prerequisites
   * @default ['tag:k8s-operator']
   */
  tags: string[];
  /**
   * ACL tags of every proxy the operator creates: Ingress proxies and the subnet router
   * (homelab.yaml `tailscale.proxyTags`). The operator's tags must own them.
   * @default ['tag:k8s']
   */
  proxyTags: string[];
  /** IngressClass the chart creates and every derived tailnet Ingress uses. @default 'tailscale' */
  ingressClassName: string;
  /**
   * A Connector acting as subnet router: tailnet devices reach the home network (nodes, NAS,
   * hypervisor, LoadBalancer IPs) through the cluster.
   * @see https://tailscale.com/kb/1441/kubernetes-operator-connector
   */
  subnetRouter: {
    /** @default true */
    enabled: boolean;
    /** Name of the (cluster-scoped) Connector object. @default 'subnet-router' */
    name: string;
    /** Tailnet device name of the router. @default `<cluster.name>-subnet-router` */
    hostname?: string;
    /** CIDRs the router advertises. @default [network.subnet] */
    routes?: string[];
  };
}

/** The settings with every derived default filled in from the config. */
export interface ResolvedTailscaleSettings extends TailscaleSettings {
  hostname: string;
  subnetRouter: Required<TailscaleSettings['subnetRouter']>;
}

export const TAILSCALE_DEFAULTS = {
  namespace: 'tailscale',
  syncWave: 5,
  tags: ['tag:k8s-operator'],
  proxyTags: ['tag:k8s'],
  ingressClassName: 'tailscale',
  subnetRouter: { enabled: true, name: 'subnet-router' },
} satisfies TailscaleSettings;

/**
 * The Secret the chart mounts the OAuth client from when `oauth.clientSecret` and
 * `oauthSecretVolume` are unset: its name and file names are fixed by the chart's deployment
 * template (CLIENT_ID_FILE=/oauth/client_id, CLIENT_SECRET_FILE=/oauth/client_secret).
 */
export const OPERATOR_OAUTH_SECRET = { name: 'operator-oauth', keys: ['client_id', 'client_secret'] } as const;

import { DEFAULT_ARGOCD_NAMESPACE, SSO_GROUPS, SSO_OIDC_CLIENTS, SSO_PROVIDER } from '@homelab/core';
/** ArgoCD settings, documented once, and their defaults in one object. */
import type { PodSecurityLevel } from '@homelab/core';

/** In-cluster SOPS decryption: a config-management plugin sidecar on the repo-server. */
export interface SopsSettings {
  /**
   * Plugin name: the ConfigManagementPlugin's name, its key in `argocd-cmp-cm` and the sidecar's
   * name (`cmp-<plugin>`). @default 'sops'
   */
  plugin: string;
  /**
   * Shell glob of the encrypted files. A directory holding one is rendered by the plugin (plain
   * files passed through, matching files decrypted); other directories stay plain directories.
   * @default '*.sops.yaml'
   */
  filePattern: string;
  /** Secret in ArgoCD's namespace holding the age private key, created by hand at bootstrap. @default 'sops-age' */
  secretName: string;
  /** Key of that Secret holding the age identities file. @default 'keys.txt' */
  secretKey: string;
  /** Directory the Secret is mounted at in the sidecar; `SOPS_AGE_KEY_FILE` is `<dir>/<secretKey>`. @default '/sops/age' */
  keyDir: string;
}

/**
 * Sign-in with the identity provider (Authentik), native OIDC without Dex: `configs.cm."oidc.config"`.
 * Slug and client ID must be the ones the identity provider registers; both ends default to
 * SSO_OIDC_CLIENTS.argocd in @homelab/core.
 */
export interface OidcSettings {
  /** Name of the identity provider on the login button ("Log in via <name>"). @default 'Authentik' */
  name: string;
  /** The identity provider's host label under `domains.internal`. @default SSO_PROVIDER.hostLabel ('auth') */
  providerHostLabel: string;
  /** ArgoCD's application slug at the provider: the issuer is `https://<provider host>/application/o/<slug>/`. @default 'argocd' */
  slug: string;
  /** OAuth2 client ID (not a secret). @default 'argocd' */
  clientId: string;
  /**
   * Secret in ArgoCD's namespace holding the client secret, referenced from oidc.config as
   * `$<secretName>:<secretKey>`. ArgoCD resolves such a reference only in a Secret labelled
   * `app.kubernetes.io/part-of: argocd`. @default 'argocd-oidc'
   */
  secretName: string;
  /** Key of that Secret holding the client secret. @default 'client-secret' */
  secretKey: string;
  /**
   * Scopes requested at sign-in; must include `openid`. Authentik grants only the scopes its
   * provider maps (openid, email, profile) and drops the rest; its `profile` mapping carries the
   * `groups` claim RBAC reads. `groups` is requested too, for providers with a groups scope.
   * @default ['openid', 'profile', 'email', 'groups']
   */
  requestedScopes: readonly string[];
}

export interface ArgoCdSettings {
  /** Host label of the UI and API under `domains.internal`. @default 'argocd' */
  hostLabel: string;
  /**
   * Namespace ArgoCD runs in. It must be the namespace the generated Applications live in
   * (GitOpsTarget.argocdNamespace, 'argocd' by default in @homelab/core). @default 'argocd'
   */
  namespace: string;
  /**
   * Sync wave of ArgoCD's own Application. It also holds ArgoCD's HTTPRoute (derived from its
   * exposure), so it comes after the Gateway API CRDs (-15) and the internal Gateway (-4); and
   * before the default wave 0, so ArgoCD changes (health check, SOPS plugin, upgrades) land before
   * the apps that rely on them. @default -1
   */
  syncWave: number;
  /** Pod Security level enforced on ArgoCD's namespace (the bootstrap Namespace). @default 'baseline' */
  podSecurity: PodSecurityLevel;
  /** Port of the argocd-server Service that serves plain HTTP (TLS ends at the gateway). @default 80 */
  httpPort: number;
  /** Metrics Services for controller, server, repo-server and ApplicationSet controller. @default true */
  metrics: boolean;
  /**
   * ServiceMonitors for those metrics Services (the chart creates them only once the
   * monitoring.coreos.com API exists, so the bootstrap `helm install` skips them). The module turns
   * them on when the homelab has a Prometheus (core's `serviceMonitorsWanted`). @default false
   */
  serviceMonitors: boolean;
  /** Dex. Off: SSO is native OIDC against the identity provider (exposure `sso: 'oidc'`). @default false */
  dex: boolean;
  sops: SopsSettings;
  oidc: OidcSettings;
  /**
   * ArgoCD role of each identity-provider group (the `groups` claim of the OIDC login), keyed by
   * group name; `null` in a patch drops one. Anyone else signed in gets `rbacDefault`. The groups are the ones the
   * identity provider creates (SSO_GROUPS in @homelab/core), read from its groups claim
   * (SSO_PROVIDER.groupsClaim).
   * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/rbac/
   * @default { [SSO_GROUPS.admins]: 'role:admin', [SSO_GROUPS.users]: 'role:readonly' }
   */
  rbac: Record<string, string>;
  /**
   * Role of a signed-in user in none of the `rbac` groups (`policy.default`). Only members of the
   * identity provider's groups can sign in to ArgoCD at all (the provider's application admits
   * no one else), so read-only is safe and a first login never lands in an empty, rightless UI.
   * @default 'role:readonly'
   */
  rbacDefault: string;
}

export const argocdDefaults = {
  hostLabel: 'argocd',
  namespace: DEFAULT_ARGOCD_NAMESPACE,
  syncWave: -1,
  podSecurity: 'baseline',
  httpPort: 80,
  metrics: true,
  serviceMonitors: false,
  dex: false,
  sops: {
    plugin: 'sops',
    filePattern: '*.sops.yaml',
    secretName: 'sops-age',
    secretKey: 'keys.txt',
    keyDir: '/sops/age',
  },
  oidc: {
    name: 'Authentik',
    providerHostLabel: SSO_PROVIDER.hostLabel,
    slug: SSO_OIDC_CLIENTS.argocd.slug,
    clientId: SSO_OIDC_CLIENTS.argocd.clientId,
    secretName: 'argocd-oidc',
    secretKey: 'client-secret',
    requestedScopes: ['openid', 'profile', 'email', 'groups'],
  },
  rbac: { [SSO_GROUPS.admins]: 'role:admin', [SSO_GROUPS.users]: 'role:readonly' },
  rbacDefault: 'role:readonly',
} as const satisfies ArgoCdSettings;

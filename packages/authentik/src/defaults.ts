/** Every default of @homelab/authentik, in one place, and the settings they fill in. */
import { SSO_GROUPS, SSO_OIDC_CLIENTS, SSO_PROVIDER } from '@homelab/core';
import { STORAGE_CLASSES } from '@homelab/nfs-csi';

/** Requests and limits of one container. */
export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { memory: string };
}

/**
 * How an app that signs in with OpenID Connect (`sso: 'oidc'`) is registered in Authentik. The app
 * package configures the other end (client ID, callback path); both sides must agree.
 */
export interface OidcClient {
  /** Display name of the Authentik application. */
  name: string;
  /** Application slug: the issuer is `https://<auth host>/application/o/<slug>/`. */
  slug: string;
  /** OAuth2 client ID (not a secret). */
  clientId: string;
  /** Callback paths on the app's own host(s), e.g. `/login/generic_oauth`. Matched strictly. */
  redirectPaths: string[];
  /** Extra Authentik groups the app maps to roles (created by the blueprint, allowed into the app). */
  groups: string[];
}

/** What a caller may change; every field has its default in `AUTHENTIK_DEFAULTS`. */
export interface AuthentikSettings {
  /** Namespace of server, worker, database, blueprint and outpost. @default 'authentik' */
  namespace: string;
  /** ArgoCD sync wave: after storage, certificates and the apps it protects. @default 10 */
  syncWave: number;
  /** Authentik's host is `<hostLabel>.<domains.internal>`. @default SSO_PROVIDER.hostLabel ('auth', from @homelab/core) */
  hostLabel: string;
  /**
   * Cluster DNS domain: proxy providers reach apps at `http://<service>.<namespace>.svc.<clusterDomain>:<port>`.
   * @default 'cluster.local'
   */
  clusterDomain: string;
  /** Port of the server Service (`server.service.servicePortHttp`), which the route and exposure use. @default 80 */
  serverPort: number;
  /** authentik log level (`authentik.log_level`). @default 'info' */
  logLevel: 'debug' | 'info' | 'warning' | 'error';
  /**
   * The Secret with Authentik's own credentials, read through environment variables.
   * @default { name: 'authentik-secrets', keys: { secretKey: 'secret-key', postgresPassword: 'postgresql-password' } }
   */
  secret: { name: string; keys: { secretKey: string; postgresPassword: string } };
  /**
   * The Secret holding one key per OIDC application (`<slug>-client-secret`): the client secrets the
   * blueprint reads with `!Env`, so they never enter git. @default 'authentik-oidc-clients'
   */
  oidcClientSecretName: string;
  /**
   * Where protected (`sso: 'proxy'`) routes send their traffic. `server`: the chart's server Service,
   * which serves the embedded outpost on the same port (it is part of the generated tree).
   * `outpost-service`: the `ak-outpost-authentik-embedded-outpost` Service (port 9000) that Authentik
   * creates at runtime through its Kubernetes integration. @default 'server'
   */
  outpostTarget: 'server' | 'outpost-service';
  /**
   * Groups the blueprint creates. Every generated application lets in `admins` and `users` (plus
   * its own `OidcClient.groups`); `admins` are Authentik superusers.
   * @default { admins: 'homelab-admins', users: 'homelab-users' }
   */
  groups: { admins: string; users: string };
  /**
   * The user the blueprint puts in the `admins` group: Authentik's bootstrap admin, whom its
   * initial-setup flow (`/if/flow/initial-setup/`) gives a password on first start. So the first
   * SSO login has admin rights in every app. The blueprint owns that user's group membership
   * (`admins` is a superuser group, so it stays a superuser). `null` in a patch drops it: nobody,
   * add members by hand.
   * @default 'akadmin'
   */
  bootstrapAdmin?: string;
  /**
   * OIDC clients of known apps, keyed by the name of the component that exposes them. Any other
   * component with an `sso: 'oidc'` exposure gets slug and client ID = its component name and a
   * redirect URI matching any path on its hosts.
   * @default Argo CD (`argocd`: /auth/callback) and Grafana (`kube-prometheus-stack`: /login/generic_oauth)
   */
  oidcClients: Record<string, OidcClient>;
  server: { replicas: number; resources: Resources };
  worker: { replicas: number; resources: Resources };
  /**
   * The server's metrics Service and its prometheus-operator ServiceMonitor. Needs the
   * monitoring.coreos.com CRDs, which exist only while kube-prometheus-stack is enabled: the
   * module turns this on from the composition (core's `serviceMonitorsWanted`).
   * @default false
   */
  serviceMonitor: boolean;
  /**
   * The bundled PostgreSQL. `storageClass`: its data volume's; the module sets what
   * `storage.volumes.authentikPostgres` chooses (NFS unless it says node-local, which spares the
   * export the chown PostgreSQL needs). @default 'nfs-config' (STORAGE_CLASSES.config of @homelab/nfs-csi)
   */
  postgres: { storageSize: string; storageClass: string; resources: Resources };
}

export const AUTHENTIK_DEFAULTS = {
  namespace: 'authentik',
  syncWave: 10,
  hostLabel: SSO_PROVIDER.hostLabel,
  clusterDomain: 'cluster.local',
  serverPort: 80,
  logLevel: 'info',
  secret: { name: 'authentik-secrets', keys: { secretKey: 'secret-key', postgresPassword: 'postgresql-password' } },
  oidcClientSecretName: 'authentik-oidc-clients',
  outpostTarget: 'server',
  groups: { ...SSO_GROUPS },
  bootstrapAdmin: 'akadmin',
  oidcClients: {
    // Shared with @homelab/argocd through core: slug, client ID and the server's OIDC callback.
    argocd: { name: 'Argo CD', ...SSO_OIDC_CLIENTS.argocd, redirectPaths: [...SSO_OIDC_CLIENTS.argocd.redirectPaths], groups: [] },
    // Mirrors @homelab/kube-prometheus-stack's grafana.sso defaults (slug, client ID, role groups).
    'kube-prometheus-stack': {
      name: 'Grafana',
      slug: 'grafana',
      clientId: 'grafana',
      redirectPaths: ['/login/generic_oauth'],
      groups: ['Grafana Admins', 'Grafana Editors'],
    },
  },
  server: { replicas: 1, resources: { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '1Gi' } } },
  worker: { replicas: 1, resources: { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '1Gi' } } },
  serviceMonitor: false,
  postgres: { storageSize: '8Gi', storageClass: STORAGE_CLASSES.config, resources: { requests: { cpu: '50m', memory: '256Mi' }, limits: { memory: '1Gi' } } },
} satisfies AuthentikSettings;

/**
 * Grafana, as kube-prometheus-stack's `grafana:` subchart: persistent on the config NFS export,
 * signed in through Authentik (OIDC), with a Loki datasource and pinned grafana.com dashboards.
 */
import type { Exposure, SecretDeclaration, SecretValue } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { LOKI_URLS } from '@homelab/loki';
import { COMPONENT_NAMES, GRAFANA_SECRETS, GRAFANA_SERVICE, LOKI_DATASOURCE, PROMETHEUS_DATASOURCE } from './defaults.js';
import type { GrafanaDashboard } from './versions.js';

/** How Grafana signs users in through Authentik's OAuth2/OpenID provider. */
export interface GrafanaSsoSettings {
  /**
   * Host label of Authentik under `domains.internal`: the OIDC endpoints are
   * `https://<label>.<domains.internal>/application/o/…`.
   * @default 'auth'
   */
  providerHostLabel: string;
  /** Slug of Grafana's Authentik application (its end-session URL contains it). @default 'grafana' */
  applicationSlug: string;
  /** OAuth2 client ID of Grafana's Authentik provider (not a secret). @default 'grafana' */
  clientId: string;
  /** Authentik group whose members become Grafana Admins. @default 'Grafana Admins' */
  adminGroup: string;
  /** Authentik group whose members become Editors; everyone else is a Viewer. @default 'Grafana Editors' */
  editorGroup: string;
}

export interface GrafanaSettings {
  /** Host label under `domains.internal`: Grafana is `https://<label>.<domains.internal>`. @default 'grafana' */
  hostLabel: string;
  /** Size of Grafana's volume claim (SQLite database, plugins, downloaded dashboards). @default '5Gi' */
  storageSize: string;
  /**
   * StorageClass of Grafana's volume claim; the module sets what `storage.volumes.grafana` chooses
   * (NFS unless it says node-local).
   * @default 'nfs-config' (STORAGE_CLASSES.config of @homelab/nfs-csi)
   */
  storageClass: string;
  sso: GrafanaSsoSettings;
  /**
   * grafana.com dashboards keyed by name (`null` in a patch drops one). Each is filed in its
   * folder and left out when the component it `requires` is disabled.
   * @default GRAFANA_DASHBOARDS (src/versions.ts): Node Exporter Full, Cilium agent/operator/Hubble, Argo CD, cert-manager
   */
  dashboards: Record<string, GrafanaDashboard>;
}

/** Pod security context for Grafana's pod, matching the NFS export's owner. */
export type GrafanaSecurityContext = {
  runAsUser: number;
  runAsGroup: number;
  fsGroup: number;
  fsGroupChangePolicy: 'OnRootMismatch';
  runAsNonRoot: boolean;
};

/** A datasource Grafana provisions (kube-prometheus-stack's `additionalDataSources` entries). */
export type GrafanaDatasource = { name: string; uid: string; type: string; url: string; access: 'proxy'; isDefault: boolean; jsonData?: Record<string, unknown> };

/** grafana.ini as sections of keys (the chart renders the map to INI). */
export type GrafanaIni = Record<string, Record<string, string | boolean>>;

/** A Grafana file dashboard provider (one per folder). */
export type DashboardProvider = {
  name: string;
  orgId: 1;
  folder: string;
  type: 'file';
  disableDeletion: boolean;
  editable: boolean;
  options: { path: string };
};

/** The `grafana:` values this package sets. */
export type GrafanaValues = {
  fullnameOverride: string;
  service: { port: number };
  admin: { existingSecret: string; userKey: string; passwordKey: string };
  persistence: { enabled: true; type: 'pvc'; storageClassName: string; accessModes: ['ReadWriteOnce']; size: string };
  deploymentStrategy: { type: 'Recreate' };
  initChownData: { enabled: false };
  securityContext: GrafanaSecurityContext;
  envValueFrom: Record<string, { secretKeyRef: { name: string; key: string } }>;
  'grafana.ini': GrafanaIni;
  sidecar: { datasources: { name: string; uid: string } };
  additionalDataSources: GrafanaDatasource[];
  dashboardProviders: { 'dashboardproviders.yaml': { apiVersion: 1; providers: DashboardProvider[] } };
  dashboards: Record<string, Record<string, { gnetId: number; revision: number; datasource: string }>>;
};

/** Environment variable Grafana reads `[auth.generic_oauth] client_secret` from. */
export const OIDC_CLIENT_SECRET_ENV = 'GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET';

/** Where Grafana keeps file-provisioned dashboards: on its volume, one directory per provider. */
const DASHBOARDS_ROOT = '/var/lib/grafana/dashboards';

/** `grafana.<domains.internal>`. */
export function grafanaHost(config: ResolvedConfig, settings: GrafanaSettings): string {
  return `${settings.hostLabel}.${config.domains.internal}`;
}

/** Authentik's OAuth2/OIDC endpoints for Grafana's application. */
export function oidcEndpoints(config: ResolvedConfig, sso: GrafanaSsoSettings) {
  const base = `https://${sso.providerHostLabel}.${config.domains.internal}/application/o`;
  return {
    authorize: `${base}/authorize/`,
    token: `${base}/token/`,
    userinfo: `${base}/userinfo/`,
    issuer: `${base}/${sso.applicationSlug}/`,
    endSession: `${base}/${sso.applicationSlug}/end-session/`,
  };
}

/** The redirect URI to register in Grafana's Authentik provider. */
export function oidcRedirectUri(config: ResolvedConfig, settings: GrafanaSettings): string {
  return `https://${grafanaHost(config, settings)}/login/generic_oauth`;
}

/** JMESPath over the userinfo `groups` claim: Admin, Editor, else Viewer. */
export function roleAttributePath(sso: GrafanaSsoSettings): string {
  return `contains(groups, '${sso.adminGroup}') && 'Admin' || contains(groups, '${sso.editorGroup}') && 'Editor' || 'Viewer'`;
}

/** grafana.ini: public URL and Authentik sign-in. The client secret comes from the environment. */
export function grafanaIni(config: ResolvedConfig, settings: GrafanaSettings): GrafanaIni {
  const host = grafanaHost(config, settings);
  const endpoints = oidcEndpoints(config, settings.sso);
  return {
    server: { domain: host, root_url: `https://${host}` },
    auth: { signout_redirect_url: endpoints.endSession },
    'auth.generic_oauth': {
      enabled: true,
      name: 'Authentik',
      client_id: settings.sso.clientId,
      scopes: 'openid profile email',
      auth_url: endpoints.authorize,
      token_url: endpoints.token,
      api_url: endpoints.userinfo,
      role_attribute_path: roleAttributePath(settings.sso),
      allow_sign_up: true,
      use_pkce: true,
    },
  };
}

/** Folder name → provider name (a path segment): lower case, runs of other characters → '-'. */
export function providerName(folder: string): string {
  return folder.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** The dashboards that apply to this config: those whose `requires` component is not disabled. */
export function activeDashboards(config: ResolvedConfig, dashboards: Record<string, GrafanaDashboard>): Record<string, GrafanaDashboard> {
  return Object.fromEntries(
    Object.entries(dashboards)
      .filter(([, dashboard]) => dashboard.requires === undefined || config.components[dashboard.requires]?.enabled !== false)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/** File providers (one per folder) and the dashboards Grafana downloads into them. */
export function grafanaDashboardValues(dashboards: Record<string, GrafanaDashboard>): Pick<GrafanaValues, 'dashboardProviders' | 'dashboards'> {
  const byProvider: GrafanaValues['dashboards'] = {};
  const folders = new Map<string, string>();
  for (const [name, dashboard] of Object.entries(dashboards)) {
    const provider = providerName(dashboard.folder);
    const taken = folders.get(provider);
    if (taken !== undefined && taken !== dashboard.folder) {
      throw new Error(
        `${COMPONENT_NAMES.stack}: two dashboard folders share the provider directory '${provider}' (grafana.dashboards.${name}.folder: '${dashboard.folder}', other folder: '${taken}'). Spell the folder like the other one, or name it apart.`,
      );
    }
    folders.set(provider, dashboard.folder);
    // The string form makes the chart's download script point every datasource of the JSON at this one.
    (byProvider[provider] ??= {})[name] = { gnetId: dashboard.gnetId, revision: dashboard.revision, datasource: PROMETHEUS_DATASOURCE.name };
  }
  const providers = [...folders.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, folder]): DashboardProvider => ({
      name,
      orgId: 1,
      folder,
      type: 'file',
      disableDeletion: false,
      editable: true,
      options: { path: `${DASHBOARDS_ROOT}/${name}` },
    }));
  return { dashboardProviders: { 'dashboardproviders.yaml': { apiVersion: 1, providers } }, dashboards: byProvider };
}

/** The Loki datasource, pointing at the URL @homelab/loki exports. */
export function lokiDatasource(): GrafanaDatasource {
  return { ...LOKI_DATASOURCE, type: 'loki', url: LOKI_URLS.query, access: 'proxy', isDefault: false, jsonData: { maxLines: 1000 } };
}

/**
 * Pod security context for a volume on the config NFS export: the UID/GID the export maps every
 * client to (`workloads.puid/pgid`). With fsGroup equal to the export's group, kubelet's ownership
 * pass finds nothing to change, so it never needs the chown a squashed export refuses.
 */
export function nfsPodSecurityContext(config: ResolvedConfig): GrafanaSecurityContext {
  const { puid, pgid } = config.workloads;
  return { runAsUser: puid, runAsGroup: pgid, fsGroup: pgid, fsGroupChangePolicy: 'OnRootMismatch', runAsNonRoot: puid !== 0 };
}

/** The whole `grafana:` block. */
export function grafanaValues(config: ResolvedConfig, settings: GrafanaSettings, options: { lokiDatasource: boolean }): GrafanaValues {
  return {
    fullnameOverride: GRAFANA_SERVICE.name,
    service: { port: GRAFANA_SERVICE.port },
    admin: { existingSecret: GRAFANA_SECRETS.admin.name, userKey: GRAFANA_SECRETS.admin.keys.user, passwordKey: GRAFANA_SECRETS.admin.keys.password },
    persistence: { enabled: true, type: 'pvc', storageClassName: settings.storageClass, accessModes: ['ReadWriteOnce'], size: settings.storageSize },
    // NFS does not enforce ReadWriteOnce: Recreate keeps two Grafanas off one SQLite file during a rollout.
    deploymentStrategy: { type: 'Recreate' },
    // The init container chowns /var/lib/grafana as root, which a squashed NFS export refuses.
    initChownData: { enabled: false },
    securityContext: nfsPodSecurityContext(config),
    envValueFrom: {
      [OIDC_CLIENT_SECRET_ENV]: { secretKeyRef: { name: GRAFANA_SECRETS.oidc.name, key: GRAFANA_SECRETS.oidc.keys.clientSecret } },
    },
    'grafana.ini': grafanaIni(config, settings),
    sidecar: { datasources: { ...PROMETHEUS_DATASOURCE } },
    additionalDataSources: options.lokiDatasource ? [lokiDatasource()] : [],
    ...grafanaDashboardValues(activeDashboards(config, settings.dashboards)),
  };
}

/** Grafana's OIDC client secret: one generated value, in Grafana's Secret and (through the exposure) Authentik's. */
export function grafanaOidcClientSecretValue(config: ResolvedConfig, settings: GrafanaSettings): SecretValue {
  const endpoints = oidcEndpoints(config, settings.sso);
  return {
    id: `${GRAFANA_SECRETS.oidc.namespace}/grafana-oidc-client-secret`,
    description:
      `Client secret of Grafana's OAuth2/OpenID provider in Authentik (application '${settings.sso.applicationSlug}', ` +
      `client ID '${settings.sso.clientId}', confidential, redirect URI ${oidcRedirectUri(config, settings)}, issuer ${endpoints.issuer}), shared by Grafana and Authentik.`,
    generate: { length: 64, alphabet: 'alphanumeric' },
  };
}

/** The Secrets Grafana reads, with where their values come from. */
export function grafanaSecrets(config: ResolvedConfig, settings: GrafanaSettings): SecretDeclaration[] {
  const { oidc, admin } = GRAFANA_SECRETS;
  const clientSecret = grafanaOidcClientSecretValue(config, settings);
  return [
    {
      name: oidc.name,
      namespace: oidc.namespace,
      keys: [oidc.keys.clientSecret],
      description:
        `Grafana's copy of its OIDC client secret (value ${clientSecret.id}, generated by homelab secrets init). ` +
        `Grafana maps the groups '${settings.sso.adminGroup}' and '${settings.sso.editorGroup}' to Admin and Editor.`,
      values: { [oidc.keys.clientSecret]: clientSecret },
    },
    {
      name: admin.name,
      namespace: admin.namespace,
      keys: [admin.keys.user, admin.keys.password],
      description:
        `Grafana's local admin account (break-glass login at https://${grafanaHost(config, settings)}/login when Authentik is down). ` +
        'Grafana sets it when it creates its database; both are generated (read them with sops -d).',
      values: {
        [admin.keys.user]: { id: `${admin.namespace}/grafana-admin-user`, description: "User name of Grafana's break-glass admin.", generate: { length: 12, alphabet: 'lowercase' } },
        [admin.keys.password]: { id: `${admin.namespace}/grafana-admin-password`, description: "Password of Grafana's break-glass admin.", generate: { length: 32, alphabet: 'alphanumeric' } },
      },
    },
  ];
}

/** Grafana on the internal gateway, signed in through Authentik. */
export function grafanaExposure(config: ResolvedConfig, settings: GrafanaSettings): Exposure {
  return { host: grafanaHost(config, settings), access: 'internal', service: { ...GRAFANA_SERVICE }, sso: 'oidc', oidcClientSecret: grafanaOidcClientSecretValue(config, settings) };
}

/** Rejects SSO settings that would break the generated JMESPath or URLs. */
export function checkGrafanaSettings(settings: GrafanaSettings): void {
  const fail = (problem: string, path: string, value: unknown, fix: string): never => {
    throw new Error(`${COMPONENT_NAMES.stack}: ${problem} (${path}: '${String(value)}'). ${fix}`);
  };
  for (const key of ['adminGroup', 'editorGroup'] as const) {
    const group = settings.sso[key];
    if (group === '' || /['\\]/.test(group)) fail('a group name must be non-empty, without quotes or backslashes', `grafana.sso.${key}`, group, 'Rename the Authentik group, e.g. Grafana Admins.');
  }
  const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
  if (!label.test(settings.hostLabel)) fail('the host label is not a DNS label', 'grafana.hostLabel', settings.hostLabel, 'Use lower-case letters, digits and hyphens, e.g. grafana.');
  if (!label.test(settings.sso.providerHostLabel)) fail('the host label is not a DNS label', 'grafana.sso.providerHostLabel', settings.sso.providerHostLabel, 'Use the label of Authentik under domains.internal, e.g. auth.');
  if (!/^[a-z0-9-_]+$/.test(settings.sso.applicationSlug)) fail('the application slug is not an Authentik slug', 'grafana.sso.applicationSlug', settings.sso.applicationSlug, 'Use lower-case letters, digits, - and _.');
}

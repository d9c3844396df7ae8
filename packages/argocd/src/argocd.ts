/** The ArgoCD component: self-managed chart, Application health check, SOPS plugin, bootstrap kit. */
import { merge, SSO_OIDC_CLIENTS, SSO_PROVIDER, toYaml, type Component, type Exposure, type Patch, type SecretDeclaration, type SecretValue } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { argocdDefaults, type ArgoCdSettings } from './defaults.js';
import { APPLICATION_HEALTH_KEY, APPLICATION_HEALTH_LUA } from './health-check.js';
import { bootstrapFiles, bootstrapPaths } from './bootstrap.js';
import { sopsPlugin, type CmpPluginSpec } from './sops-plugin.js';
import { ARGOCD_CHART } from './versions.js';

/** Component name, Application name, Helm release name and chart fullname. */
export const ARGOCD_NAME = 'argocd';

const SOURCE = '@homelab/argocd';

/** The chart's name for the API/UI server; with the fullname it makes the Service `argocd-server`. */
const SERVER_NAME = 'server';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The argocd-cm key of the native OIDC configuration. */
export const OIDC_CONFIG_KEY = 'oidc.config';

/** The label ArgoCD requires on a Secret before it resolves a `$<secret>:<key>` reference into it. */
export const ARGOCD_SECRET_LABEL = { 'app.kubernetes.io/part-of': 'argocd' } as const;

/** A component's metrics Service and its ServiceMonitor. */
interface MetricsValues {
  enabled: boolean;
  serviceMonitor: { enabled: boolean };
}

/** The argo-cd chart values this package sets (checked against the chart's values.yaml in tests). */
export interface ArgoCdValues {
  fullnameOverride: string;
  global: { domain: string };
  configs: {
    params: { 'server.insecure': boolean };
    cm: Record<string, string>;
    cmp: { create: boolean; plugins: Record<string, CmpPluginSpec> };
    rbac: { 'policy.default': string; 'policy.csv': string; scopes: string };
  };
  dex: { enabled: boolean };
  controller: { metrics: MetricsValues };
  server: { name: string; service: { servicePortHttp: number }; metrics: MetricsValues };
  repoServer: { metrics: MetricsValues; extraContainers: unknown[]; volumes: unknown[] };
  applicationSet: { metrics: MetricsValues };
}

/** Fails on a setting that would produce an invalid name, naming the path and the fix. */
function checkSettings(settings: ArgoCdSettings): void {
  const labels: [string, string][] = [
    ['hostLabel', settings.hostLabel],
    ['sops.plugin', settings.sops.plugin],
    ['sops.secretName', settings.sops.secretName],
    ['oidc.providerHostLabel', settings.oidc.providerHostLabel],
    ['oidc.secretName', settings.oidc.secretName],
  ];
  for (const [path, value] of labels) {
    if (!DNS_LABEL.test(value)) {
      throw new Error(`argocd: not a DNS label (${path}: '${value}'). Use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit.`);
    }
  }
  const ROLE = /^role:[a-z0-9][-a-z0-9]*$/;
  for (const [group, role] of Object.entries(settings.rbac)) {
    // One policy line per group: a comma or line break would inject more rules.
    if (group.trim() === '' || /[,\r\n]/.test(group)) {
      throw new Error(`argocd: an RBAC group name cannot be empty or hold a comma or line break (rbac: '${group}'). Use the group name exactly as the identity provider sends it.`);
    }
    if (!ROLE.test(role)) {
      throw new Error(`argocd: not an ArgoCD role (rbac.${group}: '${role}'). Use role:admin, role:readonly or a role defined in policy.csv.`);
    }
  }
  if (settings.rbacDefault !== '' && !ROLE.test(settings.rbacDefault)) {
    throw new Error(`argocd: not an ArgoCD role (rbacDefault: '${settings.rbacDefault}'). Use role:readonly, '' (no role) or a role defined in policy.csv.`);
  }
  const { oidc } = settings;
  if (oidc.name.trim() === '') {
    throw new Error("argocd: the identity provider needs a name for the login button (oidc.name: ''). Use e.g. 'Authentik'.");
  }
  if (!/^[-a-zA-Z0-9_]+$/.test(oidc.slug)) {
    throw new Error(`argocd: not an application slug (oidc.slug: '${oidc.slug}'). Use letters, digits, '-' and '_', the slug the identity provider registers.`);
  }
  if (!/^\S+$/.test(oidc.clientId)) {
    throw new Error(`argocd: a client ID cannot be empty or hold whitespace (oidc.clientId: '${oidc.clientId}'). Use the client ID the identity provider registers.`);
  }
  if (!/^[-._a-zA-Z0-9]+$/.test(oidc.secretKey)) {
    throw new Error(`argocd: not a Secret key (oidc.secretKey: '${oidc.secretKey}'). Use letters, digits, '-', '_' and '.'.`);
  }
  if (!oidc.requestedScopes.includes('openid')) {
    throw new Error(`argocd: OpenID Connect needs the openid scope (oidc.requestedScopes: '${oidc.requestedScopes.join(', ')}'). Add 'openid'.`);
  }
  if (!settings.sops.keyDir.startsWith('/')) {
    throw new Error(`argocd: not an absolute path (sops.keyDir: '${settings.sops.keyDir}'). Use a directory starting with /.`);
  }
}

/** Defaults with the caller's overrides merged on (merge() semantics), checked. */
export function argocdSettings(overrides?: Patch<ArgoCdSettings>): ArgoCdSettings {
  const settings = merge<ArgoCdSettings>(argocdDefaults, overrides);
  checkSettings(settings);
  return settings;
}

/** Host of the UI and API: the package's label under the internal domain. */
export function argocdHost(config: Pick<ResolvedConfig, 'domains'>, settings: ArgoCdSettings = argocdDefaults): string {
  return `${settings.hostLabel}.${config.domains.internal}`;
}

/** The server Service the gateway routes to: named by the chart from fullname and server name. */
export function argocdServerService(settings: ArgoCdSettings = argocdDefaults): Exposure['service'] {
  return { name: `${ARGOCD_NAME}-${SERVER_NAME}`, namespace: settings.namespace, port: settings.httpPort };
}

/** The internal exposure; the route and SSO wiring are derived from it elsewhere. */
export function argocdExposure(config: Pick<ResolvedConfig, 'domains'>, settings: ArgoCdSettings = argocdDefaults): Exposure {
  return { host: argocdHost(config, settings), access: 'internal', service: argocdServerService(settings), sso: 'oidc', oidcClientSecret: oidcClientSecretValue(config, settings) };
}

/**
 * The OIDC client secret itself: one value the homelab generates, carried by ArgoCD's Secret and
 * (through the exposure) by the identity provider's. 64 alphanumerics, as Authentik generates them.
 */
export function oidcClientSecretValue(config: Pick<ResolvedConfig, 'domains'>, settings: ArgoCdSettings = argocdDefaults): SecretValue {
  const { oidc } = settings;
  return {
    id: `${settings.namespace}/oidc-client-secret`,
    description:
      `Client secret of ArgoCD's OIDC client '${oidc.clientId}' (issuer ${oidcIssuer(config, settings)}, redirect URI ${oidcRedirectUris(config, settings).join(', ')}), ` +
      'shared by ArgoCD and the identity provider.',
    generate: { length: 64, alphabet: 'alphanumeric' },
  };
}

/** The identity provider's host: its label (shared with the provider through core) under the internal domain. */
export function oidcProviderHost(config: Pick<ResolvedConfig, 'domains'>, settings: ArgoCdSettings = argocdDefaults): string {
  return `${settings.oidc.providerHostLabel}.${config.domains.internal}`;
}

/** The issuer: Authentik serves one per application, at `/application/o/<slug>/` on its host. */
export function oidcIssuer(config: Pick<ResolvedConfig, 'domains'>, settings: ArgoCdSettings = argocdDefaults): string {
  return `https://${oidcProviderHost(config, settings)}/application/o/${settings.oidc.slug}/`;
}

/**
 * Where the identity provider sends the browser back: ArgoCD's callback path(s) on its URL (the
 * chart's `url`, `https://<global.domain>`). The same paths the provider registers (SSO_OIDC_CLIENTS).
 */
export function oidcRedirectUris(config: Pick<ResolvedConfig, 'domains'>, settings: ArgoCdSettings = argocdDefaults): string[] {
  return SSO_OIDC_CLIENTS[ARGOCD_NAME].redirectPaths.map((path) => `https://${argocdHost(config, settings)}${path}`);
}

/**
 * ArgoCD's OIDC settings (`oidc.config` in argocd-cm). The client secret is ArgoCD's
 * `$<secret>:<key>` reference into the declared Secret, resolved by ArgoCD at runtime.
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/user-management/#existing-oidc-provider
 */
export function oidcConfig(config: Pick<ResolvedConfig, 'domains'>, settings: ArgoCdSettings = argocdDefaults) {
  const { oidc } = settings;
  return {
    name: oidc.name,
    issuer: oidcIssuer(config, settings),
    clientID: oidc.clientId,
    clientSecret: `$${oidc.secretName}:${oidc.secretKey}`,
    requestedScopes: [...oidc.requestedScopes],
  };
}

/** The OIDC client secret, which `oidc.config` references. */
export function oidcClientSecret(config: Pick<ResolvedConfig, 'domains'>, settings: ArgoCdSettings = argocdDefaults): SecretDeclaration {
  const { oidc } = settings;
  return {
    name: oidc.secretName,
    namespace: settings.namespace,
    keys: [oidc.secretKey],
    description:
      `ArgoCD's copy of its OIDC client secret (value ${oidcClientSecretValue(config, settings).id}, generated by homelab secrets init). ` +
      `ArgoCD reads it through '$${oidc.secretName}:${oidc.secretKey}' in oidc.config, which is why homelab secrets labels it for ArgoCD.`,
    values: { [oidc.secretKey]: oidcClientSecretValue(config, settings) },
    labels: { ...ARGOCD_SECRET_LABEL },
  };
}

/** The age key Secret the SOPS plugin mounts. */
export function sopsAgeSecret(settings: ArgoCdSettings = argocdDefaults): SecretDeclaration {
  return {
    name: settings.sops.secretName,
    namespace: settings.namespace,
    keys: [settings.sops.secretKey],
    description:
      `The age private key (identities file) ArgoCD's repo-server decrypts ${settings.sops.filePattern} files with. ` +
      `Created once by hand during bootstrap (${bootstrapPaths.readme}); never committed.`,
    values: {
      [settings.sops.secretKey]: {
        id: `${settings.namespace}/age-identity`,
        description: 'The age identity (age-keygen key file) whose public key is in secrets.ageRecipients.',
        format: 'age-identity',
      },
    },
  };
}

/**
 * The age key Secret of a built ArgoCD component: the declared Secret its repo-server mounts for
 * the SOPS plugin (read from the values, so overrides follow). What bootstrap creates by hand.
 */
export function mountedAgeSecret(component: Pick<Component, 'name' | 'values' | 'secrets'>): SecretDeclaration {
  const volumes = ((component.values as Partial<ArgoCdValues> | undefined)?.repoServer?.volumes ?? []) as { secret?: { secretName?: string } }[];
  const mounted = volumes.flatMap((volume) => (volume.secret?.secretName ? [volume.secret.secretName] : []));
  const secret = component.secrets?.find((declared) => mounted.includes(declared.name));
  if (!secret) throw new Error(`${component.name}: the repo-server mounts no declared Secret for the SOPS plugin (repoServer.volumes).`);
  return secret;
}

const metrics = (settings: Pick<ArgoCdSettings, 'metrics' | 'serviceMonitors'>): MetricsValues => ({
  enabled: settings.metrics,
  serviceMonitor: { enabled: settings.metrics && settings.serviceMonitors },
});

/**
 * The RBAC policy: each group bound to its role, any other signed-in user to `rbacDefault`;
 * roles come from the identity provider's groups claim (SSO_PROVIDER.groupsClaim) of the OIDC
 * token. Sorted, so the output is stable.
 */
export function rbacPolicy(settings: Pick<ArgoCdSettings, 'rbac' | 'rbacDefault'> = argocdDefaults): ArgoCdValues['configs']['rbac'] {
  const lines = Object.entries(settings.rbac)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([group, role]) => `g, ${group}, ${role}`);
  return { 'policy.default': settings.rbacDefault, 'policy.csv': lines.length > 0 ? `${lines.join('\n')}\n` : '', scopes: `[${SSO_PROVIDER.groupsClaim}]` };
}

/** Plain data for Helm values (the @kubernetes-models classes serialise through toJSON). */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** The chart values: the only place ArgoCD's configuration is written. */
export function argocdValues(config: Pick<ResolvedConfig, 'domains'>, settings: ArgoCdSettings = argocdDefaults): ArgoCdValues {
  const plugin = sopsPlugin(settings.sops);
  return {
    fullnameOverride: ARGOCD_NAME,
    global: { domain: argocdHost(config, settings) },
    configs: {
      // TLS ends at the gateway; the server speaks plain HTTP behind it.
      params: { 'server.insecure': true },
      // `url` is the chart's preset, https://<global.domain>: ArgoCD's callback URL derives from it.
      cm: { [APPLICATION_HEALTH_KEY]: APPLICATION_HEALTH_LUA, [OIDC_CONFIG_KEY]: toYaml(oidcConfig(config, settings)) },
      cmp: { create: true, plugins: { [settings.sops.plugin]: plugin.spec } },
      rbac: rbacPolicy(settings),
    },
    dex: { enabled: settings.dex },
    controller: { metrics: metrics(settings) },
    server: { name: SERVER_NAME, service: { servicePortHttp: settings.httpPort }, metrics: metrics(settings) },
    repoServer: {
      metrics: metrics(settings),
      extraContainers: [plain(plugin.container)],
      volumes: Object.values(plugin.volumes).map(plain),
    },
    applicationSet: { metrics: metrics(settings) },
  };
}

/**
 * Values the chart reads although its values.yaml does not list them (argo-helm
 * charts/argo-cd/templates/_helpers.tpl at 10.1.1): `configs.params` is a pass-through map,
 * "argo-cd.config.params" writes every key but create and annotations into argocd-cmd-params-cm,
 * and values.yaml lists only those two plus a commented example. (`configs.cm` needs no entry: its
 * defaults hold literal dotted keys, which marks it as a data map whose keys are free.)
 */
export const ARGOCD_UNLISTED_VALUES = ['configs.params."server.insecure"'] as const;

/** The ArgoCD component: ArgoCD managing itself from the values it was bootstrapped with. */
export function buildArgoCd(config: ResolvedConfig, overrides?: Patch<ArgoCdSettings>): Component {
  const settings = argocdSettings(overrides);
  const chart = { ...ARGOCD_CHART, unlistedValues: ARGOCD_UNLISTED_VALUES };
  const ageSecret = sopsAgeSecret(settings);
  const exposure = argocdExposure(config, settings);
  const component = {
    name: ARGOCD_NAME,
    group: 'core',
    namespace: settings.namespace,
    syncWave: settings.syncWave,
    source: SOURCE,
    description: 'ArgoCD: GitOps controller, managing itself and every other component',
    chart,
    podSecurity: settings.podSecurity,
    // The controller and server work on the API; the repo-server fetches git repositories and charts.
    network: { kubeApi: { client: true }, internetEgress: true },
    // The chart's CRDs (Application, AppProject, ApplicationSet) and RBAC.
    clusterResources: ['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'],
    // Deleting or pruning this Application must never uninstall ArgoCD itself.
    application: { cascadeDelete: false, parentSyncOptions: ['Prune=false', 'Delete=false'] },
  } satisfies Component;
  return {
    ...component,
    values: argocdValues(config, settings) as unknown as Record<string, unknown>,
    secrets: [ageSecret, oidcClientSecret(config, settings)],
    exposes: [exposure],
    files: bootstrapFiles(SOURCE, settings.namespace, settings.podSecurity),
  };
}

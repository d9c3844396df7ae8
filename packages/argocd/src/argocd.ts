/** The ArgoCD component: self-managed chart, Application health check, SOPS plugin, bootstrap kit. */
import { merge, type Component, type Exposure, type Patch, type SecretDeclaration } from '@homelab/core';
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

/** A component's metrics Service, with its ServiceMonitor off until prometheus-operator's CRDs exist. */
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
    rbac: { 'policy.default': ''; 'policy.csv': string; scopes: string };
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
  ];
  for (const [path, value] of labels) {
    if (!DNS_LABEL.test(value)) {
      throw new Error(`argocd: not a DNS label (${path}: '${value}'). Use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit.`);
    }
  }
  for (const [group, role] of Object.entries(settings.rbac)) {
    // One policy line per group: a comma or line break would inject more rules.
    if (group.trim() === '' || /[,\r\n]/.test(group)) {
      throw new Error(`argocd: an RBAC group name cannot be empty or hold a comma or line break (rbac: '${group}'). Use the group name exactly as the identity provider sends it.`);
    }
    if (!/^role:[a-z0-9][-a-z0-9]*$/.test(role)) {
      throw new Error(`argocd: not an ArgoCD role (rbac.${group}: '${role}'). Use role:admin, role:readonly or a role defined in policy.csv.`);
    }
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
  return { host: argocdHost(config, settings), access: 'internal', service: argocdServerService(settings), sso: 'oidc' };
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
  };
}

// ServiceMonitors stay off: the prometheus-operator CRDs arrive later with the observability stack,
// and a ServiceMonitor before its CRD fails the sync. Turn them on (values override) once it runs.
const metrics = (enabled: boolean): MetricsValues => ({ enabled, serviceMonitor: { enabled: false } });

/**
 * The RBAC policy: each group bound to its role, nobody else to any (`policy.default` empty);
 * roles come from the `groups` scope of the OIDC token. Sorted, so the output is stable.
 */
export function rbacPolicy(settings: Pick<ArgoCdSettings, 'rbac'> = argocdDefaults): ArgoCdValues['configs']['rbac'] {
  const lines = Object.entries(settings.rbac)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([group, role]) => `g, ${group}, ${role}`);
  return { 'policy.default': '', 'policy.csv': lines.length > 0 ? `${lines.join('\n')}\n` : '', scopes: '[groups]' };
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
      cm: { [APPLICATION_HEALTH_KEY]: APPLICATION_HEALTH_LUA },
      cmp: { create: true, plugins: { [settings.sops.plugin]: plugin.spec } },
      rbac: rbacPolicy(settings),
    },
    dex: { enabled: settings.dex },
    controller: { metrics: metrics(settings.metrics) },
    server: { name: SERVER_NAME, service: { servicePortHttp: settings.httpPort }, metrics: metrics(settings.metrics) },
    repoServer: {
      metrics: metrics(settings.metrics),
      extraContainers: [plain(plugin.container)],
      volumes: Object.values(plugin.volumes).map(plain),
    },
    applicationSet: { metrics: metrics(settings.metrics) },
  };
}

/** The ArgoCD component: ArgoCD managing itself from the values it was bootstrapped with. */
export function buildArgoCd(config: ResolvedConfig, overrides?: Patch<ArgoCdSettings>): Component {
  const settings = argocdSettings(overrides);
  const chart = { ...ARGOCD_CHART };
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
    secrets: [ageSecret],
    exposes: [exposure],
    files: bootstrapFiles({
      component,
      podSecurity: settings.podSecurity,
      ageSecret,
      ageRecipients: config.secrets.ageRecipients,
      server: exposure.service,
      url: `https://${exposure.host}`,
      git: config.gitops,
    }),
  };
}

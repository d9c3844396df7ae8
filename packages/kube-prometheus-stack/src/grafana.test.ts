import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import type { ResolvedConfig } from '@homelab/config';
import { LOKI_URLS } from '@homelab/loki';
import { STORAGE_CLASSES } from '@homelab/nfs-csi';
import { chartSchemaDir, configVariant, seedConfig, unknownValueKeys } from '@homelab/testing';
import { COMPONENT_NAMES, GRAFANA_SECRETS, GRAFANA_SERVICE, KUBE_PROMETHEUS_STACK_DEFAULTS, LOKI_DATASOURCE, PROMETHEUS_DATASOURCE } from './defaults.js';
import { OIDC_CLIENT_SECRET_ENV, grafanaDashboardValues, oidcEndpoints, providerName, type GrafanaValues } from './grafana.js';
import { buildKubePrometheusStack, kubePrometheusStackSettings, type KubePrometheusStackValues } from './kube-prometheus-stack.js';
import { GRAFANA_DASHBOARDS } from './versions.js';

const config = seedConfig();

const stackOf = (c: ResolvedConfig = config, overrides?: Parameters<typeof buildKubePrometheusStack>[1]) => {
  const stack = buildKubePrometheusStack(c, overrides).find((component) => component.name === COMPONENT_NAMES.stack);
  if (!stack) throw new Error('no stack component');
  return stack;
};
const grafanaOf = (c: ResolvedConfig = config, overrides?: Parameters<typeof buildKubePrometheusStack>[1]) => (stackOf(c, overrides).values as KubePrometheusStackValues).grafana;
const chartDir = chartSchemaDir('kube-prometheus-stack');
const sso = KUBE_PROMETHEUS_STACK_DEFAULTS.grafana.sso;

describe('Grafana exposure', () => {
  it('is grafana.<domains.internal> on the internal gateway, signed in by OIDC', () => {
    expect(stackOf().exposes).toEqual([
      {
        host: `${KUBE_PROMETHEUS_STACK_DEFAULTS.grafana.hostLabel}.${config.domains.internal}`,
        access: 'internal',
        service: GRAFANA_SERVICE,
        sso: 'oidc',
        // The identity provider's copy of the client secret references the value Grafana's Secret carries.
        oidcClientSecret: stackOf().secrets!.find((secret) => secret.name === GRAFANA_SECRETS.oidc.name)!.values![GRAFANA_SECRETS.oidc.keys.clientSecret],
      },
    ]);
  });

  it('routes to the Service the chart creates: fullnameOverride names it, its port is the exposure port', () => {
    const grafana = grafanaOf();
    expect(grafana.fullnameOverride).toBe(GRAFANA_SERVICE.name);
    expect(grafana.service.port).toBe(GRAFANA_SERVICE.port);
    expect(GRAFANA_SERVICE.namespace).toBe(stackOf().namespace);
  });

  it('follows the internal domain', () => {
    const moved = configVariant((data) => (data['domains'] = { ...data['domains'], internal: 'lan.example.org' }));
    expect(stackOf(moved).exposes![0]!.host).toBe('grafana.lan.example.org');
  });
});

describe('Grafana OIDC (Authentik)', () => {
  const ini = grafanaOf()['grafana.ini'];
  const oauth = ini['auth.generic_oauth']!;

  it('derives every URL from the Authentik host under domains.internal', () => {
    const auth = `https://${sso.providerHostLabel}.${config.domains.internal}/application/o`;
    expect(oauth).toMatchObject({
      enabled: true,
      client_id: sso.clientId,
      auth_url: `${auth}/authorize/`,
      token_url: `${auth}/token/`,
      api_url: `${auth}/userinfo/`,
      use_pkce: true,
    });
    expect(ini['auth']!['signout_redirect_url']).toBe(`${auth}/${sso.applicationSlug}/end-session/`);
    expect(ini['server']).toEqual({ domain: `grafana.${config.domains.internal}`, root_url: `https://grafana.${config.domains.internal}` });
  });

  it('follows a change of domain and of the Authentik host label', () => {
    const moved = configVariant((data) => (data['domains'] = { ...data['domains'], internal: 'lan.example.org' }));
    const movedIni = grafanaOf(moved, { grafana: { sso: { providerHostLabel: 'sso' } } })['grafana.ini'];
    expect(movedIni['auth.generic_oauth']!['auth_url']).toBe('https://sso.lan.example.org/application/o/authorize/');
    expect(movedIni['auth.generic_oauth']!['token_url']).toBe('https://sso.lan.example.org/application/o/token/');
    expect(movedIni['auth.generic_oauth']!['api_url']).toBe('https://sso.lan.example.org/application/o/userinfo/');
    expect(movedIni['auth']!['signout_redirect_url']).toBe('https://sso.lan.example.org/application/o/grafana/end-session/');
    expect(movedIni['server']!['root_url']).toBe('https://grafana.lan.example.org');
    expect(JSON.stringify(movedIni)).not.toContain(config.domains.internal);
  });

  it('maps Authentik groups to Grafana roles', () => {
    expect(oauth['role_attribute_path']).toBe(
      `contains(groups, '${sso.adminGroup}') && 'Admin' || contains(groups, '${sso.editorGroup}') && 'Editor' || 'Viewer'`,
    );
  });

  it('reads the client secret from the declared Secret, never from grafana.ini', () => {
    const grafana = grafanaOf();
    expect(oauth).not.toHaveProperty('client_secret');
    expect(grafana.envValueFrom).toEqual({ [OIDC_CLIENT_SECRET_ENV]: { secretKeyRef: { name: 'grafana-oidc', key: 'client-secret' } } });
    const declared = stackOf().secrets!.find((secret) => secret.name === grafana.envValueFrom[OIDC_CLIENT_SECRET_ENV]!.secretKeyRef.name);
    expect(declared).toMatchObject({ namespace: stackOf().namespace, keys: [grafana.envValueFrom[OIDC_CLIENT_SECRET_ENV]!.secretKeyRef.key] });
  });

  it('tells the person creating the Secret the redirect URI and client ID, derived from the domain', () => {
    const description = stackOf().secrets!.find((secret) => secret.name === GRAFANA_SECRETS.oidc.name)!.values![GRAFANA_SECRETS.oidc.keys.clientSecret]!.description;
    expect(description).toContain(`https://grafana.${config.domains.internal}/login/generic_oauth`);
    expect(description).toContain(`client ID '${sso.clientId}'`);
    expect(description).toContain(oidcEndpoints(config, sso).issuer);
  });

  it('takes the break-glass admin from a declared Secret (the chart would otherwise roll a new random password at every render)', () => {
    const grafana = grafanaOf();
    const declared = stackOf().secrets!.find((secret) => secret.name === grafana.admin.existingSecret)!;
    expect(declared.namespace).toBe(stackOf().namespace);
    expect(declared.keys).toEqual([grafana.admin.userKey, grafana.admin.passwordKey]);
  });

  it('contains nothing Helm would template (the chart passes grafana.ini strings through tpl)', () => {
    expect(JSON.stringify(ini)).not.toContain('{{');
  });

  it('rejects group names that would break the role expression', () => {
    expect(() => kubePrometheusStackSettings({ grafana: { sso: { adminGroup: "Grafana's admins" } } })).toThrow(
      "kube-prometheus-stack: a group name must be non-empty, without quotes or backslashes (grafana.sso.adminGroup: 'Grafana's admins'). Rename the Authentik group, e.g. Grafana Admins.",
    );
    expect(() => kubePrometheusStackSettings({ grafana: { hostLabel: 'Grafana' } })).toThrow(
      "kube-prometheus-stack: the host label is not a DNS label (grafana.hostLabel: 'Grafana'). Use lower-case letters, digits and hyphens, e.g. grafana.",
    );
  });
});

describe('Grafana storage and security context', () => {
  const grafana = grafanaOf();

  it('persists on the config NFS StorageClass', () => {
    expect(grafana.persistence).toEqual({
      enabled: true,
      type: 'pvc',
      storageClassName: STORAGE_CLASSES.config,
      accessModes: ['ReadWriteOnce'],
      size: KUBE_PROMETHEUS_STACK_DEFAULTS.grafana.storageSize,
    });
    expect(grafana.deploymentStrategy).toEqual({ type: 'Recreate' });
  });

  it('runs as the export owner from workloads.puid/pgid, without the chown init container', () => {
    expect(grafana.initChownData).toEqual({ enabled: false });
    expect(grafana.securityContext).toEqual({
      runAsUser: config.workloads.puid,
      runAsGroup: config.workloads.pgid,
      fsGroup: config.workloads.pgid,
      fsGroupChangePolicy: 'OnRootMismatch',
      runAsNonRoot: true,
    });
    const moved = grafanaOf(configVariant((data) => (data['workloads'] = { ...data['workloads'], puid: 568, pgid: 569 })));
    expect(moved.securityContext).toMatchObject({ runAsUser: 568, runAsGroup: 569, fsGroup: 569 });
  });
});

describe('Grafana datasources', () => {
  it('name the Prometheus datasource the dashboards are bound to', () => {
    const grafana = grafanaOf();
    expect(grafana.sidecar.datasources).toEqual(PROMETHEUS_DATASOURCE);
    const datasources = Object.values(grafana.dashboards).flatMap((provider) => Object.values(provider).map((dashboard) => dashboard.datasource));
    expect(new Set(datasources)).toEqual(new Set([grafana.sidecar.datasources.name]));
  });

  it('point Loki at the URL @homelab/loki exports', () => {
    expect(grafanaOf().additionalDataSources).toEqual([
      { ...LOKI_DATASOURCE, type: 'loki', url: LOKI_URLS.query, access: 'proxy', isDefault: false, jsonData: { maxLines: 1000 } },
    ]);
  });
});

describe('Grafana dashboards', () => {
  it('pin every grafana.com dashboard to a revision', () => {
    for (const dashboard of Object.values(GRAFANA_DASHBOARDS)) {
      expect(Number.isInteger(dashboard.gnetId) && dashboard.gnetId > 0).toBe(true);
      expect(Number.isInteger(dashboard.revision) && dashboard.revision > 0).toBe(true);
    }
    expect(Object.keys(GRAFANA_DASHBOARDS).sort()).toEqual(['argocd', 'cert-manager', 'cilium-agent', 'cilium-operator', 'hubble', 'node-exporter-full']);
  });

  it('file each dashboard under a provider per folder, below Grafana volume', () => {
    const grafana = grafanaOf();
    const providers = grafana.dashboardProviders['dashboardproviders.yaml'].providers;
    const folders = [...new Set(Object.values(GRAFANA_DASHBOARDS).map((dashboard) => dashboard.folder))];
    expect(providers.map((provider) => provider.folder).sort()).toEqual([...folders].sort());
    for (const provider of providers) {
      expect(provider.name).toBe(providerName(provider.folder));
      expect(provider.options.path).toBe(`/var/lib/grafana/dashboards/${provider.name}`);
      expect(Object.keys(grafana.dashboards[provider.name]!).length).toBeGreaterThan(0);
    }
    expect(grafana.dashboards['cilium']).toEqual({
      'cilium-agent': { gnetId: 16611, revision: 1, datasource: PROMETHEUS_DATASOURCE.name },
      'cilium-operator': { gnetId: 16612, revision: 1, datasource: PROMETHEUS_DATASOURCE.name },
      hubble: { gnetId: 16613, revision: 1, datasource: PROMETHEUS_DATASOURCE.name },
    });
  });

  it('leave out the dashboards of a disabled component', () => {
    const noCilium = configVariant((data) => (data['components'] = { cilium: { enabled: false }, argocd: { enabled: false } }));
    const grafana = grafanaOf(noCilium);
    expect(Object.keys(grafana.dashboards).sort()).toEqual(['cert-manager', 'nodes']);
    expect(grafana.dashboardProviders['dashboardproviders.yaml'].providers.map((provider) => provider.name)).toEqual(['cert-manager', 'nodes']);
  });

  it('are a map a caller patches by name (null drops one)', () => {
    const grafana = grafanaOf(config, { grafana: { dashboards: { hubble: null, 'node-exporter-full': { revision: 40 } } } });
    expect(grafana.dashboards['cilium']).not.toHaveProperty('hubble');
    expect(grafana.dashboards['nodes']!['node-exporter-full']!.revision).toBe(40);
  });

  it('refuse two folders that land in one provider directory', () => {
    expect(() =>
      grafanaDashboardValues({ a: { gnetId: 1, revision: 1, folder: 'Argo CD' }, b: { gnetId: 2, revision: 1, folder: 'argo-cd' } }),
    ).toThrow(
      "kube-prometheus-stack: two dashboard folders share the provider directory 'argo-cd' (grafana.dashboards.b.folder: 'argo-cd', other folder: 'Argo CD'). Spell the folder like the other one, or name it apart.",
    );
  });
});

describe.skipIf(!chartDir)('grafana subchart keys', () => {
  // The describe body runs even when skipped: read the chart only where shared/ exists.
  const parent = (chartDir ? load(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) : {}) as Record<string, any>;

  /**
   * Keys we set under `grafana:` that kube-prometheus-stack's own values.yaml does not list: they
   * belong to the grafana subchart (12.11.1, grafana-community/helm-charts, not collected in
   * shared/chart-schemas), checked by hand against its values.yaml and templates: `fullnameOverride`
   * (templates/_helpers.tpl grafana.fullname), `service.port`, `persistence` (`storageClassName` is
   * read by the PVC template though commented out in values.yaml), `deploymentStrategy`,
   * `initChownData`, `securityContext`, `envValueFrom`, `grafana.ini`, `dashboardProviders`,
   * `dashboards`. Everything else we set is a kube-prometheus-stack key and checked by its oracle.
   */
  const SUBCHART_ONLY = [
    'fullnameOverride',
    'service.port',
    'persistence',
    'deploymentStrategy',
    'initChownData',
    'securityContext',
    'envValueFrom',
    '"grafana.ini"', // one key holding a dot, quoted so it is not read as grafana → ini
    'dashboardProviders',
    'dashboards',
  ];

  it('are the parent chart keys plus a known list of grafana subchart keys', () => {
    const grafana: GrafanaValues = grafanaOf();
    expect(unknownValueKeys(parent['grafana'], grafana).sort()).toEqual([...SUBCHART_ONLY].sort());
  });

  it('use the parent chart keys for the admin Secret, the datasources and the sidecar', () => {
    for (const key of ['admin', 'additionalDataSources', 'sidecar']) expect(parent['grafana']).toHaveProperty(key);
    expect(parent['grafana'].sidecar.datasources).toHaveProperty('name');
    expect(parent['grafana'].sidecar.datasources).toHaveProperty('uid');
  });

  it('for node exporter are the three host-access switches of the subchart', () => {
    const ours = (stackOf().values as KubePrometheusStackValues)['prometheus-node-exporter'];
    expect(unknownValueKeys(parent['prometheus-node-exporter'], ours).sort()).toEqual(['hostNetwork', 'hostPID', 'hostRootFsMount']);
  });
});

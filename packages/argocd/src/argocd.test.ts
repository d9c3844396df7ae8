import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { componentApplication, componentPaths, type Exposure } from '@homelab/core';
import { SSO_GROUPS, SSO_OIDC_CLIENTS, SSO_PROVIDER } from '@homelab/core';
import { configVariant, seedConfig } from '@homelab/testing';
import { ARGOCD_NAME, OIDC_CONFIG_KEY, argocdValues, buildArgoCd, mountedAgeSecret, oidcClientSecretValue, oidcRedirectUris, rbacPolicy, type ArgoCdValues } from './argocd.js';
import { argocdDefaults } from './defaults.js';
import { APPLICATION_HEALTH_KEY, APPLICATION_HEALTH_LUA } from './health-check.js';
import { argocdModule } from './index.js';
import { ARGOCD_CHART } from './versions.js';

const config = seedConfig();
const target = { repoURL: config.gitops.repoURL, revision: config.gitops.revision };
const valuesOf = (component: { values?: Record<string, unknown> }) => component.values as unknown as ArgoCdValues;

describe('buildArgoCd', () => {
  const component = buildArgoCd(config);
  const values = valuesOf(component);

  it('deploys the pinned argo-cd chart as core component in its namespace, at its wave', () => {
    expect(component).toMatchObject({
      name: ARGOCD_NAME,
      group: 'core',
      namespace: argocdDefaults.namespace,
      syncWave: argocdDefaults.syncWave,
      chart: ARGOCD_CHART,
      source: '@homelab/argocd',
    });
  });

  it('registers under the name the aggregator matches overrides by', () => {
    expect(argocdModule.name).toBe(component.name);
    expect(argocdModule.kind).toBe('component');
    expect(argocdModule.build(config)).toEqual(component);
  });

  it('serves plain HTTP behind the gateway', () => {
    expect(values.configs.params['server.insecure']).toBe(true);
  });

  it('derives global.domain and the exposure host from the package label and domains.internal', () => {
    const host = `${argocdDefaults.hostLabel}.${config.domains.internal}`;
    expect(values.global.domain).toBe(host);
    expect(component.exposes?.map((exposure) => exposure.host)).toEqual([host]);
  });

  it('follows a changed internal domain everywhere (late binding)', () => {
    const changed = configVariant((data) => (data.domains.internal = 'lan.example.org'));
    const rebuilt = buildArgoCd(changed);
    expect(valuesOf(rebuilt).global.domain).toBe(`${argocdDefaults.hostLabel}.lan.example.org`);
    expect(rebuilt.exposes?.[0]?.host).toBe(`${argocdDefaults.hostLabel}.lan.example.org`);
    expect(JSON.stringify(rebuilt)).not.toContain(config.domains.internal);
  });

  it('follows a changed host label', () => {
    const rebuilt = buildArgoCd(config, { hostLabel: 'cd' });
    expect(valuesOf(rebuilt).global.domain).toBe(`cd.${config.domains.internal}`);
    expect(rebuilt.exposes?.[0]?.host).toBe(`cd.${config.domains.internal}`);
  });

  it('holds sync waves across child Applications with the documented Application health check', () => {
    // The argocd-cm key scheme is resource.customizations.health.<group>_<kind>; derive it from the model.
    const model = new Application({ metadata: { name: 'x' }, spec: { destination: {}, project: 'default' } });
    const [group] = model.apiVersion.split('/');
    expect(APPLICATION_HEALTH_KEY).toBe(`resource.customizations.health.${group}_${model.kind}`);
    const lua = values.configs.cm[APPLICATION_HEALTH_KEY];
    expect(lua).toBe(APPLICATION_HEALTH_LUA);
    // Progressing until the child reports a health status, then the child's status and message.
    const lines = lua!.split('\n').map((line) => line.trim());
    expect(lines.indexOf('hs.status = "Progressing"')).toBeGreaterThan(-1);
    expect(lines.indexOf('hs.status = "Progressing"')).toBeLessThan(lines.indexOf('if obj.status ~= nil then'));
    expect(lines).toContain('hs.status = obj.status.health.status');
    expect(lines).toContain('hs.message = obj.status.health.message');
    expect(lines.at(-2)).toBe('return hs');
  });

  it('enables metrics for controller, server, repo-server and ApplicationSet, without ServiceMonitors', () => {
    for (const part of [values.controller, values.server, values.repoServer, values.applicationSet]) {
      expect(part.metrics).toEqual({ enabled: true, serviceMonitor: { enabled: false } });
    }
    const off = valuesOf(buildArgoCd(config, { metrics: false }));
    for (const part of [off.controller, off.server, off.repoServer, off.applicationSet]) expect(part.metrics.enabled).toBe(false);
  });

  it('exposes the server Service the chart names from fullname and server name, on its HTTP port', () => {
    const expected: Exposure = {
      host: `${argocdDefaults.hostLabel}.${config.domains.internal}`,
      access: 'internal',
      service: { name: `${values.fullnameOverride}-${values.server.name}`, namespace: component.namespace, port: values.server.service.servicePortHttp },
      sso: 'oidc',
      oidcClientSecret: oidcClientSecretValue(config),
    };
    expect(component.exposes).toEqual([expected]);
    expect(expected.service).toEqual({ name: 'argocd-server', namespace: 'argocd', port: 80 });
    const moved = buildArgoCd(config, { httpPort: 8081 });
    expect(valuesOf(moved).server.service.servicePortHttp).toBe(8081);
    expect(moved.exposes?.[0]?.service.port).toBe(8081);
  });

  it('declares the age key Secret the SOPS sidecar mounts, and mounts exactly that', () => {
    const secret = component.secrets!.find((entry) => entry.name === argocdDefaults.sops.secretName)!;
    expect(secret).toEqual(expect.objectContaining({ name: 'sops-age', namespace: component.namespace, keys: ['keys.txt'] }));
    expect(secret.description).toMatch(/age private key/);
    expect(secret.description).toMatch(/by hand during bootstrap/);
    expect(secret.description).toMatch(/never committed/);

    const volume = (values.repoServer.volumes as any[]).find((v) => v.secret);
    expect(volume.secret).toEqual({ secretName: secret.name, items: [{ key: secret.keys[0], path: secret.keys[0] }] });
    const sidecar = (values.repoServer.extraContainers as any[])[0];
    const mount = sidecar.volumeMounts.find((m: any) => m.name === volume.name);
    expect(sidecar.env).toContainEqual({ name: 'SOPS_AGE_KEY_FILE', value: `${mount.mountPath}/${secret.keys[0]}` });
  });

  it('moves the Secret and its mount together when the Secret is renamed (bootstrap follows: mountedAgeSecret)', () => {
    const renamed = buildArgoCd(config, { sops: { secretName: 'age-identity', secretKey: 'age.key' } });
    expect(renamed.secrets?.map((s) => [s.name, s.keys])).toEqual([
      ['age-identity', ['age.key']],
      [argocdDefaults.oidc.secretName, [argocdDefaults.oidc.secretKey]],
    ]);
    const volume = (valuesOf(renamed).repoServer.volumes as any[]).find((v) => v.secret);
    expect(volume.secret.secretName).toBe('age-identity');
    expect(mountedAgeSecret(renamed)).toEqual(renamed.secrets![0]);
  });

  it('rejects a setting that would make an invalid name, naming path, value and fix', () => {
    expect(() => buildArgoCd(config, { hostLabel: 'Argo CD' })).toThrow(
      "argocd: not a DNS label (hostLabel: 'Argo CD'). Use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit.",
    );
    expect(() => buildArgoCd(config, { sops: { keyDir: 'sops' } })).toThrow(
      "argocd: not an absolute path (sops.keyDir: 'sops'). Use a directory starting with /.",
    );
  });

  it('is a pure function of the config', () => {
    const before = structuredClone(config);
    expect(buildArgoCd(config)).toEqual(buildArgoCd(config));
    expect(config).toEqual(before);
    expect(argocdValues(config)).toEqual(values);
  });
});

describe("ArgoCD's own Application", () => {
  const component = buildArgoCd(config);
  const application = componentApplication(component, target);

  it('validates and deploys the pinned chart from the values file the bootstrap installs', () => {
    expect(() => application.validate()).not.toThrow();
    expect(application.metadata?.annotations?.['argocd.argoproj.io/sync-wave']).toBe(String(argocdDefaults.syncWave));
    expect(application.spec?.sources?.[0]).toMatchObject({
      repoURL: ARGOCD_CHART.repo,
      chart: ARGOCD_CHART.name,
      targetRevision: ARGOCD_CHART.version,
      helm: { releaseName: ARGOCD_NAME, valueFiles: [`$values/${componentPaths(component).values}`] },
    });
  });

  it('carries no resources-finalizer and is never pruned or deleted by its parent (ArgoCD must survive)', () => {
    expect(application.metadata?.finalizers ?? []).not.toContain('resources-finalizer.argocd.argoproj.io');
    expect(application.metadata?.annotations?.['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
  });
});

describe('RBAC', () => {
  it('maps the identity provider\'s groups to roles and gives any other signed-in user read-only (policy.default)', () => {
    const rbac = (buildArgoCd(config).values as unknown as ArgoCdValues).configs.rbac;
    expect(rbac['policy.default']).toBe('role:readonly');
    expect((buildArgoCd(config, { rbacDefault: '' }).values as unknown as ArgoCdValues).configs.rbac['policy.default']).toBe('');
    expect(() => buildArgoCd(config, { rbacDefault: 'admin' })).toThrow("argocd: not an ArgoCD role (rbacDefault: 'admin')");
    expect(rbac.scopes).toBe('[groups]');
    expect(rbac['policy.csv'].trimEnd().split('\n').sort()).toEqual([`g, ${SSO_GROUPS.admins}, role:admin`, `g, ${SSO_GROUPS.users}, role:readonly`].sort());
  });

  it('follows the settings: a group added, one dropped with null, none left means no binding at all', () => {
    const custom = buildArgoCd(config, { rbac: { ops: 'role:admin', [SSO_GROUPS.users]: null } }).values as unknown as ArgoCdValues;
    expect(custom.configs.rbac['policy.csv']).toBe(`g, ${SSO_GROUPS.admins}, role:admin\ng, ops, role:admin\n`);
    expect(rbacPolicy({ rbac: {}, rbacDefault: '' })['policy.csv']).toBe('');
  });

  it('rejects a group that would inject a policy line, and a role that is not one', () => {
    expect(() => buildArgoCd(config, { rbac: { 'ops\np, role:x, *, *, */*, allow': 'role:admin' } })).toThrow(/^argocd: an RBAC group name cannot be empty or hold a comma or line break/);
    expect(() => buildArgoCd(config, { rbac: { ops: 'admin' } })).toThrow("argocd: not an ArgoCD role (rbac.ops: 'admin'). Use role:admin, role:readonly or a role defined in policy.csv.");
  });
});

describe('declarations for the security layers', () => {
  it('calls the API and the internet (git, charts); lets its project create its CRDs and RBAC', () => {
    const component = buildArgoCd(config);
    expect(component.network).toEqual({ kubeApi: { client: true }, internetEgress: true });
    expect(component.clusterResources).toEqual(['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding']);
  });
});

describe('OIDC sign-in (oidc.config)', () => {
  type OidcConfig = { name: string; issuer: string; clientID: string; clientSecret: string; requestedScopes: string[] };
  const oidcOf = (component: { values?: Record<string, unknown> }) => load(valuesOf(component).configs.cm[OIDC_CONFIG_KEY]!) as OidcConfig;
  /** The Secret and key a `$<secret>:<key>` reference names (ArgoCD's syntax for a Secret other than argocd-secret). */
  const referenced = (reference: string) => {
    const match = /^\$([^:]+):(.+)$/.exec(reference);
    expect(match, reference).not.toBeNull();
    return { name: match![1]!, key: match![2]! };
  };
  const component = buildArgoCd(config);
  const oidc = oidcOf(component);

  it('is a YAML document naming the provider, its per-application issuer, the shared client ID and the scopes', () => {
    expect(oidc.name).toBe('Authentik');
    // Authentik's issuer for an application: https://<its host>/application/o/<slug>/; host and slug shared through core.
    expect(oidc.issuer).toBe(`https://${SSO_PROVIDER.hostLabel}.${config.domains.internal}/application/o/${SSO_OIDC_CLIENTS.argocd.slug}/`);
    expect(oidc.clientID).toBe(SSO_OIDC_CLIENTS.argocd.clientId);
    expect(oidc.requestedScopes).toEqual(['openid', 'profile', 'email', 'groups']);
    expect(Object.keys(oidc).sort()).toEqual(['clientID', 'clientSecret', 'issuer', 'name', 'requestedScopes']);
  });

  it('reads the client secret by reference from a Secret it declares in its own namespace', () => {
    const { name, key } = referenced(oidc.clientSecret);
    const secret = component.secrets?.find((entry) => entry.name === name && entry.namespace === component.namespace);
    expect(secret, `${component.namespace}/${name}`).toBeDefined();
    expect(secret!.keys).toEqual([key]);
    expect(JSON.stringify(component.values)).not.toMatch(/clientSecret: [^$]/);
  });

  it("carries one generated value, described with client and issuer, that the exposure hands the identity provider; declares ArgoCD's label", () => {
    const { name, key } = referenced(oidc.clientSecret);
    const secret = component.secrets!.find((entry) => entry.name === name)!;
    const value = secret.values![key]!;
    expect(value.description).toContain(`client '${oidc.clientID}'`);
    expect(value.description).toContain(oidc.issuer);
    expect(value.generate).toBeDefined();
    expect(component.exposes![0]!.oidcClientSecret).toEqual(value);
    // ArgoCD resolves $<secret>:<key> only in Secrets with this label (ArgoCD user-management docs).
    expect(secret.labels).toEqual({ 'app.kubernetes.io/part-of': 'argocd' });
  });

  it("comes back to ArgoCD's callback on the URL the chart derives from global.domain", () => {
    // The chart presets argocd-cm `url` to https://<global.domain>; ArgoCD's OIDC callback is <url>/auth/callback.
    expect(valuesOf(component).configs.cm).not.toHaveProperty('url');
    expect(oidcRedirectUris(config)).toEqual([`https://${valuesOf(component).global.domain}/auth/callback`]);
  });

  it('follows a changed internal domain (late binding)', () => {
    const changed = configVariant((data) => (data.domains.internal = 'lan.example.org'));
    const rebuilt = buildArgoCd(changed);
    expect(oidcOf(rebuilt).issuer).toBe(`https://${SSO_PROVIDER.hostLabel}.lan.example.org/application/o/${SSO_OIDC_CLIENTS.argocd.slug}/`);
    expect(oidcRedirectUris(changed)).toEqual([`https://${argocdDefaults.hostLabel}.lan.example.org/auth/callback`]);
  });

  it('follows the settings: provider host, slug, client ID, Secret name and key, scopes', () => {
    const custom = buildArgoCd(config, {
      oidc: { name: 'SSO', providerHostLabel: 'sso', slug: 'cd', clientId: 'cd-client', secretName: 'cd-oidc', secretKey: 'secret', requestedScopes: ['openid', 'email'] },
    });
    const parsed = oidcOf(custom);
    expect(parsed).toEqual({
      name: 'SSO',
      issuer: `https://sso.${config.domains.internal}/application/o/cd/`,
      clientID: 'cd-client',
      clientSecret: '$cd-oidc:secret',
      requestedScopes: ['openid', 'email'],
    });
    expect(custom.secrets?.map((entry) => [entry.namespace, entry.name, entry.keys])).toContainEqual([custom.namespace, 'cd-oidc', ['secret']]);
  });

  it('rejects OIDC settings ArgoCD or the provider would only reject at sign-in', () => {
    expect(() => buildArgoCd(config, { oidc: { slug: 'Argo CD' } })).toThrow(/^argocd: not an application slug \(oidc\.slug: 'Argo CD'\)/);
    expect(() => buildArgoCd(config, { oidc: { clientId: 'argo cd' } })).toThrow(/^argocd: a client ID cannot be empty or hold whitespace/);
    expect(() => buildArgoCd(config, { oidc: { secretKey: 'client:secret' } })).toThrow(/^argocd: not a Secret key \(oidc\.secretKey: 'client:secret'\)/);
    expect(() => buildArgoCd(config, { oidc: { secretName: 'ArgoCD' } })).toThrow(/^argocd: not a DNS label \(oidc\.secretName: 'ArgoCD'\)/);
    expect(() => buildArgoCd(config, { oidc: { providerHostLabel: 'auth.x' } })).toThrow(/^argocd: not a DNS label \(oidc\.providerHostLabel: 'auth\.x'\)/);
    expect(() => buildArgoCd(config, { oidc: { requestedScopes: ['profile'] } })).toThrow("argocd: OpenID Connect needs the openid scope (oidc.requestedScopes: 'profile'). Add 'openid'.");
    expect(() => buildArgoCd(config, { oidc: { name: ' ' } })).toThrow(/^argocd: the identity provider needs a name/);
  });
});

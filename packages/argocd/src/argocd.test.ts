import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { componentApplication, componentPaths, type Exposure } from '@homelab/core';
import { validateConfig, type ResolvedConfig } from '@homelab/config';
import { SSO_GROUPS } from '@homelab/core';
import { ARGOCD_NAME, argocdValues, buildArgoCd, rbacPolicy, type ArgoCdValues } from './argocd.js';
import { argocdDefaults } from './defaults.js';
import { APPLICATION_HEALTH_KEY, APPLICATION_HEALTH_LUA } from './health-check.js';
import { argocdModule } from './index.js';
import { ARGOCD_CHART } from './versions.js';

const seed = load(readFileSync(fileURLToPath(new URL('../../../homelab.yaml', import.meta.url)), 'utf8')) as Record<string, any>;

/** The seed homelab.yaml, optionally changed, validated and resolved like the CLI does. */
function configWith(change: (data: Record<string, any>) => void = () => {}): ResolvedConfig {
  const data = structuredClone(seed);
  change(data);
  const result = validateConfig(data);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

const config = configWith();
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
    const changed = configWith((data) => (data.domains.internal = 'lan.example.org'));
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
    };
    expect(component.exposes).toEqual([expected]);
    expect(expected.service).toEqual({ name: 'argocd-server', namespace: 'argocd', port: 80 });
    const moved = buildArgoCd(config, { httpPort: 8081 });
    expect(valuesOf(moved).server.service.servicePortHttp).toBe(8081);
    expect(moved.exposes?.[0]?.service.port).toBe(8081);
  });

  it('declares the age key Secret the SOPS sidecar mounts, and mounts exactly that', () => {
    expect(component.secrets).toEqual([
      expect.objectContaining({ name: 'sops-age', namespace: component.namespace, keys: ['keys.txt'] }),
    ]);
    const secret = component.secrets![0]!;
    expect(secret.description).toMatch(/age private key/);
    expect(secret.description).toMatch(/by hand during bootstrap/);
    expect(secret.description).toMatch(/never committed/);

    const volume = (values.repoServer.volumes as any[]).find((v) => v.secret);
    expect(volume.secret).toEqual({ secretName: secret.name, items: [{ key: secret.keys[0], path: secret.keys[0] }] });
    const sidecar = (values.repoServer.extraContainers as any[])[0];
    const mount = sidecar.volumeMounts.find((m: any) => m.name === volume.name);
    expect(sidecar.env).toContainEqual({ name: 'SOPS_AGE_KEY_FILE', value: `${mount.mountPath}/${secret.keys[0]}` });
  });

  it('moves the Secret, its mount and the README together when the Secret is renamed', () => {
    const renamed = buildArgoCd(config, { sops: { secretName: 'age-identity', secretKey: 'age.key' } });
    expect(renamed.secrets?.map((s) => [s.name, s.keys])).toEqual([['age-identity', ['age.key']]]);
    const volume = (valuesOf(renamed).repoServer.volumes as any[]).find((v) => v.secret);
    expect(volume.secret.secretName).toBe('age-identity');
    const readme = renamed.files?.find((file) => file.path.endsWith('README.md'))?.content ?? '';
    expect(readme).toContain('create secret generic age-identity');
    expect(readme).toContain('--from-file=age.key=');
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
  it('maps the identity provider\'s groups to roles and gives nobody else any (policy.default empty)', () => {
    const rbac = (buildArgoCd(config).values as unknown as ArgoCdValues).configs.rbac;
    expect(rbac['policy.default']).toBe('');
    expect(rbac.scopes).toBe('[groups]');
    expect(rbac['policy.csv'].trimEnd().split('\n').sort()).toEqual([`g, ${SSO_GROUPS.admins}, role:admin`, `g, ${SSO_GROUPS.users}, role:readonly`].sort());
  });

  it('follows the settings: a group added, one dropped with null, none left means no binding at all', () => {
    const custom = buildArgoCd(config, { rbac: { ops: 'role:admin', [SSO_GROUPS.users]: null } }).values as unknown as ArgoCdValues;
    expect(custom.configs.rbac['policy.csv']).toBe(`g, ${SSO_GROUPS.admins}, role:admin\ng, ops, role:admin\n`);
    expect(rbacPolicy({ rbac: {} })['policy.csv']).toBe('');
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

import { afterAll, describe, expect, it } from 'vitest';
import { checkTree } from './check.js';
import { application, removeTrees, REPO, rootApp, writeTree, type FixtureContent } from './test-support/fixtures.js';

afterAll(removeTrees);

const projects = async (files: Record<string, FixtureContent>) =>
  (await checkTree(writeTree({ 'apps/root.yaml': rootApp(), ...files }))).findings.filter((finding) => finding.check === 'projects');

const project = (spec: object) => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'team', namespace: 'argocd' }, spec });
const team = project({
  sourceRepos: [REPO],
  destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'web' }],
  clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
});
const storageClass = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'example.com/fast' };
const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web' } };

describe('AppProject permissions', () => {
  it('accepts an Application its project permits', async () => {
    expect(await projects({ 'apps/team.yaml': team, 'apps/web.yaml': application('web', { project: 'team' }), 'manifests/web/cm.yaml': configMap })).toEqual([]);
  });

  it('reports a cluster-scoped kind the project does not whitelist', async () => {
    expect(await projects({ 'apps/team.yaml': team, 'apps/web.yaml': application('web', { project: 'team' }), 'manifests/web/sc.yaml': storageClass })).toEqual([
      {
        check: 'projects',
        severity: 'error',
        file: 'manifests/web/sc.yaml',
        object: 'StorageClass/fast',
        problem: 'project team does not permit cluster-scoped storage.k8s.io/StorageClass fast',
        hint: 'ArgoCD refuses the sync: add it to the clusterResourceWhitelist of AppProject team (apps/team.yaml)',
      },
    ]);
  });

  it('reports destinations and source repositories the project does not permit, and an undefined project', async () => {
    const app = application('api', { project: 'team', sources: [{ repoURL: 'https://charts.example.com', chart: 'api', targetRevision: '1.0.0' }] });
    expect((await projects({ 'apps/team.yaml': team, 'apps/api.yaml': app })).map((finding) => `${finding.severity} ${finding.object}: ${finding.problem}`)).toEqual([
      'error Application/argocd/api: project team does not permit destination namespace api',
      'error Application/argocd/api: project team does not permit source repository https://charts.example.com',
    ]);
    expect((await projects({ 'apps/web.yaml': application('web', { project: 'nope' }), 'manifests/web/cm.yaml': configMap })).map((finding) => finding.problem)).toEqual([
      "its project 'nope' is not defined in this tree",
    ]);
  });

  it('matches destinations by literal and glob namespaces, a denial (!) overriding a match', async () => {
    const scoped = project({
      sourceRepos: [REPO],
      destinations: [
        { server: 'https://kubernetes.default.svc', namespace: 'web' },
        { server: '*', namespace: 'team-*' },
        { server: '*', namespace: '!team-secret' },
        { server: '*', namespace: '!*-private' },
        { name: 'in-cluster', namespace: 'by-name' },
      ],
    });
    const apps = Object.fromEntries(['web', 'team-a', 'team-secret', 'team-b-private', 'by-name', 'other'].map((name) => [`apps/${name}.yaml`, application(name, { project: 'team' })]));
    expect((await projects({ 'apps/team.yaml': scoped, ...apps })).map((finding) => finding.problem)).toEqual([
      'project team does not permit destination namespace by-name',
      'project team does not permit destination namespace other',
      'project team does not permit destination namespace team-b-private',
      'project team does not permit destination namespace team-secret',
    ]);
  });

  it("warns when a known chart's cluster-scoped kinds are not permitted", async () => {
    const app = application('certs', {
      project: 'team',
      namespace: 'web',
      sources: [{ repoURL: 'https://charts.jetstack.io', chart: 'cert-manager', targetRevision: 'v1.21.1' }],
    });
    const permissive = project({ sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], clusterResourceWhitelist: [{ group: '*', kind: '*' }] });
    expect((await projects({ 'apps/team.yaml': permissive, 'apps/certs.yaml': app })).length).toBe(0);
    const narrow = project({ sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], clusterResourceWhitelist: [{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' }, { group: 'rbac.authorization.k8s.io', kind: '*' }] });
    expect((await projects({ 'apps/team.yaml': narrow, 'apps/certs.yaml': app })).map((finding) => `${finding.severity} ${finding.problem}`)).toEqual([
      'warning installs chart cert-manager, which creates admissionregistration.k8s.io/ValidatingWebhookConfiguration, admissionregistration.k8s.io/MutatingWebhookConfiguration, but project team does not permit them',
    ]);
  });

  it("reads the chart's values for what they switch off (kube-prometheus-stack: crds.enabled)", async () => {
    const stack = (valueFile: string) =>
      application('monitoring', {
        project: 'team',
        sources: [
          { repoURL: 'https://prometheus-community.github.io/helm-charts', chart: 'kube-prometheus-stack', targetRevision: '88.5.3', helm: { valueFiles: [valueFile] } },
          { repoURL: REPO, targetRevision: 'main', ref: 'values' },
          { repoURL: REPO, targetRevision: 'main', path: 'manifests/web' },
        ],
      });
    const roles = project({ sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], clusterResourceWhitelist: [{ group: 'rbac.authorization.k8s.io', kind: '*' }] });
    const files = { 'apps/team.yaml': roles, 'manifests/web/cm.yaml': configMap };
    const problems = async (values: string, valueFile = '$values/values/monitoring.yaml') =>
      (await projects({ ...files, 'apps/monitoring.yaml': stack(valueFile), 'values/monitoring.yaml': values })).map((finding) => finding.problem);
    const refused = 'installs chart kube-prometheus-stack, which creates apiextensions.k8s.io/CustomResourceDefinition, but project team does not permit them';
    expect(await problems('crds:\n  enabled: false\n')).toEqual([]);
    expect(await problems('crds:\n  enabled: true\n')).toEqual([refused]);
    expect(await problems('grafana:\n  enabled: false\n')).toEqual([refused]); // the chart's default: on
    // A values file this tree cannot read might switch them on: counted as on.
    expect(await problems('crds:\n  enabled: false\n', 'https://example.com/monitoring.yaml')).toEqual([refused]);
  });
});

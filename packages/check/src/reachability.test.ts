import { afterAll, describe, expect, it } from 'vitest';
import { checkTree } from './check.js';
import type { CheckName, Finding } from './finding.js';
import { application, deployment, removeTrees, REPO, rootApp, secret, writeTree, type FixtureContent } from './test-support/fixtures.js';

afterAll(removeTrees);

const check = async (files: Record<string, FixtureContent>, name: CheckName = 'reachability', options = {}): Promise<Finding[]> =>
  (await checkTree(writeTree(files), options)).findings.filter((finding) => finding.check === name);

/** A sound tree: root → app-of-apps dir → one app with a Deployment and its Secret. */
const base = (): Record<string, FixtureContent> => ({
  'apps/root.yaml': rootApp(),
  'apps/web.yaml': application('web'),
  'manifests/web/deployment.yaml': deployment('web', 'web', { containers: [{ name: 'web', image: 'example/web:1.0', envFrom: [{ secretRef: { name: 'web' } }] }] }),
  'manifests/web/secret.yaml': secret('web', 'web'),
});

describe('reachability', () => {
  it('finds nothing wrong with a sound tree (and checks every check, not only this one)', async () => {
    expect((await checkTree(writeTree(base()))).findings).toEqual([]);
  });

  it('reports a file an include pattern misses', async () => {
    const files = { ...base(), 'apps/web.yaml': application('web', { directory: { include: 'deployment.yaml' } }) };
    expect(await check(files)).toEqual([
      {
        check: 'reachability',
        severity: 'error',
        file: 'manifests/web/secret.yaml',
        object: 'Secret/web/web',
        problem: 'no root Application reaches this file',
        hint: 'ArgoCD never applies it: include its directory in an Application source (check path, recurse and include/exclude), or delete it',
      },
    ]);
  });

  it("matches include/exclude the way ArgoCD's glob does: '*' crosses '/' and {a,b} alternates", async () => {
    const files = {
      ...base(),
      'apps/web.yaml': application('web', { directory: { recurse: true, include: '{*.yaml,*.json}', exclude: 'extra/*' } }),
      'manifests/web/nested/deep/config.json': JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'deep', namespace: 'web' } }),
      'manifests/web/extra/skipped.yaml': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'skipped', namespace: 'web' } },
    };
    expect((await check(files)).map((finding) => finding.file)).toEqual(['manifests/web/extra/skipped.yaml']);
  });

  it('does not descend into subdirectories without recurse', async () => {
    const files = { ...base(), 'manifests/web/sub/config.yaml': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'sub', namespace: 'web' } } };
    expect((await check(files)).map((finding) => `${finding.severity} ${finding.file}`)).toEqual(['error manifests/web/sub/config.yaml']);
  });

  it('reports a source path that does not exist', async () => {
    const files = { ...base(), 'apps/extra.yaml': application('extra', { path: 'manifests/nope' }) };
    expect(await check(files)).toEqual([
      {
        check: 'reachability',
        severity: 'error',
        file: 'apps/extra.yaml',
        object: 'Application/argocd/extra',
        problem: "source path 'manifests/nope' does not exist",
        hint: 'Fix spec.source.path: it is relative to the repository root',
      },
    ]);
  });

  it('reports an Application no app-of-apps includes (it becomes a root by accident)', async () => {
    const files = { ...base(), 'clusters/orphan.yaml': application('orphan', { path: 'manifests/orphan' }), 'manifests/orphan/cm.yaml': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'orphan' } } };
    expect(await check(files)).toEqual([
      {
        check: 'reachability',
        severity: 'error',
        file: 'clusters/orphan.yaml',
        object: 'Application/argocd/orphan',
        problem: 'no app-of-apps includes this Application',
        hint: 'ArgoCD knows it only if it is applied by hand: widen an app-of-apps source to include clusters/orphan.yaml, or list the file under roots: in .homelab-check.yaml',
      },
    ]);
    expect(await check({ ...files, '.homelab-check.yaml': 'roots: [clusters/orphan.yaml]\n' })).toEqual([]);
  });

  it('treats the namespace the roots live in as applied at bootstrap (information)', async () => {
    const files = { ...base(), 'bootstrap/namespace.yaml': { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } } };
    expect((await check(files)).map((finding) => `${finding.severity} ${finding.file} ${finding.problem}`)).toEqual([
      "info bootstrap/namespace.yaml no Application applies this file: it is ArgoCD's own namespace",
    ]);
  });

  it('takes files declared under roots: as applied by hand, their objects existing before any sync', async () => {
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } };
    const token = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'token', namespace: 'web' } };
    const files = {
      ...base(),
      'bootstrap/namespace.yaml': namespace,
      'bootstrap/token.yaml': token,
      'manifests/web/deployment.yaml': deployment('web', 'web', { volumes: [{ name: 't', secret: { secretName: 'token' } }] }),
    };
    expect((await checkTree(writeTree(files))).findings.map((finding) => `${finding.check} ${finding.severity} ${finding.file}`)).toEqual([
      'reachability error bootstrap/token.yaml',
      'reachability info bootstrap/namespace.yaml',
      'references error manifests/web/deployment.yaml',
    ]);
    const declared = { ...files, '.homelab-check.yaml': 'roots: [bootstrap/namespace.yaml, ./bootstrap/token.yaml, bootstrap/gone.yaml]\n' };
    expect((await checkTree(writeTree(declared))).findings).toEqual([
      {
        check: 'reachability',
        severity: 'warning',
        file: '.homelab-check.yaml',
        object: 'roots[2]',
        problem: "'bootstrap/gone.yaml' is not a file of this tree",
        hint: 'Fix the path (relative to the repository root) or remove the entry',
      },
    ]);
  });

  it('resolves multi-source $values files and reports a missing one', async () => {
    const chartApp = (valueFile: string) =>
      application('cache', {
        sources: [
          { repoURL: 'https://charts.example.com', chart: 'redis', targetRevision: '1.0.0', helm: { valueFiles: [valueFile] } },
          { repoURL: REPO, targetRevision: 'main', ref: 'values' },
        ],
      });
    const files = { ...base(), 'apps/cache.yaml': chartApp('$values/values/cache.yaml'), 'values/cache.yaml': 'replicas: 1\n' };
    expect(await check(files)).toEqual([]);
    expect(await check({ ...files, 'apps/cache.yaml': chartApp('$values/values/typo.yaml') })).toEqual([
      {
        check: 'reachability',
        severity: 'error',
        file: 'apps/cache.yaml',
        object: 'Application/argocd/cache',
        problem: "value file '$values/values/typo.yaml' does not exist",
        hint: "Fix the path (a $ref path is relative to the root of that source's repository), or set helm.ignoreMissingValueFiles",
      },
    ]);
  });

  it('follows a kustomization: listed resources are applied, unlisted files are not, missing entries are reported', async () => {
    const files = {
      ...base(),
      'apps/tools.yaml': application('tools'),
      'manifests/tools/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: tools\nresources:\n  - cm.yaml\n  - gone.yaml\n',
      'manifests/tools/cm.yaml': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'tools' } },
      'manifests/tools/unlisted.yaml': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unlisted' } },
    };
    expect((await check(files)).map((finding) => `${finding.severity} ${finding.file} ${finding.object}: ${finding.problem}`)).toEqual([
      "error manifests/tools/kustomization.yaml Application/argocd/tools: resources entry 'gone.yaml' of manifests/tools/kustomization.yaml does not exist",
      'error manifests/tools/unlisted.yaml ConfigMap/unlisted: no root Application reaches this file',
    ]);
  });

  it('treats a local chart as opaque: templates and values are reached, never applied', async () => {
    const files = {
      ...base(),
      'apps/local.yaml': application('local', { path: 'charts/local', sources: [{ repoURL: REPO, targetRevision: 'main', path: 'charts/local', helm: { valueFiles: ['values-prod.yaml'] } }] }),
      'charts/local/Chart.yaml': 'apiVersion: v2\nname: local\nversion: 0.1.0\n',
      'charts/local/values.yaml': 'replicas: 1\n',
      'charts/local/values-prod.yaml': 'replicas: 2\n',
      'charts/local/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain-looking-template\n',
    };
    expect(await check(files)).toEqual([]);
  });

  it('lets a config-management plugin decrypt SOPS files, and reports them where none does', async () => {
    const sops = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'web', namespace: 'web' },
      data: { key: 'ENC[AES256_GCM,data:abc=,iv:def=,tag:ghi=,type:str]' },
      sops: { mac: 'ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]', lastmodified: '2026-01-01T00:00:00Z', version: '3.11.0' },
    };
    const plugin = { apiVersion: 'argoproj.io/v1alpha1', kind: 'ConfigManagementPlugin', metadata: { name: 'sops' }, spec: { generate: { command: ['sh'] }, discover: { fileName: '*.sops.yaml' } } };
    const files = { ...base(), 'manifests/web/secret.yaml': '', 'manifests/web/web.sops.yaml': sops };
    expect(await check({ ...files, 'argocd/cmp-plugin.yaml': plugin })).toEqual([]);
    expect(await check(files)).toEqual([
      {
        check: 'reachability',
        severity: 'error',
        file: 'manifests/web/web.sops.yaml',
        object: 'Application/argocd/web',
        problem: 'SOPS-encrypted Secret web in manifests/web/web.sops.yaml would be applied still encrypted',
        hint: 'No config-management plugin decrypts this source: configure one whose discover rule matches the file (e.g. fileName: "*.sops.yaml"), or move the file to a source that has one',
      },
    ]);
  });

  it('reads config-management plugins from the argo-cd chart values (configs.cmp.plugins)', async () => {
    const sops = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web', namespace: 'web' }, data: { key: 'ENC[AES256_GCM,data:abc=]' }, sops: { mac: 'x', lastmodified: 'y' } };
    const argocd = application('argocd', {
      namespace: 'argocd',
      sources: [
        { repoURL: 'https://argoproj.github.io/argo-helm', chart: 'argo-cd', targetRevision: '10.1.1', helm: { valueFiles: ['$values/values/argocd.yaml'] } },
        { repoURL: REPO, targetRevision: 'main', ref: 'values' },
      ],
    });
    const files = {
      ...base(),
      'apps/argocd.yaml': argocd,
      'values/argocd.yaml': { configs: { cmp: { create: true, plugins: { sops: { generate: { command: ['sh'] }, discover: { fileName: '*.sops.yaml' } } } } } },
      'manifests/web/secret.yaml': '',
      'manifests/web/web.sops.yaml': sops,
    };
    expect(await check(files)).toEqual([]);
  });

  it('warns about an object two Applications apply', async () => {
    const files = { ...base(), 'apps/web-copy.yaml': application('web-copy', { path: 'manifests/web' }) };
    expect((await check(files)).map((finding) => `${finding.severity} ${finding.file} ${finding.object}: ${finding.problem}`)).toEqual([
      'warning manifests/web/deployment.yaml Deployment/web/web: applied by both Application/argocd/web-copy and Application/argocd/web',
      'warning manifests/web/secret.yaml Secret/web/web: applied by both Application/argocd/web-copy and Application/argocd/web',
    ]);
  });

  it('reports a manifest ArgoCD cannot parse, and skips files marked +argocd:skip-file-rendering', async () => {
    const broken = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n  labels: [unclosed\n';
    expect((await check({ ...base(), 'manifests/web/broken.yaml': broken })).map((finding) => `${finding.severity} ${finding.file}`)).toEqual(['error manifests/web/broken.yaml']);
    expect(await check({ ...base(), 'manifests/web/broken.yaml': `# +argocd:skip-file-rendering\n${broken}` })).toEqual([]);
  });
});

describe('reachability: documents ArgoCD cannot decode', () => {
  it('reports a manifest file with a document that is not a Kubernetes object', async () => {
    const files = { ...base(), 'manifests/web/mixed.yaml': [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mixed', namespace: 'web' } }, { replicas: 2 }] };
    expect((await check(files)).map((finding) => `${finding.severity} ${finding.file} ${finding.problem}`)).toEqual([
      'error manifests/web/mixed.yaml manifests/web/mixed.yaml mixes Kubernetes objects with documents that are not objects',
    ]);
  });

  it('ignores a YAML file that is not a manifest at all (ArgoCD skips it too)', async () => {
    expect(await check({ ...base(), 'manifests/web/settings.yaml': 'replicas: 2\nimage: web\n' })).toEqual([]);
  });
});

describe('reachability: umbrella charts', () => {
  it('reaches file:// dependencies of a local chart and reports a missing one', async () => {
    const umbrella = (dependency: string) =>
      `apiVersion: v2\nname: stack\nversion: 0.1.0\ndependencies:\n  - name: db\n    version: 0.1.0\n    repository: file://${dependency}\n`;
    const files = {
      ...base(),
      'apps/stack.yaml': application('stack', { path: 'charts/stack' }),
      'charts/stack/Chart.yaml': umbrella('../db'),
      'charts/stack/values.yaml': 'db: {}\n',
      'charts/db/Chart.yaml': 'apiVersion: v2\nname: db\nversion: 0.1.0\n',
      'charts/db/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: db\n',
    };
    expect(await check(files)).toEqual([]);
    expect((await check({ ...files, 'charts/stack/Chart.yaml': umbrella('../database') })).map((finding) => `${finding.severity} ${finding.file} ${finding.problem}`)).toEqual([
      'error charts/db/templates/cm.yaml no root Application reaches this file',
      "error charts/stack/Chart.yaml chart dependency 'db' (file://../database) does not exist",
    ]);
  });
});

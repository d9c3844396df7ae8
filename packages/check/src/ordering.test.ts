import { afterAll, describe, expect, it } from 'vitest';
import { checkTree } from './check.js';
import { compare, parseWave } from './position.js';
import { application, argocdCm, deployment, removeTrees, REPO, rootApp, secret, writeTree, type FixtureContent } from './test-support/fixtures.js';

afterAll(removeTrees);

const ordering = async (files: Record<string, FixtureContent>) =>
  (await checkTree(writeTree({ 'apps/root.yaml': rootApp(), 'bootstrap/argocd-cm.yaml': argocdCm, ...files }))).findings.filter((finding) => finding.check === 'ordering');

const certManager = (wave: number) =>
  application('cert-manager', {
    wave,
    sources: [
      // The chart installs its CRDs only when asked to (crds.enabled defaults to false).
      { repoURL: 'https://charts.jetstack.io', chart: 'cert-manager', targetRevision: 'v1.21.1', helm: { valuesObject: { crds: { enabled: true } } } },
      { repoURL: REPO, targetRevision: 'main', path: 'manifests/cert-manager' },
    ],
  });
const issuer = (wave?: number) => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'ClusterIssuer',
  metadata: { name: 'selfsigned', ...(wave !== undefined ? { annotations: { 'argocd.argoproj.io/sync-wave': String(wave) } } : {}) },
  spec: { selfSigned: {} },
});

describe('sync order', () => {
  it('compares places at the Application where they part', () => {
    const step = (container: string, element: string, wave: number) => ({ container, element, wave });
    const root = step('root', 'a', -5);
    expect(compare([root, step('a', 'x', 0)], [step('root', 'b', -4), step('b', 'y', -9)]).order).toBe('before');
    expect(compare([root, step('a', 'x', 3)], [root, step('a', 'y', 1)])).toEqual({ order: 'after', sameApplication: true, at: [step('a', 'x', 3), step('a', 'y', 1)] });
    expect(compare([step('r1', 'a', 0)], [step('r2', 'b', 0)])).toEqual({ order: 'concurrent', sameApplication: false });
    expect(parseWave(' -3 ')).toEqual({ wave: -3, valid: true });
    expect(parseWave('early')).toEqual({ wave: 0, valid: false });
  });

  it('reports a custom resource whose Application syncs in the same wave as the one installing its CRDs', async () => {
    const files = { 'apps/cert-manager.yaml': certManager(-5), 'manifests/cert-manager/.keep.yaml': '', 'apps/issuers.yaml': application('issuers', { wave: -5 }), 'manifests/issuers/issuer.yaml': issuer() };
    expect(await ordering(files)).toEqual([
      {
        check: 'ordering',
        severity: 'error',
        file: 'manifests/issuers/issuer.yaml',
        object: 'ClusterIssuer/selfsigned',
        problem: 'syncs with Application/argocd/issuers, in wave -5 of Application/argocd/root, the same wave as Application/argocd/cert-manager, which installs the cert-manager.io CRDs (chart cert-manager)',
        hint: 'Put it (or its Application) in a later sync wave than the Application installing its CRDs',
      },
    ]);
    expect(await ordering({ ...files, 'apps/issuers.yaml': application('issuers', { wave: -4 }) })).toEqual([]);
  });

  it('knows the chart installs no CRDs when its values leave them off (cert-manager: crds.enabled defaults to false)', async () => {
    const bare = application('cert-manager', { wave: -5, sources: [{ repoURL: 'https://charts.jetstack.io', chart: 'cert-manager', targetRevision: 'v1.21.1' }, { repoURL: REPO, targetRevision: 'main', path: 'manifests/cert-manager' }] });
    const files = { 'apps/cert-manager.yaml': bare, 'manifests/cert-manager/.keep.yaml': '', 'apps/issuers.yaml': application('issuers'), 'manifests/issuers/issuer.yaml': issuer() };
    expect((await ordering(files)).map((finding) => `${finding.severity} ${finding.problem}`)).toEqual(['warning no Application in this tree installs the CRD of cert-manager.io/ClusterIssuer']);
  });

  it('within the chart\'s own Application, wants the custom resource in a later wave than the chart', async () => {
    const files = { 'apps/cert-manager.yaml': certManager(-5), 'manifests/cert-manager/issuer.yaml': issuer() };
    expect((await ordering(files)).map((finding) => `${finding.severity} ${finding.problem}`)).toEqual([
      'warning syncs in wave 0 of Application/argocd/cert-manager, the same wave as chart cert-manager, which installs the cert-manager.io CRDs',
    ]);
    expect(await ordering({ ...files, 'manifests/cert-manager/issuer.yaml': issuer(1) })).toEqual([]);
  });

  it('knows the Gateway API CRDs from their git source and CRDs from CustomResourceDefinition objects', async () => {
    const crds = application('gateway-api', { wave: -15, sources: [{ repoURL: 'https://github.com/kubernetes-sigs/gateway-api', targetRevision: 'v1.4.1', path: 'config/crd/standard' }] });
    const gateway = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'internal', namespace: 'gateway' }, spec: { gatewayClassName: 'cilium', listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] } };
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' }, spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets' }, versions: [] } };
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'gateway' } };
    const files = { 'apps/gateway-api.yaml': crds, 'apps/gateway.yaml': application('gateway', { wave: -16 }), 'manifests/gateway/gateway.yaml': gateway, 'manifests/gateway/crd.yaml': crd, 'manifests/gateway/widget.yaml': widget };
    expect((await ordering(files)).map((finding) => `${finding.severity} ${finding.object}: ${finding.problem}`)).toEqual([
      'error Gateway/gateway/internal: syncs with Application/argocd/gateway, in wave -16 of Application/argocd/root, before Application/argocd/gateway-api (wave -15), which installs the gateway.networking.k8s.io CRDs (source github.com/kubernetes-sigs/gateway-api/config/crd/standard)',
    ]);
  });

  it('warns about a custom resource whose CRD nothing in the tree installs, unless declared external', async () => {
    const files = { 'apps/web.yaml': application('web'), 'manifests/web/connector.yaml': { apiVersion: 'tailscale.com/v1alpha1', kind: 'Connector', metadata: { name: 'router' }, spec: {} } };
    expect(await ordering(files)).toEqual([
      {
        check: 'ordering',
        severity: 'warning',
        file: 'manifests/web/connector.yaml',
        object: 'Connector/router',
        problem: 'no Application in this tree installs the CRD of tailscale.com/Connector',
        hint: 'Add the chart or CRDs that define it, or declare them external (--external CustomResourceDefinition/tailscale.com)',
      },
    ]);
    expect(await ordering({ ...files, '.homelab-check.yaml': 'external: [CustomResourceDefinition/tailscale.com]\n' })).toEqual([]);
  });

  it('reports a Secret that syncs after the pods needing it', async () => {
    const web = deployment('web', 'web', { containers: [{ name: 'web', image: 'example/web:1.0', envFrom: [{ secretRef: { name: 'web' } }] }] });
    const files = { 'apps/web.yaml': application('web'), 'manifests/web/deployment.yaml': web, 'manifests/web/secret.yaml': secret('web', 'web', { 'argocd.argoproj.io/sync-wave': '1' }) };
    expect(await ordering(files)).toEqual([
      {
        check: 'ordering',
        severity: 'error',
        file: 'manifests/web/deployment.yaml',
        object: 'Deployment/web/web',
        problem: 'needs Secret/web/web (spec.template.spec.containers[0].envFrom[0].secretRef), which syncs in wave 1 of Application/argocd/web, after it (wave 0)',
        hint: 'Its pods cannot start, so its wave never gets healthy and the Secret is never applied: move the Secret to an earlier wave (or the same one)',
      },
    ]);
    expect(await ordering({ ...files, 'manifests/web/secret.yaml': secret('web', 'web') })).toEqual([]);
  });

  it('requires the Application health check when child Applications use sync waves', async () => {
    const files = { 'apps/a.yaml': application('a', { wave: -1 }), 'manifests/a/cm.yaml': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } } };
    expect(await ordering(files)).toEqual([]);
    const withoutHealth = { ...files, 'bootstrap/argocd-cm.yaml': { ...argocdCm, data: { 'url': 'https://argocd.example.com' } } };
    expect(await ordering(withoutHealth)).toEqual([
      {
        check: 'ordering',
        severity: 'error',
        file: 'apps/root.yaml',
        object: 'Application/argocd/root',
        problem: 'its child Applications use sync waves (a), but ArgoCD has no Application health check',
        hint: 'Without resource.customizations.health.argoproj.io_Application in argocd-cm (configs.cm of the argo-cd chart) a parent does not wait for a wave of Applications to be healthy, and the waves order nothing',
      },
    ]);
    expect((await ordering({ ...files, 'bootstrap/argocd-cm.yaml': '' })).map((finding) => finding.severity)).toEqual(['warning']);
  });

  it('finds the health check in the argo-cd chart values (configs.cm)', async () => {
    const argocd = (cm: object) =>
      application('argocd', { namespace: 'argocd', sources: [{ repoURL: 'https://argoproj.github.io/argo-helm', chart: 'argo-cd', targetRevision: '10.1.1', helm: { valuesObject: { configs: { cm } } } }] });
    const files = { 'bootstrap/argocd-cm.yaml': '', 'apps/a.yaml': application('a', { wave: 2 }), 'manifests/a/cm.yaml': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } } };
    expect(await ordering({ ...files, 'apps/argocd.yaml': argocd({ 'resource.customizations.health.argoproj.io_Application': 'return hs' }) })).toEqual([]);
    expect((await ordering({ ...files, 'apps/argocd.yaml': argocd({ 'exec.enabled': true }) })).map((finding) => `${finding.severity} ${finding.problem}`)).toEqual([
      'error its child Applications use sync waves (a), but ArgoCD has no Application health check',
    ]);
  });

  it('warns about a sync-wave annotation that is not an integer', async () => {
    const files = { 'apps/web.yaml': application('web'), 'manifests/web/cm.yaml': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', annotations: { 'argocd.argoproj.io/sync-wave': 'early' } } } };
    expect((await ordering(files)).map((finding) => `${finding.severity} ${finding.object}: ${finding.problem}. ${finding.hint}`)).toEqual([
      "warning ConfigMap/web/web: sync-wave annotation 'early' is not an integer. ArgoCD treats it as wave 0: write an integer, quoted",
    ]);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { checkTree } from './check.js';
import { application, deployment, REPO, removeTrees, rootApp, writeTree, type FixtureContent } from './test-support/fixtures.js';

afterAll(removeTrees);

const selectorFindings = async (files: Record<string, FixtureContent>) =>
  (await checkTree(writeTree({ 'apps/root.yaml': rootApp(), 'apps/web.yaml': application('web'), ...files }))).findings
    .filter((finding) => finding.check === 'references')
    .map((finding) => `${finding.severity} ${finding.object}: ${finding.problem}`);

const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'web', labels: { app: 'web' } }, spec: { selector: { app: 'web' }, ports: [{ name: 'metrics', port: 9090 }] } };
const monitor = (selector: object, port = 'metrics') => ({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'web', namespace: 'web' }, spec: { selector, endpoints: [{ port }] } });
const policy = (endpointSelector: object) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'web', namespace: 'web' }, spec: { endpointSelector, ingress: [{}] } });

describe('selectors', () => {
  it('ServiceMonitor: selects an existing Service and names one of its ports', async () => {
    expect(await selectorFindings({ 'manifests/web/all.yaml': [service, monitor({ matchLabels: { app: 'web' } })] })).toEqual([]);
    expect(await selectorFindings({ 'manifests/web/all.yaml': [service, monitor({ matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] })] })).toEqual([]);
    expect(await selectorFindings({ 'manifests/web/all.yaml': [service, monitor({ matchLabels: { app: 'api' } })] })).toEqual([
      'warning ServiceMonitor/web/web: Application/argocd/web applies it, and its selector (spec.selector) matches no Service in web',
    ]);
    expect(await selectorFindings({ 'manifests/web/all.yaml': [service, monitor({ matchLabels: { app: 'web' } }, 'http')] })).toEqual([
      "warning ServiceMonitor/web/web: Application/argocd/web applies it, and spec.endpoints[0].port 'http' names no port of the Services it selects (Service/web/web)",
    ]);
  });

  it('CiliumNetworkPolicy: its endpointSelector matches pod template labels in its namespace (k8s: prefixes, namespace keys aside)', async () => {
    const pods = deployment('web', 'web');
    expect(await selectorFindings({ 'manifests/web/all.yaml': [pods, policy({ matchLabels: { 'k8s:app': 'web', 'k8s:io.kubernetes.pod.namespace': 'web' } })] })).toEqual([]);
    expect(await selectorFindings({ 'manifests/web/all.yaml': [pods, policy({})] })).toEqual([]);
    expect(await selectorFindings({ 'manifests/web/all.yaml': [pods, policy({ matchLabels: { app: 'wbe' } })] })).toEqual([
      'warning CiliumNetworkPolicy/web/web: Application/argocd/web applies it, and its spec.endpointSelector matches no pod in namespace web',
    ]);
  });

  it('decides nothing in a namespace an unrendered chart deploys into (it may create the Service or the pods)', async () => {
    const chartApp = application('web', { sources: [{ repoURL: 'https://charts.example.com', chart: 'web', targetRevision: '1.0.0' }, { repoURL: REPO, targetRevision: 'main', path: 'manifests/web' }] });
    expect(await selectorFindings({ 'apps/web.yaml': chartApp, 'manifests/web/all.yaml': [monitor({ matchLabels: { app: 'api' } }), policy({ matchLabels: { app: 'api' } })] })).toEqual([]);
  });
});

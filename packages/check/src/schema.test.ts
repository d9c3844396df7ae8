import { afterAll, describe, expect, it } from 'vitest';
import { checkTree } from './check.js';
import { modelPath, type ModelClass } from './schema.js';
import { application, removeTrees, rootApp, writeTree } from './test-support/fixtures.js';

afterAll(removeTrees);

const schemaFindings = async (manifests: Record<string, object>, models?: Record<string, ModelClass>) =>
  (await checkTree(writeTree({ 'apps/root.yaml': rootApp(), 'apps/web.yaml': application('web'), ...manifests }), models ? { models } : {})).findings.filter(
    (finding) => finding.check === 'schema',
  );

describe('modelPath', () => {
  it('maps core, built-in and CRD groups to @kubernetes-models file paths', () => {
    expect(modelPath('v1', 'Secret')).toBe('kubernetes-models/v1/Secret');
    expect(modelPath('apps/v1', 'Deployment')).toBe('kubernetes-models/apps/v1/Deployment');
    expect(modelPath('storage.k8s.io/v1', 'StorageClass')).toBe('kubernetes-models/storage.k8s.io/v1/StorageClass');
    expect(modelPath('gateway.networking.k8s.io/v1', 'HTTPRoute')).toBe('@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute');
    expect(modelPath('cert-manager.io/v1', 'Certificate')).toBe('@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate');
    expect(modelPath('tailscale.com/v1alpha1', 'Connector')).toBeUndefined();
    expect(modelPath('v1', '../../etc')).toBeUndefined();
  });
});

describe('schema', () => {
  it('reports an object its @kubernetes-models schema rejects, with the failing fields', async () => {
    const broken = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'web' }, spec: { template: { spec: { containers: [{ name: 'web', image: 'example/web:1.0' }] } } } };
    expect(await schemaFindings({ 'manifests/web/deployment.yaml': broken })).toEqual([
      {
        check: 'schema',
        severity: 'error',
        file: 'manifests/web/deployment.yaml',
        object: 'Deployment/web/web',
        problem: 'fails the apps/v1 Deployment schema: /spec must have required property selector',
        hint: "The API server (or ArgoCD's dry run) rejects it: fix the fields named",
      },
    ]);
  });

  it('validates CRDs @kubernetes-models covers (Gateway API)', async () => {
    const route = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web', namespace: 'web' }, spec: { rules: [{ backendRefs: [{ name: 'web', port: 'http' }] }] } };
    expect((await schemaFindings({ 'manifests/web/route.yaml': route })).map((finding) => finding.problem)).toEqual([
      'fails the gateway.networking.k8s.io/v1 HTTPRoute schema: /spec/rules/0/backendRefs/0/port must be integer',
    ]);
  });

  it('reports kinds without a schema as information, once per kind', async () => {
    const connector = (name: string) => ({ apiVersion: 'tailscale.com/v1alpha1', kind: 'Connector', metadata: { name }, spec: { hostname: name } });
    expect(await schemaFindings({ 'manifests/web/a.yaml': connector('a'), 'manifests/web/b.yaml': connector('b') })).toEqual([
      {
        check: 'schema',
        severity: 'info',
        file: 'manifests/web/a.yaml',
        object: 'Connector/a',
        problem: 'no schema known for tailscale.com/v1alpha1 Connector',
        hint: 'Objects of this kind are not validated (@kubernetes-models has no class for it, and no CRD in the tree defines it)',
      },
    ]);
  });

  it('validates kinds with a class given in models (by apiVersion/Kind)', async () => {
    class Connector {
      constructor(private readonly data: { spec?: { hostname?: unknown } }) {}
      validate() {
        if (typeof this.data.spec?.hostname !== 'string') throw new Error('/spec/hostname must be string');
      }
    }
    const connector = (name: string, hostname: unknown) => ({ apiVersion: 'tailscale.com/v1alpha1', kind: 'Connector', metadata: { name }, spec: { hostname } });
    const models = { 'tailscale.com/v1alpha1/Connector': Connector };
    expect(await schemaFindings({ 'manifests/web/a.yaml': connector('a', 'a') }, models)).toEqual([]);
    expect((await schemaFindings({ 'manifests/web/a.yaml': connector('a', 1) }, models)).map((finding) => `${finding.severity} ${finding.object}: ${finding.problem}`)).toEqual([
      'error Connector/a: fails the tailscale.com/v1alpha1 Connector schema: /spec/hostname must be string',
    ]);
  });
});

describe('schema of custom resources whose CRD the tree holds', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { kind: 'Widget', plural: 'widgets' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } }, 'x-kubernetes-preserve-unknown-fields': true } } } } }],
    },
  };
  const widget = (size: unknown) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'web' }, spec: { size } });

  it("validates them against the CRD's openAPIV3Schema", async () => {
    expect(await schemaFindings({ 'manifests/web/crd.yaml': crd, 'manifests/web/widget.yaml': widget(3) })).toEqual([]);
    expect((await schemaFindings({ 'manifests/web/crd.yaml': crd, 'manifests/web/widget.yaml': widget('big') })).map((finding) => `${finding.severity} ${finding.object}: ${finding.problem}`)).toEqual([
      'error Widget/web/w: fails the example.com/v1 Widget schema: /spec/size must be integer',
    ]);
  });
});

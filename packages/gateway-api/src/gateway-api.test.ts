import { describe, expect, it } from 'vitest';
import { componentApplication, componentPaths, renderComponents, validateObjects, type Component } from '@homelab/core';
import { CLUSTER_ISSUERS } from '@homelab/cert-manager';
import { configVariant, seedConfig } from '@homelab/testing';
import type { Gateway } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway';
import type { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import type { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import {
  buildGatewayApi,
  COMPONENT_NAMES,
  GATEWAY_API_CRDS,
  GATEWAY_API_DEFAULTS,
  gatewayApiModule,
  gatewayParentRef,
  HTTPS_REDIRECT_ROUTE,
  internalGatewayRef,
} from './index.js';

const config = seedConfig();

function parts(components: Component[]) {
  const crds = components.find((component) => component.name === COMPONENT_NAMES.crds)!;
  const internal = components.find((component) => component.name === COMPONENT_NAMES.internalGateway)!;
  const objects = internal.objects!;
  return {
    crds,
    internal,
    gateway: objects['gateway'] as Gateway,
    certificate: objects['certificate'] as Certificate,
    redirect: objects[HTTPS_REDIRECT_ROUTE] as HTTPRoute,
  };
}

const listener = (gateway: Gateway, name: string) => gateway.spec.listeners.find((entry) => entry.name === name)!;
const target = { repoURL: config.gitops.repoURL, revision: config.gitops.revision };

describe('gateway-api module', () => {
  it('registers as gateway-api and returns the CRDs and the internal gateway', () => {
    expect(gatewayApiModule.name).toBe('gateway-api');
    expect(gatewayApiModule.kind).toBe('component');
    const built = [gatewayApiModule.build(config)].flat();
    expect(built.map((component) => component.name)).toEqual(['gateway-api', 'internal-gateway']);
    expect(built.map((component) => component.group)).toEqual(['core', 'core']);
  });

  it('orders the CRDs before Cilium (-10) and the Gateway after cert-manager (-5)', () => {
    const { crds, internal } = parts(buildGatewayApi(config));
    expect(crds.syncWave).toBe(-15);
    expect(internal.syncWave).toBe(-4);
    const moved = parts(buildGatewayApi(config, { crds: { syncWave: -20 }, internalGateway: { syncWave: 2 } }));
    expect([moved.crds.syncWave, moved.internal.syncWave]).toEqual([-20, 2]);
  });

  it('every object, and each Application, passes its upstream schema', () => {
    const components = buildGatewayApi(config);
    const objects = components.flatMap((component) => Object.values(component.objects ?? {}));
    expect(objects.map((object) => object.kind).sort()).toEqual(['Certificate', 'Gateway', 'HTTPRoute']);
    expect(validateObjects(objects)).toEqual([]);
    expect(validateObjects(components.map((component) => componentApplication(component, target)))).toEqual([]);
  });

  it('renders into the GitOps tree: CRDs from git, the gateway objects as manifests', () => {
    const components = buildGatewayApi(config);
    const { crds, internal } = parts(components);
    const paths = renderComponents(components, target).map((file) => file.path);
    expect(paths).toContain(componentPaths(crds).application);
    expect(paths.filter((path) => path.startsWith(`${componentPaths(internal).manifests}/`))).toHaveLength(3);
    expect(paths.some((path) => path.startsWith(`${componentPaths(crds).manifests}/`))).toBe(false);
  });
});

describe('gateway-api (CRDs)', () => {
  it('applies the standard channel from the upstream repository, pinned to a release tag', () => {
    const { crds } = parts(buildGatewayApi(config));
    expect(crds.namespace).toBe('kube-system');
    expect(crds.gitSources).toEqual([
      { repoURL: 'https://github.com/kubernetes-sigs/gateway-api', path: 'config/crd/standard', targetRevision: GATEWAY_API_CRDS.version },
    ]);
    const revision = crds.gitSources![0]!.targetRevision;
    // A release tag (vMAJOR.MINOR.PATCH), never a branch such as main or release-1.4.
    expect(revision).toMatch(/^v\d+\.\d+\.\d+$/);
    const sources = componentApplication(crds, target).spec!.sources!;
    expect(sources).toEqual([{ repoURL: GATEWAY_API_CRDS.repoURL, path: GATEWAY_API_CRDS.path, targetRevision: revision }]);
  });

  it('stays on the Gateway API minor line Cilium 1.19 supports (v1.4.x)', () => {
    // Gateway API v1.5 standard CRDs crash-loop the Cilium 1.19 operator (see versions.ts).
    expect(GATEWAY_API_CRDS.version).toMatch(/^v1\.4\.\d+$/);
  });
});

describe('internal-gateway', () => {
  it('puts the Gateway, its Certificate and the redirect in one namespace', () => {
    const { internal, gateway, certificate, redirect } = parts(buildGatewayApi(config));
    expect(internal.namespace).toBe(GATEWAY_API_DEFAULTS.internalGateway.namespace);
    for (const object of [gateway, certificate, redirect]) expect(object.metadata?.namespace).toBe(internal.namespace);
    expect(internal.podSecurity).toBe('restricted');
  });

  it('asks Cilium for network.internalGatewayIP and serves *.<domains.internal>', () => {
    const { gateway } = parts(buildGatewayApi(config));
    expect(gateway.spec.gatewayClassName).toBe('cilium');
    expect(gateway.spec.addresses).toEqual([{ type: 'IPAddress', value: config.network.internalGatewayIP }]);
    expect(gateway.spec.listeners.map((entry) => entry.hostname)).toEqual([`*.${config.domains.internal}`, `*.${config.domains.internal}`]);
  });

  it('follows the config: another internal domain and gateway IP change the Gateway and its certificate', () => {
    const changed = configVariant((data) => {
      data.domains.internal = 'lab.example.org';
      data.network.internalGatewayIP = data.network.ranges.loadBalancer.end;
    });
    expect(changed.network.internalGatewayIP).not.toBe(config.network.internalGatewayIP);
    expect(changed.domains.internal).not.toBe(config.domains.internal);
    const { gateway, certificate } = parts(buildGatewayApi(changed));
    expect(gateway.spec.addresses).toEqual([{ type: 'IPAddress', value: changed.network.internalGatewayIP }]);
    for (const entry of gateway.spec.listeners) expect(entry.hostname).toBe('*.lab.example.org');
    expect(certificate.spec?.dnsNames).toContain('*.lab.example.org');
    expect(JSON.stringify(gateway.toJSON())).not.toContain(config.domains.internal);
    expect(internalGatewayRef(changed).hostname).toBe('*.lab.example.org');
  });

  it('terminates TLS on 443 with the Secret the wildcard Certificate writes', () => {
    const { gateway, certificate } = parts(buildGatewayApi(config));
    const https = listener(gateway, GATEWAY_API_DEFAULTS.internalGateway.listeners.https);
    expect(https).toMatchObject({ protocol: 'HTTPS', port: 443, allowedRoutes: { namespaces: { from: 'All' } } });
    expect(https.tls?.mode).toBe('Terminate');
    expect(https.tls?.certificateRefs).toHaveLength(1);
    expect(https.tls?.certificateRefs?.[0]).toMatchObject({ kind: 'Secret', name: certificate.spec?.secretName });
    expect(https.tls?.certificateRefs?.[0]?.namespace).toBeUndefined(); // same namespace: no ReferenceGrant needed
    expect(certificate.spec?.dnsNames).toContain(https.hostname);
  });

  it('derives the secret name from the certificate, so renaming the certificate moves both', () => {
    const { gateway, certificate } = parts(buildGatewayApi(config, { internalGateway: { certificateName: 'lan-wildcard' } }));
    expect(certificate.metadata?.name).toBe('lan-wildcard');
    const ref = listener(gateway, 'https').tls?.certificateRefs?.[0]?.name;
    expect(ref).toBe(certificate.spec?.secretName);
    expect(ref).not.toBe(parts(buildGatewayApi(config)).certificate.spec?.secretName);
  });

  it("uses cert-manager's production issuer by default and staging when asked", () => {
    expect(parts(buildGatewayApi(config)).certificate.spec?.issuerRef.name).toBe(CLUSTER_ISSUERS.production);
    const staging = parts(buildGatewayApi(config, { internalGateway: { issuer: 'staging' } }));
    expect(staging.certificate.spec?.issuerRef.name).toBe(CLUSTER_ISSUERS.staging);
  });

  it('serves plain HTTP only to redirect it: a same-namespace listener and a 301 to https', () => {
    const { gateway, redirect } = parts(buildGatewayApi(config));
    const http = listener(gateway, GATEWAY_API_DEFAULTS.internalGateway.listeners.http);
    expect(http).toMatchObject({ protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'Same' } } });
    expect(http.tls).toBeUndefined();
    expect(() => redirect.validate()).not.toThrow();
    expect(redirect.spec?.parentRefs).toEqual([gatewayParentRef(internalGatewayRef(), 'http')]);
    expect(redirect.spec?.parentRefs?.[0]).toMatchObject({ name: gateway.metadata?.name, namespace: gateway.metadata?.namespace, sectionName: http.name });
    expect(redirect.spec?.rules).toEqual([{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }]);
  });

  it('moves with a namespace override, and the exported reference moves with it', () => {
    const overrides = { internalGateway: { namespace: 'kube-system', name: 'lan' } };
    const { internal, gateway, certificate, redirect } = parts(buildGatewayApi(config, overrides));
    expect(internal.namespace).toBe('kube-system');
    expect([gateway, certificate, redirect].map((object) => object.metadata?.namespace)).toEqual(['kube-system', 'kube-system', 'kube-system']);
    const ref = internalGatewayRef(config, overrides);
    expect(ref).toEqual({ name: gateway.metadata?.name, namespace: 'kube-system', listeners: { https: 'https', http: 'http' }, hostname: `*.${config.domains.internal}` });
    expect(redirect.spec?.parentRefs?.[0]?.name).toBe('lan');
  });

  it('the reference names the Gateway that is built, listener by listener', () => {
    const { gateway } = parts(buildGatewayApi(config));
    const ref = internalGatewayRef(config);
    expect({ name: ref.name, namespace: ref.namespace }).toEqual({ name: gateway.metadata?.name, namespace: gateway.metadata?.namespace });
    expect(gateway.spec.listeners.map((entry) => entry.name)).toEqual([ref.listeners.https, ref.listeners.http]);
    expect(listener(gateway, ref.listeners.https).hostname).toBe(ref.hostname);
    expect(gatewayParentRef(ref)).toEqual({ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: ref.name, namespace: ref.namespace, sectionName: ref.listeners.https });
  });
});

describe('declarations for the security layers', () => {
  it('lets ArgoCD create the CRDs and the standard channel\'s admission policy; the internal gateway runs no pods of its own', () => {
    const [crds, gateway] = buildGatewayApi(config);
    expect(crds!.clusterResources).toEqual(['CustomResourceDefinition', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ClusterRole']);
    expect(gateway!.chart).toBeUndefined();
    expect(gateway!.network).toBeUndefined();
  });
});

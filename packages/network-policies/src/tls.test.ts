import { describe, expect, it } from 'vitest';
import type { Component, KubeObject } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { configVariant, seedConfig } from '@homelab/testing';
import { argocdModule } from '@homelab/argocd';
import { certManagerModule } from '@homelab/cert-manager';
import { exposureRoute, exposureRoutes, gatewayApiModule, internalGatewayRef, COMPONENT_NAMES, HTTPS_REDIRECT_ROUTE } from '@homelab/gateway-api';
import { kubePrometheusStackModule } from '@homelab/kube-prometheus-stack';
import { sonarrModule } from '@homelab/sonarr';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import { hostMatches, tlsEverywhere } from './tls.js';

const seed = seedConfig();

/** Components and the routes the aggregator derives for them (added to their owners' objects). */
function routed(config: ResolvedConfig = seed, route = exposureRoute): Component[] {
  const components = [gatewayApiModule, certManagerModule, argocdModule, sonarrModule, kubePrometheusStackModule].flatMap((module) => [module.build(config)].flat());
  const routes = exposureRoutes(components, internalGatewayRef(config), route);
  return components.map((component) => {
    const own = routes[component.name] ?? [];
    if (own.length === 0) return component;
    const objects: Record<string, KubeObject> = { ...component.objects };
    for (const object of own) objects[`httproute-${object.metadata?.name}`] = object;
    return { ...component, objects };
  });
}

const gatewayComponent = (components: Component[]) => components.find((component) => component.name === COMPONENT_NAMES.internalGateway)!;

/** The components with `object` added to the internal gateway's objects. */
function withObject(components: Component[], key: string, object: KubeObject): Component[] {
  return components.map((component) => (component.name === COMPONENT_NAMES.internalGateway ? { ...component, objects: { ...component.objects, [key]: object } } : component));
}

describe('tlsEverywhere', () => {
  it('passes the homelab: every internal host on the HTTPS listener, under the wildcard certificate', () => {
    expect(tlsEverywhere(routed(), seed)).toEqual({});
  });

  it('follows the internal domain (late binding)', () => {
    const config = configVariant((data) => {
      data.domains = { ...data.domains, internal: 'lan.example.org' };
    });
    expect(tlsEverywhere(routed(config), config)).toEqual({});
  });

  it('fails on an internal host the certificate does not cover, naming the exposure', () => {
    const components = routed();
    const sonarr = components.find((c) => c.name === 'sonarr')!;
    const host = `sonarr.elsewhere.${seed.domains.internal}`;
    const moved = components.map((c) => (c === sonarr ? { ...c, exposes: [{ ...sonarr.exposes![0]!, host }] } : c));
    // The route follows the exposure (a builder that does not check hosts, as a custom one might not).
    const routes = moved.map((c) => (c.name === 'sonarr' ? { ...c, objects: { ...c.objects, 'httproute-sonarr': exposureRoute(c.exposes![0]!, internalGatewayRef()) } } : c));
    expect(() => tlsEverywhere(routes, seed)).toThrow(
      `sonarr: internal host is not covered by a certificate of listener 'https' of Gateway ${internalGatewayRef().namespace}/${internalGatewayRef().name} ` +
        `(DNS names: *.${seed.domains.internal}, ${seed.domains.internal}) (sonarr.exposes[0].host: '${host}'). Use a host under the gateway's wildcard, or add the host to its Certificate's dnsNames.`,
    );
  });

  it('fails when the listener\'s Secret comes from no Certificate', () => {
    const components = routed().map((c) => {
      if (c.name !== COMPONENT_NAMES.internalGateway) return c;
      const objects = { ...c.objects };
      delete objects['certificate'];
      return { ...c, objects };
    });
    expect(() => tlsEverywhere(components, seed)).toThrow(/^internal-gateway: HTTPS listener 'https' of Gateway \S+ serves Secret \S+, which no Certificate writes/);
  });

  it('fails when a certificate for another domain is all the listener has', () => {
    const components = routed().map((c) => {
      if (c.name !== COMPONENT_NAMES.internalGateway) return c;
      const certificate = c.objects!['certificate'] as Certificate;
      const other = new Certificate({ metadata: { ...certificate.metadata }, spec: { ...certificate.spec!, dnsNames: ['*.other.example.org'] } });
      return { ...c, objects: { ...c.objects, certificate: other } };
    });
    expect(() => tlsEverywhere(components, seed)).toThrow(/^argocd: internal host is not covered by a certificate of listener 'https'/);
  });

  it('fails on a route attached to the plain-HTTP listener, explicitly or by naming no listener', () => {
    const ref = internalGatewayRef(seed);
    const sneaky = new HTTPRoute({
      metadata: { name: 'plain', namespace: ref.namespace },
      spec: { parentRefs: [{ name: ref.name, namespace: ref.namespace, sectionName: ref.listeners.http }], hostnames: [`plain.${seed.domains.internal}`], rules: [{ backendRefs: [{ name: 'plain', port: 80 }] }] },
    });
    expect(() => tlsEverywhere(withObject(routed(), 'plain', sneaky), seed)).toThrow(
      `internal-gateway: HTTPRoute ${ref.namespace}/plain attaches to plain-HTTP listener 'http' of Gateway ${ref.namespace}/${ref.name} (parentRefs.sectionName: 'http'). Attach it to the HTTPS listener: on plain HTTP only the redirect to HTTPS is served.`,
    );
    const everywhere = new HTTPRoute({ metadata: { name: 'everywhere', namespace: ref.namespace }, spec: { parentRefs: [{ name: ref.name, namespace: ref.namespace }], rules: [{ backendRefs: [{ name: 'x', port: 80 }] }] } });
    expect(() => tlsEverywhere(withObject(routed(), 'everywhere', everywhere), seed)).toThrow(/HTTPRoute \S+\/everywhere attaches to plain-HTTP listener 'http'/);
  });

  it('lets the redirect alone serve plain HTTP (the gateway package\'s own redirect route is one)', () => {
    const gateway = gatewayComponent(routed());
    expect(Object.keys(gateway.objects!)).toContain(HTTPS_REDIRECT_ROUTE);
    const ref = internalGatewayRef(seed);
    const redirectWithBackend = new HTTPRoute({
      metadata: { name: 'half-redirect', namespace: ref.namespace },
      spec: { parentRefs: [{ name: ref.name, namespace: ref.namespace, sectionName: ref.listeners.http }], rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }] }, { backendRefs: [{ name: 'x', port: 80 }] }] },
    });
    expect(() => tlsEverywhere(withObject(routed(), 'half', redirectWithBackend), seed)).toThrow(/half-redirect attaches to plain-HTTP listener/);
  });

  it('fails on an internal exposure no route serves while a Gateway is deployed; without one it leaves that to the provider check', () => {
    const components = routed();
    const unrouted = components.map((c) => {
      if (c.name !== 'sonarr') return c;
      const objects = { ...c.objects };
      delete objects['httproute-sonarr'];
      return { ...c, objects };
    });
    expect(() => tlsEverywhere(unrouted, seed)).toThrow(`sonarr: internal host is not routed by any Gateway (sonarr.exposes[0].host: '${components.find((c) => c.name === 'sonarr')!.exposes![0]!.host}'). Deploy the internal gateway, or stop exposing sonarr internally.`);
    expect(tlsEverywhere(unrouted.filter((c) => c.name !== COMPONENT_NAMES.internalGateway), seed)).toEqual({});
  });
});

describe('hostMatches', () => {
  it('matches one label under a wildcard, and exact names exactly', () => {
    expect(hostMatches('*.int.example.org', 'app.int.example.org')).toBe(true);
    expect(hostMatches('*.int.example.org', 'a.b.int.example.org')).toBe(false);
    expect(hostMatches('*.int.example.org', 'int.example.org')).toBe(false);
    expect(hostMatches('*.int.example.org', 'appint.example.org')).toBe(false);
    expect(hostMatches('int.example.org', 'int.example.org')).toBe(true);
    expect(hostMatches('int.example.org', 'app.int.example.org')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { exposureRoute, exposureRoutes, internalGatewayRef } from '@homelab/gateway-api';
import type { Component, SsoMode } from '@homelab/core';
import { authentik } from './authentik.js';
import { proxyApplications } from './blueprint.js';
import { AUTHENTIK_DEFAULTS } from './defaults.js';
import { authentikRouteBuilder, outpostReferenceGrants, protectedRoute } from './forward-auth.js';
import { EMBEDDED_OUTPOST_SERVICE } from './names.js';
import { app, config, everything, exposure, fakeApps, media } from './fixtures.test.js';

const gateway = internalGatewayRef(config);
const routesOf = (components: readonly Component[], overrides?: Parameters<typeof authentikRouteBuilder>[0]) =>
  Object.values(exposureRoutes(components, gateway, authentikRouteBuilder(overrides))).flat();
const plainRoutesOf = (components: readonly Component[]) => Object.values(exposureRoutes(components, gateway)).flat();
const json = (value: unknown) => JSON.parse(JSON.stringify(value));
/** The Service Authentik's own exposure names: where protected routes go by default. */
const server = authentik(config).exposes![0]!.service;

describe('route builder', () => {
  const build = authentikRouteBuilder();

  it('routes a protected host to the outpost, keeping the route where the plain one would be', () => {
    const sonarr = exposure(config, 'sonarr', 'media', 8989, 'proxy');
    const route = build(sonarr, gateway);
    const plain = exposureRoute(sonarr, gateway);
    expect(route.metadata).toEqual(plain.metadata);
    expect(route.spec!.parentRefs).toEqual(plain.spec!.parentRefs);
    expect(route.spec!.hostnames).toEqual([sonarr.host]);
    expect(json(route.spec!.rules)).toEqual([{ backendRefs: [{ group: '', kind: 'Service', name: server.name, namespace: server.namespace, port: server.port }] }]);
  });

  it.each<SsoMode>(['none', 'oidc'])('leaves an sso: %s exposure to the plain route', (sso) => {
    const grafana = exposure(config, 'grafana', 'monitoring', 80, sso);
    expect(json(build(grafana, gateway))).toEqual(json(exposureRoute(grafana, gateway)));
  });

  it('needs no namespace on the backend when the app lives beside Authentik', () => {
    const local = exposure(config, 'ldap-admin', AUTHENTIK_DEFAULTS.namespace, 80, 'proxy');
    expect(json(build(local, gateway).spec!.rules)).toEqual([{ backendRefs: [{ group: '', kind: 'Service', name: server.name, port: server.port }] }]);
  });

  it('can target the Service Authentik creates for the embedded outpost instead', () => {
    const route = authentikRouteBuilder({ outpostTarget: 'outpost-service' })(exposure(config, 'sonarr', 'media', 8989, 'proxy'), gateway);
    expect(route.spec!.rules![0]!.backendRefs![0]).toMatchObject({ name: EMBEDDED_OUTPOST_SERVICE.name, namespace: AUTHENTIK_DEFAULTS.namespace, port: EMBEDDED_OUTPOST_SERVICE.port });
  });

  it('yields routes that validate, through gateway-api exposureRoutes', () => {
    const routes = routesOf(everything());
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) expect(() => route.validate()).not.toThrow();
  });

  it('changes exactly the routes of protected exposures', () => {
    const changed = routesOf(everything()).filter((route, index) => JSON.stringify(route) !== JSON.stringify(plainRoutesOf(everything())[index]));
    const expected = everything().flatMap((component) => (component.exposes ?? []).filter((entry) => entry.access === 'internal' && entry.sso === 'proxy'));
    expect(changed.map((route) => route.spec!.hostnames![0]).sort()).toEqual(expected.map((entry) => entry.host).sort());
  });

  it("switching one app's sso changes exactly its route", () => {
    const before = routesOf(fakeApps(config, { sonarr: 'proxy' }));
    const after = routesOf(fakeApps(config, { sonarr: 'none' }));
    const differing = before.filter((route, index) => JSON.stringify(route) !== JSON.stringify(after[index]));
    expect(differing.map((route) => route.spec!.hostnames)).toEqual([[`sonarr.${config.domains.internal}`]]);
    expect(json(after.find((route) => route.metadata!.name === 'sonarr'))).toEqual(json(exposureRoute(exposure(config, 'sonarr', 'media', 8989, 'none'), gateway)));
  });
});

describe('route and proxy provider agree', () => {
  it('every protected route goes to the outpost, and the provider for its host proxies to the Service the plain route would reach', () => {
    const providers = proxyApplications(everything());
    const plain = plainRoutesOf(everything());
    for (const route of routesOf(everything())) {
      const [host] = route.spec!.hostnames!;
      const provider = providers.filter((candidate) => new URL(candidate.route.externalHost).hostname === host);
      const [backend] = route.spec!.rules![0]!.backendRefs!;
      if (backend!.name !== server.name) {
        expect(provider).toEqual([]);
        continue;
      }
      expect(provider).toHaveLength(1);
      const original = plain.find((candidate) => candidate.spec!.hostnames![0] === host)!.spec!.rules![0]!.backendRefs![0]!;
      const upstream = new URL(provider[0]!.route.internalHost);
      expect(upstream.hostname.split('.').slice(0, 2)).toEqual([original.name, route.metadata!.namespace]);
      expect(Number(upstream.port)).toBe(original.port);
      expect(backend).toMatchObject(provider[0]!.route.backend);
    }
  });

  it('holds for the real media apps: Sonarr goes through the outpost to its own Service, Plex straight', () => {
    const routes = routesOf(media());
    const sonarr = media().find((component) => component.name === 'sonarr')!.exposes!.find((entry) => entry.access === 'internal')!;
    const plex = media().find((component) => component.name === 'plex')!.exposes!.find((entry) => entry.access === 'internal')!;
    expect(sonarr.sso).toBe('proxy');
    expect(plex.sso).toBe('none');
    expect(routes.find((route) => route.spec!.hostnames![0] === sonarr.host)!.spec!.rules![0]!.backendRefs![0]).toMatchObject({ name: server.name, namespace: server.namespace });
    expect(routes.find((route) => route.spec!.hostnames![0] === plex.host)!.spec!.rules![0]!.backendRefs![0]).toMatchObject({ name: plex.service.name, port: plex.service.port });
    const [provider] = proxyApplications(media());
    expect(proxyApplications(media())).toHaveLength(1);
    expect(provider!.route.internalHost).toBe(`http://${sonarr.service.name}.${sonarr.service.namespace}.svc.${AUTHENTIK_DEFAULTS.clusterDomain}:${sonarr.service.port}`);
    expect(outpostReferenceGrants(media()).map((grant) => grant.spec!.from[0]!.namespace)).toEqual([sonarr.service.namespace]);
  });

  it('both ends come from protectedRoute', () => {
    const sonarr = exposure(config, 'sonarr', 'media', 8989, 'proxy');
    expect(protectedRoute(sonarr)).toEqual({
      host: sonarr.host,
      externalHost: `https://${sonarr.host}`,
      internalHost: `http://sonarr.media.svc.${AUTHENTIK_DEFAULTS.clusterDomain}:8989`,
      backend: server,
    });
    expect(protectedRoute(sonarr, { ...AUTHENTIK_DEFAULTS, clusterDomain: 'k8s.internal' }).internalHost).toBe('http://sonarr.media.svc.k8s.internal:8989');
  });
});

describe('ReferenceGrants', () => {
  const grants = outpostReferenceGrants(everything());

  it('one per namespace holding protected routes, in Authentik’s namespace, validating', () => {
    expect(grants.map((grant) => grant.spec!.from[0]!.namespace)).toEqual(['media', 'tools']);
    for (const grant of grants) {
      expect(grant.metadata!.namespace).toBe(AUTHENTIK_DEFAULTS.namespace);
      expect(() => grant.validate()).not.toThrow();
    }
  });

  it('cover every cross-namespace backend of the routes, and allow nothing but HTTPRoutes to the outpost Service', () => {
    for (const route of routesOf(everything())) {
      for (const backend of route.spec!.rules!.flatMap((rule) => rule.backendRefs ?? [])) {
        if (!backend.namespace || backend.namespace === route.metadata!.namespace) continue;
        const grant = grants.find((candidate) => candidate.metadata!.namespace === backend.namespace && candidate.spec!.from.some((from) => from.namespace === route.metadata!.namespace));
        expect(grant, `grant for ${route.metadata!.namespace}/${route.metadata!.name}`).toBeDefined();
        expect(grant!.spec!.from).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: route.metadata!.namespace }]);
        expect(grant!.spec!.to).toEqual([{ group: '', kind: 'Service', name: backend.name }]);
      }
    }
  });

  it('follow the app declarations: no protected app in a namespace, no grant for it', () => {
    expect(outpostReferenceGrants(fakeApps(config, { homepage: 'none' })).map((grant) => grant.spec!.from[0]!.namespace)).toEqual(['media']);
    expect(outpostReferenceGrants(fakeApps(config, { sonarr: 'none', radarr: 'none', homepage: 'none' }))).toEqual([]);
    expect(outpostReferenceGrants([app('local', AUTHENTIK_DEFAULTS.namespace, [exposure(config, 'local', AUTHENTIK_DEFAULTS.namespace, 80, 'proxy')])])).toEqual([]);
  });

  it('name the outpost Service the routes use', () => {
    const grant = outpostReferenceGrants(everything(), { outpostTarget: 'outpost-service' })[0]!;
    expect(grant.spec!.to).toEqual([{ group: '', kind: 'Service', name: EMBEDDED_OUTPOST_SERVICE.name }]);
  });

  it('are the ones the component carries', () => {
    const component = authentik(config, everything());
    const carried = Object.entries(component.objects!).filter(([key]) => key.startsWith('reference-grant-')).map(([, object]) => json(object));
    expect(carried).toEqual(grants.map(json));
  });
});

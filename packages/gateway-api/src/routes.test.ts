import { describe, expect, it } from 'vitest';
import { validateObjects, type Component, type Exposure } from '@homelab/core';
import { seedConfig } from '@homelab/testing';
import type { Gateway } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway';
import { buildGatewayApi, exposureRoute, exposureRoutes, gatewayParentRef, internalGatewayRef, type RouteBuilder } from './index.js';

const config = seedConfig();
const internalHost = (label: string) => `${label}.${config.domains.internal}`;

const sonarrInternal: Exposure = {
  host: internalHost('sonarr'),
  access: 'internal',
  service: { name: 'sonarr', namespace: 'media', port: 8989 },
  sso: 'none',
};
const sonarrPublic: Exposure = {
  host: `sonarr.${config.domains.public}`,
  access: 'public',
  service: { name: 'sonarr-public', namespace: 'media', port: 8989 },
  sso: 'none',
};
const fake = (name: string, exposes: Exposure[]): Component => ({ name, group: 'apps', namespace: 'media', source: 'test', exposes });

describe('exposureRoutes', () => {
  it('turns the internal exposure, and only it, into one route with its host and backend', () => {
    const routes = exposureRoutes([fake('sonarr', [sonarrInternal, sonarrPublic])], internalGatewayRef(config));
    expect(Object.keys(routes)).toEqual(['sonarr']);
    expect(routes['sonarr']).toHaveLength(1);
    const route = routes['sonarr']![0]!;
    expect(route.metadata).toEqual({ name: 'sonarr', namespace: 'media' });
    expect(route.spec?.hostnames).toEqual([sonarrInternal.host]);
    expect(route.spec?.rules).toEqual([{ backendRefs: [{ group: '', kind: 'Service', name: 'sonarr', port: 8989 }] }]);
    expect(validateObjects([route])).toEqual([]);
  });

  it("attaches to the HTTPS listener of the Gateway this package builds", () => {
    const gateway = buildGatewayApi(config).flatMap((component) => Object.values(component.objects ?? {})).find((object) => object.kind === 'Gateway') as Gateway;
    const [route] = exposureRoutes([fake('sonarr', [sonarrInternal])], internalGatewayRef(config))['sonarr']!;
    const https = gateway.spec.listeners.find((entry) => entry.protocol === 'HTTPS')!;
    expect(route!.spec?.parentRefs).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gateway.metadata?.name, namespace: gateway.metadata?.namespace, sectionName: https.name },
    ]);
  });

  it('groups routes by the exposing component and leaves out components with no internal exposure', () => {
    const radarr: Exposure = { ...sonarrInternal, host: internalHost('radarr'), service: { name: 'radarr', namespace: 'media', port: 7878 } };
    const grafana: Exposure = { ...sonarrInternal, host: internalHost('grafana'), service: { name: 'grafana', namespace: 'observability', port: 80 } };
    const routes = exposureRoutes([fake('arr', [sonarrInternal, radarr]), fake('public-only', [sonarrPublic]), fake('none', []), fake('grafana', [grafana])]);
    expect(Object.keys(routes).sort()).toEqual(['arr', 'grafana']);
    expect(routes['arr']!.map((route) => route.metadata?.name)).toEqual(['sonarr', 'radarr']);
    expect(routes['grafana']![0]!.metadata?.namespace).toBe('observability');
  });

  it('ignores tailnet exposures too', () => {
    const tailnet: Exposure = { ...sonarrInternal, access: 'tailnet', host: 'sonarr' };
    expect(exposureRoutes([fake('sonarr', [tailnet])])).toEqual({});
  });

  it('does not modify the components it reads', () => {
    const components = [fake('sonarr', [sonarrInternal, sonarrPublic])];
    const before = structuredClone(components);
    exposureRoutes(components);
    expect(components).toEqual(before);
  });

  it('rejects a host the wildcard listener and certificate do not cover', () => {
    const gateway = internalGatewayRef(config);
    const outside: Exposure = { ...sonarrInternal, host: `sonarr.${config.domains.public}` };
    expect(() => exposureRoutes([fake('sonarr', [sonarrPublic, outside])], gateway)).toThrow(
      `gateway-api: internal host is not covered by the internal gateway's '*.${config.domains.internal}' listener and certificate` +
        ` (sonarr.exposes[1].host: 'sonarr.${config.domains.public}'). Use one DNS label under ${config.domains.internal}, such as 'app.${config.domains.internal}'.`,
    );
    const nested: Exposure = { ...sonarrInternal, host: `a.b.${config.domains.internal}` };
    expect(() => exposureRoutes([fake('sonarr', [nested])], gateway)).toThrow(`(sonarr.exposes[0].host: 'a.b.${config.domains.internal}')`);
  });

  it('rejects two internal exposures that would write the same route', () => {
    const again: Exposure = { ...sonarrInternal, host: internalHost('tv') };
    expect(() => exposureRoutes([fake('sonarr', [sonarrInternal]), fake('tv', [again])])).toThrow(
      'gateway-api: two internal exposures would both write HTTPRoute media/sonarr (tv.exposes[0] and sonarr.exposes[0]). Expose each Service once: route names follow the Service name.',
    );
  });

  it('builds each route with the given builder (the SSO extension point)', () => {
    const seen: Exposure[] = [];
    const labelled: RouteBuilder = (exposure, gateway) => {
      seen.push(exposure);
      const route = exposureRoute(exposure, gateway);
      route.metadata = { ...route.metadata, labels: { sso: exposure.sso } };
      return route;
    };
    const proxied: Exposure = { ...sonarrInternal, sso: 'proxy' };
    const routes = exposureRoutes([fake('sonarr', [proxied, sonarrPublic])], internalGatewayRef(config), labelled);
    expect(seen).toEqual([proxied]);
    expect(routes['sonarr']![0]!.metadata?.labels).toEqual({ sso: 'proxy' });
  });

  it('follows a gateway override', () => {
    const ref = internalGatewayRef(config, { internalGateway: { name: 'lan', namespace: 'kube-system', listeners: { https: 'websecure' } } });
    const [route] = exposureRoutes([fake('sonarr', [sonarrInternal])], ref)['sonarr']!;
    expect(route!.spec?.parentRefs).toEqual([gatewayParentRef(ref)]);
    expect(route!.spec?.parentRefs?.[0]).toMatchObject({ name: 'lan', namespace: 'kube-system', sectionName: 'websecure' });
  });
});

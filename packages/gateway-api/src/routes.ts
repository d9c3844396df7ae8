import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import type { Component, Exposure, ModuleCapabilities } from '@homelab/core';
import { gatewayParentRef, internalGatewayRef, type InternalGatewayRef } from './gateway-api.js';

/**
 * Turns one internal exposure into its HTTPRoute. This is the extension point for SSO: Authentik
 * forward-auth (`sso: 'proxy'`) will be a builder that starts from `exposureRoute(exposure, gateway)`
 * and adds its filter for exposures that ask for it; pass it as `exposureRoutes(…, route)`.
 */
export type RouteBuilder = (exposure: Exposure, gateway: InternalGatewayRef) => HTTPRoute;

/**
 * The plain route for one exposure: named after the service, in the service's namespace (so the
 * backend needs no ReferenceGrant), attached to the internal Gateway's HTTPS listener, serving
 * `exposure.host` from the service port. It does not act on `exposure.sso`.
 */
export function exposureRoute(exposure: Exposure, gateway: InternalGatewayRef = internalGatewayRef()): HTTPRoute {
  const { service } = exposure;
  return new HTTPRoute({
    metadata: { name: service.name, namespace: service.namespace },
    spec: {
      parentRefs: [gatewayParentRef(gateway, 'https')],
      hostnames: [exposure.host],
      rules: [{ backendRefs: [{ group: '', kind: 'Service', name: service.name, port: service.port }] }],
    },
  });
}

/**
 * The route builder for a homelab with an SSO proxy (a module's `provides.ssoProxy`): an
 * `sso: 'proxy'` exposure's route sends its traffic to the proxy's Service, every other exposure
 * gets the plain `exposureRoute`. Route name and namespace stay the exposure's.
 */
export function ssoProxyRouteBuilder(proxy: NonNullable<ModuleCapabilities['ssoProxy']>): RouteBuilder {
  return (exposure, gateway) => {
    const plain = exposureRoute(exposure, gateway);
    if (exposure.sso !== 'proxy') return plain;
    const backend = proxy.backend(exposure);
    const sameNamespace = backend.namespace === exposure.service.namespace;
    return new HTTPRoute({
      metadata: plain.metadata,
      spec: {
        ...plain.spec,
        rules: [{ backendRefs: [{ group: '', kind: 'Service', name: backend.name, ...(sameNamespace ? {} : { namespace: backend.namespace }), port: backend.port }] }],
      },
    });
  };
}

/** Throws unless the gateway's wildcard listener (and certificate) serve `host`; no check without `gateway.hostname`. */
function checkHost(host: string, gateway: InternalGatewayRef, path: string): void {
  if (!gateway.hostname) return;
  const suffix = gateway.hostname.slice(1); // '*.int.example.com' → '.int.example.com'
  const label = host.endsWith(suffix) ? host.slice(0, -suffix.length) : '';
  if (/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(label)) return;
  throw new Error(
    `gateway-api: internal host is not covered by the internal gateway's '${gateway.hostname}' listener and certificate`
    + ` (${path}: '${host}'). Use one DNS label under ${suffix.slice(1)}, such as 'app${suffix}'.`,
  );
}

/**
 * HTTPRoutes for every `access: 'internal'` exposure of the given components, grouped by the name
 * of the component that exposes them (components without internal exposures are absent), so the
 * aggregator adds each group to its component's objects. Pure: the components are not modified.
 *
 * @param gateway the Gateway to attach to; pass `internalGatewayRef(config)` to also reject hosts
 *   outside `*.<domains.internal>`. @default internalGatewayRef() (package defaults, no host check)
 * @param route builds one route; the extension point for SSO (see `RouteBuilder`). @default exposureRoute
 */
export function exposureRoutes(
  components: readonly Component[],
  gateway: InternalGatewayRef = internalGatewayRef(),
  route: RouteBuilder = exposureRoute,
): Record<string, HTTPRoute[]> {
  const routes: Record<string, HTTPRoute[]> = {};
  const owners = new Map<string, string>();
  for (const component of components) {
    (component.exposes ?? []).forEach((exposure, index) => {
      if (exposure.access !== 'internal') return;
      const path = `${component.name}.exposes[${index}]`;
      checkHost(exposure.host, gateway, `${path}.host`);
      const key = `${exposure.service.namespace}/${exposure.service.name}`;
      const owner = owners.get(key);
      if (owner) {
        throw new Error(
          `gateway-api: two internal exposures would both write HTTPRoute ${key} (${path} and ${owner}).`
          + ' Expose each Service once: route names follow the Service name.',
        );
      }
      owners.set(key, path);
      (routes[component.name] ??= []).push(route(exposure, gateway));
    });
  }
  return routes;
}

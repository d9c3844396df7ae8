/**
 * Routing of SSO-protected (`sso: 'proxy'`) internal exposures through Authentik's embedded outpost.
 *
 * The internal Gateway cannot ask Authentik before forwarding: Gateway API's standard channel has no
 * external-auth filter (HTTPExternalAuth is experimental) and Cilium's Gateway does not offer
 * ext_authz on HTTPRoutes. So the outpost sits *in* the path: the route for a protected host goes
 * to the outpost, whose proxy provider (mode `proxy`, not forward-auth) signs the user in and then
 * proxies to the app's Service. The route stays in the app's namespace (named after the app's
 * Service, as every exposure route is), so its backend is in another namespace and needs a
 * ReferenceGrant in Authentik's namespace: one per source namespace.
 *
 * `protectedRoute` is the one place that decides both ends: the route's host and backend, and the
 * provider's external and internal host. The route builder and the blueprint both call it.
 */
import { ReferenceGrant } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1beta1/ReferenceGrant';
import { merge, type Component, type Exposure, type ModuleCapabilities, type Patch } from '@homelab/core';
import { ssoProxyRouteBuilder, type RouteBuilder } from '@homelab/gateway-api';
import { AUTHENTIK_DEFAULTS, type AuthentikSettings } from './defaults.js';
import { COMPONENT_NAME, outpostService } from './names.js';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** An exposure with the path of its declaration (for error messages) and its component. */
export interface DeclaredExposure {
  component: string;
  path: string;
  exposure: Exposure;
}

/** Both ends of one protected host: what the route sends where, and what the proxy provider does with it. */
export interface ProtectedRoute {
  /** The host the route serves and the provider answers for. */
  host: string;
  /** The proxy provider's `external_host`: `https://<host>`. */
  externalHost: string;
  /** The proxy provider's `internal_host`: the app's Service, `http://<service>.<namespace>.svc.<clusterDomain>:<port>`. */
  internalHost: string;
  /** The route's backend: the outpost's Service in Authentik's namespace. */
  backend: Exposure['service'];
}

type ForwardSettings = Pick<AuthentikSettings, 'namespace' | 'serverPort' | 'outpostTarget' | 'clusterDomain'>;

/** Both ends of `exposure` once protected (see `ProtectedRoute`). */
export function protectedRoute(exposure: Exposure, settings: ForwardSettings = AUTHENTIK_DEFAULTS): ProtectedRoute {
  const { service } = exposure;
  return {
    host: exposure.host,
    externalHost: `https://${exposure.host}`,
    internalHost: `http://${service.name}.${service.namespace}.svc.${settings.clusterDomain}:${service.port}`,
    backend: outpostService(settings),
  };
}

/** True for the exposures Authentik protects with a proxy provider: internal, `sso: 'proxy'`. */
export function isProxied(exposure: Exposure): boolean {
  return exposure.access === 'internal' && exposure.sso === 'proxy';
}

const byHost = (a: DeclaredExposure, b: DeclaredExposure) => (a.exposure.host < b.exposure.host ? -1 : a.exposure.host > b.exposure.host ? 1 : 0);

/** Every exposure of `components` that `select` picks, sorted by host. Throws on a host declared twice. */
export function declaredExposures(components: readonly Component[], select: (exposure: Exposure) => boolean): DeclaredExposure[] {
  const found: DeclaredExposure[] = [];
  const seen = new Map<string, string>();
  for (const component of components) {
    (component.exposes ?? []).forEach((exposure, index) => {
      if (!select(exposure)) return;
      const path = `${component.name}.exposes[${index}]`;
      const other = seen.get(exposure.host);
      if (other) {
        throw new Error(
          `${COMPONENT_NAME}: host is protected twice, also by ${other} (${path}.host: '${exposure.host}'). Expose each host once: Authentik answers a host with one provider.`,
        );
      }
      seen.set(exposure.host, path);
      found.push({ component: component.name, path, exposure });
    });
  }
  return found.sort(byHost);
}

/**
 * What Authentik provides the composition (`authentikModule.provides.ssoProxy`): the outpost is the
 * backend of every `sso: 'proxy'` route.
 */
export function authentikSsoProxy(overrides?: Patch<AuthentikSettings>): NonNullable<ModuleCapabilities['ssoProxy']> {
  const settings = merge<AuthentikSettings>(AUTHENTIK_DEFAULTS, overrides);
  return { backend: (exposure) => protectedRoute(exposure, settings).backend };
}

/**
 * The route builder for `exposureRoutes(components, gateway, builder)` of @homelab/gateway-api:
 * `sso: 'proxy'` exposures are routed to the outpost (`protectedRoute().backend`), every other
 * exposure gets gateway-api's plain `exposureRoute`. Route name and namespace stay the app's.
 */
export function authentikRouteBuilder(overrides?: Patch<AuthentikSettings>): RouteBuilder {
  return ssoProxyRouteBuilder(authentikSsoProxy(overrides));
}

/** Name of the ReferenceGrant that lets HTTPRoutes of `namespace` reach the outpost. */
export function referenceGrantName(namespace: string): string {
  return `httproutes-from-${namespace}`;
}

/**
 * The ReferenceGrants the protected routes need: one per namespace holding a proxied exposure
 * (other than Authentik's own), in Authentik's namespace, letting that namespace's HTTPRoutes
 * reference the outpost Service and nothing else. Sorted by namespace.
 */
export function outpostReferenceGrants(components: readonly Component[], overrides?: Patch<AuthentikSettings>): ReferenceGrant[] {
  const settings = merge<AuthentikSettings>(AUTHENTIK_DEFAULTS, overrides);
  const backend = outpostService(settings);
  const namespaces = new Set(declaredExposures(components, isProxied).map(({ exposure }) => exposure.service.namespace));
  namespaces.delete(backend.namespace);
  return [...namespaces].sort().map(
    (namespace) =>
      new ReferenceGrant({
        metadata: { name: referenceGrantName(namespace), namespace: backend.namespace },
        spec: {
          from: [{ group: GATEWAY_GROUP, kind: 'HTTPRoute', namespace }],
          to: [{ group: '', kind: 'Service', name: backend.name }],
        },
      }),
  );
}

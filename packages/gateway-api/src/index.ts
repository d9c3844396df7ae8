import type { ComponentModule } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { buildGatewayApi, COMPONENT_NAMES, internalGatewayRef } from './gateway-api.js';
import { exposureRoutes, ssoProxyRouteBuilder } from './routes.js';

export {
  buildGatewayApi,
  gatewayApiSettings,
  gatewayParentRef,
  internalGatewayRef,
  wildcardHostname,
  COMPONENT_NAMES,
  HTTPS_REDIRECT_ROUTE,
  type InternalGatewayRef,
} from './gateway-api.js';
export { exposureRoute, exposureRoutes, ssoProxyRouteBuilder, type RouteBuilder } from './routes.js';
export { GATEWAY_API_DEFAULTS, type GatewayApiSettings, type InternalGatewaySettings } from './defaults.js';
export { GATEWAY_API_CRDS } from './versions.js';

/**
 * Registers Gateway API (CRDs + internal Gateway) with the aggregator under `components.gateway-api`.
 * It derives the internal exposures' HTTPRoutes (through the composition's SSO proxy, if any, for
 * `sso: 'proxy'` ones).
 */
export const gatewayApiModule: ComponentModule<ResolvedConfig> = {
  name: COMPONENT_NAMES.crds,
  kind: 'component',
  build: (config) => buildGatewayApi(config),
  derivations: [
    {
      stage: 'objects',
      derive: (components, config, { ssoProxy }) =>
        components.some((component) => component.name === COMPONENT_NAMES.internalGateway)
          ? exposureRoutes(components, internalGatewayRef(config), ssoProxy ? ssoProxyRouteBuilder(ssoProxy) : undefined)
          : {},
    },
  ],
};

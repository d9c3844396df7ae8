import type { ComponentModule } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { buildGatewayApi, COMPONENT_NAMES } from './gateway-api.js';

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
export { exposureRoute, exposureRoutes, type RouteBuilder } from './routes.js';
export { GATEWAY_API_DEFAULTS, type GatewayApiSettings, type InternalGatewaySettings } from './defaults.js';
export { GATEWAY_API_CRDS } from './versions.js';

/** Registers Gateway API (CRDs + internal Gateway) with the aggregator under `components.gateway-api`. */
export const gatewayApiModule: ComponentModule<ResolvedConfig> = {
  name: COMPONENT_NAMES.crds,
  kind: 'component',
  build: (config) => buildGatewayApi(config),
};

import type { IssuerEnvironment } from '@homelab/cert-manager';

/** The internal Gateway: where it lives, how its listeners are named, who signs its certificate. */
export interface InternalGatewaySettings {
  /**
   * Gateway name. Cilium names the LoadBalancer Service it creates `cilium-gateway-<name>`.
   * @default 'internal'
   */
  name: string;
  /**
   * Namespace of the Gateway, its wildcard Certificate (and so the TLS Secret, which a listener may
   * only reference from its own namespace without a ReferenceGrant) and the HTTP→HTTPS redirect route.
   * @default 'gateway'
   */
  namespace: string;
  /**
   * GatewayClass that programs the Gateway; the Cilium chart creates `cilium` when `gatewayAPI.enabled`.
   * @default 'cilium'
   */
  gatewayClassName: string;
  /** Listener names (a route's `parentRefs[].sectionName`). */
  listeners: {
    /** TLS-terminating listener on 443 for `*.<domains.internal>`; routes from all namespaces attach here. @default 'https' */
    https: string;
    /** Plain listener on 80 that only the HTTP→HTTPS redirect route (same namespace) may attach to. @default 'http' */
    http: string;
  };
  /** Name of the wildcard Certificate; cert-manager's helper derives the Secret name from it. @default 'internal-wildcard' */
  certificateName: string;
  /**
   * Which of cert-manager's Let's Encrypt ClusterIssuers signs the wildcard certificate. Use 'staging' while testing DNS-01 to avoid production rate limits
   * (browsers will not trust the certificate). @default 'production'
   */
  issuer: IssuerEnvironment;
  /** Sync wave of the `internal-gateway` Application: after Cilium (-10) and cert-manager's CRDs (-5). @default -4 */
  syncWave: number;
}

export interface GatewayApiSettings {
  crds: {
    /** Sync wave of the `gateway-api` (CRDs) Application: before Cilium, whose operator needs them. @default -15 */
    syncWave: number;
  };
  internalGateway: InternalGatewaySettings;
}

/** Every default of @homelab/gateway-api, in one place. */
export const GATEWAY_API_DEFAULTS = {
  crds: { syncWave: -15 },
  internalGateway: {
    name: 'internal',
    namespace: 'gateway',
    gatewayClassName: 'cilium',
    listeners: { https: 'https', http: 'http' },
    certificateName: 'internal-wildcard',
    issuer: 'production',
    syncWave: -4,
  },
} satisfies GatewayApiSettings;

import { Gateway } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import type { IParentReference } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/ParentReference';
import { merge, type Component, type KubeObject, type Patch } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { CLUSTER_ISSUERS, wildcardCertificate } from '@homelab/cert-manager';
import { GATEWAY_API_DEFAULTS, type GatewayApiSettings, type InternalGatewaySettings } from './defaults.js';
import { GATEWAY_API_CRDS } from './versions.js';

/** npm package named in every generated file's header. */
export const SOURCE = '@homelab/gateway-api';

/** Component (ArgoCD Application) names this package returns. */
export const COMPONENT_NAMES = { crds: 'gateway-api', internalGateway: 'internal-gateway' } as const;

/** Name of the HTTPRoute that answers every plain-HTTP request with a redirect to HTTPS. */
export const HTTPS_REDIRECT_ROUTE = 'https-redirect';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** Defaults merged with a caller's patch (merge() semantics): the settings everything derives from. */
export function gatewayApiSettings(overrides?: Patch<GatewayApiSettings>): GatewayApiSettings {
  return merge<GatewayApiSettings>(GATEWAY_API_DEFAULTS, overrides);
}

/**
 * How routes reach the internal Gateway. Every route, whoever writes it, derives its `parentRefs`
 * from this (see `gatewayParentRef`) instead of repeating the Gateway's name, namespace or listener.
 */
export interface InternalGatewayRef {
  name: string;
  namespace: string;
  /** Listener names, for `parentRefs[].sectionName`. */
  listeners: { https: string; http: string };
  /**
   * Hostname of both listeners, `*.<domains.internal>`. Present when the ref was derived from a
   * config; `exposureRoutes` then rejects hosts the wildcard listener (and certificate) do not cover.
   */
  hostname?: string;
}

/** The listener hostname (and certificate wildcard) for a domain: `*.<domain>`. */
export function wildcardHostname(domain: string): string {
  return `*.${domain}`;
}

/**
 * The internal Gateway's reference. Pass the config to include the listener hostname (and so get
 * host checks in `exposureRoutes`); pass the same overrides given to `buildGatewayApi`, if any.
 */
export function internalGatewayRef(config?: Pick<ResolvedConfig, 'domains'>, overrides?: Patch<GatewayApiSettings>): InternalGatewayRef {
  return refOf(gatewayApiSettings(overrides).internalGateway, config);
}

function refOf(settings: InternalGatewaySettings, config?: Pick<ResolvedConfig, 'domains'>): InternalGatewayRef {
  return {
    name: settings.name,
    namespace: settings.namespace,
    listeners: { ...settings.listeners },
    ...(config ? { hostname: wildcardHostname(config.domains.internal) } : {}),
  };
}

/** A route's `parentRefs` entry for one listener of the internal Gateway. */
export function gatewayParentRef(gateway: InternalGatewayRef, listener: keyof InternalGatewayRef['listeners'] = 'https'): IParentReference {
  return { group: GATEWAY_GROUP, kind: 'Gateway', name: gateway.name, namespace: gateway.namespace, sectionName: gateway.listeners[listener] };
}

/** The `gateway-api` component: the standard-channel CRDs, straight from the pinned upstream tag. */
export function crdsComponent(settings: GatewayApiSettings): Component {
  return {
    name: COMPONENT_NAMES.crds,
    group: 'core',
    // CRDs are cluster-scoped; the Application still needs a destination namespace.
    namespace: 'kube-system',
    syncWave: settings.crds.syncWave,
    source: SOURCE,
    description: `Gateway API ${GATEWAY_API_CRDS.version} CRDs (standard channel)`,
    gitSources: [{ repoURL: GATEWAY_API_CRDS.repoURL, path: GATEWAY_API_CRDS.path, targetRevision: GATEWAY_API_CRDS.version }],
    // The CRDs and the safe-upgrades ValidatingAdmissionPolicy (and binding) of the standard channel;
    // ClusterRole for the RBAC aggregation file newer releases add to the same directory.
    clusterResources: ['CustomResourceDefinition', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ClusterRole'],
  };
}

/**
 * The internal Gateway's objects, keyed by stable names so callers can patch or drop them:
 * `certificate` (wildcard for `*.<domains.internal>`), `gateway`, and `https-redirect`.
 */
export function internalGatewayObjects(config: ResolvedConfig, settings: InternalGatewaySettings) {
  const ref = refOf(settings, config);
  const hostname = wildcardHostname(config.domains.internal);
  const certificate = wildcardCertificate({
    name: settings.certificateName,
    namespace: settings.namespace,
    domain: config.domains.internal,
    issuer: settings.issuer,
  });
  const secretName = certificate.spec?.secretName;
  if (!secretName) {
    throw new Error(`gateway-api: cert-manager's wildcardCertificate() returned no secretName (Certificate/${settings.namespace}/${settings.certificateName}). The HTTPS listener needs the Secret it writes.`);
  }
  const gateway = new Gateway({
    metadata: { name: settings.name, namespace: settings.namespace },
    spec: {
      gatewayClassName: settings.gatewayClassName,
      // The standard way to ask for an address; Cilium passes it to LB-IPAM (IPAddress type only). The
      // `io.cilium/lb-ipam-ips` infrastructure annotation would override it and is slated for deprecation.
      addresses: [{ type: 'IPAddress', value: config.network.internalGatewayIP }],
      listeners: [
        {
          name: settings.listeners.https,
          protocol: 'HTTPS',
          port: 443,
          hostname,
          tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: secretName }] },
          allowedRoutes: { namespaces: { from: 'All' } },
        },
        {
          name: settings.listeners.http,
          protocol: 'HTTP',
          port: 80,
          hostname,
          // Same namespace only: the redirect below is the one route this listener serves.
          allowedRoutes: { namespaces: { from: 'Same' }, kinds: [{ group: GATEWAY_GROUP, kind: 'HTTPRoute' }] },
        },
      ],
    },
  });
  const redirect = new HTTPRoute({
    metadata: { name: HTTPS_REDIRECT_ROUTE, namespace: settings.namespace },
    spec: {
      parentRefs: [gatewayParentRef(ref, 'http')],
      rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
    },
  });
  return { certificate, gateway, [HTTPS_REDIRECT_ROUTE]: redirect } satisfies Record<string, KubeObject>;
}

/** The `internal-gateway` component: the Gateway LAN clients reach at `network.internalGatewayIP`. */
export function internalGatewayComponent(config: ResolvedConfig, settings: GatewayApiSettings): Component {
  const gateway = settings.internalGateway;
  return {
    name: COMPONENT_NAMES.internalGateway,
    group: 'core',
    namespace: gateway.namespace,
    syncWave: gateway.syncWave,
    source: SOURCE,
    description: `Internal Gateway for ${wildcardHostname(config.domains.internal)} at ${config.network.internalGatewayIP} (${CLUSTER_ISSUERS[gateway.issuer]} certificate)`,
    // No pods run here: Cilium's Envoy runs in kube-system; the namespace holds a Service, a Secret and routes.
    podSecurity: 'restricted',
    objects: internalGatewayObjects(config, gateway),
  };
}

/**
 * Gateway API for the homelab: the CRDs (`gateway-api`, wave -15) and the internal Gateway with its
 * wildcard certificate and HTTP→HTTPS redirect (`internal-gateway`, wave -4).
 */
export function buildGatewayApi(config: ResolvedConfig, overrides?: Patch<GatewayApiSettings>): Component[] {
  const settings = gatewayApiSettings(overrides);
  return [crdsComponent(settings), internalGatewayComponent(config, settings)];
}

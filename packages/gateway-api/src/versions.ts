/**
 * Pinned upstream versions of @homelab/gateway-api, in one small file Renovate can read.
 *
 * Gateway API v1.4.1: the release Cilium 1.19 implements and documents
 * (docs.cilium.io/en/v1.19/network/servicemesh/gateway-api/gateway-api/).
 * Do NOT move to v1.5.x while Cilium is on 1.19: v1.5's standard channel ships the TLSRoute CRD
 * with v1alpha2 no longer served, and the 1.19 operator crash-loops on startup ("no matches for kind
 * TLSRoute in version gateway.networking.k8s.io/v1alpha2", cilium/cilium#44920, #45139; the fix,
 * cilium/cilium#45251, is 1.20-only). Bump this together with Cilium 1.20 (which wants v1.5.1+).
 *
 * The @kubernetes-models/gateway-api 2.0.0 classes used to build objects were generated from the Go
 * types of sigs.k8s.io/gateway-api v1.5.1 (see the README): every field this package writes exists
 * unchanged in v1.4.1, so the objects are valid against the CRDs installed here.
 */
export const GATEWAY_API_CRDS = {
  // renovate: datasource=github-tags depName=kubernetes-sigs/gateway-api
  version: 'v1.4.1',
  repoURL: 'https://github.com/kubernetes-sigs/gateway-api',
  /** Standard channel only: TLSRoute (experimental) is needed solely for TLS passthrough, which we don't use. */
  path: 'config/crd/standard',
} as const;

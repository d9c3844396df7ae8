/**
 * What this generator composes: every component package, in deployment order, and the derivers
 * that turn the components' declarations into cross-cutting objects.
 */
import { ConfigMistake, type Access, type ArtifactModule, type Component, type ConfigMistakeProblem, type KubeObject } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { alloyModule } from '@homelab/alloy';
import { argocdModule } from '@homelab/argocd';
import { authentikModule, authentikRouteBuilder } from '@homelab/authentik';
import { bootstrapArtifact } from '@homelab/bootstrap';
import { certManagerModule } from '@homelab/cert-manager';
import { cloudflaredModule } from '@homelab/cloudflared';
import { dnsArtifact } from '@homelab/dns';
import { ciliumModule } from '@homelab/cilium';
import { COMPONENT_NAMES, exposureRoutes, gatewayApiModule, internalGatewayRef } from '@homelab/gateway-api';
import { kubePrometheusStackModule } from '@homelab/kube-prometheus-stack';
import { lokiModule } from '@homelab/loki';
import { networkPolicies, tlsEverywhere } from '@homelab/network-policies';
import { nfsCsiModule } from '@homelab/nfs-csi';
import { proxmoxArtifact } from '@homelab/proxmox';
import { tailnetObjects, tailscaleModule } from '@homelab/tailscale';
import { talosArtifact } from '@homelab/talos';
import { bazarrModule } from '@homelab/bazarr';
import { overseerrModule } from '@homelab/overseerr';
import { plexModule } from '@homelab/plex';
import { prowlarrModule } from '@homelab/prowlarr';
import { qbittorrentModule } from '@homelab/qbittorrent';
import { radarrModule } from '@homelab/radarr';
import { sonarrModule } from '@homelab/sonarr';
import { checkConfigArtifact } from './check-config.js';
import type { HomelabModule } from './compose.js';
import { overviewArtifact } from './overview.js';
import { sopsConfigArtifact } from './sops-config.js';

export const defaultModules: HomelabModule[] = [
  gatewayApiModule,
  ciliumModule,
  certManagerModule,
  nfsCsiModule,
  argocdModule,
  tailscaleModule,
  plexModule,
  sonarrModule,
  radarrModule,
  prowlarrModule,
  qbittorrentModule,
  overseerrModule,
  bazarrModule,
  kubePrometheusStackModule,
  lokiModule,
  alloyModule,
  cloudflaredModule,
  authentikModule,
];

/**
 * Derives objects from what components declare, returned per owning component name (they are
 * written into that component's manifests). Throws with a message naming the declaration at fault.
 */
export type Deriver = (components: readonly Component[], config: ResolvedConfig) => Record<string, KubeObject[]>;

/** The component that serves each kind of exposure, and the homelab.yaml setting that deploys it: without it, such an exposure would dangle. */
export const EXPOSURE_PROVIDERS: Record<Access, { component: string; path: string; enable: string }> = {
  internal: { component: COMPONENT_NAMES.internalGateway, path: 'components.gateway-api.enabled', enable: 'components.gateway-api.enabled: true' },
  public: { component: 'cloudflared', path: 'components.cloudflared.enabled', enable: 'cloudflare.tunnelId and components.cloudflared.enabled: true' },
  tailnet: { component: 'tailscale', path: 'components.tailscale.enabled', enable: 'a tailscale section and components.tailscale.enabled: true' },
};

/**
 * Every exposure whose provider (or SSO) is not deployed, as homelab.yaml problems: at the app's
 * own setting when an app asks for it, else at the setting that deploys the provider.
 */
const exposureProviders: Deriver = (components) => {
  const deployed = new Set(components.map((component) => component.name));
  const problems: ConfigMistakeProblem[] = [];
  for (const component of components) {
    const app = component.group === 'apps';
    for (const exposure of component.exposes ?? []) {
      if (exposure.sso !== 'none' && !deployed.has('authentik')) {
        problems.push({
          path: app ? `apps.${component.name}.sso` : 'components.authentik.enabled',
          problem: `${component.name} asks for SSO on ${exposure.host}, but authentik is not deployed, so it would be served unprotected`,
          got: app ? exposure.sso : false,
          fix: `Enable authentik (components.authentik.enabled: true)${app ? ` or set apps.${component.name}.sso: none` : ''}.`,
        });
      }
      const provider = EXPOSURE_PROVIDERS[exposure.access];
      if (!deployed.has(provider.component)) {
        problems.push({
          path: app ? `apps.${component.name}.expose.${exposure.access}` : provider.path,
          problem: `${component.name} exposes ${exposure.host} (${exposure.access}), but ${provider.component} is not deployed`,
          got: app ? exposure.host : false,
          fix: `Set ${provider.enable} in homelab.yaml, or stop exposing ${component.name} that way${app ? ` (apps.${component.name}.expose.${exposure.access}: false)` : ''}.`,
        });
      }
    }
  }
  if (problems.length > 0) throw new ConfigMistake(problems);
  return {};
};

/** Internal exposures become HTTPRoutes on the internal gateway; SSO-protected ones through Authentik. */
const internalRoutes: Deriver = (components, config) => {
  if (!components.some((component) => component.name === COMPONENT_NAMES.internalGateway)) return {};
  const sso = components.some((component) => component.name === 'authentik');
  return exposureRoutes(components, internalGatewayRef(config), sso ? authentikRouteBuilder() : undefined);
};

/** Tailnet exposures become Ingresses of the Tailscale operator. */
const tailnetIngresses: Deriver = (components, config) =>
  components.some((component) => component.name === 'tailscale') ? tailnetObjects(components, config) : {};

/** Cilium network policies from every component's network declaration and exposures. */
const ciliumNetworkPolicies: Deriver = (components, config) => networkPolicies(components, config, { mode: config.security.networkPolicies });

/** Runs in order: TLS coverage is checked on the routes derived before it. */
export const defaultDerivers: Deriver[] = [exposureProviders, internalRoutes, tailnetIngresses, ciliumNetworkPolicies, tlsEverywhere];

/** Modules that render talos/, terraform/ and other files outside the ArgoCD tree. */
export const defaultArtifacts: ArtifactModule<ResolvedConfig>[] = [
  talosArtifact,
  proxmoxArtifact,
  bootstrapArtifact,
  dnsArtifact,
  overviewArtifact,
  sopsConfigArtifact,
  checkConfigArtifact,
];

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
import { localPathModule } from '@homelab/local-path';
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
  localPathModule,
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

/** What a deriver knows of the composition beyond the components it built. */
export interface DeriverContext {
  /** Every module in the list, enabled in homelab.yaml or not: tells "disabled" from "not composed at all". */
  moduleNames: ReadonlySet<string>;
}

/**
 * Derives objects from what components declare, returned per owning component name (they are
 * written into that component's manifests). Throws with a message naming the declaration at fault.
 */
export type Deriver = (components: readonly Component[], config: ResolvedConfig, context: DeriverContext) => Record<string, KubeObject[]>;

/**
 * A component other components rely on: the module that builds it, the package export a library
 * user adds to the module list, and the homelab.yaml setting that deploys it.
 */
export interface Provider {
  component: string;
  module: { name: string; export: string; package: string };
  path: string;
  enable: string;
}

/** The component that serves each kind of exposure: without it, such an exposure would dangle. */
export const EXPOSURE_PROVIDERS: Record<Access, Provider> = {
  internal: {
    component: COMPONENT_NAMES.internalGateway,
    module: { name: gatewayApiModule.name, export: 'gatewayApiModule', package: '@homelab/gateway-api' },
    path: 'components.gateway-api.enabled',
    enable: 'components.gateway-api.enabled: true',
  },
  public: {
    component: 'cloudflared',
    module: { name: cloudflaredModule.name, export: 'cloudflaredModule', package: '@homelab/cloudflared' },
    path: 'components.cloudflared.enabled',
    enable: 'cloudflare.tunnelId and components.cloudflared.enabled: true',
  },
  tailnet: {
    component: 'tailscale',
    module: { name: tailscaleModule.name, export: 'tailscaleModule', package: '@homelab/tailscale' },
    path: 'components.tailscale.enabled',
    enable: 'a tailscale section and components.tailscale.enabled: true',
  },
};

/** The identity provider every `sso: proxy | oidc` exposure needs. */
export const SSO_PROVIDER_MODULE: Provider = {
  component: 'authentik',
  module: { name: authentikModule.name, export: 'authentikModule', package: '@homelab/authentik' },
  path: 'components.authentik.enabled',
  enable: 'components.authentik.enabled: true',
};

const addModule = (provider: Provider): string => `Add ${provider.module.export} (from ${provider.module.package}) to the module list`;

/**
 * Every exposure whose provider (or SSO) is not deployed, as problems whose fix follows how the
 * homelab is composed: a provider module that is in the list but disabled is enabled in
 * homelab.yaml; one the module list lacks is added to it (a library composition). Reported at the
 * app's own setting when an app asks for it, else at the setting that deploys the provider (or at
 * the asking component, when there is no such setting).
 */
const exposureProviders: Deriver = (components, _config, { moduleNames }) => {
  const deployed = new Set(components.map((component) => component.name));
  const problems: ConfigMistakeProblem[] = [];
  for (const component of components) {
    const app = component.group === 'apps';
    const own = app ? `apps.${component.name}` : `components.${component.name}`;
    for (const exposure of component.exposes ?? []) {
      if (exposure.sso !== 'none' && !deployed.has(SSO_PROVIDER_MODULE.component)) {
        const composed = moduleNames.has(SSO_PROVIDER_MODULE.module.name);
        const ssoOff = app ? `set apps.${component.name}.sso: none` : `turn SSO off for ${component.name} (sso: 'none' on its exposure of ${exposure.host})`;
        problems.push({
          path: app ? `${own}.sso` : composed ? SSO_PROVIDER_MODULE.path : own,
          problem: `${component.name} asks for SSO on ${exposure.host}, but authentik is not ${composed ? 'deployed' : 'in the module list'}, so it would be served unprotected`,
          got: app ? exposure.sso : composed ? false : exposure.sso,
          fix: composed
            ? `Enable authentik (${SSO_PROVIDER_MODULE.enable})${app ? ` or ${ssoOff}` : ''}.`
            : `${addModule(SSO_PROVIDER_MODULE)}, or ${ssoOff}.`,
        });
      }
      const provider = EXPOSURE_PROVIDERS[exposure.access];
      if (!deployed.has(provider.component)) {
        const composed = moduleNames.has(provider.module.name);
        const stop = `stop exposing ${component.name} that way${app ? ` (apps.${component.name}.expose.${exposure.access}: false)` : ''}`;
        problems.push({
          path: app ? `${own}.expose.${exposure.access}` : composed ? provider.path : own,
          problem: `${component.name} exposes ${exposure.host} (${exposure.access}), but ${provider.component} is not ${composed ? 'deployed' : `in the module list (${provider.module.name} builds it)`}`,
          got: app || !composed ? exposure.host : false,
          fix: composed ? `Set ${provider.enable} in homelab.yaml, or ${stop}.` : `${addModule(provider)}, or ${stop}.`,
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

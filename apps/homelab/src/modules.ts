/**
 * What this generator composes: every component package, in deployment order, and the derivers
 * that turn the components' declarations into cross-cutting objects.
 */
import type { Access, ArtifactModule, Component, KubeObject } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { ALLOY_DEFAULTS, alloyModule, buildAlloyFromConfig } from '@homelab/alloy';
import { argocdModule } from '@homelab/argocd';
import { authentikModule, authentikRouteBuilder } from '@homelab/authentik';
import { bootstrapArtifact } from '@homelab/bootstrap';
import { certManager, certManagerDefaults, certManagerModule } from '@homelab/cert-manager';
import { cloudflaredModule } from '@homelab/cloudflared';
import { dnsArtifact } from '@homelab/dns';
import { buildCilium, CILIUM_DEFAULTS, ciliumModule } from '@homelab/cilium';
import { COMPONENT_NAMES, exposureRoutes, gatewayApiModule, internalGatewayRef } from '@homelab/gateway-api';
import { kubePrometheusStackModule, serviceMonitorsAvailable } from '@homelab/kube-prometheus-stack';
import { buildLoki, LOKI_DEFAULTS, lokiModule } from '@homelab/loki';
import { ciliumPolicyAuditMode, networkPolicies, tlsEverywhere } from '@homelab/network-policies';
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

/**
 * A module whose ServiceMonitors are on exactly when the prometheus-operator CRDs exist before it:
 * kube-prometheus-stack is deployed and its CRDs sync in an earlier wave (the real homelab had to
 * switch every ServiceMonitor off for its first sync).
 */
function monitored(module: HomelabModule, defaultWave: number, build: (config: ResolvedConfig, serviceMonitors: boolean) => Component | Component[]): HomelabModule {
  return { ...module, build: (config) => build(config, serviceMonitorsAvailable(config, config.components[module.name]?.syncWave ?? defaultWave)) };
}

export const defaultModules: HomelabModule[] = [
  gatewayApiModule,
  monitored(ciliumModule, CILIUM_DEFAULTS.syncWave, (config, serviceMonitors) =>
    buildCilium(config, { serviceMonitors, policyAuditMode: ciliumPolicyAuditMode(config.security.networkPolicies) }),
  ),
  monitored(certManagerModule, certManagerDefaults.syncWave, (config, serviceMonitor) => certManager(config, { serviceMonitor })),
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
  monitored(lokiModule, LOKI_DEFAULTS.syncWave, (config, serviceMonitor) => buildLoki(config, { serviceMonitor })),
  monitored(alloyModule, ALLOY_DEFAULTS.syncWave, (config, serviceMonitor) => buildAlloyFromConfig(config, { serviceMonitor })),
  cloudflaredModule,
  authentikModule,
];

/**
 * Derives objects from what components declare, returned per owning component name (they are
 * written into that component's manifests). Throws with a message naming the declaration at fault.
 */
export type Deriver = (components: readonly Component[], config: ResolvedConfig) => Record<string, KubeObject[]>;

/** The component that serves each kind of exposure: without it, such an exposure would dangle. */
export const EXPOSURE_PROVIDERS: Record<Access, { component: string; enable: string }> = {
  internal: { component: COMPONENT_NAMES.internalGateway, enable: 'components.gateway-api.enabled: true' },
  public: { component: 'cloudflared', enable: 'cloudflare.tunnelId and components.cloudflared.enabled: true' },
  tailnet: { component: 'tailscale', enable: 'a tailscale section and components.tailscale.enabled: true' },
};

/** Fails on an exposure whose provider is not deployed, naming the setting that fixes it. */
const exposureProviders: Deriver = (components) => {
  const deployed = new Set(components.map((component) => component.name));
  for (const component of components) {
    for (const exposure of component.exposes ?? []) {
      if (exposure.sso !== 'none' && !deployed.has('authentik')) {
        throw new Error(
          `${component.name}: ${exposure.host} asks for SSO (${exposure.sso}) but authentik is not deployed, so it would be served unprotected. ` +
            `Enable authentik (components.authentik.enabled: true)${component.group === 'apps' ? ` or set apps.${component.name}.sso: none` : ''}.`,
        );
      }
      const provider = EXPOSURE_PROVIDERS[exposure.access];
      if (!deployed.has(provider.component)) {
        throw new Error(
          `${component.name}: exposes ${exposure.host} (${exposure.access}) but ${provider.component} is not deployed. ` +
            `Set ${provider.enable} in homelab.yaml, or stop exposing ${component.name} that way` +
            `${component.group === 'apps' ? ` (apps.${component.name}.expose.${exposure.access}: false)` : ''}.`,
        );
      }
    }
  }
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

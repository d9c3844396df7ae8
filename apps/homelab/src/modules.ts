/**
 * What the `homelab` command composes, batteries included: every component package, in deployment
 * order, and every artifact. A library user composes its own list with @homelab/generator.
 */
import type { ArtifactModule } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { GENERATOR_ARTIFACTS, type HomelabModule } from '@homelab/generator';
import { alloyModule } from '@homelab/alloy';
import { argocdModule } from '@homelab/argocd';
import { authentikModule } from '@homelab/authentik';
import { bootstrapArtifact } from '@homelab/bootstrap';
import { certManagerModule } from '@homelab/cert-manager';
import { cloudflaredModule } from '@homelab/cloudflared';
import { dnsArtifact } from '@homelab/dns';
import { ciliumModule } from '@homelab/cilium';
import { gatewayApiModule } from '@homelab/gateway-api';
import { kubePrometheusStackModule } from '@homelab/kube-prometheus-stack';
import { localPathModule } from '@homelab/local-path';
import { lokiModule } from '@homelab/loki';
import { nfsCsiModule } from '@homelab/nfs-csi';
import { proxmoxArtifact } from '@homelab/proxmox';
import { tailscaleModule } from '@homelab/tailscale';
import { talosArtifact } from '@homelab/talos';
import { bazarrModule } from '@homelab/bazarr';
import { overseerrModule } from '@homelab/overseerr';
import { plexModule } from '@homelab/plex';
import { prowlarrModule } from '@homelab/prowlarr';
import { qbittorrentModule } from '@homelab/qbittorrent';
import { radarrModule } from '@homelab/radarr';
import { sonarrModule } from '@homelab/sonarr';

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

/** Modules that render talos/, terraform/ and other files outside the ArgoCD tree. */
export const defaultArtifacts: ArtifactModule<ResolvedConfig>[] = [
  talosArtifact,
  proxmoxArtifact,
  bootstrapArtifact,
  dnsArtifact,
  ...GENERATOR_ARTIFACTS,
];

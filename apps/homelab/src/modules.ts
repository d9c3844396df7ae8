/**
 * What this generator composes: every component package, in deployment order, and the derivers
 * that turn the components' declarations into cross-cutting objects.
 */
import type { ArtifactModule, KubeObject } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { argocdModule } from '@homelab/argocd';
import { certManagerModule } from '@homelab/cert-manager';
import { ciliumModule } from '@homelab/cilium';
import { COMPONENT_NAMES, exposureRoutes, gatewayApiModule, internalGatewayRef } from '@homelab/gateway-api';
import { nfsCsiModule } from '@homelab/nfs-csi';
import { proxmoxArtifact } from '@homelab/proxmox';
import { talosArtifact } from '@homelab/talos';
import type { HomelabModule } from './compose.js';
import type { Component } from '@homelab/core';

export const defaultModules: HomelabModule[] = [gatewayApiModule, ciliumModule, certManagerModule, nfsCsiModule, argocdModule];

/**
 * Derives objects from what components declare, returned per owning component name (they are
 * written into that component's manifests). Throws with a message naming the declaration at fault.
 */
export type Deriver = (components: readonly Component[], config: ResolvedConfig) => Record<string, KubeObject[]>;

/** Internal exposures become HTTPRoutes on the internal gateway (when it is deployed). */
const internalRoutes: Deriver = (components, config) =>
  components.some((component) => component.name === COMPONENT_NAMES.internalGateway) ? exposureRoutes(components, internalGatewayRef(config)) : {};

export const defaultDerivers: Deriver[] = [internalRoutes];

/** Modules that render talos/, terraform/ and other files outside the ArgoCD tree. */
export const defaultArtifacts: ArtifactModule<ResolvedConfig>[] = [talosArtifact, proxmoxArtifact];

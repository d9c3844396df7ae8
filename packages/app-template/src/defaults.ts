/**
 * Every default of @homelab/app-template, in one place. An app description overrides them field by
 * field; nothing else in the package falls back to a literal of its own.
 */
import type { ComponentGroup, PodSecurityLevel } from '@homelab/core';
import type { AppClaimVolume, AppProbeTiming, AppSecurityContext, AppService } from './description.js';

export interface AppTemplateDefaults {
  /** ArgoCD app-of-apps an app belongs to. */
  group: ComponentGroup;
  /** ArgoCD sync wave: after the platform (storage -5, certificates -5), before the tunnels (5). */
  syncWave: number;
  /**
   * Pod Security level requested for the namespace. 'baseline' although the default security
   * context meets 'restricted': namespaces are shared (media holds images that start as root).
   */
  podSecurity: PodSecurityLevel;
  /** Secure by default: meets the 'restricted' Pod Security level. Apps loosen it explicitly. */
  securityContext: Required<Pick<AppSecurityContext, 'runAsNonRoot' | 'fsGroupChangePolicy' | 'seccompProfile' | 'readOnlyRootFilesystem' | 'allowPrivilegeEscalation' | 'privileged' | 'capabilities'>>;
  /**
   * Apps do not talk to the Kubernetes API, so their pods get no ServiceAccount token
   * (app-template 4.x mounts one by default).
   */
  automountServiceAccountToken: boolean;
  /** Access mode of new claims: one node mounts them read-write. */
  claimAccessMode: NonNullable<AppClaimVolume['accessMode']>;
  /** Service type when a service does not say. */
  serviceType: NonNullable<AppService['type']>;
  /**
   * Key of the Service named exactly like the app (the others are `<app>-<key>`), and of the only
   * Service when `services` is omitted.
   */
  mainService: string;
  /**
   * Startup probe timing: up to failureThreshold × periodSeconds (5 min) for a first start that
   * migrates a database, before liveness takes over.
   */
  startupProbe: AppProbeTiming;
}

export const APP_TEMPLATE_DEFAULTS = {
  group: 'apps',
  syncWave: 0,
  podSecurity: 'baseline',
  securityContext: {
    runAsNonRoot: true,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: 'RuntimeDefault',
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ['ALL'] },
  },
  automountServiceAccountToken: false,
  claimAccessMode: 'ReadWriteOnce',
  serviceType: 'ClusterIP',
  mainService: 'main',
  startupProbe: { periodSeconds: 10, failureThreshold: 30 },
} satisfies AppTemplateDefaults;

/**
 * Cilium LB-IPAM's annotation requesting fixed addresses for a LoadBalancer Service (Cilium >= 1.15;
 * it replaced `io.cilium/lb-ipam-ips`). Preferred over spec.loadBalancerIP, which Kubernetes
 * deprecated in 1.24 and which cannot carry more than one address.
 * @see https://docs.cilium.io/en/stable/network/lb-ipam/#requesting-ips
 */
export const LB_IPS_ANNOTATION = 'lbipam.cilium.io/ips';

/** The chart identifiers of the one controller and container an app gets (values are patched by them). */
export const CONTROLLER = 'main';
export const CONTAINER = 'app';

/**
 * The small, typed description of one app from which its bjw-s app-template values and Component
 * are derived. Everything a caller may want to change one entry of is a map keyed by name (ports,
 * env, volumes, services, exposures), so a `merge()` patch addresses it by name, and one entry is
 * dropped with `null`. Defaults are in defaults.ts (APP_TEMPLATE_DEFAULTS), nowhere else.
 */
import type { Access, ComponentGroup, NetworkDeclaration, PodSecurityLevel, SsoMode } from '@homelab/core';

/**
 * A container image pinned by tag (and optionally digest). Keep these in the app package's
 * versions.ts, where Renovate sees them.
 */
export interface AppImage {
  /** Image name without tag or digest, e.g. `ghcr.io/home-operations/sonarr`. */
  repository: string;
  /** A pinned tag; `latest` is rejected (it would make every render deploy something else). */
  tag: string;
  /** `sha256:<64 hex>`; when set, the kubelet pulls exactly this manifest. */
  digest?: string;
}

/** One port the container listens on, keyed by its name (an IANA service name, ≤ 15 characters). */
export interface AppPort {
  port: number;
  /** @default 'TCP' */
  protocol?: 'TCP' | 'UDP';
  /**
   * The port speaks HTTP: required for `internal` and `public` exposures (HTTPRoutes and the tunnel
   * proxy HTTP); the Service port gets app-template's `HTTP` protocol (a TCP port on the Service).
   * @default false
   */
  http?: boolean;
}

/** Timings of one probe; unset fields keep Kubernetes' defaults (or the startup defaults). */
export interface AppProbeTiming {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

/**
 * A probe against one of the app's ports. `port` names an entry of `ports`; without it, a probe
 * uses the app's only `http: true` port, and a TCP probe of an app without exactly one falls back
 * to the only TCP port (anything else is an error asking to name the port).
 */
export type AppProbe =
  | ({ type: 'http'; path: string; port?: string } & AppProbeTiming)
  | ({ type: 'tcp'; port?: string } & AppProbeTiming);

export interface AppProbes {
  liveness?: AppProbe;
  readiness?: AppProbe;
  /** Guards liveness during a slow first start. @default timing APP_TEMPLATE_DEFAULTS.startupProbe */
  startup?: AppProbe;
}

/** Resource quantities keyed by resource name (`cpu`, `memory`, `nvidia.com/gpu`, …). */
export interface AppResources {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

interface MountOptions {
  /** Absolute path in the container; unique across the app's volumes. */
  mountPath: string;
  /** @default false */
  readOnly?: boolean;
  /** Mount only this relative path of the volume. */
  subPath?: string;
}

/**
 * A new PersistentVolumeClaim owned by the app (chart-managed), named `<app>-<volume key>`.
 * The storage class comes from the package that provides it (e.g. @homelab/nfs-csi STORAGE_CLASSES).
 */
export interface AppClaimVolume extends MountOptions {
  type: 'claim';
  storageClass: string;
  /** A Kubernetes quantity, e.g. `5Gi`. */
  size: string;
  /** @default APP_TEMPLATE_DEFAULTS.claimAccessMode ('ReadWriteOnce') */
  accessMode?: 'ReadWriteOnce' | 'ReadWriteOncePod' | 'ReadWriteMany' | 'ReadOnlyMany';
  /** Keep the PVC when the Helm release is uninstalled. @default false */
  retain?: boolean;
}

/** A PersistentVolumeClaim that exists already (e.g. the shared media claim), by name. */
export interface AppExistingClaimVolume extends MountOptions {
  type: 'existingClaim';
  claim: string;
}

/** Scratch space that lives as long as the pod (e.g. /tmp under a read-only root filesystem). */
export interface AppEmptyDirVolume extends MountOptions {
  type: 'emptyDir';
  /** `Memory` puts it on tmpfs (counted against the memory limit). */
  medium?: 'Memory';
  /** A Kubernetes quantity, e.g. `1Gi`. */
  sizeLimit?: string;
}

export type AppVolume = AppClaimVolume | AppExistingClaimVolume | AppEmptyDirVolume;

/**
 * Pod and container security settings in one place; defaults are secure (non-root, read-only root
 * filesystem, no privilege escalation, every capability dropped, RuntimeDefault seccomp), which
 * meets the `restricted` Pod Security level. Lists replace under merge().
 */
export interface AppSecurityContext {
  /** Pod: UID of every container process. No default: derive it from the config (workloadDefaults). */
  runAsUser?: number;
  /** Pod: primary GID of every container process. */
  runAsGroup?: number;
  /** Pod: group owning mounted volumes. */
  fsGroup?: number;
  /** Pod: @default 'OnRootMismatch' (no recursive chown of large volumes on every start) */
  fsGroupChangePolicy?: 'OnRootMismatch' | 'Always';
  /** Pod: extra GIDs, e.g. one that may write the media share. */
  supplementalGroups?: number[];
  /** Pod: @default true */
  runAsNonRoot?: boolean;
  /** Pod: @default 'RuntimeDefault' */
  seccompProfile?: 'RuntimeDefault' | 'Unconfined';
  /** Container: @default true */
  readOnlyRootFilesystem?: boolean;
  /** Container: @default false */
  allowPrivilegeEscalation?: boolean;
  /** Container: needs `podSecurity: 'privileged'`. @default false */
  privileged?: boolean;
  /** Container: @default { drop: ['ALL'] } */
  capabilities?: { add?: string[]; drop?: string[] };
}

/** A Kubernetes Service selecting the app's pod, keyed by name. */
export interface AppService {
  /** @default 'ClusterIP' */
  type?: 'ClusterIP' | 'LoadBalancer';
  /** Names of `ports` entries; a port belongs to at most one Service (container port names are unique). */
  ports: string[];
  /**
   * Fixed address from the LoadBalancer pool (LoadBalancer only), requested from Cilium LB-IPAM
   * with the `lbipam.cilium.io/ips` annotation.
   */
  loadBalancerIP?: string;
}

/** How one port is reached from outside the namespace; routes, tunnel rules and SSO derive from it. */
export interface AppExposure {
  access: Access;
  /**
   * Host name: fully qualified for `internal` and `public`; for `tailnet` a machine name (DNS
   * label) or a fully qualified MagicDNS name.
   */
  host: string;
  /** Name of a `ports` entry that belongs to a Service. */
  port: string;
  sso: SsoMode;
}

export interface AppDescription {
  /**
   * App name: the Helm release's full name, so the Deployment and the main Service are named
   * exactly this, other Services `<name>-<service>` and new claims `<name>-<volume>`.
   * A DNS-1035 label (starts with a letter).
   */
  name: string;
  namespace: string;
  /** @default APP_TEMPLATE_DEFAULTS.group ('apps') */
  group?: ComponentGroup;
  /** @default APP_TEMPLATE_DEFAULTS.syncWave (0) */
  syncWave?: number;
  /** One line for docs and summaries. */
  description?: string;
  image: AppImage;
  ports: Record<string, AppPort>;
  /** Plain environment variables. */
  env?: Record<string, string>;
  /**
   * Environment variables read from Secrets, keyed by variable name. Every Secret named here is
   * declared in the Component's `secrets` (never its values).
   */
  envFromSecrets?: Record<string, { secret: string; key: string }>;
  /** What each Secret of `envFromSecrets` is for and where its values come from, keyed by Secret name. */
  secretDescriptions?: Record<string, string>;
  probes?: AppProbes;
  resources?: AppResources;
  persistence?: Record<string, AppVolume>;
  /** Merged onto APP_TEMPLATE_DEFAULTS.securityContext. */
  securityContext?: AppSecurityContext;
  /**
   * Services keyed by name; the one keyed `main` is named like the app.
   * @default { main: { type: 'ClusterIP', ports: every port } }
   */
  services?: Record<string, AppService>;
  exposes?: Record<string, AppExposure>;
  /**
   * Pod Security level the app needs in its namespace; checked against `securityContext`.
   * 'privileged' only when the app truly needs it. @default APP_TEMPLATE_DEFAULTS.podSecurity ('baseline')
   */
  podSecurity?: PodSecurityLevel;
  /**
   * Who the app talks to (`connectsTo`, `internetEgress`, …): its network policies derive from it.
   * Not here because derived: the pods (the release's instance label) and `lanPorts` (the ports of
   * its LoadBalancer Services). @default nothing: DNS only, reached only through its exposures
   */
  network?: Omit<NetworkDeclaration, 'pods' | 'lanPorts'>;
}

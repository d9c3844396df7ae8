import type { GeneratedFile } from './render.js';

/**
 * The component contract: what every component package returns and the aggregator consumes.
 * Components are pure functions of the resolved config; the aggregator only composes and writes.
 */

/** A Kubernetes object built with an @kubernetes-models class (or anything shaped like one). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  /** Throws when the object violates its upstream schema (@kubernetes-models classes provide it). */
  validate(): void;
  toJSON(): unknown;
}

/** The ArgoCD app-of-apps a component belongs to; also its directory under `kubernetes/`. */
export type ComponentGroup = 'core' | 'apps' | 'observability';

export const COMPONENT_GROUPS: readonly ComponentGroup[] = ['core', 'apps', 'observability'];

/** A pinned Helm chart, written where Renovate can see it. */
export interface HelmChart {
  /** Helm repository URL (https://… or oci://…). */
  repo: string;
  name: string;
  /** Exact chart version: never a range. */
  version: string;
  /** Helm release name. @default the component name */
  releaseName?: string;
}

/** A Secret a component needs. Values never enter the repository in plain text. */
export interface SecretDeclaration {
  name: string;
  namespace: string;
  keys: string[];
  /** What the secret is for and where its values come from, shown by `homelab secrets`. */
  description: string;
}

/** How a service is reached. */
export type Access = 'internal' | 'public' | 'tailnet';
export type SsoMode = 'proxy' | 'oidc' | 'none';

/** A service a component exposes, from which routes, tunnel rules, SSO and DNS are derived. */
export interface Exposure {
  /** Fully qualified host name. */
  host: string;
  access: Access;
  service: { name: string; namespace: string; port: number };
  sso: SsoMode;
}

/** Manifests ArgoCD reads straight from another git repository (e.g. upstream CRDs). */
export interface GitSource {
  repoURL: string;
  /** Directory inside the repository. */
  path: string;
  /** Pinned tag or commit: never a branch. */
  targetRevision: string;
  /** Kustomize applies when the directory holds a kustomization.yaml; otherwise a plain directory. */
  recurse?: boolean;
}

/** Pod Security Standards level a namespace enforces. */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export interface Component {
  /** ArgoCD Application name and directory name: a DNS label. */
  name: string;
  group: ComponentGroup;
  /** Namespace the component deploys into. */
  namespace: string;
  /** ArgoCD sync wave of the component's Application. @default 0 */
  syncWave?: number;
  /** npm package that produced the component, named in every generated file's header. */
  source: string;
  /** One line for docs and summaries. */
  description?: string;
  chart?: HelmChart;
  /** Helm values for `chart`, already merged with the user's overrides. */
  values?: Record<string, unknown>;
  /** Manifests from other git repositories, applied by the same Application. */
  gitSources?: GitSource[];
  /**
   * Pod Security level the component's pods need in its namespace (hostNetwork, hostPath or
   * privileged containers need 'privileged'). @default 'baseline'
   */
  podSecurity?: PodSecurityLevel;
  /** Raw objects keyed by a stable name, so callers patch or drop them by name. */
  objects?: Record<string, KubeObject>;
  secrets?: SecretDeclaration[];
  exposes?: Exposure[];
  /** How ArgoCD treats the component's own Application. */
  application?: {
    /**
     * Delete the component's resources when its Application is deleted (the resources finalizer).
     * ArgoCD's own Application must not, or removing it would uninstall ArgoCD. @default true
     */
    cascadeDelete?: boolean;
    /** Sync options for the Application itself as seen by its parent, e.g. Prune=false, Delete=false. */
    parentSyncOptions?: string[];
  };
  /**
   * Files outside the component's directory that a person uses directly, such as bootstrap
   * manifests and instructions (paths relative to the output root).
   */
  files?: GeneratedFile[];
}

/**
 * What a component package registers with the aggregator. `name` is its key under `components:`
 * (kind 'component') or `apps:` (kind 'app') in homelab.yaml; `build` is a pure function of the
 * resolved config and returns one or more components.
 */
export interface ComponentModule<Config> {
  name: string;
  kind: 'component' | 'app';
  /**
   * Built after every non-deriving module, receiving them in `context.components` (e.g. the tunnel
   * derives its ingress rules from the public exposures). Deriving modules do not see each other.
   * @default false
   */
  derives?: boolean;
  build(config: Config, context?: BuildContext): Component | Component[];
}

/** What a deriving module sees of the rest of the homelab. */
export interface BuildContext {
  readonly components: readonly Component[];
}

/**
 * A module that renders files outside the ArgoCD tree (talos/, terraform/, docs) from the config
 * and the composed components (e.g. Talos reuses Cilium's settings). Paths are relative to the
 * output root and every file carries the generated header of its format.
 */
export interface ArtifactModule<Config> {
  name: string;
  build(config: Config, components: readonly Component[]): GeneratedFile[];
}

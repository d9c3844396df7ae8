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
  /**
   * Value paths the chart's templates read although its values.yaml does not list them (each
   * justified where it is declared), in `homelab check`'s notation: dotted, a segment holding a
   * dot in double quotes (`configs.params."server.insecure"`). `.homelab-check.yaml` allows them,
   * so `homelab check --chart-schemas` accepts the tree. @default []
   */
  unlistedValues?: readonly string[];
}

/**
 * How the homelab makes a value it owns, from a CSPRNG: `bytes` random bytes in an encoding, or a
 * password of `length` characters from an alphabet (`alphanumeric`: A-Z a-z 0-9, safe in URLs,
 * shells and DSNs; `lowercase`: a-z 0-9, safe as a user or DNS name).
 */
export type SecretGenerator = { bytes: number; encoding: 'base64' | 'base64url' | 'hex' } | { length: number; alphabet: 'alphanumeric' | 'lowercase' };

/** What an external value must look like; checked before anything is written. @default 'text' */
export type SecretFormat = 'text' | 'json' | 'age-identity';

/**
 * One secret value, declared once. Every Secret key that carries it references this object, so
 * `homelab secrets` writes the same value to each copy and checks that the copies agree.
 */
export interface SecretValue {
  /** How the command line names the value (`homelab secrets rotate <id>`), e.g. `argocd/oidc-client-secret`. */
  id: string;
  /** What the value is; for an external value, also how to obtain it. */
  description: string;
  /** Set: the homelab generates the value (`homelab secrets init`). Unset: it comes from outside. */
  generate?: SecretGenerator;
  format?: SecretFormat;
}

/** A Secret a component needs. Values never enter the repository in plain text. */
export interface SecretDeclaration {
  name: string;
  namespace: string;
  keys: string[];
  /** What the secret is for and where its values come from, shown by `homelab secrets`. */
  description: string;
  /**
   * The value each key carries. A key without an entry carries a value of its own, external,
   * described by `description` (id `<namespace>/<name>/<key>`).
   */
  values?: Record<string, SecretValue>;
  /** Labels the Secret must carry, written by `homelab secrets` (ArgoCD, for one, reads only labelled Secrets). */
  labels?: Record<string, string>;
}

/** The value a Secret key carries: the declared one, else a value of its own, external, described by the Secret. */
export function secretValueOf(declaration: Pick<SecretDeclaration, 'name' | 'namespace' | 'description' | 'values'>, key: string): SecretValue {
  return declaration.values?.[key] ?? { id: `${declaration.namespace}/${declaration.name}/${key}`, description: declaration.description };
}

/** How a service is reached. */
export type Access = 'internal' | 'public' | 'tailnet';
export type SsoMode = 'proxy' | 'oidc' | 'none';

/**
 * Identity-provider groups every component maps to its own roles, shared by the identity provider
 * (which creates them) and the apps that authorize by them (ArgoCD's RBAC, for one). They live here,
 * in core, so neither side imports the other.
 */
export const SSO_GROUPS = {
  /** Full administrators of every app. */
  admins: 'homelab-admins',
  /** Signed-in users: read-only where an app distinguishes. */
  users: 'homelab-users',
} as const;

/**
 * The identity provider as the apps that sign in with OIDC see it, shared by the identity provider
 * (which serves it) and its OIDC clients, so neither imports the other.
 */
export const SSO_PROVIDER = {
  /** Its host is `<hostLabel>.<domains.internal>` (Authentik's route and every client's issuer). */
  hostLabel: 'auth',
  /**
   * ID-token claim listing the user's group names (SSO_GROUPS among them). Authentik's built-in
   * `profile` scope mapping emits it; apps authorize by it (ArgoCD's RBAC `scopes`).
   */
  groupsClaim: 'groups',
} as const;

/**
 * OIDC clients configured on both ends, keyed by the name of the component that signs in: the app
 * package configures the client ID (and serves the callback), the identity provider registers the
 * same client with redirect URIs `https://<app host><redirectPath>`. The issuer is the application
 * `slug` at the provider.
 */
export const SSO_OIDC_CLIENTS = {
  /** ArgoCD's server, native OIDC (no Dex): it serves its callback at `/auth/callback` on its URL. */
  argocd: { slug: 'argocd', clientId: 'argocd', redirectPaths: ['/auth/callback'] },
} as const;

/** A service a component exposes, from which routes, tunnel rules, SSO and DNS are derived. */
export interface Exposure {
  /** Fully qualified host name. */
  host: string;
  access: Access;
  service: { name: string; namespace: string; port: number };
  sso: SsoMode;
  /**
   * With `sso: 'oidc'`: the client secret the app signs in with, as its own Secret declares it. The
   * identity provider's copy references the same value, so it is declared (and generated) once.
   */
  oidcClientSecret?: SecretValue;
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

/** A Kubernetes label selector: every `matchLabels` entry and every expression must hold. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** A port a container listens on (the pod's port, not a Service port). */
export interface PortDeclaration {
  port: number;
  /** @default 'TCP' */
  protocol?: 'TCP' | 'UDP';
}

/**
 * Label every chart here puts on the pods of a release (app.kubernetes.io/instance = Helm release
 * name): bjw-s app-template and the argo-cd, cert-manager, loki, alloy, cloudflared and
 * kube-prometheus-stack charts (except the Prometheus and Alertmanager pods its operator creates).
 */
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';

/**
 * Who a component's pods talk to and who talks to them. Network policies are derived from it
 * (@homelab/network-policies): every flow not declared here, or derived from an exposure, is denied.
 * Flows are per component (all its pods alike), at layer 3: no port restriction unless stated.
 */
export interface NetworkDeclaration {
  /**
   * The component's pods, within its namespace. `false`: it runs none (CRDs, objects only).
   * @default { matchLabels: { [INSTANCE_LABEL]: <Helm release name> } } for a component with a
   *   chart (release name = chart.releaseName ?? name); none for a component without one
   */
  pods?: LabelSelector | false;
  /**
   * Names of the components this one calls (both ends are opened: egress here, ingress there).
   * A name that is not deployed is ignored, so a dependency on a disabled app opens nothing.
   * @default []
   */
  connectsTo?: string[];
  /**
   * Also calls every component exposing a host whose `sso` is one of these modes: an SSO proxy
   * outpost reaching the apps it protects (`['proxy']`). @default []
   */
  connectsToSso?: SsoMode[];
  /** Calls hosts outside the cluster (Cilium entity `world`, which includes the LAN). @default false */
  internetEgress?: boolean;
  /**
   * Calls the cluster's nodes themselves (their host network: Talos API, kubelet, anything on a
   * node IP): Cilium entities `host` and `remote-node`, which `world` does not include. A subnet
   * router whose routes contain node addresses needs it. @default false
   */
  nodes?: boolean;
  /** The Kubernetes API, both ways. */
  kubeApi?: {
    /** Calls the API: operators, controllers, anything that watches or writes objects. @default false */
    client?: boolean;
    /** The API calls it: admission or conversion webhooks, aggregated APIs. @default false */
    webhook?: boolean;
  };
  /**
   * Container ports (TCP) the metrics scraper may reach. Unset: every port of the pods; `[]`: the
   * component serves no metrics and the scraper gets no access. @default undefined (every port)
   */
  metricsPorts?: number[];
  /**
   * Pods of this component (within its namespace) that scrape every component's metrics:
   * Prometheus. They may reach the whole cluster, and every component admits them on its metrics
   * ports. @default none
   */
  metricsScraper?: LabelSelector;
  /**
   * Exposure access paths whose traffic this component's pods carry to the exposed Services:
   * cloudflared ['public'], the Tailscale operator's proxies ['tailnet']. Such pods reach, and are
   * admitted by, every component exposing a host that way. @default []
   */
  proxies?: Exclude<Access, 'internal'>[];
  /**
   * Container ports reached from outside the cluster through a LoadBalancer Service (LAN clients,
   * a router's port forward): admitted from `world` and from LAN routers. @default []
   */
  lanPorts?: PortDeclaration[];
  /**
   * Routes LAN traffic from elsewhere into the cluster (a tailnet subnet router): reaches every
   * component's `lanPorts` and the gateway as a LAN client would. @default false
   */
  lanRouter?: boolean;
}

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
  /**
   * Absolute node directories the component's pods use as hostPath volumes whose contents the
   * kubelet itself must see (volumes it mounts into other pods, such as a node-local storage
   * provisioner's). Talos runs the kubelet in a container, so each is bind-mounted into it
   * (@homelab/talos). @default []
   */
  hostDirectories?: string[];
  secrets?: SecretDeclaration[];
  exposes?: Exposure[];
  /** Who the component's pods talk to: the source of its network policies. @default nothing but DNS */
  network?: NetworkDeclaration;
  /**
   * Cluster-scoped kinds the chart or git sources create, as a kind name known to core
   * (CLUSTER_SCOPED_KINDS, e.g. 'ClusterRole', 'CustomResourceDefinition') or '<group>/<Kind>'.
   * Cluster-scoped `objects` need no entry: they are read from the objects. The group's ArgoCD
   * project permits exactly these. @default []
   */
  clusterResources?: string[];
  /**
   * Namespaces other than `namespace` the chart or git sources put objects in (e.g. Services a
   * monitoring chart creates in kube-system). The group's ArgoCD project permits them. @default []
   */
  extraNamespaces?: string[];
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
 * The pods a component runs, as a label selector within its namespace (see
 * `NetworkDeclaration.pods`): the declared one, else the Helm release's instance label; undefined
 * when it runs none.
 */
export function podSelector(component: Pick<Component, 'name' | 'chart' | 'network'>): LabelSelector | undefined {
  const declared = component.network?.pods;
  if (declared === false) return undefined;
  if (declared) return declared;
  if (!component.chart) return undefined;
  return { matchLabels: { [INSTANCE_LABEL]: component.chart.releaseName ?? component.name } };
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
  /**
   * What this module brings to every other module of the composition, so the composition (which
   * knows which modules are present and enabled) tells each of them through `BuildContext`.
   */
  provides?: ModuleCapabilities;
  build(config: Config, context?: BuildContext): Component | Component[];
}

/** Capabilities a module offers the rest of the homelab. */
export interface ModuleCapabilities {
  /**
   * A Prometheus that scrapes every ServiceMonitor, PodMonitor and PrometheusRule of the cluster;
   * `crdsSyncWave`: the sync wave at which their CRDs (monitoring.coreos.com) exist.
   */
  prometheus?: { crdsSyncWave: number };
  /**
   * A StorageClass whose volumes are directories on the node the pod runs on (no network
   * filesystem): for stateful workloads whose documentation rules NFS out (Prometheus' TSDB).
   */
  nodeLocalStorage?: { storageClass: string };
}

/** What a module sees of the rest of the homelab while it is built. */
export interface BuildContext {
  /** The non-deriving modules' components: filled for deriving modules only (empty for the others). */
  readonly components: readonly Component[];
  /** The Prometheus of this homelab, when a composed and enabled module provides one. */
  readonly prometheus?: ModuleCapabilities['prometheus'];
  /** The node-local StorageClass of this homelab, when a composed and enabled module provides one. */
  readonly nodeLocalStorage?: ModuleCapabilities['nodeLocalStorage'];
}

/**
 * The one rule for metrics: a component syncing at `syncWave` creates its ServiceMonitors (and
 * PodMonitors, PrometheusRules) exactly when the homelab has a Prometheus and its CRDs sync in an
 * earlier wave (a ServiceMonitor before its CRD fails the sync; one nobody scrapes is dead weight).
 */
export function serviceMonitorsWanted(context: BuildContext | undefined, syncWave: number): boolean {
  return context?.prometheus !== undefined && syncWave > context.prometheus.crdsSyncWave;
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

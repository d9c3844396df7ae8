/**
 * ArgoCD authorization derived from what the components deploy: one AppProject per group, limited
 * to exactly the namespaces, source repositories and cluster-scoped kinds its components use, and
 * the app-of-apps project, which may only write Applications and AppProjects in ArgoCD's namespace.
 */
import { AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import { COMPONENT_GROUPS, type Component, type ComponentGroup, type KubeObject } from './component.js';
import { PREEXISTING_NAMESPACES } from './namespaces.js';

/** The in-cluster API server: the only cluster any Application deploys to. */
export const IN_CLUSTER = 'https://kubernetes.default.svc';

/**
 * Project of the root Application and the group app-of-apps. They only create Applications and
 * AppProjects in ArgoCD's namespace, from this repository: a chart in a group cannot widen that.
 */
export const APP_OF_APPS_PROJECT = 'app-of-apps';

/** Project of a group's component Applications: the group's name. */
export function projectOf(group: ComponentGroup): string {
  return group;
}

/**
 * API group of the cluster-scoped kinds components here create, by kind name. A component names
 * these in `clusterResources`; its `objects` of these kinds are recognised as cluster-scoped. A kind
 * missing here is written `<group>/<Kind>`.
 */
export const CLUSTER_SCOPED_KINDS: Readonly<Record<string, string>> = {
  Namespace: '',
  PersistentVolume: '',
  CustomResourceDefinition: 'apiextensions.k8s.io',
  ClusterRole: 'rbac.authorization.k8s.io',
  ClusterRoleBinding: 'rbac.authorization.k8s.io',
  StorageClass: 'storage.k8s.io',
  CSIDriver: 'storage.k8s.io',
  VolumeSnapshotClass: 'snapshot.storage.k8s.io',
  IngressClass: 'networking.k8s.io',
  GatewayClass: 'gateway.networking.k8s.io',
  MutatingWebhookConfiguration: 'admissionregistration.k8s.io',
  ValidatingWebhookConfiguration: 'admissionregistration.k8s.io',
  ValidatingAdmissionPolicy: 'admissionregistration.k8s.io',
  ValidatingAdmissionPolicyBinding: 'admissionregistration.k8s.io',
  PriorityClass: 'scheduling.k8s.io',
  APIService: 'apiregistration.k8s.io',
  ClusterIssuer: 'cert-manager.io',
  CiliumLoadBalancerIPPool: 'cilium.io',
  CiliumL2AnnouncementPolicy: 'cilium.io',
  CiliumClusterwideNetworkPolicy: 'cilium.io',
  Connector: 'tailscale.com',
  ProxyClass: 'tailscale.com',
  ProxyGroup: 'tailscale.com',
  DNSConfig: 'tailscale.com',
};

/** A cluster-scoped kind an AppProject permits; without `name`, every object of the kind. */
export interface ClusterResource {
  group: string;
  kind: string;
  name?: string;
}

/** What one project permits. Every list is sorted and free of duplicates. */
export interface ProjectScope {
  /** Destination namespaces (in-cluster). */
  namespaces: string[];
  sourceRepos: string[];
  clusterResources: ClusterResource[];
}

/** Where ArgoCD reads this repository, and the namespace Applications live in. */
export interface ProjectTarget {
  repoURL: string;
  argocdNamespace: string;
}

/** `'ClusterRole'` → its group from CLUSTER_SCOPED_KINDS; `'example.com/Widget'` as written. */
export function parseClusterResource(entry: string, path: string): ClusterResource {
  const slash = entry.lastIndexOf('/');
  if (slash >= 0) {
    const group = entry.slice(0, slash);
    const kind = entry.slice(slash + 1);
    if (/^[A-Z][A-Za-z0-9]*$/.test(kind)) return { group, kind };
  } else if (entry in CLUSTER_SCOPED_KINDS) {
    return { group: CLUSTER_SCOPED_KINDS[entry]!, kind: entry };
  }
  throw new Error(
    `core: not a cluster-scoped kind core knows (${path}: '${entry}'). ` +
      `Use one of ${Object.keys(CLUSTER_SCOPED_KINDS).join(', ')}, or write it as '<group>/<Kind>' (e.g. 'example.com/Widget').`,
  );
}

/** The API group of an object, from its apiVersion (`v1` → '', `apps/v1` → 'apps'). */
function groupOf(object: Pick<KubeObject, 'apiVersion'>): string {
  return object.apiVersion.includes('/') ? object.apiVersion.slice(0, object.apiVersion.lastIndexOf('/')) : '';
}

/** True when the object's kind is cluster-scoped: known to core, or declared by its component. */
function isClusterScoped(object: KubeObject, declared: readonly ClusterResource[]): boolean {
  const group = groupOf(object);
  return CLUSTER_SCOPED_KINDS[object.kind] === group || declared.some((entry) => entry.kind === object.kind && entry.group === group);
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

const resourceKey = (entry: ClusterResource) => `${entry.group}/${entry.kind}/${entry.name ?? '*'}`;

/**
 * The scope of every group's project: the namespaces its Applications deploy to (their own, the
 * extra ones they declare, those of their namespaced objects), the repositories they read (this
 * one for values and manifests, chart repositories, git sources) and the cluster-scoped kinds they
 * create (declared for charts; read from objects, by name; each new destination namespace by name,
 * which `CreateNamespace=true` may have to create). Groups without components are absent.
 */
export function projectScopes(components: readonly Component[], target: Pick<ProjectTarget, 'repoURL'>): Map<ComponentGroup, ProjectScope> {
  const scopes = new Map<ComponentGroup, { namespaces: Set<string>; repos: Set<string>; resources: Map<string, ClusterResource> }>();
  for (const component of components) {
    let scope = scopes.get(component.group);
    if (!scope) scopes.set(component.group, (scope = { namespaces: new Set(), repos: new Set(), resources: new Map() }));
    const declared = (component.clusterResources ?? []).map((entry, index) => parseClusterResource(entry, `${component.name}.clusterResources[${index}]`));
    const permit = (resource: ClusterResource) => scope.resources.set(resourceKey(resource), resource);
    declared.forEach(permit);
    scope.namespaces.add(component.namespace);
    for (const namespace of component.extraNamespaces ?? []) scope.namespaces.add(namespace);
    if (!PREEXISTING_NAMESPACES.has(component.namespace)) permit({ group: '', kind: 'Namespace', name: component.namespace });
    const objects = Object.values(component.objects ?? {});
    for (const object of objects) {
      if (isClusterScoped(object, declared)) permit({ group: groupOf(object), kind: object.kind, ...(object.metadata?.name ? { name: object.metadata.name } : {}) });
      else scope.namespaces.add(object.metadata?.namespace ?? component.namespace);
    }
    if (component.chart || objects.length > 0) scope.repos.add(target.repoURL);
    if (component.chart) scope.repos.add(component.chart.repo);
    for (const source of component.gitSources ?? []) scope.repos.add(source.repoURL);
  }
  const result = new Map<ComponentGroup, ProjectScope>();
  for (const group of COMPONENT_GROUPS) {
    const scope = scopes.get(group);
    if (!scope) continue;
    // A kind permitted whole makes its by-name entries redundant.
    const whole = new Set([...scope.resources.values()].filter((entry) => entry.name === undefined).map((entry) => `${entry.group}/${entry.kind}`));
    const resources = [...scope.resources.values()]
      .filter((entry) => entry.name === undefined || !whole.has(`${entry.group}/${entry.kind}`))
      .sort((a, b) => (resourceKey(a) < resourceKey(b) ? -1 : 1));
    result.set(group, { namespaces: sorted(scope.namespaces), sourceRepos: sorted(scope.repos), clusterResources: resources });
  }
  return result;
}

function syncWaveAnnotation(wave: number | undefined): Record<string, string> | undefined {
  return wave !== undefined && wave !== 0 ? { 'argocd.argoproj.io/sync-wave': String(wave) } : undefined;
}

/** The app-of-apps project: Applications and AppProjects in ArgoCD's namespace, from this repository. */
export function appOfAppsProject(target: ProjectTarget, syncWave?: number): AppProject {
  return new AppProject({
    metadata: { name: APP_OF_APPS_PROJECT, namespace: target.argocdNamespace, annotations: syncWaveAnnotation(syncWave) },
    spec: {
      description: 'The root Application and the app-of-apps of every group: Applications and AppProjects only',
      sourceRepos: [target.repoURL],
      destinations: [{ server: IN_CLUSTER, namespace: target.argocdNamespace }],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [
        { group: 'argoproj.io', kind: 'Application' },
        { group: 'argoproj.io', kind: 'AppProject' },
      ],
    },
  });
}

/** One group's project, limited to its scope. Namespaced kinds are not limited: namespaces are. */
export function groupProject(group: ComponentGroup, scope: ProjectScope, target: ProjectTarget, syncWave?: number): AppProject {
  return new AppProject({
    metadata: { name: projectOf(group), namespace: target.argocdNamespace, annotations: syncWaveAnnotation(syncWave) },
    spec: {
      description: `Components of the ${group} group: only the namespaces, repositories and cluster-scoped kinds they use`,
      sourceRepos: [...scope.sourceRepos],
      destinations: scope.namespaces.map((namespace) => ({ server: IN_CLUSTER, namespace })),
      clusterResourceWhitelist: scope.clusterResources.map((entry) => ({ ...entry })),
    },
  });
}

/** Every AppProject the tree needs: app-of-apps first, then one per group that has components. */
export function appProjects(components: readonly Component[], target: ProjectTarget, syncWave?: number): AppProject[] {
  const scopes = projectScopes(components, target);
  return [appOfAppsProject(target, syncWave), ...[...scopes].map(([group, scope]) => groupProject(group, scope, target, syncWave))];
}

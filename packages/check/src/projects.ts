/**
 * AppProject permissions: ArgoCD refuses to sync an Application whose project does not permit its
 * source repositories, its destination, or the kinds it applies. Checked against AppProjects found
 * anywhere in the tree (projects are often applied at bootstrap): `sourceRepos`, `destinations`,
 * `clusterResourceWhitelist`/`Blacklist` (an empty whitelist permits no cluster-scoped object),
 * `namespaceResourceWhitelist`/`Blacklist`. A chart's objects cannot be seen: the cluster-scoped
 * kinds known charts create (CHART_CLUSTER_KINDS, less what their values switch off: CHART_SWITCHES)
 * must be permitted, or a warning says so. The
 * built-in `default` project permits everything unless the tree redefines it.
 */
import { describePlaced, normalizeRepoURL, type AppNode, type Placed, type Resolution } from './argocd.js';
import type { Finding } from './finding.js';
import { globMatch, isLiteralGlob } from './glob.js';
import { isMap, type KubeDoc, type Tree } from './tree.js';

const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter(isMap) : []);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * Destination entries by namespace pattern: a literal namespace is looked up and only glob
 * patterns are tested, since a project may list a namespace for each of its Applications.
 */
class NamespacePatterns {
  private readonly literal = new Map<string, Record<string, unknown>[]>();
  private readonly globs: { pattern: string; entry: Record<string, unknown> }[] = [];

  add(pattern: string, entry: Record<string, unknown>): void {
    if (!isLiteralGlob(pattern)) {
      this.globs.push({ pattern, entry });
      return;
    }
    const entries = this.literal.get(pattern);
    if (entries) entries.push(entry);
    else this.literal.set(pattern, [entry]);
  }

  /** The entries whose namespace pattern matches `namespace`. */
  matching(namespace: string): Record<string, unknown>[] {
    return [...(this.literal.get(namespace) ?? []), ...this.globs.filter(({ pattern }) => globMatch(pattern, namespace)).map(({ entry }) => entry)];
  }
}

interface Project {
  doc: KubeDoc;
  spec: Record<string, unknown>;
  /** `spec.destinations`, split into allowed and denied (`!namespace`) entries. */
  destinations: { allowed: NamespacePatterns; denied: NamespacePatterns };
}

function readProject(doc: KubeDoc, spec: Record<string, unknown>): Project {
  const destinations = { allowed: new NamespacePatterns(), denied: new NamespacePatterns() };
  for (const entry of list(spec['destinations'])) {
    const namespace = str(entry['namespace']);
    if (namespace.startsWith('!')) destinations.denied.add(namespace.slice(1), entry);
    else destinations.allowed.add(namespace, entry);
  }
  return { doc, spec, destinations };
}

function sourcePermitted(project: Project, repoURL: string): boolean {
  const entries = (Array.isArray(project.spec['sourceRepos']) ? project.spec['sourceRepos'] : []).filter((entry): entry is string => typeof entry === 'string');
  const matches = (pattern: string) => globMatch(pattern, repoURL) || normalizeRepoURL(pattern) === normalizeRepoURL(repoURL);
  if (entries.some((entry) => entry.startsWith('!') && matches(entry.slice(1)))) return false;
  return entries.some((entry) => !entry.startsWith('!') && matches(entry));
}

function destinationPermitted(project: Project, app: AppNode, namespace: string): boolean {
  const destination = isMap(app.doc.raw['spec']) && isMap(app.doc.raw['spec']['destination']) ? app.doc.raw['spec']['destination'] : {};
  const server = str(destination['server']);
  const name = str(destination['name']);
  const namesCluster = (entry: Record<string, unknown>) =>
    (str(entry['server']) !== '' && server !== '' && globMatch(str(entry['server']), server)) || (str(entry['name']) !== '' && name !== '' && globMatch(str(entry['name']), name));
  const { allowed, denied } = project.destinations;
  return !denied.matching(namespace).some(namesCluster) && allowed.matching(namespace).some(namesCluster);
}

const kindMatches = (entry: Record<string, unknown>, doc: KubeDoc, anyName = false) =>
  globMatch(str(entry['group']), doc.group) && globMatch(str(entry['kind']), doc.kind) && (str(entry['name']) === '' || (anyName ? str(entry['name']) === '*' : globMatch(str(entry['name']), doc.name)));

/** Whether the project lets the object (or, with `anyName`, every object of its kind) be applied. */
function kindPermitted(project: Project, doc: KubeDoc, clusterScoped: boolean, anyName = false): boolean {
  const [white, black] = clusterScoped ? ['clusterResourceWhitelist', 'clusterResourceBlacklist'] : ['namespaceResourceWhitelist', 'namespaceResourceBlacklist'];
  if (list(project.spec[black]).some((entry) => kindMatches(entry, doc) && (!anyName || str(entry['name']) === '' || str(entry['name']) === '*'))) return false;
  const whitelist = project.spec[white];
  // Namespaced kinds are all permitted without a whitelist; cluster-scoped kinds only when listed.
  if (!clusterScoped && !Array.isArray(whitelist)) return true;
  return list(whitelist).some((entry) => kindMatches(entry, doc, anyName));
}

export function checkProjects(resolution: Resolution, tree: Tree, objectFiles: string[]): Finding[] {
  const projects = new Map<string, Project>();
  for (const file of objectFiles) {
    for (const doc of tree.objectsOf(file)) {
      if (doc.group !== 'argoproj.io' || doc.kind !== 'AppProject' || !isMap(doc.raw['spec'])) continue;
      const key = `${doc.namespace ?? 'argocd'}/${doc.name}`;
      if (!projects.has(key)) projects.set(key, readProject(doc, doc.raw['spec']));
    }
  }
  // What each Application applies, in placement order: one pass rather than a scan of every object per Application.
  const placedBy = new Map<AppNode, Placed[]>();
  for (const entry of resolution.placed) {
    if (entry.generated) continue;
    const entries = placedBy.get(entry.app);
    if (entries) entries.push(entry);
    else placedBy.set(entry.app, [entry]);
  }
  const findings: Finding[] = [];
  for (const app of resolution.apps) {
    if (!app.reached) continue;
    const spec = isMap(app.doc.raw['spec']) ? app.doc.raw['spec'] : {};
    const name = str(spec['project']) || 'default';
    const project = projects.get(`${app.doc.namespace ?? 'argocd'}/${name}`);
    if (!project) {
      if (name !== 'default') {
        findings.push({ check: 'projects', severity: 'error', file: app.doc.file, object: app.label, problem: `its project '${name}' is not defined in this tree`, hint: `ArgoCD refuses to sync it: add AppProject ${name}, or fix spec.project` });
      }
      continue;
    }
    const add = (severity: Finding['severity'], problem: string, hint: string, file = app.doc.file, object = app.label) =>
      findings.push({ check: 'projects', severity, file, object, problem, hint });
    const sources = Array.isArray(spec['sources']) && spec['sources'].length > 0 ? list(spec['sources']) : isMap(spec['source']) ? [spec['source']] : [];
    for (const source of sources) {
      const repoURL = str(source['repoURL']);
      if (repoURL && !sourcePermitted(project, repoURL)) add('error', `project ${name} does not permit source repository ${repoURL}`, `Add it to the sourceRepos of AppProject ${name} (${project.doc.file})`);
    }
    const namespaces = new Set<string>();
    if (app.destinationNamespace) namespaces.add(app.destinationNamespace);
    for (const { doc, namespace } of app.expansion.applied) if (namespace && doc.id !== app.doc.id) namespaces.add(namespace);
    for (const namespace of [...namespaces].sort()) {
      if (!destinationPermitted(project, app, namespace)) add('error', `project ${name} does not permit destination namespace ${namespace}`, `Add it to the destinations of AppProject ${name} (${project.doc.file})`);
    }
    for (const entry of placedBy.get(app) ?? []) {
      const clusterScoped = entry.namespace === undefined;
      if (!kindPermitted(project, entry.doc, clusterScoped)) {
        add(
          'error',
          `project ${name} does not permit ${clusterScoped ? 'cluster-scoped' : 'namespaced'} ${entry.doc.group || 'core'}/${entry.doc.kind} ${entry.doc.name}`,
          `ArgoCD refuses the sync: add it to the ${clusterScoped ? 'clusterResourceWhitelist' : 'namespaceResourceWhitelist'} of AppProject ${name} (${project.doc.file})`,
          entry.doc.file,
          describePlaced(entry),
        );
      }
    }
    for (const chart of app.expansion.charts) {
      const refused = chart.clusterKinds.filter((groupKind) => {
        const [group, kind] = [groupKind.slice(0, groupKind.lastIndexOf('/')), groupKind.slice(groupKind.lastIndexOf('/') + 1)];
        return !kindPermitted(project, { group, kind, name: '*' } as KubeDoc, true, true);
      });
      if (refused.length > 0) {
        add('warning', `installs chart ${chart.name}, which creates ${refused.join(', ')}, but project ${name} does not permit them`, `ArgoCD refuses those objects: add them to the clusterResourceWhitelist of AppProject ${name} (${project.doc.file}), or switch them off in the chart's values`);
      }
    }
  }
  return findings;
}

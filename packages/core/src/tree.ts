import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { COMPONENT_GROUPS, secretValueOf, type Component, type ComponentGroup } from './component.js';
import { APP_OF_APPS_PROJECT, IN_CLUSTER, appProjects, projectOf } from './projects.js';
import { generatedMarkdownHeader, objectFileName, renderObjectFiles, renderYamlFile, type GeneratedFile, type ObjectFile } from './render.js';

/** Where ArgoCD finds this repository and how Applications are placed. */
export interface GitOpsTarget {
  repoURL: string;
  revision: string;
  /** Namespace ArgoCD runs in and Applications live in. @default 'argocd' */
  argocdNamespace?: string;
}

const CORE_SOURCE = '@homelab/core';

/** Namespace ArgoCD runs in unless GitOpsTarget.argocdNamespace says otherwise. */
export const DEFAULT_ARGOCD_NAMESPACE = 'argocd';
const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

/**
 * Directory of the app-of-apps Applications and the AppProjects; `root.yaml` in it is the one a
 * person applies once, after the app-of-apps project it belongs to (`appProjectPath`).
 */
export const APP_OF_APPS_DIR = 'kubernetes/bootstrap/app-of-apps';

/** Where an AppProject is written: beside the Applications of the root, which syncs it. */
export function appProjectPath(project: string): string {
  return `${APP_OF_APPS_DIR}/AppProject-${project}.yaml`;
}

/** Files of one component: `kubernetes/<group>/<name>.yaml` (its Application) and `<name>/` (payload). */
export function componentPaths(component: Pick<Component, 'group' | 'name'>) {
  const dir = `kubernetes/${component.group}/${component.name}`;
  return { application: `${dir}.yaml`, values: `${dir}/values.yaml`, manifests: `${dir}/manifests` };
}

function applicationAnnotations(wave: number | undefined, parentSyncOptions: string[] = []): Record<string, string> | undefined {
  const annotations: Record<string, string> = {};
  if (wave !== undefined && wave !== 0) annotations[SYNC_WAVE] = String(wave);
  if (parentSyncOptions.length > 0) annotations['argocd.argoproj.io/sync-options'] = parentSyncOptions.join(',');
  return Object.keys(annotations).length > 0 ? annotations : undefined;
}

/** Retries ride out first-install races (a webhook not ready yet, CRDs registered by an operator). */
const retry = { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } };

const automatedSync = {
  automated: { prune: true, selfHeal: true },
  syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
  retry,
};

/** The ArgoCD Application that deploys one component: its chart (values from git) and its raw objects. */
export function componentApplication(component: Component, target: GitOpsTarget): Application {
  const paths = componentPaths(component);
  const git = { repoURL: target.repoURL, targetRevision: target.revision };
  // Declared secrets live as SOPS files in manifests/, so the directory is read even without objects.
  const hasManifests = Object.keys(component.objects ?? {}).length > 0 || (component.secrets?.length ?? 0) > 0;
  const sources = [];
  if (component.chart) {
    sources.push({
      repoURL: component.chart.repo,
      chart: component.chart.name,
      targetRevision: component.chart.version,
      helm: { releaseName: component.chart.releaseName ?? component.name, valueFiles: [`$values/${paths.values}`] },
    });
    sources.push({ ...git, ref: 'values' });
  }
  if (hasManifests) sources.push({ ...git, path: paths.manifests });
  for (const source of component.gitSources ?? []) {
    sources.push({
      repoURL: source.repoURL,
      targetRevision: source.targetRevision,
      path: source.path,
      ...(source.recurse ? { directory: { recurse: true } } : {}),
    });
  }
  if (sources.length === 0) {
    throw new Error(`${component.name}: component has no chart, objects or git sources (source: ${component.source}). Give it something to deploy, or disable it.`);
  }
  return new Application({
    metadata: {
      name: component.name,
      namespace: target.argocdNamespace ?? DEFAULT_ARGOCD_NAMESPACE,
      annotations: applicationAnnotations(component.syncWave, component.application?.parentSyncOptions),
      finalizers: component.application?.cascadeDelete === false ? undefined : ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: projectOf(component.group),
      destination: { server: IN_CLUSTER, namespace: component.namespace },
      sources,
      syncPolicy: automatedSync,
    },
  });
}

/** App-of-apps for one group: every `kubernetes/<group>/*.yaml` Application, no globs, no recursion. */
export function groupApplication(group: ComponentGroup, target: GitOpsTarget, syncWave?: number): Application {
  const argocdNamespace = target.argocdNamespace ?? DEFAULT_ARGOCD_NAMESPACE;
  return new Application({
    metadata: { name: group, namespace: argocdNamespace, annotations: applicationAnnotations(syncWave) },
    spec: {
      project: APP_OF_APPS_PROJECT,
      destination: { server: IN_CLUSTER, namespace: argocdNamespace },
      source: { repoURL: target.repoURL, targetRevision: target.revision, path: `kubernetes/${group}` },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
  });
}

/** The root Application: manages the group app-of-apps and itself. */
export function rootApplication(target: GitOpsTarget): Application {
  const argocdNamespace = target.argocdNamespace ?? DEFAULT_ARGOCD_NAMESPACE;
  return new Application({
    metadata: { name: 'root', namespace: argocdNamespace },
    spec: {
      project: APP_OF_APPS_PROJECT,
      destination: { server: IN_CLUSTER, namespace: argocdNamespace },
      source: { repoURL: target.repoURL, targetRevision: target.revision, path: APP_OF_APPS_DIR },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
  });
}

/** Group waves follow their members: a group starts with its earliest component. */
function groupWaves(components: Component[]): Map<ComponentGroup, number> {
  const waves = new Map<ComponentGroup, number>();
  for (const component of components) {
    const wave = component.syncWave ?? 0;
    const current = waves.get(component.group);
    if (current === undefined || wave < current) waves.set(component.group, wave);
  }
  return waves;
}

/** The objects of a component's manifests directory, one file each. */
function manifestFiles(component: Component): ObjectFile[] {
  const dir = componentPaths(component).manifests;
  const files = new Map<string, ObjectFile>();
  for (const [key, object] of Object.entries(component.objects ?? {})) {
    const path = `${dir}/${objectFileName(object, component.namespace)}`;
    if (files.has(path)) {
      throw new Error(`${component.name}: two objects render to ${path} (objects.${key}). Give them distinct names.`);
    }
    files.set(path, { path, source: component.source, object });
  }
  return [...files.values()];
}

/**
 * Where a component's secrets go: `homelab secrets set` writes them as SOPS files into this
 * directory, which the component's Application reads (the README also makes it exist in git).
 */
function secretsReadme(component: Component, dir: string): GeneratedFile {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = (component.secrets ?? []).flatMap((secret) =>
    secret.keys.map((key) => {
      const value = secretValueOf(secret, key);
      const about = value.description === secret.description ? secret.description : `${value.description} ${secret.description}`;
      return `| \`${secret.namespace}/${secret.name}\` | \`${key}\` | \`${value.id}\` | ${value.generate ? 'generated' : 'external'} | ${cell(about)} |`;
    }),
  );
  const content = [
    generatedMarkdownHeader(component.source).trimEnd(),
    '',
    `# ${component.name}: manifests`,
    '',
    `ArgoCD applies every manifest here through the \`${component.name}\` Application. The secrets below`,
    'live here as SOPS-encrypted files (`<name>.sops.yaml`), decrypted in the cluster by ArgoCD. Each key',
    'carries a value: generated ones are made by `homelab secrets init`, external ones come from its',
    '`--from-env-file`; a value carried by several Secrets is written to all. `homelab secrets list` shows their state.',
    '',
    '| secret | key | value | origin | what it is for |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  return { path: `${dir}/README.md`, source: component.source, content };
}

/**
 * The AppProjects (see projects.ts), one wave before the earliest group app-of-apps, so every
 * project exists before an Application names it.
 */
export function treeProjects(components: Component[], target: GitOpsTarget) {
  const waves = [...groupWaves(components).values()];
  const wave = waves.length > 0 ? Math.min(...waves) - 1 : undefined;
  return appProjects(components, { repoURL: target.repoURL, argocdNamespace: target.argocdNamespace ?? DEFAULT_ARGOCD_NAMESPACE }, wave);
}

/**
 * Renders components into the GitOps tree (pure; nothing touches disk). Every manifest is reachable:
 * root → AppProjects and group app-of-apps → component Application → its values and manifests directory.
 */
export function renderComponents(components: Component[], target: GitOpsTarget): GeneratedFile[] {
  const seen = new Map<string, Component>();
  for (const component of components) {
    const other = seen.get(component.name);
    if (other) {
      throw new Error(`${component.name}: component name used twice (by ${other.source} and ${component.source}). Component names must be unique across groups.`);
    }
    seen.set(component.name, component);
  }
  const objects: ObjectFile[] = [{ path: `${APP_OF_APPS_DIR}/root.yaml`, source: CORE_SOURCE, object: rootApplication(target) }];
  for (const project of treeProjects(components, target)) objects.push({ path: appProjectPath(project.metadata.name!), source: CORE_SOURCE, object: project });
  const waves = groupWaves(components);
  for (const group of COMPONENT_GROUPS) {
    if (waves.has(group)) objects.push({ path: `${APP_OF_APPS_DIR}/${group}.yaml`, source: CORE_SOURCE, object: groupApplication(group, target, waves.get(group)) });
  }
  const files: GeneratedFile[] = [];
  for (const component of components) {
    const paths = componentPaths(component);
    objects.push({ path: paths.application, source: component.source, object: componentApplication(component, target) }, ...manifestFiles(component));
    if (component.chart) files.push(renderYamlFile(paths.values, component.source, component.values ?? {}));
    if ((component.secrets?.length ?? 0) > 0) files.push(secretsReadme(component, paths.manifests));
    files.push(...(component.files ?? []));
  }
  files.push(...renderObjectFiles(objects));
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

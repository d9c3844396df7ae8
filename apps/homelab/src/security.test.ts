/**
 * The in-cluster security layers over the whole rendered homelab: every Application may sync under
 * its AppProject (destination, sources, every object it applies), each group's project permits
 * exactly what the group deploys, and the network policies and the TLS check run as derivations.
 */
import { describe, expect, it } from 'vitest';
import { loadAll } from 'js-yaml';
import { APP_OF_APPS_DIR, APP_OF_APPS_PROJECT, CLUSTER_SCOPED_KINDS, COMPONENT_GROUPS, parseClusterResource, projectOf, type GeneratedFile } from '@homelab/core';
import { networkPolicies, NETWORK_POLICY_DEFAULTS } from '@homelab/network-policies';
import type { ResolvedConfig } from '@homelab/config';
import { composeHomelab, renderHomelab, type RenderOptions } from '@homelab/generator';
import { defaultArtifacts, defaultModules } from './modules.js';
import { seedConfig } from '@homelab/testing';

const seed = seedConfig();

/** Network policies enforced whatever the seed's `security.networkPolicies` (the TLS check always runs). */
const enforced: RenderOptions = { derivations: [{ stage: 'policies', derive: (components, config: ResolvedConfig) => networkPolicies(components, config) }] };

function render(options: RenderOptions = {}): GeneratedFile[] {
  const result = renderHomelab(seed, defaultModules, { artifacts: defaultArtifacts, ...options });
  if (!result.ok) throw new Error(JSON.stringify(result, null, 2));
  return result.files;
}

interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: any;
}

const docsOf = (file: GeneratedFile) => {
  if (!/\.ya?ml$/.test(file.path)) return [];
  try {
    return (loadAll(file.content) as Doc[]).filter((doc) => doc && typeof doc === 'object');
  } catch (error) {
    throw new Error(`${file.path}: ${(error as Error).message}`);
  }
};
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '');

/** Go's filepath.Match for the names ArgoCD whitelists (only `*` and literal characters occur here). */
const globMatches = (pattern: string, name: string) => new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`).test(name);

describe('ArgoCD projects over the rendered homelab', () => {
  const files = render();
  const byPath = new Map(files.map((file) => [file.path, file]));
  const projects = new Map(files.filter((file) => file.path.startsWith(`${APP_OF_APPS_DIR}/`)).flatMap(docsOf).filter((doc) => doc.kind === 'AppProject').map((doc) => [doc.metadata.name, doc]));
  const applications = files.filter((file) => /^kubernetes\/[^/]+\/[^/]+\.yaml$/.test(file.path)).flatMap((file) => docsOf(file).map((doc) => ({ file, doc }))).filter(({ doc }) => doc.kind === 'Application');
  const composition = composeHomelab(seed, defaultModules);
  if (!composition.ok) throw new Error(JSON.stringify(composition));
  const components = new Map(composition.components.map((component) => [component.name, component]));

  /** Objects of an Application's directory sources (the manifests it applies besides Helm). */
  const manifestsOf = (app: Doc): Doc[] =>
    (app.spec.sources ?? [app.spec.source])
      .filter((source: any) => source.path && source.repoURL === seed.gitops.repoURL)
      .flatMap((source: any) => files.filter((file) => file.path.startsWith(`${source.path}/`) && !file.path.slice(source.path.length + 1).includes('/')).flatMap(docsOf));

  const permitsDestination = (project: Doc, namespace: string) => project.spec.destinations.some((d: any) => d.server === 'https://kubernetes.default.svc' && d.namespace === namespace);
  const permitsClusterKind = (project: Doc, group: string, kind: string, name?: string) =>
    (project.spec.clusterResourceWhitelist ?? []).some((entry: any) => entry.group === group && entry.kind === kind && (entry.name === undefined || (name !== undefined && globMatches(entry.name, name))));

  it('has an AppProject for every group with components, and the app-of-apps project, all reachable from root', () => {
    const groups = new Set(applications.filter(({ file }) => !file.path.startsWith('kubernetes/bootstrap/')).map(({ doc }) => doc.spec.project));
    expect([...projects.keys()].sort()).toEqual([APP_OF_APPS_PROJECT, ...COMPONENT_GROUPS.filter((group) => groups.has(projectOf(group)))].sort());
    for (const name of projects.keys()) expect(byPath.has(`${APP_OF_APPS_DIR}/AppProject-${name}.yaml`)).toBe(true);
  });

  it('syncs the projects before any group app-of-apps (so every project exists before an Application names it)', () => {
    const wave = (doc: Doc) => Number((doc.metadata as any).annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
    const groupApps = files.filter((file) => file.path.startsWith(`${APP_OF_APPS_DIR}/`) && !file.path.includes('AppProject-') && !file.path.endsWith('root.yaml')).flatMap(docsOf);
    expect(groupApps.length).toBeGreaterThan(0);
    const latestProject = Math.max(...[...projects.values()].map(wave));
    for (const app of groupApps) expect(wave(app), app.metadata.name).toBeGreaterThan(latestProject);
  });

  it('puts root and the group app-of-apps in the app-of-apps project, which permits only what they do', () => {
    const project = projects.get(APP_OF_APPS_PROJECT)!;
    const bootstrap = files.filter((file) => file.path.startsWith(`${APP_OF_APPS_DIR}/`)).flatMap(docsOf);
    for (const app of bootstrap.filter((doc) => doc.kind === 'Application')) {
      expect(app.spec.project, app.metadata.name).toBe(APP_OF_APPS_PROJECT);
      expect(permitsDestination(project, app.spec.destination.namespace)).toBe(true);
      expect(project.spec.sourceRepos).toContain(app.spec.source.repoURL);
    }
    // What they apply: Applications and AppProjects, nothing cluster-wide.
    const kinds = new Set(bootstrap.map((doc) => `${groupOf(doc.apiVersion)}/${doc.kind}`));
    expect(new Set(project.spec.namespaceResourceWhitelist.map((entry: any) => `${entry.group}/${entry.kind}`))).toEqual(kinds);
    expect(project.spec.clusterResourceWhitelist).toEqual([]);
  });

  it('lets every component Application sync: its destination, its sources and every object it applies are permitted by its project', () => {
    const componentApps = applications.filter(({ file }) => !file.path.startsWith('kubernetes/bootstrap/'));
    expect(componentApps.length).toBe(composition.components.length);
    for (const { doc: app } of componentApps) {
      const component = components.get(app.metadata.name)!;
      expect(app.spec.project, app.metadata.name).toBe(projectOf(component.group));
      const project = projects.get(app.spec.project)!;
      expect(permitsDestination(project, app.spec.destination.namespace), `${app.metadata.name} → ${app.spec.destination.namespace}`).toBe(true);
      for (const source of app.spec.sources ?? [app.spec.source]) expect(project.spec.sourceRepos, `${app.metadata.name} reads ${source.repoURL}`).toContain(source.repoURL);
      for (const object of manifestsOf(app)) {
        const group = groupOf(object.apiVersion);
        const what = `${app.metadata.name}: ${object.kind}/${object.metadata.name}`;
        if (CLUSTER_SCOPED_KINDS[object.kind] === group) expect(permitsClusterKind(project, group, object.kind, object.metadata.name), what).toBe(true);
        else expect(permitsDestination(project, object.metadata.namespace ?? app.spec.destination.namespace), what).toBe(true);
      }
      for (const [index, entry] of (component.clusterResources ?? []).entries()) {
        const { group, kind } = parseClusterResource(entry, `${component.name}.clusterResources[${index}]`);
        expect(permitsClusterKind(project, group, kind), `${component.name} declares ${entry}`).toBe(true);
      }
      for (const namespace of component.extraNamespaces ?? []) expect(permitsDestination(project, namespace), `${component.name} declares ${namespace}`).toBe(true);
    }
  });

  it('permits each group exactly the namespaces its Applications deploy to, and nothing cluster-wide it does not create', () => {
    for (const group of COMPONENT_GROUPS) {
      const project = projects.get(projectOf(group));
      if (!project) continue;
      const apps = applications.filter(({ doc, file }) => !file.path.startsWith('kubernetes/bootstrap/') && doc.spec.project === projectOf(group)).map(({ doc }) => doc);
      const expected = new Set<string>();
      for (const app of apps) {
        expected.add(app.spec.destination.namespace);
        for (const namespace of components.get(app.metadata.name)!.extraNamespaces ?? []) expected.add(namespace);
        for (const object of manifestsOf(app)) if (CLUSTER_SCOPED_KINDS[object.kind] !== groupOf(object.apiVersion)) expected.add(object.metadata.namespace ?? app.spec.destination.namespace);
      }
      expect(project.spec.destinations.map((d: any) => d.namespace).sort(), group).toEqual([...expected].sort());
      const wholeKinds = new Set(apps.flatMap((app) => (components.get(app.metadata.name)!.clusterResources ?? []).map((entry) => {
        const { group: g, kind } = parseClusterResource(entry, app.metadata.name);
        return `${g}/${kind}`;
      })));
      for (const entry of project.spec.clusterResourceWhitelist) {
        if (entry.name === undefined) expect(wholeKinds.has(`${entry.group}/${entry.kind}`), `${group}: ${entry.group}/${entry.kind}`).toBe(true);
      }
    }
  });

  it('keeps the apps group out of the platform namespaces', () => {
    const apps = projects.get(projectOf('apps'))!;
    for (const namespace of ['argocd', 'kube-system', 'cert-manager']) expect(permitsDestination(apps, namespace), namespace).toBe(false);
    expect(apps.spec.clusterResourceWhitelist.every((entry: any) => entry.kind === 'Namespace' && entry.name !== undefined)).toBe(true);
  });
});

describe('network policies and TLS as derivations of the rendered homelab', () => {
  const files = render(enforced);
  const policies = files.flatMap((file) => docsOf(file).map((doc) => ({ path: file.path, doc }))).filter(({ doc }) => doc.kind === 'CiliumNetworkPolicy');

  it('renders, validated, a policy per component with pods outside the exempt namespaces and a default deny per namespace', () => {
    const composition = composeHomelab(seed, defaultModules, enforced);
    if (!composition.ok) throw new Error(JSON.stringify(composition));
    const owned = networkPolicies(composition.components, seed);
    const expected = Object.values(owned).flat().map((policy) => `${policy.metadata.namespace}/${policy.metadata.name}`).sort();
    expect(policies.map(({ doc }) => `${doc.metadata.namespace}/${doc.metadata.name}`).sort()).toEqual(expected);
    expect(policies.some(({ doc }) => doc.metadata.name === NETWORK_POLICY_DEFAULTS.defaultDenyName)).toBe(true);
    // Each lives in its owner's manifests, so it syncs with (and is pruned with) that component.
    for (const [owner, objects] of Object.entries(owned)) {
      for (const policy of objects) expect(policies.some(({ path, doc }) => path.includes(`/${owner}/manifests/`) && doc.metadata.name === policy.metadata.name), `${owner}: ${policy.metadata.name}`).toBe(true);
    }
  });

  it('fails the render, naming the exposure, when an internal host escapes the certificate', () => {
    const escaping = defaultModules.map((module) =>
      module.name === 'sonarr'
        ? { ...module, build: (config: typeof seed) => [module.build(config)].flat().map((component) => ({ ...component, exposes: component.exposes?.map((exposure) => ({ ...exposure, host: `sonarr.other.example.org` })) })) }
        : module,
    );
    const result = renderHomelab(seed, escaping, { artifacts: defaultArtifacts, ...enforced });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    // The route builder rejects it first; the TLS check stands behind any builder that would not.
    expect(result.outputProblems.map((problem) => problem.problem).join('\n')).toMatch(/sonarr\.exposes\[0\]\.host: 'sonarr\.other\.example\.org'/);
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { StorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import type { Component } from './component.js';
import { podSelector } from './component.js';
import { APP_OF_APPS_PROJECT, CLUSTER_SCOPED_KINDS, IN_CLUSTER, appProjects, parseClusterResource, projectScopes } from './projects.js';
import { componentApplication, renderComponents } from './tree.js';
import { validateObjects } from './validate.js';

const target = { repoURL: 'https://git.example.org/lab.git', argocdNamespace: 'argocd' };

const operator: Component = {
  name: 'operator',
  group: 'core',
  namespace: 'operators',
  source: '@homelab/operator',
  chart: { repo: 'https://charts.example.org', name: 'operator', version: '1.0.0' },
  values: {},
  clusterResources: ['CustomResourceDefinition', 'ClusterRole', 'example.com/Widget'],
  extraNamespaces: ['kube-system'],
  objects: {
    storage: new StorageClass({ metadata: { name: 'fast' }, provisioner: 'example.com/fast' }),
    settings: new ConfigMap({ metadata: { name: 'settings', namespace: 'elsewhere' } }),
  },
};

const crds: Component = {
  name: 'crds',
  group: 'core',
  namespace: 'kube-system',
  source: '@homelab/crds',
  gitSources: [{ repoURL: 'https://github.com/example/crds', path: 'crds', targetRevision: 'v1.0.0' }],
  clusterResources: ['CustomResourceDefinition'],
};

const app: Component = {
  name: 'web',
  group: 'apps',
  namespace: 'web',
  source: '@homelab/web',
  chart: { repo: 'oci://ghcr.io/example/charts', name: 'web', version: '2.0.0' },
  values: {},
};

describe('projectScopes', () => {
  const scopes = projectScopes([operator, crds, app], target);

  it('permits exactly the namespaces a group deploys to: its own, declared extra ones, its objects\'', () => {
    expect(scopes.get('core')!.namespaces).toEqual(['elsewhere', 'kube-system', 'operators']);
    expect(scopes.get('apps')!.namespaces).toEqual(['web']);
    expect(scopes.has('observability')).toBe(false);
  });

  it('permits this repository (values, manifests), chart repositories and git sources, nothing else', () => {
    expect(scopes.get('core')!.sourceRepos).toEqual(['https://charts.example.org', 'https://git.example.org/lab.git', 'https://github.com/example/crds']);
    expect(scopes.get('apps')!.sourceRepos).toEqual(['https://git.example.org/lab.git', 'oci://ghcr.io/example/charts']);
  });

  it('permits declared cluster kinds whole, cluster-scoped objects and new namespaces by name', () => {
    expect(scopes.get('core')!.clusterResources).toEqual([
      { group: '', kind: 'Namespace', name: 'operators' },
      { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
      { group: 'example.com', kind: 'Widget' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
      { group: 'storage.k8s.io', kind: 'StorageClass', name: 'fast' },
    ]);
    // A namespace that exists before ArgoCD is never created by CreateNamespace: no entry for kube-system.
    expect(scopes.get('apps')!.clusterResources).toEqual([{ group: '', kind: 'Namespace', name: 'web' }]);
  });

  it('drops by-name entries of a kind a component permits whole', () => {
    const namespaces: Component = { name: 'ns', group: 'core', namespace: 'default', source: '@x/ns', objects: { a: new Namespace({ metadata: { name: 'a' } }) }, clusterResources: ['Namespace'] };
    expect(projectScopes([namespaces], target).get('core')!.clusterResources).toEqual([{ group: '', kind: 'Namespace' }]);
  });

  it('follows the repository in the target', () => {
    const other = projectScopes([app], { repoURL: 'https://git.example.org/fork.git' });
    expect(other.get('apps')!.sourceRepos).toContain('https://git.example.org/fork.git');
    expect(other.get('apps')!.sourceRepos).not.toContain(target.repoURL);
  });
});

describe('parseClusterResource', () => {
  it('knows the group of a listed kind and takes <group>/<Kind> as written', () => {
    expect(parseClusterResource('ClusterIssuer', 'x')).toEqual({ group: CLUSTER_SCOPED_KINDS['ClusterIssuer'], kind: 'ClusterIssuer' });
    expect(parseClusterResource('example.com/Widget', 'x')).toEqual({ group: 'example.com', kind: 'Widget' });
  });

  it('rejects an unknown kind, naming the path and the way out', () => {
    expect(() => parseClusterResource('Widget', 'operator.clusterResources[2]')).toThrow(
      /^core: not a cluster-scoped kind core knows \(operator\.clusterResources\[2\]: 'Widget'\)\. Use one of Namespace, .*, or write it as '<group>\/<Kind>' \(e\.g\. 'example\.com\/Widget'\)\.$/,
    );
  });
});

describe('appProjects', () => {
  const projects = appProjects([operator, crds, app], target, -20);
  const byName = new Map(projects.map((project) => [project.metadata.name, project]));

  it('validates against the AppProject schema', () => {
    expect(validateObjects(projects)).toEqual([]);
  });

  it('lets the app-of-apps project write only Applications and AppProjects to ArgoCD\'s namespace from this repository', () => {
    const spec = byName.get(APP_OF_APPS_PROJECT)!.spec!;
    expect(spec.destinations).toEqual([{ server: IN_CLUSTER, namespace: 'argocd' }]);
    expect(spec.sourceRepos).toEqual([target.repoURL]);
    expect(spec.clusterResourceWhitelist).toEqual([]);
    expect(spec.namespaceResourceWhitelist).toEqual([
      { group: 'argoproj.io', kind: 'Application' },
      { group: 'argoproj.io', kind: 'AppProject' },
    ]);
  });

  it('gives every group with components a project with its scope, in the sync wave asked for', () => {
    expect([...byName.keys()]).toEqual([APP_OF_APPS_PROJECT, 'core', 'apps']);
    expect(byName.get('apps')!.spec!.destinations).toEqual([{ server: IN_CLUSTER, namespace: 'web' }]);
    expect(byName.get('apps')!.spec!.clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace', name: 'web' }]);
    for (const project of projects) expect(project.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-20' });
  });

  it('permits every Application of the set: its project exists and allows its destination and sources', () => {
    for (const component of [operator, crds, app]) {
      const application = componentApplication(component, { repoURL: target.repoURL, revision: 'main' });
      const spec = byName.get(application.spec.project)!.spec!;
      expect(spec.destinations).toContainEqual({ server: application.spec.destination.server, namespace: application.spec.destination.namespace });
      for (const source of application.spec.sources ?? []) expect(spec.sourceRepos).toContain(source.repoURL);
    }
  });
});

describe('renderComponents', () => {
  it('renders the projects and the group app-of-apps as objects too, so they are validated with the rest', () => {
    const objects = renderComponents([operator, app], { repoURL: target.repoURL, revision: 'main' }).flatMap((file) => file.objects ?? []);
    const kinds = objects.map((object) => `${object.kind}/${object.metadata?.name}`);
    expect(kinds).toEqual(expect.arrayContaining(['AppProject/app-of-apps', 'AppProject/core', 'AppProject/apps', 'Application/core', 'Application/apps', 'Application/root']));
  });
});

describe('podSelector', () => {
  it('defaults to the Helm release instance label, follows releaseName, and is absent without a chart or with pods: false', () => {
    expect(podSelector(app)).toEqual({ matchLabels: { 'app.kubernetes.io/instance': 'web' } });
    expect(podSelector({ ...app, chart: { ...app.chart!, releaseName: 'site' } })).toEqual({ matchLabels: { 'app.kubernetes.io/instance': 'site' } });
    expect(podSelector(crds)).toBeUndefined();
    expect(podSelector({ ...app, network: { pods: false } })).toBeUndefined();
    expect(podSelector({ ...app, network: { pods: { matchLabels: { app: 'x' } } } })).toEqual({ matchLabels: { app: 'x' } });
  });
});

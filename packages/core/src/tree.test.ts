import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { Component } from './component.js';
import { APP_OF_APPS_PROJECT } from './projects.js';
import { APP_OF_APPS_DIR, appProjectPath, componentApplication, renderComponents } from './tree.js';

const target = { repoURL: 'https://git.example.org/lab.git', revision: 'main' };

const chartComponent: Component = {
  name: 'demo',
  group: 'core',
  namespace: 'demo',
  syncWave: -3,
  source: '@homelab/demo',
  chart: { repo: 'https://charts.example.org', name: 'demo-chart', version: '1.2.3' },
  values: { replicas: 1 },
  objects: { settings: new ConfigMap({ metadata: { name: 'settings', namespace: 'demo' } }) },
};

describe('componentApplication', () => {
  it('deploys the pinned chart with values from git, plus the manifests directory', () => {
    const app = componentApplication(chartComponent, target);
    app.validate();
    expect(app.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-3' });
    expect(app.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    expect(app.spec.sources).toEqual([
      { repoURL: 'https://charts.example.org', chart: 'demo-chart', targetRevision: '1.2.3', helm: { releaseName: 'demo', valueFiles: ['$values/kubernetes/core/demo/values.yaml'] } },
      { repoURL: target.repoURL, targetRevision: 'main', ref: 'values' },
      { repoURL: target.repoURL, targetRevision: 'main', path: 'kubernetes/core/demo/manifests' },
    ]);
  });

  it('leaves out the finalizer and sets parent sync options when asked', () => {
    const app = componentApplication({ ...chartComponent, application: { cascadeDelete: false, parentSyncOptions: ['Prune=false', 'Delete=false'] } }, target);
    expect(app.metadata.finalizers).toBeUndefined();
    expect(app.metadata.annotations?.['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
  });

  it('adds pinned git sources', () => {
    const app = componentApplication({ name: 'crds', group: 'core', namespace: 'kube-system', source: '@homelab/x', gitSources: [{ repoURL: 'https://github.com/x/y', path: 'crds', targetRevision: 'v1.0.0' }] }, target);
    expect(app.spec.sources).toEqual([{ repoURL: 'https://github.com/x/y', targetRevision: 'v1.0.0', path: 'crds' }]);
  });

  it('refuses a component with nothing to deploy, naming it and its package', () => {
    expect(() => componentApplication({ name: 'empty', group: 'apps', namespace: 'x', source: '@homelab/empty' }, target)).toThrow(
      'empty: component has no chart, objects or git sources (source: @homelab/empty). Give it something to deploy, or disable it.',
    );
  });
});

describe('renderComponents', () => {
  const files = renderComponents([chartComponent], target);
  const paths = files.map((file) => file.path);

  it('lays out root, the projects, group app-of-apps, the Application, its values and manifests', () => {
    expect(paths).toEqual([
      `${APP_OF_APPS_DIR}/AppProject-app-of-apps.yaml`,
      `${APP_OF_APPS_DIR}/AppProject-core.yaml`,
      `${APP_OF_APPS_DIR}/core.yaml`,
      `${APP_OF_APPS_DIR}/root.yaml`,
      'kubernetes/core/demo.yaml',
      'kubernetes/core/demo/manifests/ConfigMap-settings.yaml',
      'kubernetes/core/demo/values.yaml',
    ]);
  });

  it('gives the group app-of-apps the wave of its earliest member and points it at the group directory', () => {
    const group = load(files.find((file) => file.path === `${APP_OF_APPS_DIR}/core.yaml`)!.content) as { metadata: { annotations: Record<string, string> }; spec: { source: { path: string } } };
    expect(group.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-3');
    expect(group.spec.source.path).toBe('kubernetes/core');
  });

  it('puts component Applications in their group\'s project and the app-of-apps in theirs, whose projects sync first', () => {
    const docs = new Map(files.map((file) => [file.path, load(file.content) as { kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec: { project?: string } }]));
    expect(docs.get('kubernetes/core/demo.yaml')!.spec.project).toBe('core');
    expect(docs.get(`${APP_OF_APPS_DIR}/root.yaml`)!.spec.project).toBe(APP_OF_APPS_PROJECT);
    expect(docs.get(`${APP_OF_APPS_DIR}/core.yaml`)!.spec.project).toBe(APP_OF_APPS_PROJECT);
    const groupWave = Number(docs.get(`${APP_OF_APPS_DIR}/core.yaml`)!.metadata.annotations!['argocd.argoproj.io/sync-wave']);
    for (const project of ['app-of-apps', 'core']) {
      const doc = docs.get(appProjectPath(project))!;
      expect(doc.kind).toBe('AppProject');
      expect(Number(doc.metadata.annotations!['argocd.argoproj.io/sync-wave'])).toBeLessThan(groupWave);
    }
  });

  it('rejects two components with the same name', () => {
    expect(() => renderComponents([chartComponent, { ...chartComponent, source: '@homelab/other' }], target)).toThrow(
      'demo: component name used twice (by @homelab/demo and @homelab/other). Component names must be unique across groups.',
    );
  });

  it('rejects two objects that would share a file', () => {
    const clash = { ...chartComponent, objects: { a: new ConfigMap({ metadata: { name: 'x', namespace: 'demo' } }), b: new ConfigMap({ metadata: { name: 'x', namespace: 'demo' } }) } };
    expect(() => renderComponents([clash], target)).toThrow('demo: two objects render to kubernetes/core/demo/manifests/ConfigMap-x.yaml (objects.b). Give them distinct names.');
  });
});

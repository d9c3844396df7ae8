import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { componentPaths, hasGeneratedHeader, renderComponents, type Component } from '@homelab/core';
import { seedConfig } from '@homelab/testing';
import { buildArgoCd } from './argocd.js';

const config = seedConfig();
const target = { repoURL: config.gitops.repoURL, revision: config.gitops.revision };

const file = (component: Component, name: string) => {
  const found = component.files?.find((f) => f.path === `kubernetes/bootstrap/argocd/${name}`);
  if (!found) throw new Error(`no kubernetes/bootstrap/argocd/${name} among ${component.files?.map((f) => f.path).join(', ')}`);
  return found;
};

describe('bootstrap kit', () => {
  const component = buildArgoCd(config);
  const tree = renderComponents([component], target);

  it('writes exactly the namespace (the README is @homelab/bootstrap\'s runbook); the values file is the component one', () => {
    expect(component.files?.map((f) => f.path).sort()).toEqual(['kubernetes/bootstrap/argocd/namespace.yaml']);
    expect(tree.filter((f) => f.path.endsWith('values.yaml')).map((f) => f.path)).toEqual([componentPaths(component).values]);
  });

  it('namespace.yaml is a valid Namespace for the component namespace, with its Pod Security level', () => {
    const namespaceFile = file(component, 'namespace.yaml');
    expect(hasGeneratedHeader(namespaceFile.content)).toBe(true);
    const data = load(namespaceFile.content) as Record<string, any>;
    const namespace = new Namespace(data);
    expect(() => namespace.validate()).not.toThrow();
    expect(namespace.metadata?.name).toBe(component.namespace);
    expect(namespace.metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe(component.podSecurity);
    const moved = buildArgoCd(config, { namespace: 'gitops', podSecurity: 'restricted' });
    const movedData = load(file(moved, 'namespace.yaml').content) as Record<string, any>;
    expect(movedData.metadata.name).toBe('gitops');
    expect(movedData.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

});

import { describe, expect, it } from 'vitest';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { Component } from './component.js';
import { namespaceLevels, namespacesComponent } from './namespaces.js';

const component = (name: string, namespace: string, extra: Partial<Component> = {}): Component => ({
  name,
  group: 'apps',
  namespace,
  source: '@homelab/test',
  ...extra,
});

describe('namespaceLevels', () => {
  it('takes the most permissive level any component in the namespace needs', () => {
    const levels = namespaceLevels([
      component('a', 'media', { podSecurity: 'restricted' }),
      component('b', 'media', { podSecurity: 'privileged' }),
      component('c', 'media'),
      component('d', 'auth', { podSecurity: 'restricted' }),
    ]);
    expect(levels.get('media')).toBe('privileged');
    expect(levels.get('auth')).toBe('restricted');
  });

  it('defaults to baseline', () => {
    expect(namespaceLevels([component('a', 'x')]).get('x')).toBe('baseline');
  });

  it('includes namespaces that only receive objects, at baseline', () => {
    const claim = new ConfigMap({ metadata: { name: 'c', namespace: 'media' } });
    const levels = namespaceLevels([component('storage', 'kube-system', { podSecurity: 'privileged', objects: { claim } })]);
    expect(levels.get('media')).toBe('baseline');
  });
});

describe('namespacesComponent', () => {
  it('labels each namespace with its level and skips namespaces that exist before ArgoCD', () => {
    const result = namespacesComponent([
      component('cilium', 'kube-system', { podSecurity: 'privileged', syncWave: -10 }),
      component('plex', 'media', { podSecurity: 'privileged' }),
      component('argocd', 'argocd'),
    ])!;
    expect(Object.keys(result.objects!)).toEqual(['media']);
    expect(result.objects!['media']!.metadata?.labels).toEqual({
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/audit': 'privileged',
      'pod-security.kubernetes.io/warn': 'privileged',
    });
    expect(result.syncWave).toBe(-11);
    for (const object of Object.values(result.objects!)) object.validate();
  });

  it('returns nothing when every namespace already exists', () => {
    expect(namespacesComponent([component('cilium', 'kube-system')])).toBeUndefined();
  });
});

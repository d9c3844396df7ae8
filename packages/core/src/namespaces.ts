import { Namespace } from 'kubernetes-models/v1/Namespace';
import type { Component, PodSecurityLevel } from './component.js';

/**
 * Namespaces that exist before ArgoCD and keep their own policy (Talos exempts kube-system; the
 * bootstrap creates ArgoCD's).
 */
export const PREEXISTING_NAMESPACES: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease', 'argocd']);

const PERMISSIVENESS: PodSecurityLevel[] = ['restricted', 'baseline', 'privileged'];

/**
 * The Pod Security level each namespace needs: the most permissive any component deploying into it
 * asks for. Namespaces that only receive a component's objects (a PVC, a route) get 'baseline'
 * unless a component deploys there itself.
 */
export function namespaceLevels(components: Component[]): Map<string, PodSecurityLevel> {
  const levels = new Map<string, PodSecurityLevel>();
  const raise = (namespace: string, wanted: PodSecurityLevel) => {
    const current = levels.get(namespace);
    if (!current || PERMISSIVENESS.indexOf(wanted) > PERMISSIVENESS.indexOf(current)) levels.set(namespace, wanted);
  };
  for (const component of components) raise(component.namespace, component.podSecurity ?? 'baseline');
  for (const component of components) {
    for (const object of Object.values(component.objects ?? {})) {
      const namespace = object.metadata?.namespace;
      if (namespace && !levels.has(namespace)) levels.set(namespace, 'baseline');
    }
  }
  return levels;
}

/**
 * A component holding every namespace the others deploy into, labelled with the Pod Security
 * level their pods need, one wave before the earliest of them (so labels exist before pods do).
 */
export function namespacesComponent(components: Component[]): Component | undefined {
  const objects: Record<string, Namespace> = {};
  const levels = [...namespaceLevels(components)].filter(([name]) => !PREEXISTING_NAMESPACES.has(name)).sort(([a], [b]) => (a < b ? -1 : 1));
  if (levels.length === 0) return undefined;
  for (const [name, level] of levels) {
    objects[name] = new Namespace({
      metadata: {
        name,
        labels: {
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/audit': level,
          'pod-security.kubernetes.io/warn': level,
        },
      },
    });
  }
  const earliest = Math.min(...components.map((component) => component.syncWave ?? 0));
  return {
    name: 'namespaces',
    group: 'core',
    namespace: 'default',
    syncWave: earliest - 1,
    source: '@homelab/core',
    description: 'Namespaces of every component, with their Pod Security levels',
    objects,
  };
}

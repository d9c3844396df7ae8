/**
 * The bootstrap kit under kubernetes/bootstrap/argocd/: the Namespace applied by hand, once, before
 * ArgoCD manages itself. The runbook around it (and the README beside it) is @homelab/bootstrap's.
 */
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { APP_OF_APPS_DIR, APP_OF_APPS_PROJECT, appProjectPath, renderObjectFile, type GeneratedFile, type PodSecurityLevel } from '@homelab/core';

/** Directory of the bootstrap kit. */
export const BOOTSTRAP_DIR = 'kubernetes/bootstrap/argocd';

/** Secret ArgoCD creates on first start with the admin password (ArgoCD's name, not the chart's). */
export const ARGOCD_INITIAL_ADMIN_SECRET = 'argocd-initial-admin-secret';

export const bootstrapPaths = {
  namespace: `${BOOTSTRAP_DIR}/namespace.yaml`,
  readme: `${BOOTSTRAP_DIR}/README.md`,
  /** The Application a person applies once; it manages everything else. */
  root: `${APP_OF_APPS_DIR}/root.yaml`,
  /** The AppProject root belongs to: applied with it, since root cannot sync before its project exists. */
  rootProject: appProjectPath(APP_OF_APPS_PROJECT),
} as const;

/**
 * ArgoCD's namespace, applied by hand before anything else (the Secret must exist before the
 * repo-server starts). It enforces the component's level and audits/warns at 'restricted', so
 * `kubectl apply` shows what a stricter level would reject.
 */
export function bootstrapNamespace(name: string, level: PodSecurityLevel): Namespace {
  return new Namespace({
    metadata: {
      name,
      labels: {
        'pod-security.kubernetes.io/enforce': level,
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
    },
  });
}

/** The bootstrap kit's files: the namespace (the values file is the component's own, rendered by the tree). */
export function bootstrapFiles(source: string, namespace: string, podSecurity: PodSecurityLevel): GeneratedFile[] {
  return [renderObjectFile(bootstrapPaths.namespace, source, bootstrapNamespace(namespace, podSecurity))];
}

/** Test helpers: fixture trees built in temporary directories, and ../shared beside the repository. */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';

/** The workspace root (holds nx.json). */
export const WORKSPACE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** `../shared/chart-schemas` next to the workspace, or undefined (tests skip) when absent. */
export function chartSchemasDir(): string | undefined {
  const dir = resolve(WORKSPACE, '..', 'shared', 'chart-schemas');
  if (!existsSync(dir)) {
    console.warn(`${dir} not found: chart schema tests are SKIPPED`);
    return undefined;
  }
  return dir;
}

export type FixtureContent = string | object | object[];

const created: string[] = [];

/**
 * Writes a tree into a fresh temporary directory: string contents verbatim, an object as one YAML
 * document, an array of objects as a multi-document YAML file.
 */
export function writeTree(files: Record<string, FixtureContent>): string {
  const root = mkdtempSync(join(tmpdir(), 'homelab-check-'));
  created.push(root);
  for (const [path, content] of Object.entries(files)) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    const text = typeof content === 'string' ? content : Array.isArray(content) ? content.map((doc) => dump(doc)).join('---\n') : dump(content);
    writeFileSync(target, text);
  }
  return root;
}

/** Removes every tree writeTree made (call in afterAll). */
export function removeTrees(): void {
  for (const root of created.splice(0)) rmSync(root, { recursive: true, force: true });
}

/** The repository URL fixture Applications point at (the fixture directory itself). */
export const REPO = 'https://git.example.com/homelab.git';

export interface AppOptions {
  namespace?: string;
  wave?: number;
  /** Git directory source in REPO (shorthand for one `source`). */
  path?: string;
  directory?: Record<string, unknown>;
  sources?: Record<string, unknown>[];
  createNamespace?: boolean;
  managedNamespaceLabels?: Record<string, string>;
  project?: string;
}

/** An ArgoCD Application, shaped like the ones `homelab generate` writes. */
export function application(name: string, options: AppOptions = {}): object {
  const sources = options.sources ?? [{ repoURL: REPO, targetRevision: 'main', path: options.path ?? `manifests/${name}`, ...(options.directory ? { directory: options.directory } : {}) }];
  const syncOptions = options.createNamespace === false ? [] : ['CreateNamespace=true'];
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd', ...(options.wave !== undefined ? { annotations: { 'argocd.argoproj.io/sync-wave': String(options.wave) } } : {}) },
    spec: {
      project: options.project ?? 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: options.namespace ?? name },
      ...(sources.length === 1 ? { source: sources[0] } : { sources }),
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions,
        ...(options.managedNamespaceLabels ? { managedNamespaceMetadata: { labels: options.managedNamespaceLabels } } : {}),
      },
    },
  };
}

/** The root app-of-apps: every Application file in `apps/`. */
export const rootApp = () => application('root', { namespace: 'argocd', path: 'apps', createNamespace: false });

/** The Application health check, in an argocd-cm applied at bootstrap. */
export const argocdCm = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'argocd-cm', namespace: 'argocd' },
  data: { 'resource.customizations.health.argoproj.io_Application': 'hs = {}\nhs.status = "Healthy"\nreturn hs\n' },
};

export function deployment(name: string, namespace: string, pod: Record<string, unknown> = {}): object {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name, image: `example/${name}:1.0` }], ...pod } } },
  };
}

export function secret(name: string, namespace: string, annotations?: Record<string, string>): object {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, stringData: { key: 'value' } };
}

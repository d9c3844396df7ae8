/**
 * Resolves Applications the way ArgoCD's repo-server does, without rendering anything remote:
 * which files each Application reads, which objects it applies (and into which namespace), which
 * charts it installs with which values. Then walks from the roots (Applications no other
 * Application includes) to find what ArgoCD will really apply, and in which order.
 *
 * Source types follow ArgoCD's discovery (util/app/discovery): an explicit `helm`, `kustomize`,
 * `directory` or `plugin` block wins; otherwise a config-management plugin whose `discover` rule
 * matches; otherwise a `*Chart.yaml` makes it Helm and a kustomization makes it Kustomize;
 * otherwise it is a plain directory (reposerver findManifests: `*.yaml|yml|json|jsonnet`, top
 * level unless `recurse`, include/exclude globs on the path relative to the source path, files
 * holding `+argocd:skip-file-rendering` skipped).
 */
import { describeObject } from '@homelab/core';
import {
  ARGOCD_HOOK,
  CHART_CRD_GROUPS,
  CLUSTER_SCOPED,
  CONFIG_FILE,
  HELM_HOOK,
  SKIP_FILE_RENDERING,
  SYNC_WAVE,
} from './defaults.js';
import type { CheckSettings } from './config.js';
import type { Finding } from './finding.js';
import { globMatch } from './glob.js';
import { parseWave, type Position } from './position.js';
import { chartCreates } from './switches.js';
import { isMap, normalizePath, parseYaml, type KubeDoc, type Tree } from './tree.js';

export interface Applied {
  doc: KubeDoc;
  /** Namespace the object lands in; undefined for cluster-scoped objects. */
  namespace: string | undefined;
  /** Produced by a config-management plugin: read best-effort, not validated when encrypted. */
  viaPlugin: boolean;
  /** Synthesised (a kustomize generator's ConfigMap/Secret): nothing to validate. */
  generated: boolean;
  /** kustomize namePrefix/nameSuffix in effect. */
  rename?: { prefix: string; suffix: string };
}

export interface ValuesInput {
  /** File the values come from (the Application's file for inline values). */
  file: string;
  data: unknown;
}

/** A value file as ArgoCD resolves it: a file of this tree, a file inside the chart, or one it cannot read here. */
export type ValueFile = { from: 'tree'; path: string } | { from: 'chart'; path: string } | { from: 'remote'; spec: string };

/** A `--set` (or `--set-string`) parameter of `spec.source.helm.parameters`. */
export interface HelmParameter {
  name: string;
  value: string;
  forceString: boolean;
}

/** How ArgoCD runs `helm template` for a chart source: its `helm` block, resolved. */
export interface HelmSource {
  /** `helm.releaseName`; unset: the Application's name. */
  releaseName?: string;
  /** `helm.namespace`; unset: the destination namespace. */
  namespace?: string;
  /** `helm.valueFiles` in order, missing ones left out when `ignoreMissingValueFiles`. */
  valueFiles: ValueFile[];
  /** `helm.valuesObject`, else `helm.values` (ArgoCD passes one of them, as the last values file). */
  extraValues?: unknown;
  parameters: HelmParameter[];
  skipCrds: boolean;
  skipTests: boolean;
  skipSchemaValidation: boolean;
  /** `helm.kubeVersion`: overrides the cluster's version. */
  kubeVersion?: string;
  /** `helm.apiVersions`: replace the cluster's API versions. */
  apiVersions?: string[];
}

export interface ChartUse {
  name: string;
  version: string;
  repoURL: string;
  /** Directory of a chart read from git; undefined for a chart from a Helm repository. */
  dir?: string;
  /** Values in the order Helm merges them (files, then `values`, then `valuesObject`). */
  values: ValuesInput[];
  /** Helm release name: `helm.releaseName`, else the Application's name (what the chart's `instance` label carries). */
  releaseName: string;
  /** Every values input could be read (else a path they leave unset may be set where the check cannot see). */
  complete: boolean;
  /** Id of the chart within its Application's sync (for ordering). */
  element: string;
  /** CRD groups the chart installs: known by name (unless its values switch them off), or read from a local chart's crds/. */
  crdGroups: string[];
  /** Cluster-scoped kinds (`group/Kind`) the chart is known to create with these values. */
  clusterKinds: string[];
  /** The Application's name: Helm's release name unless `helm.releaseName`. */
  application: string;
  /** How ArgoCD runs Helm on it; undefined for a kustomization's `helmCharts` (kustomize runs Helm). */
  helm?: HelmSource;
  /** Its objects were rendered (`rendered` given to the resolution): they are applied, not guessed. */
  rendered: boolean;
}

export interface RemoteSource {
  repo: string;
  path: string;
  element: string;
}

export interface Expansion {
  files: Set<string>;
  applied: Applied[];
  charts: ChartUse[];
  remoteSources: RemoteSource[];
  findings: Finding[];
}

export interface AppNode {
  doc: KubeDoc;
  /** `Application/namespace/name`. */
  label: string;
  destinationNamespace: string | undefined;
  createNamespace: boolean;
  managedNamespaceLabels: Record<string, string>;
  expansion: Expansion;
  parent?: AppNode;
  /** Place of this Application's own object in the sync order ([] for a root). */
  position: Position;
  reached: boolean;
}

export interface Placed extends Applied {
  app: AppNode;
  position: Position;
}

export interface PlacedChart {
  chart: ChartUse;
  app: AppNode;
  position: Position;
}

export interface Plugin {
  name: string;
  fileName?: string;
  glob?: string;
  file: string;
}

export interface Resolution {
  apps: AppNode[];
  roots: AppNode[];
  /** Objects ArgoCD applies, each at its first place (from a reached Application). */
  placed: Placed[];
  charts: PlacedChart[];
  remoteSources: (RemoteSource & { app: AppNode; position: Position })[];
  /**
   * Objects of files applied by hand (`roots:` in .homelab-check.yaml) other than Applications:
   * they exist before ArgoCD syncs anything (e.g. ArgoCD's own namespace at bootstrap).
   */
  handApplied: Applied[];
  /** Files some reached Application reads (roots' own files and files applied by hand included). */
  reachedFiles: Set<string>;
  /** Namespaces the root Applications live in: ArgoCD's own, created at bootstrap. */
  argocdNamespaces: Set<string>;
  localRepos: Set<string>;
  findings: Finding[];
  isClusterScoped(group: string, kind: string): boolean;
}

/** `github.com/org/repo` from any git URL form (https, ssh, scp-like), for comparing repositories. */
export function normalizeRepoURL(url: string): string {
  let normal = normalRepoURLs.get(url);
  if (normal === undefined) {
    normal = normalizeUncached(url);
    normalRepoURLs.set(url, normal);
  }
  return normal;
}

/** Memo of normalizeRepoURL: every Application of a tree names the same few repositories. */
const normalRepoURLs = new Map<string, string>();

function normalizeUncached(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/^[^@/]+@/, '')
    .replace(/^([^/:]+):(?!\d)/, '$1/')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
}

interface SourceSpec {
  index: number;
  repoURL: string;
  repo: string;
  path?: string;
  chart?: string;
  targetRevision: string;
  ref?: string;
  helm?: Record<string, unknown>;
  kustomize?: Record<string, unknown>;
  directory?: Record<string, unknown>;
  plugin?: Record<string, unknown>;
}

const isApplication = (doc: KubeDoc) => doc.group === 'argoproj.io' && doc.kind === 'Application';
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

function sourcesOf(doc: KubeDoc): SourceSpec[] {
  const spec = isMap(doc.raw['spec']) ? doc.raw['spec'] : {};
  const list = Array.isArray(spec['sources']) && spec['sources'].length > 0 ? spec['sources'] : isMap(spec['source']) ? [spec['source']] : [];
  return list.filter(isMap).map((source, index) => {
    const repoURL = str(source['repoURL']) ?? '';
    const result: SourceSpec = { index, repoURL, repo: normalizeRepoURL(repoURL), targetRevision: str(source['targetRevision']) ?? 'HEAD' };
    const path = str(source['path']);
    if (path !== undefined) result.path = path;
    const chart = str(source['chart']);
    if (chart) result.chart = chart;
    const ref = str(source['ref']);
    if (ref) result.ref = ref;
    for (const key of ['helm', 'kustomize', 'directory', 'plugin'] as const) if (isMap(source[key])) result[key] = source[key];
    return result;
  });
}

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const MANIFEST_FILE = /\.(yaml|yml|json|jsonnet)$/;
const isRemoteResource = (path: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(path) || /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(path) || path.startsWith('git@') || path.includes('?ref=');

/** Directory part of a repository path. */
const dirOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
const join = (dir: string, rel: string) => normalizePath(dir === '' ? rel : `${dir}/${rel}`);

/** Objects `helm template` produced, by the `element` of the chart (`ChartUse.element`). */
export type RenderedCharts = ReadonlyMap<string, readonly KubeDoc[]>;

interface Context {
  tree: Tree;
  rendered: RenderedCharts;
  settings: CheckSettings;
  localRepos: Set<string>;
  plugins: Plugin[];
  clusterScoped: (group: string, kind: string) => boolean;
}

/** The `helm` block of a chart source, as ArgoCD passes it to `helm template`. */
function helmSource(helm: Record<string, unknown>, valueFiles: ValueFile[]): HelmSource {
  const inline = helm['values'];
  const extraValues = isMap(helm['valuesObject']) ? helm['valuesObject'] : (typeof inline === 'string' && inline.trim() !== '') || isMap(inline) ? inline : undefined;
  const parameters = (Array.isArray(helm['parameters']) ? helm['parameters'] : []).filter(isMap).flatMap((parameter): HelmParameter[] => {
    const name = str(parameter['name']);
    return name ? [{ name, value: String(parameter['value'] ?? ''), forceString: parameter['forceString'] === true }] : [];
  });
  return {
    ...(str(helm['releaseName']) ? { releaseName: str(helm['releaseName'])! } : {}),
    ...(str(helm['namespace']) ? { namespace: str(helm['namespace'])! } : {}),
    valueFiles,
    ...(extraValues !== undefined ? { extraValues } : {}),
    parameters,
    skipCrds: helm['skipCrds'] === true,
    skipTests: helm['skipTests'] === true,
    skipSchemaValidation: helm['skipSchemaValidation'] === true,
    ...(str(helm['kubeVersion']) ? { kubeVersion: str(helm['kubeVersion'])! } : {}),
    ...(Array.isArray(helm['apiVersions']) ? { apiVersions: strings(helm['apiVersions']) } : {}),
  };
}

class Expander {
  readonly files = new Set<string>();
  readonly applied: Applied[] = [];
  readonly charts: ChartUse[] = [];
  readonly remoteSources: RemoteSource[] = [];
  readonly findings: Finding[] = [];
  private readonly sources: SourceSpec[];

  constructor(
    private readonly ctx: Context,
    private readonly doc: KubeDoc,
    private readonly label: string,
    private readonly destinationNamespace: string | undefined,
  ) {
    this.sources = sourcesOf(doc);
  }

  private problem(severity: Finding['severity'], problem: string, hint: string, file = this.doc.file) {
    this.findings.push({ check: 'reachability', severity, file, object: this.label, problem, hint });
  }

  private apply(doc: KubeDoc, viaPlugin: boolean, namespaceOverride?: string, rename?: Applied['rename'], generated = false) {
    const namespace = this.ctx.clusterScoped(doc.group, doc.kind) ? undefined : (namespaceOverride ?? doc.namespace ?? this.destinationNamespace ?? 'default');
    this.applied.push({ doc, namespace, viaPlugin, generated, ...(rename ? { rename } : {}) });
  }

  /** Applies what `helm template` rendered for a chart source, if it was rendered. */
  private applyRendered(element: string): boolean {
    const docs = this.ctx.rendered.get(element);
    if (docs === undefined) return false;
    for (const doc of docs) this.apply(doc, false);
    return true;
  }

  expand(): Expansion {
    if (this.sources.length === 0) this.problem('error', 'has no source', 'Give it spec.source or spec.sources');
    for (const source of this.sources) this.expandSource(source);
    return { files: this.files, applied: this.applied, charts: this.charts, remoteSources: this.remoteSources, findings: this.findings };
  }

  private expandSource(source: SourceSpec) {
    const element = `${this.doc.id}@source${source.index}`;
    if (source.chart) {
      const values = this.helmValues(source, undefined);
      this.charts.push({
        name: source.chart,
        version: source.targetRevision,
        repoURL: source.repoURL,
        values: values.inputs,
        releaseName: str(source.helm?.['releaseName']) ?? this.doc.name,
        complete: values.complete,
        element,
        ...chartCreates(source.chart, values.inputs.map((input) => input.data), values.complete),
        application: this.doc.name,
        helm: values.helm,
        rendered: this.applyRendered(element),
      });
      return;
    }
    if (source.path === undefined) {
      if (!source.ref) this.problem('error', `source ${source.index} has neither path nor chart`, 'Set spec.source.path (git) or spec.source.chart (Helm repository)');
      return;
    }
    const local = this.ctx.localRepos.has(source.repo);
    if (!local) {
      this.remoteSources.push({ repo: source.repo, path: normalizePath(source.path) ?? source.path, element });
      return;
    }
    const path = normalizePath(source.path);
    if (path === undefined || !this.ctx.tree.isDir(path)) {
      const what = path !== undefined && this.ctx.tree.isFile(path) ? 'is a file, not a directory' : 'does not exist';
      this.problem('error', `source path '${source.path}' ${what}`, 'Fix spec.source.path: it is relative to the repository root');
      return;
    }
    const explicit = (['helm', 'kustomize', 'directory', 'plugin'] as const).filter((key) => source[key] !== undefined);
    if (explicit.length > 1) {
      this.problem('error', `source '${source.path}' sets ${explicit.join(' and ')}`, 'ArgoCD refuses several source types at once: keep one');
      return;
    }
    const type = explicit[0] ?? this.discover(path);
    if (type === 'helm') this.expandLocalChart(source, path, element);
    else if (type === 'kustomize') this.expandKustomize(path, source, element);
    else if (type === 'plugin') this.expandPlugin(path);
    else this.expandDirectory(source, path);
  }

  private discover(path: string): 'helm' | 'kustomize' | 'plugin' | 'directory' {
    const children = this.ctx.tree.filesUnder(path, false);
    const base = (file: string) => file.slice(file.lastIndexOf('/') + 1);
    for (const plugin of this.ctx.plugins) {
      const relative = (file: string) => (path === '' ? file : file.slice(path.length + 1));
      if (plugin.fileName && children.some((file) => globMatch(plugin.fileName!, base(file)))) return 'plugin';
      if (plugin.glob && this.ctx.tree.filesUnder(path, true).some((file) => globMatch(plugin.glob!, relative(file)))) return 'plugin';
    }
    if (children.some((file) => base(file).endsWith('Chart.yaml'))) return 'helm';
    if (children.some((file) => KUSTOMIZATION_FILES.includes(base(file)))) return 'kustomize';
    return 'directory';
  }

  private expandDirectory(source: SourceSpec, path: string) {
    const directory = source.directory ?? {};
    const recurse = directory['recurse'] === true;
    const include = str(directory['include']) ?? '';
    const exclude = str(directory['exclude']) ?? '';
    let selected = 0;
    for (const file of this.ctx.tree.filesUnder(path, recurse)) {
      const relPath = path === '' ? file : file.slice(path.length + 1);
      if (!MANIFEST_FILE.test(file)) continue;
      if (exclude !== '' && globMatch(exclude, relPath)) continue;
      if (include !== '' && !globMatch(include, relPath)) continue;
      this.files.add(file);
      const text = this.ctx.tree.text(file);
      if (text.includes(SKIP_FILE_RENDERING)) continue;
      selected++;
      if (file.endsWith('.jsonnet')) {
        this.problem('info', `jsonnet file ${file} is not evaluated`, 'Its objects are not checked', file);
        continue;
      }
      this.readManifests(file, false);
    }
    if (selected === 0) {
      const filter = [include && `include '${include}'`, exclude && `exclude '${exclude}'`].filter(Boolean).join(', ');
      this.problem('warning', `source path '${source.path}' yields no manifests${filter ? ` (${filter})` : ''}`, 'ArgoCD applies nothing from it: check the path and the include/exclude patterns');
    }
  }

  /** Objects of a file ArgoCD parses as manifests; reports what it would fail on. */
  private readManifests(file: string, viaPlugin: boolean, namespaceOverride?: string, rename?: Applied['rename']) {
    const tree = this.ctx.tree;
    const objects = tree.objectsOf(file);
    if (tree.mayHoldObjects(file)) {
      const { docs, error } = tree.parse(file);
      const looksLikeManifest = () => {
        const text = tree.text(file);
        return text.includes('apiVersion:') && text.includes('kind:') && text.includes('metadata:');
      };
      if (error !== undefined && (objects.length > 0 || looksLikeManifest())) {
        this.problem('error', `ArgoCD cannot parse ${file}: ${error}`, 'Fix the YAML, or mark the file with # +argocd:skip-file-rendering', file);
      } else if (objects.length > 0 && docs.some((doc) => doc !== null && doc !== undefined && !(isMap(doc) && typeof doc['kind'] === 'string'))) {
        this.problem('error', `${file} mixes Kubernetes objects with documents that are not objects`, 'ArgoCD fails on such a file: remove the stray documents', file);
      }
    }
    for (const doc of objects) {
      if (doc.sops && !viaPlugin) {
        this.problem('error', `SOPS-encrypted ${doc.kind} ${doc.name} in ${file} would be applied still encrypted`, 'No config-management plugin decrypts this source: configure one whose discover rule matches the file (e.g. fileName: "*.sops.yaml"), or move the file to a source that has one', file);
      }
      if (doc.group === 'argoproj.io' && doc.kind === 'ConfigManagementPlugin') continue;
      this.apply(doc, viaPlugin, namespaceOverride, rename);
    }
  }

  private expandPlugin(path: string) {
    for (const file of this.ctx.tree.filesUnder(path, true)) {
      this.files.add(file);
      if (/\.(ya?ml|json)$/.test(file)) for (const doc of this.ctx.tree.objectsOf(file)) this.apply(doc, true);
    }
  }

  /**
   * Values files, inline values: resolved, reached, reported when missing. `complete`: every input
   * Helm merges could be read here (none is remote, inside a chart from a repository, or broken).
   */
  private helmValues(source: SourceSpec, chartDir: string | undefined): { inputs: ValuesInput[]; complete: boolean; helm: HelmSource } {
    const helm = source.helm ?? {};
    const values: ValuesInput[] = [];
    const valueFiles: ValueFile[] = [];
    let complete = true;
    const ignoreMissing = helm['ignoreMissingValueFiles'] === true;
    for (const valueFile of strings(helm['valueFiles'])) {
      if (/^https?:\/\//.test(valueFile)) {
        valueFiles.push({ from: 'remote', spec: valueFile });
        complete = false;
        continue;
      }
      let path: string | undefined;
      let remote = false;
      const ref = /^\$([^/]+)\/(.*)$/.exec(valueFile);
      if (ref) {
        const refSource = this.sources.find((candidate) => candidate.ref === ref[1]);
        if (!refSource) {
          this.problem('error', `value file '${valueFile}' refers to $${ref[1]}, but no source has ref: ${ref[1]}`, `Add a source with ref: ${ref[1]}, or fix the name`);
          complete = false;
          continue;
        }
        remote = !this.ctx.localRepos.has(refSource.repo);
        path = normalizePath(ref[2]!);
      } else if (chartDir !== undefined) {
        path = join(chartDir, valueFile);
      } else {
        valueFiles.push({ from: 'chart', path: valueFile });
        complete = false;
        continue; // a file inside a chart from a Helm repository: not ours to see
      }
      if (remote) {
        valueFiles.push({ from: 'remote', spec: valueFile });
        complete = false;
        continue;
      }
      if (path === undefined || !this.ctx.tree.isFile(path)) {
        if (!ignoreMissing) {
          this.problem('error', `value file '${valueFile}' does not exist`, 'Fix the path (a $ref path is relative to the root of that source\'s repository), or set helm.ignoreMissingValueFiles');
          complete = false;
        }
        continue;
      }
      this.files.add(path);
      valueFiles.push({ from: 'tree', path });
      const parsed = this.ctx.tree.parse(path);
      if (parsed.error !== undefined) {
        this.problem('error', `value file ${path} is not valid YAML: ${parsed.error}`, 'Helm fails on it: fix the YAML', path);
        complete = false;
      } else {
        values.push({ file: path, data: parsed.docs[0] ?? {} });
      }
    }
    const inline = helm['values'];
    if (typeof inline === 'string' && inline.trim() !== '') {
      const parsed = parseYaml(inline);
      if (parsed.error === undefined) {
        values.push({ file: this.doc.file, data: parsed.docs[0] });
      } else {
        this.problem('error', `helm.values is not valid YAML: ${parsed.error}`, 'Helm fails on it: fix the YAML');
        complete = false;
      }
    } else if (isMap(inline)) {
      values.push({ file: this.doc.file, data: inline });
    }
    if (isMap(helm['valuesObject'])) values.push({ file: this.doc.file, data: helm['valuesObject'] });
    return { inputs: values, complete, helm: helmSource(helm, valueFiles) };
  }

  private expandLocalChart(source: SourceSpec, path: string, element: string) {
    const tree = this.ctx.tree;
    const chartFile = `${path === '' ? '' : `${path}/`}Chart.yaml`;
    const visited = new Set<string>();
    const crdGroups = new Set<string>();
    const reachChart = (dir: string) => {
      if (visited.has(dir)) return;
      visited.add(dir);
      for (const file of tree.filesUnder(dir, true)) this.files.add(file);
      for (const file of tree.filesUnder(dir === '' ? 'crds' : `${dir}/crds`, true)) {
        for (const doc of tree.objectsOf(file)) {
          if (doc.kind === 'CustomResourceDefinition' && isMap(doc.raw['spec']) && typeof doc.raw['spec']['group'] === 'string') crdGroups.add(doc.raw['spec']['group']);
        }
      }
      const meta = tree.isFile(`${dir === '' ? '' : `${dir}/`}Chart.yaml`) ? tree.parse(`${dir === '' ? '' : `${dir}/`}Chart.yaml`).docs[0] : undefined;
      const dependencies = isMap(meta) && Array.isArray(meta['dependencies']) ? meta['dependencies'].filter(isMap) : [];
      for (const dependency of dependencies) {
        const repository = str(dependency['repository']) ?? '';
        if (repository.startsWith('file://')) {
          const target = join(dir, repository.slice('file://'.length));
          if (target === undefined || !tree.isDir(target)) {
            this.problem('error', `chart dependency '${str(dependency['name']) ?? repository}' (${repository}) does not exist`, 'Fix the dependency\'s file:// path in Chart.yaml', `${dir === '' ? '' : `${dir}/`}Chart.yaml`);
          } else {
            reachChart(target);
          }
        } else if (str(dependency['name'])) {
          for (const group of CHART_CRD_GROUPS[str(dependency['name'])!] ?? []) crdGroups.add(group);
        }
      }
    };
    reachChart(path);
    const meta = tree.isFile(chartFile) ? tree.parse(chartFile).docs[0] : undefined;
    const name = (isMap(meta) && str(meta['name'])) || path.slice(path.lastIndexOf('/') + 1) || 'chart';
    const values = this.helmValues(source, path);
    const known = chartCreates(name, values.inputs.map((input) => input.data), values.complete);
    for (const group of known.crdGroups) crdGroups.add(group);
    this.charts.push({
      name,
      version: (isMap(meta) && str(meta['version'])) || source.targetRevision,
      repoURL: source.repoURL,
      dir: path,
      values: values.inputs,
      releaseName: str(source.helm?.['releaseName']) ?? this.doc.name,
      complete: values.complete,
      element,
      crdGroups: [...crdGroups].sort(),
      clusterKinds: known.clusterKinds,
      application: this.doc.name,
      helm: values.helm,
      rendered: this.applyRendered(element),
    });
  }

  private expandKustomize(path: string, source: SourceSpec, element: string) {
    const outerNamespace = str(source.kustomize?.['namespace']);
    const prefix = str(source.kustomize?.['namePrefix']) ?? '';
    const suffix = str(source.kustomize?.['nameSuffix']) ?? '';
    this.kustomization(path, outerNamespace, { prefix, suffix }, new Set(), element);
  }

  private kustomization(dir: string, outerNamespace: string | undefined, rename: { prefix: string; suffix: string }, visiting: Set<string>, element: string): void {
    const tree = this.ctx.tree;
    const file = KUSTOMIZATION_FILES.map((name) => (dir === '' ? name : `${dir}/${name}`)).find((candidate) => tree.isFile(candidate));
    if (!file) return;
    if (visiting.has(dir)) {
      this.problem('error', `kustomization ${file} includes itself`, 'Break the cycle in its resources', file);
      return;
    }
    visiting.add(dir);
    this.files.add(file);
    const parsed = tree.parse(file);
    const k = parsed.docs[0];
    if (parsed.error !== undefined || !isMap(k)) {
      this.problem('error', `kustomization ${file} does not parse${parsed.error ? `: ${parsed.error}` : ''}`, 'Fix the YAML', file);
      return;
    }
    const namespace = outerNamespace ?? str(k['namespace']);
    const effectiveRename = { prefix: rename.prefix + (str(k['namePrefix']) ?? ''), suffix: (str(k['nameSuffix']) ?? '') + rename.suffix };
    const renamed = effectiveRename.prefix !== '' || effectiveRename.suffix !== '' ? effectiveRename : undefined;
    const missing = (entry: string, field: string) =>
      this.problem('error', `${field} entry '${entry}' of ${file} does not exist`, 'Fix the path: it is relative to the kustomization\'s directory', file);
    const reachFile = (entry: string, field: string): string | undefined => {
      const target = join(dir, entry);
      if (target === undefined || !tree.exists(target)) {
        missing(entry, field);
        return undefined;
      }
      if (tree.isFile(target)) this.files.add(target);
      else for (const inner of tree.filesUnder(target, true)) this.files.add(inner);
      return target;
    };
    const resources = [...strings(k['resources']), ...strings(k['bases']), ...strings(k['components'])];
    for (const entry of resources) {
      if (isRemoteResource(entry)) {
        this.remoteSources.push({ repo: normalizeRepoURL(entry.replace(/\?.*$/, '')), path: '', element });
        continue;
      }
      const target = join(dir, entry);
      if (target === undefined || !tree.exists(target)) {
        missing(entry, 'resources');
      } else if (tree.isFile(target)) {
        this.files.add(target);
        this.readManifests(target, false, namespace, renamed);
      } else if (KUSTOMIZATION_FILES.some((name) => tree.isFile(`${target}/${name}`))) {
        this.kustomization(target, namespace, effectiveRename, visiting, element);
      } else {
        this.problem('error', `resources entry '${entry}' of ${file} is a directory without a kustomization`, 'kustomize only accepts directories holding a kustomization.yaml: list the files instead', file);
      }
    }
    for (const entry of strings(k['crds'])) {
      const target = reachFile(entry, 'crds');
      if (target && tree.isFile(target)) this.readManifests(target, false, undefined, undefined);
    }
    const pathEntries: [string, string][] = [];
    for (const field of ['patches', 'patchesJson6902', 'replacements']) {
      for (const item of Array.isArray(k[field]) ? (k[field] as unknown[]) : []) if (isMap(item) && str(item['path'])) pathEntries.push([str(item['path'])!, field]);
    }
    for (const item of strings(k['patchesStrategicMerge'])) if (!item.includes('\n')) pathEntries.push([item, 'patchesStrategicMerge']);
    for (const field of ['configurations', 'generators', 'transformers', 'validators']) {
      for (const item of strings(k[field])) if (!item.includes('\n')) pathEntries.push([item, field]);
    }
    if (isMap(k['openapi']) && str(k['openapi']['path'])) pathEntries.push([str(k['openapi']['path'])!, 'openapi']);
    for (const [entry, field] of pathEntries) if (!isRemoteResource(entry)) reachFile(entry, field);
    for (const [field, kind] of [
      ['configMapGenerator', 'ConfigMap'],
      ['secretGenerator', 'Secret'],
    ] as const) {
      for (const [index, item] of (Array.isArray(k[field]) ? (k[field] as unknown[]) : []).entries()) {
        if (!isMap(item)) continue;
        for (const entry of [...strings(item['files']), ...strings(item['envs']), ...(str(item['env']) ? [str(item['env'])!] : [])]) {
          reachFile(entry.includes('=') ? entry.slice(entry.indexOf('=') + 1) : entry, field);
        }
        const name = str(item['name']);
        if (!name) continue;
        const itemNamespace = namespace ?? str(item['namespace']);
        const raw = { apiVersion: 'v1', kind, metadata: { name, ...(itemNamespace ? { namespace: itemNamespace } : {}) } };
        const doc: KubeDoc = { id: `${file}#${field}.${index}`, file, apiVersion: 'v1', group: '', kind, name, namespace: itemNamespace, annotations: {}, labels: {}, raw, sops: false };
        this.apply(doc, false, namespace, renamed, true);
      }
    }
    const chartHome = isMap(k['helmGlobals']) ? (str(k['helmGlobals']['chartHome']) ?? 'charts') : 'charts';
    for (const [index, item] of (Array.isArray(k['helmCharts']) ? (k['helmCharts'] as unknown[]) : []).entries()) {
      if (!isMap(item) || !str(item['name'])) continue;
      const name = str(item['name'])!;
      const values: ValuesInput[] = [];
      let complete = true;
      if (str(item['valuesFile'])) {
        const target = reachFile(str(item['valuesFile'])!, 'helmCharts.valuesFile');
        if (target && tree.isFile(target)) values.push({ file: target, data: tree.parse(target).docs[0] ?? {} });
        else complete = false;
      }
      if (isMap(item['valuesInline'])) values.push({ file, data: item['valuesInline'] });
      let chartDir: string | undefined;
      if (!str(item['repo'])) {
        chartDir = join(dir, `${chartHome}/${name}`);
        if (chartDir === undefined || !tree.isDir(chartDir)) missing(`${chartHome}/${name}`, 'helmCharts');
        else for (const inner of tree.filesUnder(chartDir, true)) this.files.add(inner);
      }
      this.charts.push({
        name,
        version: str(item['version']) ?? '',
        repoURL: str(item['repo']) ?? '',
        ...(chartDir !== undefined && tree.isDir(chartDir) ? { dir: chartDir } : {}),
        values,
        releaseName: str(item['releaseName']) ?? name,
        complete,
        element: `${element}@helmChart${index}`,
        ...chartCreates(name, values.map((input) => input.data), complete),
        application: this.doc.name,
        rendered: false,
      });
    }
    visiting.delete(dir);
  }
}

/** Config-management plugins the tree configures (argocd-cmp-cm, the argo-cd chart's configs.cmp, plugin.yaml files). */
function findPlugins(objects: KubeDoc[], argoCdValues: ValuesInput[]): Plugin[] {
  const plugins: Plugin[] = [];
  const add = (name: string, spec: unknown, file: string) => {
    const discover = isMap(spec) && isMap(spec['discover']) ? spec['discover'] : undefined;
    if (!discover) return; // without discover, a plugin is used only when named explicitly
    const fileName = str(discover['fileName']);
    const glob = isMap(discover['find']) ? str(discover['find']['glob']) : undefined;
    if (fileName || glob) plugins.push({ name, file, ...(fileName ? { fileName } : {}), ...(glob ? { glob } : {}) });
  };
  for (const doc of objects) {
    if (doc.kind === 'ConfigManagementPlugin') add(doc.name, doc.raw['spec'], doc.file);
    if (doc.kind === 'ConfigMap' && doc.group === '' && isMap(doc.raw['data'])) {
      for (const value of Object.values(doc.raw['data'])) {
        if (typeof value !== 'string' || !value.includes('ConfigManagementPlugin')) continue;
        // A value that does not parse is not a plugin definition.
        const plugin = parseYaml(value).docs[0];
        if (isMap(plugin) && plugin['kind'] === 'ConfigManagementPlugin' && isMap(plugin['metadata'])) add(String(plugin['metadata']['name']), plugin['spec'], doc.file);
      }
    }
  }
  for (const input of argoCdValues) {
    const cmp = isMap(input.data) && isMap(input.data['configs']) ? input.data['configs']['cmp'] : undefined;
    if (!isMap(cmp) || !isMap(cmp['plugins'])) continue;
    for (const [name, spec] of Object.entries(cmp['plugins'])) add(name, spec, input.file);
  }
  return plugins;
}

/** Repository URLs that mean the checked directory: declared, or with a source path that exists here. */
function inferLocalRepos(tree: Tree, apps: KubeDoc[], settings: CheckSettings): Set<string> {
  const local = new Set(settings.repoURLs.map(normalizeRepoURL));
  for (const app of apps) {
    const sources = sourcesOf(app);
    for (const source of sources) {
      if (source.chart || !source.repo) continue;
      const path = source.path === undefined ? undefined : normalizePath(source.path);
      if (path !== undefined && path !== '' && tree.isDir(path)) local.add(source.repo);
    }
    for (const source of sources) {
      for (const valueFile of strings(source.helm?.['valueFiles'])) {
        const ref = /^\$([^/]+)\/(.*)$/.exec(valueFile);
        const refSource = ref && sources.find((candidate) => candidate.ref === ref[1]);
        const path = ref && normalizePath(ref[2]!);
        if (refSource && path && tree.isFile(path)) local.add(refSource.repo);
      }
    }
  }
  return local;
}

/**
 * An applied object at its place. Built field by field: spreading `applied` (whose shape varies
 * with `rename`) was the walk's dearest step for thousands of objects.
 */
function placedEntry(applied: Applied, app: AppNode, position: Position): Placed {
  const { doc, namespace, viaPlugin, generated, rename } = applied;
  return rename ? { doc, namespace, viaPlugin, generated, rename, app, position } : { doc, namespace, viaPlugin, generated, app, position };
}

/** Every Application and what it applies, the roots, and what ArgoCD reaches from them. */
export function resolveTree(tree: Tree, settings: CheckSettings, objectFiles: string[], rendered: RenderedCharts = new Map()): Resolution {
  const findings: Finding[] = [];
  const allObjects = objectFiles.flatMap((file) => tree.objectsOf(file));
  const appDocs = allObjects.filter(isApplication);
  for (const doc of allObjects) {
    if (doc.group === 'argoproj.io' && doc.kind === 'ApplicationSet') {
      findings.push({ check: 'reachability', severity: 'info', file: doc.file, object: describeObject({ kind: doc.kind, metadata: { name: doc.name, namespace: doc.namespace } }), problem: 'ApplicationSets are not expanded', hint: 'The Applications it generates, and what they apply, are not checked' });
    }
  }
  const localRepos = inferLocalRepos(tree, appDocs, settings);

  const crdScopes = new Map<string, string>();
  for (const doc of [...allObjects, ...[...rendered.values()].flat()]) {
    if (doc.kind !== 'CustomResourceDefinition' || !isMap(doc.raw['spec'])) continue;
    const spec = doc.raw['spec'];
    const kind = isMap(spec['names']) ? str(spec['names']['kind']) : undefined;
    if (typeof spec['group'] === 'string' && kind) crdScopes.set(`${spec['group']}/${kind}`, str(spec['scope']) ?? 'Namespaced');
  }
  const clusterScoped = (group: string, kind: string) => {
    const key = `${group}/${kind}`;
    return crdScopes.has(key) ? crdScopes.get(key) === 'Cluster' : CLUSTER_SCOPED.has(key);
  };

  // The argo-cd chart's values configure plugins; reading them needs no plugin knowledge.
  const bootstrap: Context = { tree, rendered: new Map(), settings, localRepos, plugins: [], clusterScoped };
  const argoCdValues = appDocs
    .filter((doc) => sourcesOf(doc).some((source) => source.chart === 'argo-cd'))
    .flatMap((doc) => new Expander(bootstrap, doc, '', undefined).expand().charts.filter((chart) => chart.name === 'argo-cd').flatMap((chart) => chart.values));
  const ctx: Context = { ...bootstrap, rendered, plugins: findPlugins(allObjects, argoCdValues) };

  const apps: AppNode[] = appDocs.map((doc) => {
    const spec = isMap(doc.raw['spec']) ? doc.raw['spec'] : {};
    const destination = isMap(spec['destination']) ? spec['destination'] : {};
    const syncPolicy = isMap(spec['syncPolicy']) ? spec['syncPolicy'] : {};
    const managed = isMap(syncPolicy['managedNamespaceMetadata']) ? syncPolicy['managedNamespaceMetadata'] : {};
    const destinationNamespace = str(destination['namespace']) || undefined;
    const label = describeObject({ kind: doc.kind, metadata: { name: doc.name, namespace: doc.namespace ?? 'argocd' } });
    const labels: Record<string, string> = {};
    if (isMap(managed['labels'])) for (const [key, value] of Object.entries(managed['labels'])) labels[key] = String(value);
    return {
      doc,
      label,
      destinationNamespace,
      createNamespace: strings(syncPolicy['syncOptions']).includes('CreateNamespace=true'),
      managedNamespaceLabels: labels,
      expansion: new Expander(ctx, doc, label, destinationNamespace).expand(),
      position: [],
      reached: false,
    };
  });

  // Roots: Applications no other Application applies (applying itself does not count).
  const byDoc = new Map(apps.map((app) => [app.doc.id, app]));
  const includedBy = new Map<string, AppNode[]>();
  for (const app of apps) {
    for (const applied of app.expansion.applied) {
      if (!byDoc.has(applied.doc.id) || applied.doc.id === app.doc.id) continue;
      const including = includedBy.get(applied.doc.id);
      if (including) including.push(app);
      else includedBy.set(applied.doc.id, [app]);
    }
  }
  const declaredRoots = new Set(settings.roots.map((path) => normalizePath(path)));
  const handApplied: Applied[] = [];
  for (const [index, path] of settings.roots.entries()) {
    const file = normalizePath(path);
    if (file === undefined || !tree.isFile(file)) {
      findings.push({
        check: 'reachability',
        severity: 'warning',
        file: CONFIG_FILE,
        object: `roots[${index}]`,
        problem: `'${path}' is not a file of this tree`,
        hint: 'Fix the path (relative to the repository root) or remove the entry',
      });
      continue;
    }
    for (const doc of tree.objectsOf(file)) {
      if (isApplication(doc) || (doc.group === 'argoproj.io' && doc.kind === 'ConfigManagementPlugin')) continue;
      handApplied.push({ doc, namespace: clusterScoped(doc.group, doc.kind) ? undefined : (doc.namespace ?? 'default'), viaPlugin: false, generated: false });
    }
  }
  const roots = apps.filter((app) => !includedBy.has(app.doc.id) || declaredRoots.has(app.doc.file));
  const appOfApps = (app: AppNode) => app.expansion.applied.some((applied) => byDoc.has(applied.doc.id) && applied.doc.id !== app.doc.id);
  if (roots.some(appOfApps)) {
    for (const root of roots) {
      if (appOfApps(root) || declaredRoots.has(root.doc.file)) continue;
      findings.push({
        check: 'reachability',
        severity: 'error',
        file: root.doc.file,
        object: root.label,
        problem: 'no app-of-apps includes this Application',
        hint: `ArgoCD knows it only if it is applied by hand: widen an app-of-apps source to include ${root.doc.file}, or list the file under roots: in .homelab-check.yaml`,
      });
    }
  }

  // Walk from the roots, breadth first: each object keeps its first (shortest) place.
  const placedById = new Map<string, Placed>();
  const placed: Placed[] = [];
  const charts: PlacedChart[] = [];
  const remoteSources: Resolution['remoteSources'] = [];
  const reachedFiles = new Set<string>([...declaredRoots].filter((file): file is string => file !== undefined && tree.isFile(file)));
  const queue: AppNode[] = [];
  for (const root of [...roots].sort((a, b) => (a.doc.id < b.doc.id ? -1 : 1))) {
    root.reached = true;
    queue.push(root);
  }
  for (let next = 0; next < queue.length; next++) {
    const app = queue[next]!;
    reachedFiles.add(app.doc.file);
    for (const file of app.expansion.files) reachedFiles.add(file);
    findings.push(...app.expansion.findings);
    const waveOf = (doc: KubeDoc) => parseWave(doc.annotations[SYNC_WAVE]).wave;
    for (const chart of app.expansion.charts) charts.push({ chart, app, position: [...app.position, { container: app.doc.id, element: chart.element, wave: 0 }] });
    for (const source of app.expansion.remoteSources) remoteSources.push({ ...source, app, position: [...app.position, { container: app.doc.id, element: source.element, wave: 0 }] });
    for (const applied of app.expansion.applied) {
      if (applied.doc.id === app.doc.id) continue;
      const position = [...app.position, { container: app.doc.id, element: applied.doc.id, wave: waveOf(applied.doc) }];
      const earlier = placedById.get(applied.doc.id);
      if (earlier) {
        if (earlier.app !== app) {
          findings.push({
            check: 'reachability',
            severity: 'warning',
            file: applied.doc.file,
            object: describePlaced(applied),
            problem: `applied by both ${earlier.app.label} and ${app.label}`,
            hint: 'ArgoCD reports a shared resource and the two Applications fight over it: let one source include the file',
          });
        }
        continue;
      }
      const entry = placedEntry(applied, app, position);
      placedById.set(applied.doc.id, entry);
      placed.push(entry);
      const child = byDoc.get(applied.doc.id);
      if (child && !child.reached) {
        child.reached = true;
        child.parent = app;
        child.position = position;
        queue.push(child);
      }
    }
  }

  return {
    apps,
    roots,
    placed,
    charts,
    remoteSources,
    handApplied,
    reachedFiles,
    argocdNamespaces: new Set(roots.map((root) => root.doc.namespace ?? 'argocd')),
    localRepos,
    findings,
    isClusterScoped: clusterScoped,
  };
}

/** `Kind/namespace/name` of an applied object, with the namespace it lands in. */
export function describePlaced(applied: Pick<Applied, 'doc' | 'namespace'>): string {
  return describeObject({ kind: applied.doc.kind, metadata: { name: applied.doc.name, ...(applied.namespace ? { namespace: applied.namespace } : {}) } });
}

/** Whether an object is a sync hook (runs around the sync, outside wave ordering of resources). */
export function isHook(doc: KubeDoc): boolean {
  return doc.annotations[ARGOCD_HOOK] !== undefined || doc.annotations[HELM_HOOK] !== undefined;
}


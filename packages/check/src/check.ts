/**
 * `checkTree(dir)` and `checkFiles(files)`: load a tree (a directory, or files held in memory),
 * resolve its Applications, run every check. Both read the tree through the same `Tree` and run
 * the same checks; only the source of the files differs.
 */
import { resolve } from 'node:path';
import { describeObject } from '@homelab/core';
import { resolveTree, type Resolution } from './argocd.js';
import { parseSettings, type CheckSettings } from './config.js';
import { CONFIG_FILE } from './defaults.js';
import { sortFindings, type Finding } from './finding.js';
import { globMatch } from './glob.js';
import { checkOrdering } from './ordering.js';
import { checkPodSecurity } from './pod-security.js';
import { checkProjects } from './projects.js';
import { checkReferences } from './references.js';
import type { ImportModule } from './import-module.js';
import { renderCharts, type RenderOptions, type Rendering } from './render.js';
import { checkSchemas, crdModels, type Models } from './schema.js';
import { checkSelectors } from './selectors.js';
import { dirSource, memorySource, Tree, type TreeSource } from './tree.js';
import { checkValues } from './values.js';

export interface CheckOptions {
  /** Objects that exist outside the tree: `Kind/namespace/name` or `Kind/name`; added to .homelab-check.yaml's. */
  external?: string[];
  /** Directory of chart schemas (`<chart>/values.yaml`, `values.schema.json`); unset: Helm values are not checked. */
  chartSchemas?: string;
  /** Repository URLs meaning this directory, besides those inferred. */
  repoURLs?: string[];
  /**
   * Schemas for kinds no @kubernetes-models package covers: a class per `apiVersion/Kind` (e.g.
   * `tailscale.com/v1alpha1/Connector`) whose instances `validate()` like @kubernetes-models'.
   */
  models?: Models;
  /** How the classes of other kinds are imported. @default import() */
  importModule?: ImportModule;
  /**
   * Render every chart with the real `helm template` first: its objects are checked like the
   * tree's own, references into its namespaces resolve against what it renders, and
   * `chartObjects:` of .homelab-check.yaml are verified. Unset: charts stay opaque.
   */
  render?: RenderOptions;
}

export interface CheckTreeOptions extends CheckOptions {
  /** The files to consider (repository paths); default: git's view of the directory, or a walk. */
  files?: string[];
}

export interface CheckFilesOptions extends CheckOptions {
  /** What `report.dir` calls the tree. @default '<memory>' */
  label?: string;
  /**
   * The parsed documents of some files (path → exactly what parsing its content yields), e.g. the
   * data a render just serialised: those files are not parsed again.
   */
  documents?: ReadonlyMap<string, readonly unknown[]>;
  /**
   * Documents (of `documents`) already validated against their kind's schema — e.g. built from
   * model objects the render validated: the schema check skips them.
   */
  validated?: ReadonlySet<unknown>;
}

export interface CheckReport {
  /** The directory checked (absolute), or the label of a tree held in memory. */
  dir: string;
  findings: Finding[];
  /** files: what check read (never build output, nor what ignore: skips); objectFiles: those holding Kubernetes objects. */
  stats: { files: number; objectFiles: number; applications: number; reachedApplications: number; appliedObjects: number };
  /** What `helm template` produced, when `render` was given. */
  rendering?: Rendering;
}

function unreachedFindings(tree: Tree, resolution: Resolution, objectFiles: string[]): Finding[] {
  const findings: Finding[] = [];
  for (const file of objectFiles) {
    if (resolution.reachedFiles.has(file)) continue;
    const objects = tree.objectsOf(file).filter((doc) => !(doc.group === 'argoproj.io' && doc.kind === 'ConfigManagementPlugin'));
    if (objects.length === 0) continue;
    const first = objects[0]!;
    const object = describeObject({ kind: first.kind, metadata: { name: first.name, ...(first.namespace ? { namespace: first.namespace } : {}) } });
    const more = objects.length > 1 ? ` (${objects.length} objects)` : '';
    if (objects.every((doc) => doc.group === '' && doc.kind === 'Namespace' && resolution.argocdNamespaces.has(doc.name))) {
      findings.push({
        check: 'reachability',
        severity: 'info',
        file,
        object,
        problem: 'no Application applies this file: it is ArgoCD\'s own namespace',
        hint: 'Applied by hand at bootstrap, before ArgoCD runs (the root Applications live in it): list the file under roots: in .homelab-check.yaml to say so',
      });
      continue;
    }
    findings.push({
      check: 'reachability',
      severity: 'error',
      file,
      object,
      problem: `no root Application reaches this file${more}`,
      hint: 'ArgoCD never applies it: include its directory in an Application source (check path, recurse and include/exclude), or delete it',
    });
  }
  return findings;
}

function localRepoFindings(resolution: Resolution): Finding[] {
  if (resolution.localRepos.size > 0 || resolution.roots.length === 0) return [];
  const gitSources = resolution.apps.some((app) => app.expansion.remoteSources.length > 0);
  if (!gitSources) return [];
  const root = resolution.roots[0]!;
  return [
    {
      check: 'reachability',
      severity: 'warning',
      file: root.doc.file,
      object: root.label,
      problem: 'no Application git source points into this directory (no source path exists here)',
      hint: 'Check the repository root, or name its URL under repoURLs: in .homelab-check.yaml',
    },
  ];
}

/** Runs every check on the ArgoCD tree in `dir` (the root of the repository ArgoCD reads). */
export async function checkTree(dir: string, options: CheckTreeOptions = {}): Promise<CheckReport> {
  const root = resolve(dir);
  return check(dirSource(root, options.files), root, options);
}

/**
 * Runs every check on a tree held in memory: repository path → content (e.g. the files a render
 * produced, before they are written). `.homelab-check.yaml` is read from the files.
 */
export async function checkFiles(files: ReadonlyMap<string, string> | Readonly<Record<string, string>>, options: CheckFilesOptions = {}): Promise<CheckReport> {
  return check(memorySource(files, options.documents), options.label ?? '<memory>', options, options.validated);
}

interface Loaded {
  tree: Tree;
  settings: CheckSettings;
  checkedFiles: string[];
  objectFiles: string[];
  resolution: Resolution;
  rendering: Rendering | undefined;
}

/** Reads the tree and resolves its Applications, with what the charts render when `render` is given. */
function load(source: TreeSource, options: CheckOptions): Loaded {
  const tree = new Tree(source);
  const settings: CheckSettings = parseSettings(tree.readAny(CONFIG_FILE), options);
  // What check reads: the tree's files (build output never among them) less those ignore: skips.
  const checkedFiles = tree.files.filter((file) => !settings.ignore.some((pattern) => globMatch(pattern, file)));
  const objectFiles = checkedFiles.filter((file) => tree.objectsOf(file).length > 0);
  let resolution = resolveTree(tree, settings, objectFiles);
  let rendering: Rendering | undefined;
  if (options.render) {
    rendering = renderCharts(tree, resolution, options.render);
    resolution = resolveTree(tree, settings, objectFiles, rendering.rendered);
  }
  return { tree, settings, checkedFiles, objectFiles, resolution, rendering };
}

async function check(source: TreeSource, label: string, options: CheckOptions, validated: ReadonlySet<unknown> = new Set()): Promise<CheckReport> {
  const { tree, settings, checkedFiles, objectFiles, resolution, rendering } = load(source, options);
  const references = checkReferences(resolution, settings);
  const findings = [
    ...(rendering?.findings ?? []),
    ...resolution.findings,
    ...localRepoFindings(resolution),
    ...unreachedFindings(tree, resolution, objectFiles),
    ...(await checkSchemas(
      [...resolution.placed, ...resolution.handApplied].filter((entry) => !validated.has(entry.doc.raw)),
      options.models,
      options.importModule,
      crdModels([...resolution.placed, ...resolution.handApplied]),
    )),
    ...references.findings,
    ...checkSelectors(resolution),
    ...checkProjects(resolution, tree, objectFiles),
    ...checkOrdering(resolution, references.secretUses, settings, tree, objectFiles),
    ...checkPodSecurity(resolution, settings, tree, objectFiles),
    ...checkValues(resolution, settings, tree.dir),
  ];
  return {
    dir: label,
    findings: sortFindings(findings),
    stats: {
      files: checkedFiles.length,
      objectFiles: objectFiles.length,
      applications: resolution.apps.length,
      reachedApplications: resolution.apps.filter((app) => app.reached).length,
      appliedObjects: resolution.placed.length,
    },
    ...(rendering ? { rendering } : {}),
  };
}

/** One Application's share of what ArgoCD applies: each chart's `helm template` output verbatim, then its own manifests. */
export interface RenderedApplication {
  /** `Application/namespace/name`. */
  application: string;
  name: string;
  /** The file holding the Application. */
  file: string;
  sources: { title: string; text: string }[];
}

export interface RenderReport {
  dir: string;
  applications: RenderedApplication[];
  rendering: Rendering;
  /** Findings of loading and rendering (reachability, render); `homelab check --render` runs the rest. */
  findings: Finding[];
}

/** Renders what ArgoCD applies from the tree in `dir`, per reached Application. */
export function renderTree(dir: string, options: CheckTreeOptions & { render: RenderOptions }): RenderReport {
  const root = resolve(dir);
  const { tree, resolution, rendering } = load(dirSource(root, options.files), options);
  const applications: RenderedApplication[] = [];
  for (const app of resolution.apps) {
    if (!app.reached) continue;
    const sources = rendering!.charts.filter((chart) => chart.application === app.label).map((chart) => ({ title: `chart ${chart.chart} ${chart.version} (${chart.repoURL || 'git'})`, text: chart.output }));
    const files = [...new Set(app.expansion.applied.filter((entry) => !entry.generated && tree.isFile(entry.doc.file)).map((entry) => entry.doc.file))];
    if (files.length > 0) {
      const texts = files.map((file) => {
        const text = tree.text(file);
        return `# Source: ${file}\n${text.endsWith('\n') ? text : `${text}\n`}`;
      });
      sources.push({ title: 'manifests', text: texts.join('---\n') });
    }
    applications.push({ application: app.label, name: app.doc.name, file: app.doc.file, sources });
  }
  return { dir: root, applications, rendering: rendering!, findings: sortFindings([...rendering!.findings, ...resolution.findings]) };
}

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
import { checkRuntime } from './runtime.js';
import type { ImportModule } from './import-module.js';
import { checkSchemas, type Models } from './schema.js';
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
  stats: { files: number; objectFiles: number; applications: number; reachedApplications: number; appliedObjects: number };
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

async function check(source: TreeSource, label: string, options: CheckOptions, validated: ReadonlySet<unknown> = new Set()): Promise<CheckReport> {
  const tree = new Tree(source);
  const settings: CheckSettings = parseSettings(tree.readAny(CONFIG_FILE), options);
  const objectFiles = tree.files.filter((file) => !settings.ignore.some((pattern) => globMatch(pattern, file)) && tree.objectsOf(file).length > 0);
  const resolution = resolveTree(tree, settings, objectFiles);
  const references = checkReferences(resolution, settings);
  const findings = [
    ...resolution.findings,
    ...localRepoFindings(resolution),
    ...unreachedFindings(tree, resolution, objectFiles),
    ...(await checkSchemas([...resolution.placed, ...resolution.handApplied].filter((entry) => !validated.has(entry.doc.raw)), options.models, options.importModule)),
    ...references.findings,
    ...checkProjects(resolution, tree, objectFiles),
    ...checkOrdering(resolution, references.secretUses, settings, tree, objectFiles),
    ...checkPodSecurity(resolution, settings, tree, objectFiles),
    ...checkValues(resolution, settings, tree.dir),
    ...checkRuntime(resolution, settings, tree),
  ];
  return {
    dir: label,
    findings: sortFindings(findings),
    stats: {
      files: tree.files.length,
      objectFiles: objectFiles.length,
      applications: resolution.apps.length,
      reachedApplications: resolution.apps.filter((app) => app.reached).length,
      appliedObjects: resolution.placed.length,
    },
  };
}

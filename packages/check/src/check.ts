/** `checkTree(dir)`: loads the tree, resolves its Applications, runs every check. */
import { resolve } from 'node:path';
import { describeObject } from '@homelab/core';
import { resolveTree, type Resolution } from './argocd.js';
import { loadSettings, type CheckSettings } from './config.js';
import { sortFindings, type Finding } from './finding.js';
import { globMatch } from './glob.js';
import { checkOrdering } from './ordering.js';
import { checkPodSecurity } from './pod-security.js';
import { checkProjects } from './projects.js';
import { checkReferences } from './references.js';
import { checkSchemas } from './schema.js';
import { Tree } from './tree.js';
import { checkValues } from './values.js';

export interface CheckOptions {
  /** Objects that exist outside the tree: `Kind/namespace/name` or `Kind/name`; added to .homelab-check.yaml's. */
  external?: string[];
  /** Directory of chart schemas (`<chart>/values.yaml`, `values.schema.json`); unset: Helm values are not checked. */
  chartSchemas?: string;
  /** Repository URLs meaning this directory, besides those inferred. */
  repoURLs?: string[];
  /** The files to consider (repository paths); default: git's view of the directory, or a walk. */
  files?: string[];
}

export interface CheckReport {
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
        hint: 'Applied by hand at bootstrap, before ArgoCD runs (the root Applications live in it)',
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
export async function checkTree(dir: string, options: CheckOptions = {}): Promise<CheckReport> {
  const root = resolve(dir);
  const settings: CheckSettings = loadSettings(root, options);
  const tree = new Tree(root, options.files);
  const objectFiles = tree.files.filter((file) => !settings.ignore.some((pattern) => globMatch(pattern, file)) && tree.objectsOf(file).length > 0);
  const resolution = resolveTree(tree, settings, objectFiles);
  const references = checkReferences(resolution, settings);
  const findings = [
    ...resolution.findings,
    ...localRepoFindings(resolution),
    ...unreachedFindings(tree, resolution, objectFiles),
    ...(await checkSchemas(resolution.placed)),
    ...references.findings,
    ...checkProjects(resolution, tree, objectFiles),
    ...checkOrdering(resolution, references.secretUses, settings, tree, objectFiles),
    ...checkPodSecurity(resolution, settings, tree, objectFiles),
    ...checkValues(resolution, settings, root),
  ];
  return {
    dir: root,
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

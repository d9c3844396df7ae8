/**
 * What ArgoCD will apply, with the real Helm: every chart source of a reached Application is
 * rendered with `helm template` the way ArgoCD's repo-server runs it (util/helm/cmd.go): in the
 * chart's directory, `template . --name-template <release> --namespace <ns> --kube-version <v>`,
 * `--set`/`--set-string` parameters, `--values` files in order then the inline values, one
 * `--api-versions` per CRD group/version and group/version/Kind, `--include-crds` unless skipCrds.
 *
 * - release: `helm.releaseName`, else the Application's name; namespace: `helm.namespace`, else
 *   the destination namespace;
 * - Kubernetes version: `helm.kubeVersion`, else the one given, else the tree's pin (the
 *   `kubernetesVersion` of a talhelper `talconfig.yaml`), passed as ArgoCD passes the cluster's:
 *   `major.minor`;
 * - API versions: `helm.apiVersions`, else those of every CRD the tree installs — its own CRD
 *   objects, and those the charts render (a second pass renders again when the first found new ones,
 *   as a cluster serves them once the CRD-installing release synced) — plus those given.
 *
 * Nothing is written into the tree: charts from git and value files of a tree held in memory are
 * copied to a temporary directory; charts from repositories come from the chart cache.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { loadAll } from 'js-yaml';
import type { AppNode, ChartUse, HelmParameter, PlacedChart, RenderedCharts, Resolution } from './argocd.js';
import { cachedChartDir, chartDir, ChartPullError, defaultChartCache } from './chart-cache.js';
import { GIT_CRD_SOURCES } from './defaults.js';
import type { Finding } from './finding.js';
import { isKubeObject, isMap, normalizePath, toKubeDoc, type KubeDoc, type Tree } from './tree.js';

export interface RenderOptions {
  /** Absolute path of the helm binary. */
  helm: string;
  /** Chart cache directory (`<repository>/<chart>/<version>/`); a missing chart is pulled into it. @default defaultChartCache() */
  charts?: string;
  /** Kubernetes version for `--kube-version`. @default the `kubernetesVersion` of the tree's talconfig.yaml */
  kubeVersion?: string;
  /** API versions (`group/version` or `group/version/Kind`) served besides the CRDs the tree installs, e.g. CRDs installed outside it. */
  apiVersions?: string[];
}

/** One `helm template` as ArgoCD runs it, before paths are known. */
export interface HelmTemplateInput {
  releaseName: string;
  namespace?: string;
  kubeVersion?: string;
  parameters: readonly HelmParameter[];
  /** Values files in Helm's merge order: the source's valueFiles, then its inline values. */
  valueFiles: readonly string[];
  apiVersions: readonly string[];
  includeCrds: boolean;
  skipSchemaValidation: boolean;
  skipTests: boolean;
}

/** The arguments of `helm template`, run in the chart's directory, in ArgoCD's order. */
export function helmTemplateArgs(input: HelmTemplateInput): string[] {
  const args = ['template', '.', '--name-template', input.releaseName];
  if (input.namespace) args.push('--namespace', input.namespace);
  if (input.kubeVersion) args.push('--kube-version', input.kubeVersion);
  for (const parameter of input.parameters) args.push(parameter.forceString ? '--set-string' : '--set', `${parameter.name}=${parameter.value}`);
  for (const file of input.valueFiles) args.push('--values', file);
  for (const version of input.apiVersions) args.push('--api-versions', version);
  if (input.includeCrds) args.push('--include-crds');
  if (input.skipSchemaValidation) args.push('--skip-schema-validation');
  if (input.skipTests) args.push('--skip-tests');
  return args;
}

/** `major.minor` of a Kubernetes version (`v1.34.1` → `1.34`), as ArgoCD reports a cluster's; undefined when it is not one. */
export function kubeVersionArg(version: string): string | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(version.trim());
  return match ? `${match[1]}.${match[2]}` : undefined;
}

/** The Kubernetes version the tree pins: `kubernetesVersion` of a talhelper talconfig.yaml, with the file. */
export function pinnedKubeVersion(tree: Tree): { version: string; file: string } | undefined {
  for (const file of tree.files) {
    if (!/(^|\/)talconfig\.ya?ml$/.test(file)) continue;
    const doc = tree.parse(file).docs[0];
    if (isMap(doc) && typeof doc['kubernetesVersion'] === 'string') return { version: doc['kubernetesVersion'], file };
  }
  return undefined;
}

/** `group/version` and `group/version/Kind` of every served version of the CRD objects given. */
export function crdApiVersions(docs: Iterable<KubeDoc>): string[] {
  const versions = new Set<string>();
  for (const doc of docs) {
    if (doc.kind !== 'CustomResourceDefinition' || doc.group !== 'apiextensions.k8s.io') continue;
    const spec = doc.raw['spec'];
    if (!isMap(spec) || typeof spec['group'] !== 'string' || !isMap(spec['names']) || typeof spec['names']['kind'] !== 'string') continue;
    for (const version of Array.isArray(spec['versions']) ? spec['versions'] : []) {
      if (!isMap(version) || typeof version['name'] !== 'string' || version['served'] === false) continue;
      versions.add(`${spec['group']}/${version['name']}`);
      versions.add(`${spec['group']}/${version['name']}/${spec['names']['kind']}`);
    }
  }
  return [...versions].sort();
}

/** One chart as rendered. */
export interface RenderedChart {
  /** `Application/namespace/name` and the file holding it. */
  application: string;
  applicationFile: string;
  /** `ChartUse.element`: which source of the Application. */
  element: string;
  chart: string;
  version: string;
  repoURL: string;
  /** The arguments of `helm template`, run in the chart's directory. */
  args: string[];
  /** helm's standard output, verbatim. */
  output: string;
  objects: KubeDoc[];
}

export interface Rendering {
  charts: RenderedChart[];
  /** Objects by chart element, for `resolveTree`. */
  rendered: RenderedCharts;
  /** Charts that failed to render or fetch, and what render could not see. */
  findings: Finding[];
  /** The `--kube-version` passed, if any. */
  kubeVersion?: string;
  /** The `--api-versions` passed to charts without their own. */
  apiVersions: string[];
}

interface Job {
  placed: PlacedChart;
  helm: NonNullable<ChartUse['helm']>;
  dir: string;
  valueFiles: string[];
}

function renderFinding(app: AppNode, problem: string, hint: string): Finding {
  return { check: 'render', severity: 'error', file: app.doc.file, object: app.label, problem, hint };
}

/** The objects of helm's output, each labelled with the Application's file and the template it comes from. */
function parseOutput(output: string, element: string, applicationFile: string): KubeDoc[] {
  const objects: KubeDoc[] = [];
  output.split(/^---[ \t]*$/m).forEach((chunk, chunkIndex) => {
    const source = /^# Source: (.+)$/m.exec(chunk)?.[1]?.trim();
    loadAll(chunk).forEach((doc, docIndex) => {
      if (isKubeObject(doc)) objects.push(toKubeDoc(`${applicationFile} > ${source ?? 'helm template'}`, `${element}#${chunkIndex}.${docIndex}`, doc));
    });
  });
  return objects;
}

/** Copies the files of a tree directory to `target` (a chart from git, for a tree held in memory or a dependency build). */
function materialize(tree: Tree, dir: string, target: string): void {
  for (const file of tree.filesUnder(dir, true)) {
    const destination = join(target, dir === '' ? file : file.slice(dir.length + 1));
    mkdirSync(dirname(destination), { recursive: true });
    writeFileSync(destination, tree.text(file));
  }
}

/** A chart's directory in the tree and those of its `file://` dependencies, recursively (repository paths). */
function localChartDirs(tree: Tree, chartDir: string): string[] {
  const dirs: string[] = [];
  const visit = (dir: string) => {
    if (dirs.includes(dir)) return;
    dirs.push(dir);
    const meta = tree.parse(dir === '' ? 'Chart.yaml' : `${dir}/Chart.yaml`).docs[0];
    for (const dependency of isMap(meta) && Array.isArray(meta['dependencies']) ? meta['dependencies'] : []) {
      const repository = isMap(dependency) && typeof dependency['repository'] === 'string' ? dependency['repository'] : '';
      if (!repository.startsWith('file://')) continue;
      const target = normalizePath(posix.join(dir, repository.slice('file://'.length)));
      if (target !== undefined && tree.isDir(target)) visit(target);
    }
  };
  visit(chartDir);
  return dirs;
}

/** Renders every chart source of the reached Applications of a resolved tree. */
export function renderCharts(tree: Tree, resolution: Resolution, options: RenderOptions): Rendering {
  const findings: Finding[] = [];
  const cache = options.charts ?? defaultChartCache();
  const scratch = mkdtempSync(join(tmpdir(), 'homelab-render-'));
  try {
    const pinned = options.kubeVersion === undefined ? pinnedKubeVersion(tree) : undefined;
    const kubeVersion = options.kubeVersion ?? (pinned && kubeVersionArg(pinned.version));
    if (kubeVersion === undefined && resolution.charts.length > 0) {
      const first = resolution.charts[0]!.app;
      findings.push({
        check: 'render',
        severity: pinned ? 'warning' : 'info',
        file: pinned?.file ?? first.doc.file,
        object: pinned ? 'kubernetesVersion' : first.label,
        problem: pinned ? `kubernetesVersion '${pinned.version}' is not a Kubernetes version` : 'the tree pins no Kubernetes version (no talconfig.yaml with kubernetesVersion)',
        hint: 'Charts are rendered for Helm\'s default version: pass --kube-version',
      });
    }
    let scratchFiles = 0;
    const scratchFile = (name: string, content: string) => {
      const path = join(scratch, `${scratchFiles++}-${name.replace(/[^A-Za-z0-9._-]/g, '_')}`);
      writeFileSync(path, content);
      return path;
    };

    for (const remote of resolution.remoteSources) {
      const known = GIT_CRD_SOURCES.find((source) => source.repo === remote.repo && remote.path.startsWith(source.pathPrefix));
      if (!known) continue;
      findings.push({
        check: 'render',
        severity: 'info',
        file: remote.app.doc.file,
        object: remote.app.label,
        problem: `the CRDs of ${remote.repo}/${remote.path} (${known.groups.join(', ')}) are not rendered: charts do not see them in .Capabilities.APIVersions`,
        hint: 'Pass their group/version/Kind with --api-versions where a chart tests for them',
      });
    }

    const jobs: Job[] = [];
    /** Charts from repositories by cache directory: pulled (or failed) once per run. */
    const pulled = new Map<string, string | ChartPullError>();
    for (const placed of resolution.charts) {
      const { chart, app } = placed;
      if (!chart.helm) {
        findings.push({ check: 'render', severity: 'info', file: app.doc.file, object: app.label, problem: `chart ${chart.name} of a kustomization's helmCharts is not rendered`, hint: 'kustomize renders it, not ArgoCD\'s Helm: its objects are not checked' });
        continue;
      }
      let dir: string;
      if (chart.dir !== undefined) {
        const dirs = localChartDirs(tree, chart.dir);
        const onDisk = tree.dir !== undefined ? join(tree.dir, chart.dir) : undefined;
        const needsBuild = dirs.length > 1 && !(onDisk !== undefined && existsSync(join(onDisk, 'charts')));
        if (onDisk !== undefined && !needsBuild) {
          dir = onDisk;
        } else {
          // Aside, with its file:// dependencies at their places relative to it.
          const root = join(scratch, `chart-${jobs.length}`);
          for (const chartPath of dirs) materialize(tree, chartPath, join(root, chartPath));
          dir = join(root, chart.dir);
          if (needsBuild) {
            const build = spawnSync(options.helm, ['dependency', 'build', '.'], { cwd: dir, encoding: 'utf8' });
            if (build.status !== 0) {
              findings.push(renderFinding(app, `helm dependency build of chart ${chart.name} failed: ${(build.stderr || '').trim()}`, 'ArgoCD fails the same way: fix the dependencies in its Chart.yaml'));
              continue;
            }
          }
        }
      } else {
        const target = cachedChartDir(cache, chart.repoURL, chart.name, chart.version);
        if (!pulled.has(target)) {
          try {
            pulled.set(target, chartDir(options.helm, cache, chart.repoURL, chart.name, chart.version));
          } catch (error) {
            if (!(error instanceof ChartPullError)) throw error;
            pulled.set(target, error);
          }
        }
        const found = pulled.get(target)!;
        if (found instanceof ChartPullError) {
          findings.push(renderFinding(app, `chart ${chart.name} ${chart.version} cannot be fetched: ${found.message}`, `Put the unpacked chart in ${target} (its Chart.yaml at the top), or check the network`));
          continue;
        }
        dir = found;
      }
      const valueFiles: string[] = [];
      for (const file of chart.helm.valueFiles) {
        if (file.from === 'remote') valueFiles.push(file.spec);
        else if (file.from === 'chart') valueFiles.push(join(dir, file.path));
        else valueFiles.push(tree.dir !== undefined ? join(tree.dir, file.path) : scratchFile(file.path, tree.text(file.path)));
      }
      const extra = chart.helm.extraValues;
      if (extra !== undefined) valueFiles.push(scratchFile('values.yaml', typeof extra === 'string' ? extra : JSON.stringify(extra)));
      jobs.push({ placed, helm: chart.helm, dir, valueFiles });
    }

    const treeCrds = [...resolution.placed, ...resolution.handApplied].map((entry) => entry.doc);
    const run = (apiVersions: string[]) => {
      const charts: RenderedChart[] = [];
      const failures: Finding[] = [];
      for (const job of jobs) {
        const { chart, app } = job.placed;
        const args = helmTemplateArgs({
          releaseName: job.helm.releaseName ?? chart.application,
          ...(job.helm.namespace ?? app.destinationNamespace ? { namespace: job.helm.namespace ?? app.destinationNamespace! } : {}),
          ...(job.helm.kubeVersion ?? kubeVersion ? { kubeVersion: job.helm.kubeVersion ?? kubeVersion! } : {}),
          parameters: job.helm.parameters,
          valueFiles: job.valueFiles,
          apiVersions: job.helm.apiVersions ?? apiVersions,
          includeCrds: !job.helm.skipCrds,
          skipSchemaValidation: job.helm.skipSchemaValidation,
          skipTests: job.helm.skipTests,
        });
        const result = spawnSync(options.helm, args, { cwd: job.dir, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
        if (result.status !== 0) {
          const message = (result.stderr || result.error?.message || `exit ${result.status}`).trim().replace(/\s*\n\s*/g, '; ');
          const files = chart.helm!.valueFiles.map((file) => (file.from === 'remote' ? file.spec : file.path));
          failures.push(renderFinding(app, `helm template of chart ${chart.name} ${chart.version} fails: ${message}`, `ArgoCD fails the same way (ComparisonError): fix the values${files.length > 0 ? ` (${files.join(', ')})` : ''}`));
          continue;
        }
        let objects: KubeDoc[];
        try {
          objects = parseOutput(result.stdout, chart.element, app.doc.file);
        } catch (error) {
          failures.push(renderFinding(app, `chart ${chart.name} ${chart.version} renders YAML that does not parse: ${(error as Error).message.split('\n')[0]}`, 'ArgoCD fails the same way: fix the chart\'s templates'));
          continue;
        }
        charts.push({ application: app.label, applicationFile: app.doc.file, element: chart.element, chart: chart.name, version: chart.version, repoURL: chart.repoURL, args, output: result.stdout, objects });
      }
      return { charts, failures };
    };

    const extra = options.apiVersions ?? [];
    const union = (docs: Iterable<KubeDoc>) => [...new Set([...crdApiVersions(docs), ...extra])].sort();
    let apiVersions = union(treeCrds);
    let pass = run(apiVersions);
    const served = union([...treeCrds, ...pass.charts.flatMap((chart) => chart.objects)]);
    if (served.join('\n') !== apiVersions.join('\n')) {
      apiVersions = served;
      pass = run(apiVersions);
    }
    return {
      charts: pass.charts,
      rendered: new Map(pass.charts.map((chart) => [chart.element, chart.objects])),
      findings: [...findings, ...pass.failures],
      ...(kubeVersion ? { kubeVersion } : {}),
      apiVersions,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

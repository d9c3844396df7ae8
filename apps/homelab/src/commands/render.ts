import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CheckConfigError, formatFinding, renderTree, type RenderedApplication } from '@homelab/check';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, findConfig, seconds, UsageError, type Command, type Io, type OptionValues } from '../command.js';
import { findHelm, HELM_INSTALL_HINT, RENDER_OPTIONS, RENDER_OPTIONS_HELP, renderOptions } from '../helm.js';

/** File name of a source within its Application's directory: order, then what it is. */
const sourceFile = (index: number, title: string) => `${String(index).padStart(2, '0')}-${title.split(' ').slice(0, 2).join('-').replace(/[^A-Za-z0-9._-]/g, '_')}.yaml`;

/** Writes DIR/<application>/<NN>-<source>.yaml, staged beside DIR and moved into place whole. */
function writeApplications(out: string, applications: readonly RenderedApplication[]): number {
  if (existsSync(out) && (!statSync(out).isDirectory() || readdirSync(out).length > 0)) throw new UsageError(`--output ${out} exists and is not an empty directory: render writes a fresh one`);
  mkdirSync(dirname(out), { recursive: true });
  const staging = `${out}.partial-${process.pid}`;
  let files = 0;
  try {
    for (const app of applications) {
      app.sources.forEach((source, index) => {
        const path = join(staging, app.name, sourceFile(index, source.title));
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, source.text);
        files++;
      });
    }
    mkdirSync(staging, { recursive: true });
    if (existsSync(out)) rmSync(out, { recursive: true });
    renameSync(staging, out);
    return files;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function render(io: Io, options: OptionValues, positionals: string[]): Promise<number> {
  const start = io.now();
  const config = positionals[0] === undefined ? findConfig(io.cwd) : undefined;
  const dir = positionals[0] !== undefined ? resolve(io.cwd, positionals[0]) : config ? dirname(config) : io.cwd;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`not a directory: ${dir}`);
  const helm = findHelm(io, options['helm'] as string | undefined);
  if (!helm || !existsSync(helm)) {
    io.err(`✖ homelab render needs helm, ${helm ? `not found at ${helm}` : 'not found on PATH or in ~/go/bin'}: ${HELM_INSTALL_HINT}`);
    return EXIT_USAGE;
  }
  const out = typeof options['output'] === 'string' ? resolve(io.cwd, options['output']) : undefined;
  let report;
  try {
    report = renderTree(dir, { render: renderOptions(io, options, helm) });
  } catch (error) {
    if (error instanceof CheckConfigError) {
      io.err(`✖ ${error.message}`);
      return EXIT_INVALID;
    }
    throw error;
  }
  const problems = report.findings.filter((finding) => finding.check === 'render');
  for (const finding of problems) io.err(`${finding.severity === 'error' ? '✖' : finding.severity === 'warning' ? '⚠' : 'ℹ'} ${formatFinding(finding)}`);
  const errors = problems.filter((finding) => finding.severity === 'error').length;
  if (errors > 0) {
    io.err(`✖ ${errors} chart${errors === 1 ? '' : 's'} did not render. Nothing was written.`);
    return EXIT_INVALID;
  }
  const summary = `${report.rendering.charts.length} charts rendered${report.rendering.kubeVersion ? ` for Kubernetes ${report.rendering.kubeVersion}` : ''}, ${report.applications.length} Applications`;
  if (out) {
    const files = writeApplications(out, report.applications);
    io.out(`✔ ${summary}: ${files} files (${seconds(io, start)}) → ${out}`);
    return EXIT_OK;
  }
  for (const app of report.applications) {
    for (const source of app.sources) {
      io.out('---');
      io.out(`# ${app.application} (${app.file}): ${source.title}`);
      io.out(source.text.replace(/\n$/, ''));
    }
  }
  io.err(`✔ ${summary} (${seconds(io, start)})`);
  return EXIT_OK;
}

export const renderCommand: Command = {
  name: 'render',
  summary: 'See what ArgoCD will apply: every chart through the real helm template, with the raw manifests',
  help: `homelab render: what ArgoCD will apply, per Application

Usage: homelab render [DIR] [--output DIR] [--charts DIR] [--kube-version V] [--api-versions GV ...] [--helm PATH]

DIR is the root of the repository ArgoCD reads (default: the directory holding homelab.yaml,
else the current directory); Applications are resolved as 'homelab check' resolves them. Every
chart source of a reached Application is rendered with 'helm template' exactly as ArgoCD's
repo-server runs it: in the chart's directory, release name = the Application's name unless
helm.releaseName, --namespace = the destination namespace (or helm.namespace), the value files
in order ($values/... resolved in this tree) then helm.values/valuesObject, helm.parameters,
--kube-version (major.minor of the tree's pin), one --api-versions per group/version and
group/version/Kind of every CRD the tree installs (its own and those its charts render),
--include-crds unless helm.skipCrds. Raw manifests join as they are.

Output: one YAML stream on standard output, each source after '---' and a comment
'# Application/ns/name (file): …'; or, with --output DIR, one file per source in
DIR/<application>/<NN>-<source>.yaml (a chart's file is helm's output verbatim). Nothing is
written when a chart fails to render.

Options:
  -o, --output DIR          Write per Application into DIR (new or empty) instead of standard output
${RENDER_OPTIONS_HELP}
  -h, --help                Show this help

Exit codes: 0 rendered, 1 a chart failed to render (or fetch), 2 usage error or no helm.`,
  options: { output: { type: 'string', short: 'o' }, ...RENDER_OPTIONS },
  maxPositionals: 1,
  run: (io, options, positionals) => render(io, options, positionals),
};

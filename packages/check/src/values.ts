/**
 * Helm values against the pinned chart (`--chart-schemas DIR`): keys the chart's values.yaml does
 * not know (Helm ignores them silently: usually a typo or a key of another chart version), and
 * values its values.schema.json rejects (Helm refuses to render). A chart from a Helm repository is
 * looked up as `DIR/<chart>/<version>/`, `DIR/<chart>/v<version>/`, then `DIR/<chart>/`; a chart
 * read from git is its own oracle.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mergeAll } from '@homelab/core';
import type { Resolution } from './argocd.js';
import { chartOracle, unknownValueKeys, type ChartOracle } from './chart-values.js';
import type { CheckSettings } from './config.js';
import { CHART_LIBRARIES, CHART_SUBCHARTS } from './defaults.js';
import type { Finding } from './finding.js';
import { isMap, parseYaml } from './tree.js';

function chartMeta(dir: string): { version?: string; dependencies: string[] } {
  const path = join(dir, 'Chart.yaml');
  if (!existsSync(path)) return { dependencies: [] };
  const meta = parseYaml(readFileSync(path, 'utf8')).docs[0];
  if (!isMap(meta)) return { dependencies: [] };
  const dependencies = (Array.isArray(meta['dependencies']) ? meta['dependencies'] : []).filter(isMap).map((dependency) => String(dependency['alias'] ?? dependency['name']));
  return { ...(typeof meta['version'] === 'string' ? { version: meta['version'] } : {}), dependencies };
}

/** `root`: the directory the tree is read from; undefined for a tree in memory (its charts from git are not read). */
export function checkValues(resolution: Resolution, settings: CheckSettings, root: string | undefined): Finding[] {
  const findings: Finding[] = [];
  if (!settings.chartSchemas) return findings;
  const schemasRoot = resolve(settings.chartSchemas);
  const missing = new Set<string>();
  const reportedEmpty = new Set<string>();
  for (const { chart, app } of resolution.charts) {
    if (chart.values.length === 0) continue;
    const version = chart.version.replace(/^v/, '');
    if (chart.dir !== undefined && root === undefined) {
      findings.push({ check: 'chart-values', severity: 'info', file: app.doc.file, object: app.label, problem: `chart ${chart.name} is read from git, and this tree is held in memory`, hint: 'Its values are not checked: check the written tree (homelab check DIR)' });
      continue;
    }
    const chartDir = chart.dir !== undefined
      ? join(root!, chart.dir)
      : [join(schemasRoot, chart.name, chart.version), join(schemasRoot, chart.name, `v${version}`), join(schemasRoot, chart.name)].find((dir) => existsSync(join(dir, 'values.yaml')));
    const label = `chart ${chart.name} ${chart.version}`;
    if (!chartDir || !existsSync(join(chartDir, 'values.yaml'))) {
      if (!missing.has(label)) {
        missing.add(label);
        findings.push({ check: 'chart-values', severity: 'info', file: app.doc.file, object: app.label, problem: `no values.yaml for ${label} in ${settings.chartSchemas}`, hint: 'Its values are not checked' });
      }
      continue;
    }
    const meta = chartMeta(chartDir);
    if (chart.dir === undefined && meta.version !== undefined && meta.version.replace(/^v/, '') !== version) {
      findings.push({ check: 'chart-values', severity: 'info', file: app.doc.file, object: app.label, problem: `${chartDir} holds chart version ${meta.version}, not ${chart.version}`, hint: 'Values are checked against that version' });
    }
    const allowance = settings.chartValues[chart.name] ?? {};
    const options = { allow: allowance.allow ?? [], subcharts: [...(CHART_SUBCHARTS[chart.name] ?? []), ...(allowance.subcharts ?? []), ...meta.dependencies] };
    const library = chart.dir === undefined && CHART_LIBRARIES[chart.name] ? join(schemasRoot, CHART_LIBRARIES[chart.name]!) : undefined;
    let oracle: ChartOracle;
    try {
      oracle = chartOracle(chartDir, library && existsSync(join(library, 'values.yaml')) ? { libraryDir: library } : {});
    } catch (error) {
      findings.push({ check: 'chart-values', severity: 'info', file: app.doc.file, object: app.label, problem: `the oracle of ${label} does not load (${(error as Error).message.split('\n')[0]})`, hint: 'Its values are not checked' });
      continue;
    }
    const noDefaults = isMap(oracle.defaults) && Object.keys(oracle.defaults).length === 0;
    if (noDefaults && !reportedEmpty.has(label)) {
      reportedEmpty.add(label);
      findings.push({ check: 'chart-values', severity: 'info', file: app.doc.file, object: app.label, problem: `the values.yaml of ${label} is empty`, hint: 'Unknown keys cannot be told from known ones; only its values.schema.json (if any) is checked' });
    }
    for (const input of noDefaults ? [] : chart.values) {
      for (const key of unknownValueKeys(oracle.defaults, input.data, options)) {
        findings.push({
          check: 'chart-values',
          severity: 'warning',
          file: input.file,
          object: app.label,
          problem: `values key '${key}' is not in the values.yaml of ${label}`,
          hint: `Helm ignores unknown keys: fix the spelling, or, if the chart's templates read it, allow it (chartValues: { ${chart.name}: { allow: [${key}] } } in .homelab-check.yaml)`,
        });
      }
    }
    if (oracle.hasSchema) {
      // Helm validates the coalesced values: the chart's defaults with every values input on top.
      const merged = mergeAll<unknown>(oracle.chartDefaults, ...chart.values.map((input) => input.data as never));
      const file = chart.values[chart.values.length - 1]!.file;
      for (const problem of oracle.schemaProblems(merged)) {
        findings.push({
          check: 'chart-values',
          severity: 'error',
          file,
          object: app.label,
          problem: `values fail the values.schema.json of ${label}: ${problem.instancePath} ${problem.message}${problem.property ? ` '${problem.property}'` : ''}`,
          hint: 'Helm refuses to render the chart: fix the value',
        });
      }
    }
  }
  return findings;
}

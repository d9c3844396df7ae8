/**
 * What `homelab check` cannot see in the generated tree but the components vouch for, written to
 * `.homelab-check.yaml` at the output root so the check passes on our own output with no finding:
 *
 * - `chartObjects`: every exposure's Service (the component's chart creates it: trusted while
 *   charts are opaque, verified against what they render with `check --render`);
 * - `external`: every declared secret (a SOPS file `homelab secrets set` writes, or a bootstrap
 *   step: hand-managed, never generated), each commented with the components that vouch for it;
 * - `secretKeys`: the keys of every declared secret, so a chart value reading a key the secret will
 *   not hold is reported;
 * - `roots`: component files holding Kubernetes objects (`Component.files`: files a person uses
 *   directly), applied by hand at bootstrap, e.g. ArgoCD's own namespace;
 * - `chartValues`: per chart, the value paths its templates read although its values.yaml does not
 *   list them (`HelmChart.unlistedValues`), so `homelab check --chart-schemas` accepts them.
 */
import { loadAll } from 'js-yaml';
import { generatedHeader, type ArtifactModule, type Component, type GeneratedFile } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { CONFIG_FILE } from '@homelab/check';

export const CHECK_CONFIG_PATH = CONFIG_FILE;

const SOURCE = '@homelab/generator';

/** An entry of the check config and who vouches for it. */
export interface CheckConfigEntry {
  /** `Kind/namespace/name` (external) or a repository path (roots). */
  value: string;
  /** Why it is listed: `<component>: <reason>`, one per component. */
  vouchers: string[];
}

function collect(entries: Map<string, Set<string>>, value: string, voucher: string): void {
  const vouchers = entries.get(value) ?? new Set<string>();
  vouchers.add(voucher);
  entries.set(value, vouchers);
}

const sorted = (entries: Map<string, Set<string>>): CheckConfigEntry[] =>
  [...entries.keys()].sort().map((value) => ({ value, vouchers: [...entries.get(value)!].sort() }));

/** Services behind the components' exposures: their charts create them. */
export function serviceEntries(components: readonly Component[]): CheckConfigEntry[] {
  const entries = new Map<string, Set<string>>();
  for (const component of components) {
    const hosts = new Map<string, string[]>();
    for (const exposure of component.exposes ?? []) {
      const key = `Service/${exposure.service.namespace}/${exposure.service.name}`;
      hosts.set(key, [...(hosts.get(key) ?? []), `${exposure.host} (${exposure.access})`]);
    }
    for (const [key, list] of hosts) collect(entries, key, `${component.name} exposes ${list.join(', ')}`);
  }
  return sorted(entries);
}

/** Secrets the components declare: hand-managed SOPS files or bootstrap steps provide them. */
export function secretEntries(components: readonly Component[]): CheckConfigEntry[] {
  const entries = new Map<string, Set<string>>();
  for (const component of components) {
    for (const secret of component.secrets ?? []) collect(entries, `Secret/${secret.namespace}/${secret.name}`, `${component.name} declares it`);
  }
  return sorted(entries);
}

/** The keys of each declared secret (`namespace/name`), sorted; two declarations of one secret add up. */
export function secretKeyEntries(components: readonly Component[]): [string, string[]][] {
  const keys = new Map<string, Set<string>>();
  for (const component of components) {
    for (const secret of component.secrets ?? []) {
      const ref = `${secret.namespace}/${secret.name}`;
      keys.set(ref, new Set([...(keys.get(ref) ?? []), ...secret.keys]));
    }
  }
  return [...keys.keys()].sort().map((ref) => [ref, [...keys.get(ref)!].sort()]);
}

/** Whether a file holds Kubernetes objects (a YAML/JSON file with apiVersion and kind). */
function holdsObjects(file: GeneratedFile): boolean {
  if (!/\.(ya?ml|json)$/.test(file.path)) return false;
  try {
    return loadAll(file.content).some((doc) => doc !== null && typeof doc === 'object' && typeof (doc as Record<string, unknown>)['apiVersion'] === 'string' && typeof (doc as Record<string, unknown>)['kind'] === 'string');
  } catch {
    return false;
  }
}

/** Component files holding Kubernetes objects: a person applies them by hand (bootstrap). */
export function rootEntries(components: readonly Component[]): CheckConfigEntry[] {
  const entries = new Map<string, Set<string>>();
  for (const component of components) {
    for (const file of component.files ?? []) if (holdsObjects(file)) collect(entries, file.path, `${component.name}: applied by hand at bootstrap`);
  }
  return sorted(entries);
}

/** Per chart name, the value paths the components declare as read by its templates though unlisted. */
export function chartValueEntries(components: readonly Component[]): Map<string, CheckConfigEntry[]> {
  const charts = new Map<string, Map<string, Set<string>>>();
  for (const component of components) {
    if (!component.chart) continue;
    const entries = charts.get(component.chart.name) ?? new Map<string, Set<string>>();
    for (const path of component.chart.unlistedValues ?? []) collect(entries, path, `${component.name} sets it`);
    if (entries.size > 0) charts.set(component.chart.name, entries);
  }
  return new Map([...charts.keys()].sort().map((chart) => [chart, sorted(charts.get(chart)!)]));
}

/** A YAML plain scalar when safe, else a quoted one. */
const scalar = (value: string) => (/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(value) ? value : JSON.stringify(value));

function list(key: string, note: string, entries: CheckConfigEntry[]): string {
  if (entries.length === 0) return '';
  return [`${key}:`, `  # ${note}`, ...entries.map((entry) => `  - ${scalar(entry.value)}  # ${entry.vouchers.join('; ')}`)].join('\n') + '\n';
}

function keyMap(key: string, note: string, entries: [string, string[]][]): string {
  if (entries.length === 0) return '';
  return [`${key}:`, `  # ${note}`, ...entries.map(([ref, keys]) => `  ${scalar(ref)}: [${keys.map(scalar).join(', ')}]`)].join('\n') + '\n';
}

function chartValuesSection(charts: Map<string, CheckConfigEntry[]>): string {
  if (charts.size === 0) return '';
  const lines = ['chartValues:', "  # Value paths the charts' templates read although their values.yaml does not list them"];
  for (const [chart, entries] of charts) {
    lines.push(`  ${scalar(chart)}:`, '    allow:', ...entries.map((entry) => `      - ${scalar(entry.value)}  # ${entry.vouchers.join('; ')}`));
  }
  return lines.join('\n') + '\n';
}

export function checkConfigFile(components: readonly Component[]): GeneratedFile {
  const note =
    '# What `homelab check` cannot see in this tree, vouched for by the components that render it.\n' +
    '# `homelab generate` and `homelab validate` check the rendered tree with it; `homelab check` reads it here.\n';
  const content =
    generatedHeader(SOURCE) +
    note +
    list('chartObjects', "Services the components' charts create behind their exposures (verified by `homelab check --render`)", serviceEntries(components)) +
    list('external', 'Secrets the components declare (SOPS files, bootstrap)', secretEntries(components)) +
    keyMap('secretKeys', 'The keys of the Secrets they declare', secretKeyEntries(components)) +
    list('roots', 'Files applied by hand at bootstrap, before ArgoCD syncs anything', rootEntries(components)) +
    chartValuesSection(chartValueEntries(components));
  return { path: CHECK_CONFIG_PATH, source: SOURCE, content };
}

/** Register in modules.ts `defaultArtifacts`. */
export const checkConfigArtifact: ArtifactModule<ResolvedConfig> = {
  name: 'check-config',
  build: (_config, components) => [checkConfigFile(components)],
};

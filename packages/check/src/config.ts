/**
 * What the user tells `homelab check` that the tree cannot: objects that exist outside it,
 * which repository URLs mean "this repository", extra roots, chart-values allowances, the cluster's
 * default Pod Security level. Read from `.homelab-check.yaml` in the checked directory and from
 * command-line options (which add to the file).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE } from './defaults.js';
import { globMatch, isLiteralGlob } from './glob.js';
import { isMap, parseYaml } from './tree.js';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';
export const POD_SECURITY_LEVELS: readonly PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];

/** An object that exists although the tree does not hold it; name and namespace may be globs. */
export interface ExternalObject {
  kind: string;
  namespace?: string;
  name: string;
}

export interface ChartValuesAllowance {
  /** Key paths (dotted) the chart's templates read although its values.yaml omits them. */
  allow?: string[];
  /** Top-level keys owned by subcharts. */
  subcharts?: string[];
}

/** Settings of a check run: `.homelab-check.yaml` merged with command-line options. */
export interface CheckSettings {
  external: ExternalObject[];
  /**
   * Objects the tree's charts create (`chartObjects:`): trusted like `external` while charts are
   * opaque; when they are rendered, verified: an entry no rendered chart creates is an error.
   */
  chartObjects: ExternalObject[];
  /** Repository URLs that mean the checked directory (besides those inferred from the tree). */
  repoURLs: string[];
  /**
   * Files (repository paths) applied by hand (`kubectl apply -f`), e.g. at bootstrap: their
   * Applications are roots (besides those nothing includes), their other objects exist before
   * ArgoCD syncs anything.
   */
  roots: string[];
  /** Globs (ArgoCD semantics) of repository paths not to check at all. */
  ignore: string[];
  chartValues: Record<string, ChartValuesAllowance>;
  /**
   * The keys of Secrets the tree does not hold (`namespace/name` → keys), e.g. SOPS files written
   * later: a chart value reading another key of one is reported.
   */
  secretKeys: Record<string, string[]>;
  /**
   * Applications (`namespace/name`, globs) whose charts' metrics are left unscraped on purpose
   * although the tree runs a Prometheus: the runtime check's metrics findings skip them.
   */
  unscraped: string[];
  /** Enforce level of namespaces without a `pod-security.kubernetes.io/enforce` label. @default 'privileged' */
  defaultPodSecurity: PodSecurityLevel;
  /** Directory of chart schemas (`<chart>/values.yaml`, `values.schema.json`); unset: values are not checked. */
  chartSchemas?: string;
}

export class CheckConfigError extends Error {}

/** Parses `Kind/namespace/name` or `Kind/name` (cluster-scoped). */
export function parseExternal(spec: string, where = '--external'): ExternalObject {
  const parts = spec.split('/');
  if (parts.some((part) => part === '') || parts.length < 2 || parts.length > 3) {
    throw new CheckConfigError(`${where}: '${spec}' is not Kind/namespace/name or Kind/name (e.g. Secret/media/plex-token, StorageClass/local-path)`);
  }
  return parts.length === 3 ? { kind: parts[0]!, namespace: parts[1]!, name: parts[2]! } : { kind: parts[0]!, name: parts[1]! };
}

const matchesExternal = (entry: ExternalObject, kind: string, namespace: string | undefined, name: string) =>
  entry.kind === kind &&
  (entry.namespace === undefined ? namespace === undefined : namespace !== undefined && globMatch(entry.namespace, namespace)) &&
  globMatch(entry.name, name);

/** One key per kind, namespace (or none: cluster-scoped) and name. */
const externalKey = (kind: string, namespace: string | undefined, name: string) => JSON.stringify([kind, namespace ?? null, name]);

/**
 * Whether an object is declared external, as a test built once for many objects: entries without
 * glob syntax are looked up by key and only the others tested, since the generated config declares
 * an entry per exposed Service and per declared Secret.
 */
export function externalMatcher(settings: Pick<CheckSettings, 'external'>): (kind: string, namespace: string | undefined, name: string) => boolean {
  const literal = new Set<string>();
  const patterned: ExternalObject[] = [];
  for (const entry of settings.external) {
    if (isLiteralGlob(entry.name) && (entry.namespace === undefined || isLiteralGlob(entry.namespace))) literal.add(externalKey(entry.kind, entry.namespace, entry.name));
    else patterned.push(entry);
  }
  return (kind, namespace, name) => literal.has(externalKey(kind, namespace, name)) || patterned.some((entry) => matchesExternal(entry, kind, namespace, name));
}

const KEYS = ['external', 'chartObjects', 'repoURLs', 'roots', 'ignore', 'chartValues', 'secretKeys', 'unscraped', 'podSecurity'];

function stringList(value: unknown, path: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw new CheckConfigError(`${CONFIG_FILE}: ${path} must be a list of strings`);
  return value as string[];
}

/** What the command line adds to `.homelab-check.yaml`. */
export interface SettingsOptions {
  external?: string[];
  repoURLs?: string[];
  chartSchemas?: string;
}

/** Reads `.homelab-check.yaml` from `dir` (absent: defaults) and adds the command-line options. */
export function loadSettings(dir: string, options: SettingsOptions = {}): CheckSettings {
  const path = join(dir, CONFIG_FILE);
  return parseSettings(existsSync(path) ? readFileSync(path, 'utf8') : undefined, options);
}

/** Parses the text of `.homelab-check.yaml` (undefined: absent, defaults) and adds the command-line options. */
export function parseSettings(text: string | undefined, options: SettingsOptions = {}): CheckSettings {
  let data: Record<string, unknown> = {};
  if (text !== undefined) {
    const { docs, error } = parseYaml(text);
    if (error !== undefined) throw new CheckConfigError(`${CONFIG_FILE}: not valid YAML (${error})`);
    if (docs.length > 1) throw new CheckConfigError(`${CONFIG_FILE}: must be a single YAML document (found ${docs.length}); remove the extra '---' separators`);
    const parsed = docs[0];
    if (parsed !== null && parsed !== undefined && !isMap(parsed)) throw new CheckConfigError(`${CONFIG_FILE}: must be a mapping`);
    data = (parsed as Record<string, unknown> | null) ?? {};
  }
  for (const key of Object.keys(data)) {
    if (!KEYS.includes(key)) throw new CheckConfigError(`${CONFIG_FILE}: unknown key '${key}' (known: ${KEYS.join(', ')})`);
  }
  const chartValues: Record<string, ChartValuesAllowance> = {};
  if (data['chartValues'] !== undefined) {
    if (!isMap(data['chartValues'])) throw new CheckConfigError(`${CONFIG_FILE}: chartValues must map chart names to { allow, subcharts }`);
    for (const [chart, value] of Object.entries(data['chartValues'])) {
      if (!isMap(value)) throw new CheckConfigError(`${CONFIG_FILE}: chartValues.${chart} must be { allow, subcharts }`);
      chartValues[chart] = { allow: stringList(value['allow'], `chartValues.${chart}.allow`), subcharts: stringList(value['subcharts'], `chartValues.${chart}.subcharts`) };
    }
  }
  const secretKeys: Record<string, string[]> = {};
  if (data['secretKeys'] !== undefined) {
    if (!isMap(data['secretKeys'])) throw new CheckConfigError(`${CONFIG_FILE}: secretKeys must map namespace/name to a list of keys`);
    for (const [ref, keys] of Object.entries(data['secretKeys'])) {
      if (!/^[^/]+\/[^/]+$/.test(ref)) throw new CheckConfigError(`${CONFIG_FILE}: secretKeys: '${ref}' is not namespace/name (e.g. media/plex-token)`);
      secretKeys[ref] = stringList(keys, `secretKeys.${ref}`);
    }
  }
  const unscraped = stringList(data['unscraped'], 'unscraped');
  for (const [index, entry] of unscraped.entries()) {
    if (!/^[^/]+\/[^/]+$/.test(entry)) throw new CheckConfigError(`${CONFIG_FILE}: unscraped[${index}]: '${entry}' is not the namespace/name of an Application (e.g. argocd/argocd)`);
  }
  let defaultPodSecurity: PodSecurityLevel = 'privileged';
  if (data['podSecurity'] !== undefined) {
    const podSecurity = data['podSecurity'];
    const level = isMap(podSecurity) ? podSecurity['defaultEnforce'] : undefined;
    if (!POD_SECURITY_LEVELS.includes(level as PodSecurityLevel)) {
      throw new CheckConfigError(`${CONFIG_FILE}: podSecurity.defaultEnforce must be one of ${POD_SECURITY_LEVELS.join(', ')}`);
    }
    defaultPodSecurity = level as PodSecurityLevel;
  }
  return {
    external: [
      ...stringList(data['external'], 'external').map((spec, index) => parseExternal(spec, `${CONFIG_FILE}: external[${index}]`)),
      ...(options.external ?? []).map((spec) => parseExternal(spec)),
    ],
    chartObjects: stringList(data['chartObjects'], 'chartObjects').map((spec, index) => parseExternal(spec, `${CONFIG_FILE}: chartObjects[${index}]`)),
    repoURLs: [...stringList(data['repoURLs'], 'repoURLs'), ...(options.repoURLs ?? [])],
    roots: stringList(data['roots'], 'roots'),
    ignore: stringList(data['ignore'], 'ignore'),
    chartValues,
    secretKeys,
    unscraped,
    defaultPodSecurity,
    ...(options.chartSchemas ? { chartSchemas: options.chartSchemas } : {}),
  };
}

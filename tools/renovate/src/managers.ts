/**
 * What Renovate extracts from a file with the custom regex managers of renovate.json, and which
 * pins a versions.ts module holds, so a test can show that no pin is invisible to Renovate.
 *
 * Extraction follows Renovate's regex manager (matchStringsStrategy "any", the default): every
 * matchString runs globally over the whole file and each match is one dependency whose fields are
 * the named groups, completed by the manager's templates.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WORKSPACE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface CustomManager {
  description?: string;
  customType: string;
  managerFilePatterns: string[];
  matchStrings: string[];
  datasourceTemplate?: string;
  versioningTemplate?: string;
  depNameTemplate?: string;
  registryUrlTemplate?: string;
}

export interface PackageRule {
  description?: string;
  matchDatasources?: string[];
  matchPackageNames?: string[];
  versioning?: string;
  allowedVersions?: string;
  groupName?: string;
}

export interface RenovateConfig {
  customManagers: CustomManager[];
  customDatasources?: Record<string, unknown>;
  packageRules?: PackageRule[];
  ignorePaths?: string[];
}

export const readRenovateConfig = (root = WORKSPACE_ROOT): RenovateConfig =>
  JSON.parse(readFileSync(join(root, 'renovate.json'), 'utf8')) as RenovateConfig;

/** A Renovate file pattern: `/regex/` or a glob (only the regex form is used here). */
export function filePattern(pattern: string): RegExp {
  const regex = /^\/(.*)\/([a-z]*)$/.exec(pattern);
  if (!regex) throw new Error(`only /regex/ managerFilePatterns are supported here, got ${pattern}`);
  return new RegExp(regex[1]!, regex[2]);
}

export const managersFor = (config: RenovateConfig, path: string): CustomManager[] =>
  config.customManagers.filter((manager) => manager.managerFilePatterns.some((pattern) => filePattern(pattern).test(path)));

export interface Dependency {
  /** Index of the manager in renovate.json's customManagers. */
  manager: number;
  depName: string;
  currentValue: string;
  datasource: string;
  registryUrl?: string;
  versioning?: string;
  /** Offset of the match and of currentValue in the file. */
  index: number;
  valueIndex: number;
}

/**
 * Renovate compiles matchStrings with RE2 (no lookaround, no backreferences), in Unicode mode:
 * 'u' here rejects the escapes RE2 would reject, 'd' gives the offset of each group.
 */
export const compile = (pattern: string): RegExp => new RegExp(pattern, 'gud');

export function extractDependencies(text: string, config: RenovateConfig, path: string): Dependency[] {
  const deps: Dependency[] = [];
  for (const manager of managersFor(config, path)) {
    const managerIndex = config.customManagers.indexOf(manager);
    for (const matchString of manager.matchStrings) {
      for (const match of text.matchAll(compile(matchString))) {
        const groups = match.groups ?? {};
        const datasource = groups['datasource'] ?? manager.datasourceTemplate;
        const depName = groups['depName'] ?? manager.depNameTemplate;
        const currentValue = groups['currentValue'];
        if (!datasource || !depName || currentValue === undefined) {
          throw new Error(`manager ${managerIndex} matched "${match[0]}" without datasource, depName or currentValue`);
        }
        const registryUrl = groups['registryUrl'] ?? manager.registryUrlTemplate;
        const versioning = groups['versioning'] ?? manager.versioningTemplate;
        deps.push({
          manager: managerIndex,
          depName,
          currentValue,
          datasource,
          ...(registryUrl ? { registryUrl } : {}),
          ...(versioning ? { versioning } : {}),
          index: match.index,
          valueIndex: match.indices!.groups!['currentValue']![0],
        });
      }
    }
  }
  return deps.sort((a, b) => a.index - b.index);
}

/** A pinned version held by a versions.ts module, with what Renovate must know to update it. */
export interface Pin {
  /** Where it sits in the module's exports, e.g. `CILIUM_CHART.version`. */
  path: string;
  value: string;
  /** Literal as written in the source: `'1.2.3'`, or `revision: 37`. */
  literals: string[];
  expect: { datasource?: string; depName?: string; registryUrl?: string };
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const looksLikeVersion = (value: string) => /^v?\d+(\.\d+)+/.test(value);
const quoted = (value: string) => [`'${value}'`, `"${value}"`];

/**
 * Every pin in a module's exports: the version of a HelmChart, the tag of an image, the version
 * of a Terraform provider, the revision of a grafana.com dashboard, every exported string, and
 * any other string under `version`/`tag` or shaped like a version.
 */
export function pinsOf(exports: Record<string, unknown>): Pin[] {
  const pins: Pin[] = [];
  const walk = (value: unknown, path: string, key: string, topLevel: boolean) => {
    if (typeof value === 'string') {
      if (topLevel || key === 'version' || key === 'tag' || looksLikeVersion(value)) pins.push({ path, value, literals: quoted(value), expect: {} });
      return;
    }
    if (typeof value === 'number') {
      if (key === 'revision') pins.push({ path, value: String(value), literals: [`revision: ${value}`], expect: {} });
      return;
    }
    if (!isRecord(value)) return;
    const { repo, name, version, repository, tag, source, gnetId, revision } = value;
    const rest = (...pinned: string[]) => Object.entries(value).filter(([child]) => !pinned.includes(child));
    let children = Object.entries(value);
    if (typeof repo === 'string' && typeof name === 'string' && typeof version === 'string') {
      pins.push({ path: `${path}.version`, value: version, literals: quoted(version), expect: { datasource: 'helm', depName: name, registryUrl: repo } });
      children = rest('version');
    } else if (typeof repository === 'string' && typeof tag === 'string') {
      pins.push({ path: `${path}.tag`, value: tag, literals: quoted(tag), expect: { datasource: 'docker', depName: repository } });
      children = rest('tag');
    } else if (typeof source === 'string' && typeof version === 'string') {
      pins.push({ path: `${path}.version`, value: version, literals: quoted(version), expect: { datasource: 'terraform-provider', depName: source } });
      children = rest('version');
    } else if (typeof gnetId === 'number' && typeof revision === 'number') {
      pins.push({
        path: `${path}.revision`,
        value: String(revision),
        literals: [`revision: ${revision}`],
        expect: { datasource: 'custom.grafana-dashboards', depName: String(gnetId) },
      });
      children = rest('revision');
    }
    for (const [child, childValue] of children) walk(childValue, `${path}.${child}`, child, false);
  };
  for (const [name, value] of Object.entries(exports)) walk(value, name, name, true);
  return pins;
}

/**
 * Why the pins of one file are not each seen by exactly one manager with the names the code uses
 * (empty: all are). Pins whose literal is not in the file are re-exports, checked where written.
 */
export function coverageProblems(text: string, pins: Pin[], deps: Dependency[]): string[] {
  const problems: string[] = [];
  const local = pins.filter((pin) => pin.literals.some((literal) => text.includes(literal)));
  const used = new Set<Dependency>();
  const byValue = new Map<string, Pin[]>();
  for (const pin of local) byValue.set(pin.value, [...(byValue.get(pin.value) ?? []), pin]);
  for (const [value, group] of byValue) {
    const candidates = deps.filter((dep) => dep.currentValue === value);
    for (const pin of group) {
      const own = candidates.filter((dep) => pin.expect.depName === undefined || dep.depName === pin.expect.depName);
      if (own.length === 0) {
        problems.push(`${pin.path} = '${value}': no manager sees it`);
        continue;
      }
      for (const dep of own) {
        used.add(dep);
        if (pin.expect.datasource && dep.datasource !== pin.expect.datasource) problems.push(`${pin.path}: datasource ${dep.datasource}, expected ${pin.expect.datasource}`);
        if (pin.expect.registryUrl !== undefined && registryKey(dep.registryUrl) !== registryKey(pin.expect.registryUrl)) {
          problems.push(`${pin.path}: registryUrl ${dep.registryUrl}, expected ${pin.expect.registryUrl}`);
        }
      }
    }
    const seen = candidates.filter((dep) => group.some((pin) => pin.expect.depName === undefined || dep.depName === pin.expect.depName));
    if (seen.length > group.length) problems.push(`'${value}' (${group.map((pin) => pin.path).join(', ')}): seen ${seen.length} times, by managers ${seen.map((dep) => dep.manager).join(', ')}`);
  }
  for (const dep of deps) if (!used.has(dep)) problems.push(`manager ${dep.manager} extracts ${dep.depName}@${dep.currentValue}, which is no pin`);
  return problems;
}

/** A registry URL as compared: Renovate normalises it to end in `/`, the same registry either way. */
export function registryKey(url: string | undefined): string {
  return (url ?? '').replace(/\/+$/, '');
}

/**
 * `// renovate: key=value …` comments that disagree with the dependency Renovate extracts right
 * after them: the comments are documentation, so they must not lie.
 */
export function commentProblems(text: string, deps: Dependency[]): string[] {
  const problems: string[] = [];
  for (const comment of text.matchAll(/\/\/ renovate: (.*)/g)) {
    const fields = Object.fromEntries([...comment[1]!.matchAll(/(\w+)=(\S+)/g)].map((field) => [field[1]!, field[2]!]));
    const next = deps.find((dep) => dep.index >= comment.index);
    const line = text.slice(0, comment.index).split('\n').length;
    if (!next || text.slice(comment.index, next.index).split('\n').length > 3) {
      problems.push(`line ${line}: no pin follows "${comment[0]}"`);
      continue;
    }
    const datasource = fields['datasource'] === 'grafana-dashboards' ? 'custom.grafana-dashboards' : fields['datasource'];
    if (datasource !== next.datasource) problems.push(`line ${line}: comment says datasource=${fields['datasource']}, Renovate uses ${next.datasource}`);
    if (fields['depName'] !== undefined && fields['depName'] !== next.depName) problems.push(`line ${line}: comment says depName=${fields['depName']}, Renovate uses ${next.depName}`);
    if (fields['registryUrl'] !== undefined && registryKey(fields['registryUrl']) !== registryKey(next.registryUrl)) {
      problems.push(`line ${line}: comment says registryUrl=${fields['registryUrl']}, Renovate uses ${next.registryUrl}`);
    }
  }
  return problems;
}

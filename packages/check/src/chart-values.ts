/**
 * Chart conformance: do Helm values use only keys the real, pinned chart accepts?
 * Two oracles, both from the chart itself: its values.schema.json (when it ships one, validated
 * with ajv) and its default values.yaml (every key path we set must exist there, except below
 * keys whose default is free-form: an empty map, a list, or null).
 * (Moved here from @homelab/testing, which re-exports it for the component packages' tests.)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parseYaml } from './tree.js';

type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as AddFormats;

export interface ChartCheckOptions {
  /**
   * Key paths (valuePath notation) the chart's templates read although its values.yaml omits them;
   * each entry must be justified where it is used. Everything below an allowed path is accepted.
   */
  allow?: string[];
  /** Top-level keys owned by subcharts whose values are not part of this oracle. */
  subcharts?: string[];
  /** Extra schema files to register with ajv by their $id or by a URL they are referenced as. */
  schemaRefs?: Record<string, string>;
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * A key path as check writes it: segments joined by dots, a segment that holds a dot (a literal
 * key such as argocd-cm's `oidc.config`) in double quotes, so that it is never read as two levels.
 */
export function valuePath(segments: readonly string[]): string {
  return segments.map((segment) => (segment.includes('.') || segment.includes('"') ? JSON.stringify(segment) : segment)).join('.');
}

/**
 * Whether a map of the chart's defaults holds data, not options: a key with a dot in it is a
 * literal name (argo-cd's `configs.cm` lists `exec.enabled`, `timeout.reconciliation` … and writes
 * every key into argocd-cm), so any key is accepted beneath it.
 */
const isDataMap = (known: Record<string, unknown>) => Object.keys(known).some((key) => key.includes('.'));

/** Key paths in `values` (in valuePath notation) that the chart's default values.yaml does not know. */
export function unknownValueKeys(defaults: unknown, values: unknown, options: ChartCheckOptions = {}): string[] {
  const allow = new Set(options.allow ?? []);
  const subcharts = new Set(options.subcharts ?? []);
  const unknown: string[] = [];
  const walk = (known: unknown, ours: unknown, path: string[]) => {
    if (!isMap(ours)) return;
    for (const [key, child] of Object.entries(ours)) {
      const childPath = [...path, key];
      const dotted = valuePath(childPath);
      if (allow.has(dotted) || (path.length === 0 && subcharts.has(key))) continue;
      if (!isMap(known) || !(key in known)) {
        unknown.push(dotted);
        continue;
      }
      const knownChild = known[key];
      const freeForm = knownChild === null || Array.isArray(knownChild) || (isMap(knownChild) && (Object.keys(knownChild).length === 0 || isDataMap(knownChild)));
      if (!freeForm) walk(knownChild, child, childPath);
    }
  };
  walk(defaults, values, []);
  return unknown;
}

/** One values.schema.json violation. */
export interface SchemaProblem {
  instancePath: string;
  message: string;
  /** The offending key, for additionalProperties violations. */
  property?: string;
}

/** A chart's two oracles, loaded once: its default values and its compiled values.schema.json (if any). */
export interface ChartOracle {
  /** Defaults to compare keys against (a wrapper chart's: its library's). */
  defaults: unknown;
  /** The chart's own values.yaml: what Helm coalesces user values onto before validating them. */
  chartDefaults: unknown;
  /** Schema violations of the values; empty without a schema. */
  schemaProblems(values: unknown): SchemaProblem[];
  hasSchema: boolean;
}

export interface ChartOracleOptions {
  /** Extra schema files to register with ajv by their $id or by a URL they are referenced as. */
  schemaRefs?: Record<string, string>;
  /**
   * The library chart a thin wrapper chart delegates to (bjw-s app-template → its common library):
   * its values.yaml holds the defaults, and the wrapper's `{"$ref": "<url>"}` schema resolves to the
   * library's values.schema.json, with the library's `schemas/*.json` beside that URL.
   */
  libraryDir?: string;
}

const oracles = new Map<string, ChartOracle>();
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
/** A values.yaml: empty (or comments only) means no defaults. */
const readValues = (path: string): unknown => {
  const { docs, error } = parseYaml(readFileSync(path, 'utf8'));
  if (error !== undefined) throw new Error(`${path}: ${error}`);
  return docs[0] ?? {};
};

/** The oracle for the chart stored in `chartDir` (values.yaml, optional values.schema.json). */
export function chartOracle(chartDir: string, options: ChartOracleOptions = {}): ChartOracle {
  const key = `${chartDir}\0${JSON.stringify(options)}`;
  let oracle = oracles.get(key);
  if (!oracle) {
    const chartDefaults = readValues(join(chartDir, 'values.yaml'));
    const defaults = options.libraryDir ? readValues(join(options.libraryDir, 'values.yaml')) : chartDefaults;
    const schemaPath = join(chartDir, 'values.schema.json');
    let validate: ValidateFunction | undefined;
    if (existsSync(schemaPath)) {
      const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
      addFormats(ajv);
      for (const [id, file] of Object.entries(options.schemaRefs ?? {})) ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')) as AnySchema, id);
      const root = readJson(schemaPath);
      if (options.libraryDir && typeof root['$ref'] === 'string') {
        const url = root['$ref'];
        ajv.addSchema(readJson(join(options.libraryDir, 'values.schema.json')) as AnySchema, url);
        const schemas = join(options.libraryDir, 'schemas');
        if (existsSync(schemas)) {
          for (const file of readdirSync(schemas).filter((name) => name.endsWith('.json')).sort()) {
            ajv.addSchema(readJson(join(schemas, file)) as AnySchema, new URL(`schemas/${file}`, url).href);
          }
        }
      }
      validate = ajv.compile(root as AnySchema);
    }
    oracle = {
      defaults,
      chartDefaults,
      hasSchema: validate !== undefined,
      schemaProblems: (values) => {
        if (!validate || validate(values)) return [];
        return (validate.errors ?? []).map((error) => ({
          instancePath: error.instancePath || '/',
          message: error.message ?? error.keyword,
          ...(error.keyword === 'additionalProperties' ? { property: String(error.params['additionalProperty']) } : {}),
        }));
      },
    };
    oracles.set(key, oracle);
  }
  return oracle;
}

/**
 * Every problem with `values` for the chart stored in `chartDir` (a directory of
 * shared/chart-schemas). Empty means the real chart accepts them.
 */
export function checkChartValues(chartDir: string, values: unknown, options: ChartCheckOptions = {}): string[] {
  const oracle = chartOracle(chartDir, options.schemaRefs ? { schemaRefs: options.schemaRefs } : {});
  return [
    ...unknownValueKeys(oracle.defaults, values, options).map((key) => `${key}: not a key of the chart's values.yaml`),
    ...oracle.schemaProblems(values).map((problem) => `${problem.instancePath}: ${problem.message} (values.schema.json)`),
  ];
}

/**
 * Chart conformance: do our Helm values use only keys the real, pinned chart accepts?
 * Two oracles, both from the chart itself: its values.schema.json (when it ships one, validated
 * with ajv) and its default values.yaml (every key path we set must exist there, except below
 * keys whose default is free-form: an empty map, a list, or null).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { Ajv, type AnySchema } from 'ajv';
import addFormatsModule from 'ajv-formats';

type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as AddFormats;

export interface ChartCheckOptions {
  /**
   * Key paths (dotted) the chart's templates read although its values.yaml omits them; each
   * entry must be justified where it is used. Everything below an allowed path is accepted.
   */
  allow?: string[];
  /** Top-level keys owned by subcharts whose values are not part of this oracle. */
  subcharts?: string[];
  /** Extra schema files to register with ajv by their $id or by a URL they are referenced as. */
  schemaRefs?: Record<string, string>;
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Key paths in `values` that the chart's default values.yaml does not know. */
export function unknownValueKeys(defaults: unknown, values: unknown, options: ChartCheckOptions = {}): string[] {
  const allow = new Set(options.allow ?? []);
  const subcharts = new Set(options.subcharts ?? []);
  const unknown: string[] = [];
  const walk = (known: unknown, ours: unknown, path: string[]) => {
    if (!isMap(ours)) return;
    for (const [key, child] of Object.entries(ours)) {
      const childPath = [...path, key];
      const dotted = childPath.join('.');
      if (allow.has(dotted) || (path.length === 0 && subcharts.has(key))) continue;
      if (!isMap(known) || !(key in known)) {
        unknown.push(dotted);
        continue;
      }
      const knownChild = known[key];
      const freeForm = knownChild === null || Array.isArray(knownChild) || (isMap(knownChild) && Object.keys(knownChild).length === 0);
      if (!freeForm) walk(knownChild, child, childPath);
    }
  };
  walk(defaults, values, []);
  return unknown;
}

/**
 * Every problem with `values` for the chart stored in `chartDir` (a directory of
 * shared/chart-schemas). Empty means the real chart accepts them.
 */
export function checkChartValues(chartDir: string, values: unknown, options: ChartCheckOptions = {}): string[] {
  const problems: string[] = [];
  const defaultsPath = join(chartDir, 'values.yaml');
  const defaults = load(readFileSync(defaultsPath, 'utf8')) ?? {};
  for (const key of unknownValueKeys(defaults, values, options)) problems.push(`${key}: not a key of the chart's values.yaml`);
  const schemaPath = join(chartDir, 'values.schema.json');
  if (existsSync(schemaPath)) {
    const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
    addFormats(ajv);
    for (const [id, file] of Object.entries(options.schemaRefs ?? {})) {
      ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')) as AnySchema, id);
    }
    const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as AnySchema);
    if (!validate(values)) {
      for (const error of validate.errors ?? []) problems.push(`${error.instancePath || '/'}: ${error.message ?? error.keyword} (values.schema.json)`);
    }
  }
  return problems;
}

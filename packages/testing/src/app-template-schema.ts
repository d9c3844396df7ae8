/**
 * Conformance oracle for bjw-s app-template 4.x values. The chart's own values.schema.json is only
 * `{"$ref": "<common library values.schema.json URL>"}`, and that schema pulls in `schemas/*.json`
 * by relative reference (shared/chart-schemas/SOURCES.md, note 1). This loader registers the stored
 * common-library files under the URLs they are referenced by, so ajv resolves every `$ref` offline,
 * then compiles the app-template schema itself. The common library's values.yaml is the second
 * oracle (app-template's own values.yaml is empty upstream): every top-level key we set must be one
 * the library knows, which the schema alone does not enforce (its root allows unknown keys).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { unknownValueKeys, type ChartCheckOptions } from './chart-values.js';
import { chartSchemaDir } from './shared.js';

type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as AddFormats;

/** Problems of `values` for the pinned app-template chart; empty means the chart accepts them. */
export type AppTemplateValidator = (values: unknown, options?: Pick<ChartCheckOptions, 'allow'>) => string[];

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

let cached: AppTemplateValidator | undefined;

/**
 * The validator for app-template values, or undefined (with a warning) when ../shared is absent:
 * use `describe.skipIf(!validator)`. Compiled once per process (the Kubernetes API schema is large).
 */
export function appTemplateValidator(): AppTemplateValidator | undefined {
  if (cached) return cached;
  const chartDir = chartSchemaDir('app-template');
  const commonDir = chartSchemaDir('bjw-s-common');
  if (!chartDir || !commonDir) return undefined;

  const root = readJson(join(chartDir, 'values.schema.json'));
  const commonUrl = root['$ref'];
  if (typeof commonUrl !== 'string' || !/^https:\/\/.+\/values\.schema\.json$/.test(commonUrl)) {
    throw new Error(`${chartDir}/values.schema.json: expected a $ref to the common library's values.schema.json URL, got ${JSON.stringify(commonUrl)}`);
  }
  const common = readJson(join(commonDir, 'values.schema.json'));
  if (common['$id'] !== undefined && common['$id'] !== commonUrl) {
    throw new Error(`${commonDir}/values.schema.json has $id ${String(common['$id'])}, but app-template refers to ${commonUrl}: the stored files are from different releases`);
  }

  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addSchema(common as AnySchema, commonUrl);
  const schemasDir = join(commonDir, 'schemas');
  for (const file of readdirSync(schemasDir).filter((name) => name.endsWith('.json')).sort()) {
    // `schemas/x.json#/…` in values.schema.json and `x.json#/…` inside schemas/ both resolve here.
    ajv.addSchema(readJson(join(schemasDir, file)) as AnySchema, new URL(`schemas/${file}`, commonUrl).href);
  }
  const validate: ValidateFunction = ajv.compile(root as AnySchema);
  const defaults = load(readFileSync(join(commonDir, 'values.yaml'), 'utf8')) ?? {};

  cached = (values, options = {}) => {
    const problems = unknownValueKeys(defaults, values, options).map((key) => `${key}: not a key of the common library's values.yaml`);
    if (!validate(values)) {
      for (const error of validate.errors ?? []) {
        const extra = error.keyword === 'additionalProperties' ? ` '${String(error.params['additionalProperty'])}'` : '';
        problems.push(`${error.instancePath || '/'}: ${error.message ?? error.keyword}${extra} (${error.schemaPath})`);
      }
    }
    return problems;
  };
  return cached;
}

import type { ErrorObject } from 'ajv';
import { joinPath, type ConfigProblem } from './errors.js';
import type { StatefulVolume } from './schema.js';
// Precompiled from schema.ts by scripts/codegen.ts: no TypeBox import, no ajv compile at start-up.
import validateConfigShape from './generated/validate-config.js';
import configSchema from './generated/config.schema.json' with { type: 'json' };

type SchemaNode = {
  hint?: string;
  title?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  [keyword: string]: unknown;
};

type GeneratedValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
const validate = validateConfigShape as GeneratedValidator;

/** The JSON Schema homelab.yaml is checked against (written to homelab.schema.json by generate). */
export const CONFIG_JSON_SCHEMA: Record<string, unknown> = configSchema;

/** The stateful volumes `storage.volumes` places (`storage.volumes.<name>`), in the schema's order. */
export const STATEFUL_VOLUME_NAMES = Object.keys((CONFIG_JSON_SCHEMA as SchemaNode).properties!['storage']!.properties!['volumes']!.properties!) as readonly StatefulVolume[];

/** The schema object holding the failed keyword: `#/properties/network/pattern` → network's schema. */
function parentSchemaOf(error: ErrorObject): SchemaNode {
  let node: unknown = CONFIG_JSON_SCHEMA;
  const segments = error.schemaPath.split('/').slice(1, -1);
  for (const segment of segments) {
    // JSON pointer in a URI fragment: percent-encoded (pattern keys), then ~1 and ~0 escapes.
    const key = decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~');
    node = node === undefined ? undefined : (node as Record<string, unknown>)[key];
  }
  return (node ?? {}) as SchemaNode;
}

function pathOf(error: ErrorObject): (string | number)[] {
  return error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

function valueAt(data: unknown, path: (string | number)[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The closest allowed name, when one is close enough to be a likely typo. */
export function suggest(name: string, allowed: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of allowed) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function hintOf(error: ErrorObject): string | undefined {
  return parentSchemaOf(error).hint;
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  if (Number.isNaN(value)) return 'the not-a-number value .nan';
  if (value === Infinity || value === -Infinity) return 'an infinite number';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'a fractional number';
  return `a ${typeof value}`;
}

function translate(error: ErrorObject, data: unknown): ConfigProblem {
  const segments = pathOf(error);
  const path = joinPath(...segments);
  const value = valueAt(data, segments);
  const hint = hintOf(error);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const missing = String(params['missingProperty']);
      const description = (parentSchemaOf(error) as { properties?: Record<string, { description?: string }> })?.properties?.[missing]?.description;
      return {
        path: joinPath(...segments, missing),
        problem: 'is required',
        fix: `Add ${joinPath(...segments, missing)}${description ? `: ${description}` : '.'}`,
      };
    }
    case 'additionalProperties': {
      const extra = String(params['additionalProperty']);
      const schema = parentSchemaOf(error) as { properties?: Record<string, unknown>; patternProperties?: Record<string, unknown> };
      if (schema.patternProperties && !schema.properties) {
        return {
          path: joinPath(...segments, extra),
          problem: 'is not a valid name',
          got: extra,
          fix: "Use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit.",
        };
      }
      const allowed = Object.keys(schema.properties ?? {});
      const guess = suggest(extra, allowed);
      return {
        path: joinPath(...segments, extra),
        problem: 'is not a known setting',
        got: extra,
        fix: guess ? `Did you mean '${guess}'? Allowed here: ${allowed.join(', ')}.` : `Remove it; allowed here: ${allowed.join(', ')}.`,
      };
    }
    case 'type':
      return {
        path,
        problem: `must be ${describeExpectedType(String(params['type']))}, not ${describeType(value)}`,
        got: value,
        fix: hint ?? typeFix(String(params['type']), path),
      };
    case 'enum':
      return { path, problem: 'is not one of the allowed values', got: value, fix: hint ?? `Use one of: ${(params['allowedValues'] as unknown[]).join(', ')}.` };
    case 'pattern':
    case 'format':
      return { path, problem: describeFormat(error), got: value, fix: hint ?? 'Fix the value.' };
    case 'minimum':
    case 'maximum':
      return { path, problem: `must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params['limit'])}`, got: value, fix: `Use a value ${error.keyword === 'minimum' ? '>=' : '<='} ${String(params['limit'])}.` };
    case 'maxItems':
    case 'maxProperties':
      return { path, problem: `must have at most ${String(params['limit'])} ${error.keyword === 'maxItems' ? 'items' : 'entries'}`, got: value, fix: hint ?? `Remove entries from ${path}.` };
    case 'minItems':
    case 'minProperties':
      return { path, problem: `must have at least ${String(params['limit'])} ${error.keyword === 'minItems' ? 'item' : 'entry'}${params['limit'] === 1 ? '' : 's'}`, got: value, fix: `Add entries to ${path}.` };
    case 'minLength': {
      const fallback = (parentSchemaOf(error) as { default?: unknown }).default;
      const fix = fallback === undefined ? 'Give it a value.' : `Give it a value, or remove the key to use the default '${String(fallback)}'.`;
      return { path, problem: 'must not be empty', got: value, fix: hint ?? fix };
    }
    case 'anyOf':
      return { path, problem: 'is not an accepted value', got: value, fix: hint ?? 'Fix the value.' };
    default:
      return { path, problem: error.message ?? error.keyword, got: value, fix: hint ?? 'Fix the value.' };
  }
}

/** How to write a value of the expected JSON type in YAML. */
function typeFix(type: string, path: string): string {
  switch (type) {
    case 'object':
      return path === '(root)' ? 'Write the document as a mapping of top-level settings (cluster:, network:, …).' : `Write ${path} as key: value entries indented under it.`;
    case 'array':
      return `Write ${path} as a list: [a, b] or one '- item' per line.`;
    case 'integer':
      return 'Use a whole number, without quotes or decimals.';
    case 'number':
      return 'Use a number, without quotes.';
    case 'boolean':
      return 'Use true or false, without quotes.';
    case 'string':
      return 'Use a text value (quote it if it looks like a number or boolean).';
    default:
      return `Use ${describeExpectedType(type)}.`;
  }
}

function describeExpectedType(type: string): string {
  return { object: 'a mapping', array: 'a list', integer: 'a whole number' }[type] ?? `a ${type}`;
}

function describeFormat(error: ErrorObject): string {
  const { title } = parentSchemaOf(error);
  if (title) return `is not a valid ${title}`;
  // Pattern failures: the schema's hint (the fix) says what the value must look like.
  return 'does not have the expected form';
}

/**
 * Checks shape against the JSON Schema and fills schema defaults into `data` (mutates it).
 * Returns every problem; errors nested inside a failed union are folded into one.
 */
export function checkShape(data: unknown): ConfigProblem[] {
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  const unionPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const relevant = errors.filter((e) => e.keyword === 'anyOf' || !unionPaths.has(e.instancePath));
  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const error of relevant) {
    const problem = translate(error, data);
    const key = `${problem.path}\u0000${problem.problem}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { load } from 'js-yaml';
import { configJsonSchema } from './schema.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped (as in shape.ts).
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as AddFormats;

type Schema = Record<string, unknown>;

const isObject = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

interface Visit {
  schema: Schema;
  /** JSON pointer-ish location inside the schema document, for failure messages. */
  at: string;
  /** The schema is the value of an entry of some `properties`. */
  isProperty: boolean;
  /** The schema is a branch of a union whose parent carries the hint. */
  hintedByParent: boolean;
}

/** Every subschema, depth first. */
function walk(schema: Schema, at = '#', isProperty = false, hintedByParent = false): Visit[] {
  const visits: Visit[] = [{ schema, at, isProperty, hintedByParent }];
  const hinted = typeof schema['hint'] === 'string';
  for (const keyword of ['properties', 'patternProperties'] as const) {
    const children = schema[keyword];
    if (!isObject(children)) continue;
    for (const [name, child] of Object.entries(children)) {
      if (isObject(child)) visits.push(...walk(child, `${at}/${keyword}/${name}`, keyword === 'properties'));
    }
  }
  for (const keyword of ['items', 'additionalProperties'] as const) {
    const child = schema[keyword];
    if (isObject(child)) visits.push(...walk(child, `${at}/${keyword}`));
  }
  for (const keyword of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = schema[keyword];
    if (!Array.isArray(branches)) continue;
    branches.forEach((branch, index) => {
      if (isObject(branch)) visits.push(...walk(branch, `${at}/${keyword}/${index}`, false, hinted));
    });
  }
  return visits;
}

const isObjectSchema = (schema: Schema) => schema['type'] === 'object' || 'properties' in schema || 'patternProperties' in schema;
const isLeaf = (schema: Schema) => !isObjectSchema(schema);

describe('configJsonSchema', () => {
  const schema = configJsonSchema();
  const visits = walk(schema);

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    for (const { schema: node, at } of visits) {
      expect(Object.getOwnPropertySymbols(node), at).toEqual([]);
      expect(Object.getPrototypeOf(node), at).toBe(Object.prototype);
    }
    expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema['title']).toBe('homelab.yaml');
  });

  it('returns a fresh copy on every call', () => {
    const copy = configJsonSchema();
    copy['title'] = 'changed';
    expect(configJsonSchema()['title']).toBe('homelab.yaml');
  });

  it('compiles with a fresh Ajv and ajv-formats, and validates the seed', () => {
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const seed = load(readFileSync(new URL('../../../homelab.yaml', import.meta.url), 'utf8'));
    expect(validate(seed), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...(seed as Schema), extra: true })).toBe(false);
    expect(validate({})).toBe(false);
  });

  it('walks a meaningful part of the schema', () => {
    expect(visits.filter((visit) => visit.isProperty).length).toBeGreaterThan(50);
  });

  it('closes every object schema: additionalProperties false or patternProperties', () => {
    const open = visits
      .filter(({ schema: node }) => isObjectSchema(node))
      .filter(({ schema: node }) => node['additionalProperties'] !== false && !isObject(node['patternProperties']))
      .map(({ at }) => at);
    expect(open).toEqual([]);
  });

  it('rejects unknown map keys: maps keyed by name are closed too', () => {
    const maps = visits.filter(({ schema: node }) => isObject(node['patternProperties']) && !('properties' in node));
    // hosts, nodes, components, apps and each component/app `values` patch.
    expect(maps.length).toBeGreaterThanOrEqual(5);
    const catchAll = (node: Schema) => Object.keys(node['patternProperties'] as Schema).some((pattern) => new RegExp(pattern).test('Not_A_Label!'));
    const unclosed = maps.filter(({ schema: node }) => !catchAll(node) && node['additionalProperties'] !== false).map(({ at }) => at);
    expect(unclosed).toEqual([]);
  });

  it('describes every leaf property', () => {
    const leaves = visits.filter(({ isProperty, schema: node }) => isProperty && isLeaf(node));
    expect(leaves.length).toBeGreaterThan(30);
    const undescribed = leaves.filter(({ schema: node }) => typeof node['description'] !== 'string' || node['description'] === '').map(({ at }) => at);
    expect(undescribed).toEqual([]);
  });

  it('describes every property that holds an object, too', () => {
    const undescribed = visits
      .filter(({ isProperty, schema: node }) => isProperty && !isLeaf(node))
      .filter(({ schema: node }) => typeof node['description'] !== 'string')
      .map(({ at }) => at);
    expect(undescribed).toEqual([]);
  });

  it('gives every pattern, format and enum a hint (the fix error messages suggest)', () => {
    const unhinted = visits
      .filter(({ schema: node }) => 'pattern' in node || 'format' in node || 'enum' in node)
      .filter(({ schema: node, hintedByParent }) => typeof node['hint'] !== 'string' && !hintedByParent)
      .map(({ at }) => at);
    expect(unhinted).toEqual([]);
  });
});

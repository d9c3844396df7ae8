/**
 * Parity of `merge()` with the real jsonnet interpreter (Debian package `jsonnet`).
 *
 * Each property samples random JSON bases and patch *specs*; a spec is turned both into a `merge()` patch
 * (with `append()`/`replace()` operators) and into jsonnet object syntax (`k+:` / `k:`). All cases of a
 * property are evaluated in one jsonnet program, `[base1 + patch1, base2 + patch2, ...]`, and compared
 * with `merge()` case by case. No nulls are generated: jsonnet has no field deletion.
 *
 * Reproduce a failure with the seed printed in the assertion message: `FC_SEED=<seed> npx vitest run`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { append, isPlainObject, merge, replace } from './merge.js';

// @homelab/testing's findOracle() cannot be used here (it depends on core), so this follows its
// rules by hand: fail under CI=true, else warn and record the skip for tools/oracle-summary.mjs.
const hasJsonnet = spawnSync('jsonnet', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasJsonnet) {
  const install = 'apt-get install -y jsonnet';
  if (process.env['CI'] === 'true') throw new Error(`jsonnet not found, and CI requires every oracle: the merge() parity tests cannot run. Install it: ${install} (.ci/run does)`);
  console.warn(`jsonnet not found: the merge() parity tests SKIPPED (install: ${install})`);
  const skips = join(fileURLToPath(new URL('../../..', import.meta.url)), 'node_modules', '.cache', 'homelab', 'oracle-skips');
  mkdirSync(skips, { recursive: true });
  writeFileSync(join(skips, 'jsonnet'), `${install}\n`);
}

const NUM_RUNS = 200;
const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : (Date.now() ^ (Math.random() * 0x1_0000_0000)) | 0;

type Json = boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** A patch node, translatable both to a merge() patch and to jsonnet. */
type Spec =
  | { kind: 'object'; fields: [string, Spec][] } // plain patch object: merged into a base object
  | { kind: 'append'; items: Json[] } // append(...items)   ≙ k+: [...]
  | { kind: 'replace'; value: Json } //   replace(value)    ≙ k: value
  | { kind: 'set'; value: Json }; //       scalar or array   ≙ k: value

interface Kinds {
  /** Plain patch objects: over any base value, or only where the base is an object or missing. */
  object: 'any' | 'onObjectOrMissing' | false;
  append: boolean;
  replace: boolean;
  set: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Arbitraries

/** Short keys collide often (so patches hit base keys); also keys that exist on Object.prototype. */
const keyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'c', 'd') },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'toString', 'constructor', 'hasOwnProperty', 'a.b', '') },
  { weight: 2, arbitrary: fc.string({ maxLength: 6 }) },
);

const scalarArb: fc.Arbitrary<Json> = fc.oneof(
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)), // JSON has no -0
  fc.string({ unit: 'grapheme', maxLength: 6 }),
);

const { json: jsonArb } = fc.letrec<{ json: Json; array: Json[]; object: JsonObject }>((tie) => ({
  json: fc.oneof({ depthSize: 'small', maxDepth: 3 }, scalarArb, tie('array'), tie('object')),
  array: fc.array(tie('json'), { maxLength: 3 }),
  object: fc.dictionary(keyArb, tie('json'), { maxKeys: 4 }),
}));
const jsonObjectArb = fc.dictionary(keyArb, jsonArb, { maxKeys: 5 });
const jsonArrayArb = fc.array(jsonArb, { maxLength: 3 });

/** Bases rich in arrays (possibly nested in objects), for the append property. */
const { object: arrayRichObjectArb } = fc.letrec<{ value: Json; object: JsonObject }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 3 }, jsonArrayArb, jsonArrayArb, tie('object')),
  object: fc.dictionary(keyArb, tie('value'), { maxKeys: 4 }),
}));

/** Bases rich in nested objects, so that patches often merge into an existing object (`k+: {...}`). */
const { object: objectRichObjectArb } = fc.letrec<{ value: Json; object: JsonObject }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 3 }, scalarArb, jsonArrayArb, tie('object'), tie('object')),
  object: fc.dictionary(keyArb, tie('value'), { minKeys: 1, maxKeys: 4 }),
}));

function ownChild(base: unknown, key: string): Json | undefined {
  return isPlainObject(base) && Object.hasOwn(base, key) ? (base[key] as Json) : undefined;
}

function specKinds(base: Json | undefined, depth: number, kinds: Kinds): Spec['kind'][] {
  const out: Spec['kind'][] = [];
  const objectOk = kinds.object === 'any' || (kinds.object === 'onObjectOrMissing' && (base === undefined || isPlainObject(base)));
  if (objectOk && depth > 0) out.push('object');
  if (kinds.append && (base === undefined || Array.isArray(base))) out.push('append'); // else merge throws, jsonnet errs/concats
  if (kinds.replace) out.push('replace');
  if (kinds.set) out.push('set');
  return out;
}

/** A patch spec for `base`, reaching into the base's own keys as well as new keys. */
function specArb(base: Json | undefined, depth: number, kinds: Kinds): fc.Arbitrary<Spec> {
  const options = specKinds(base, depth, kinds).map((kind): fc.Arbitrary<Spec> => {
    switch (kind) {
      case 'object':
        return objectSpecArb(base, depth, kinds);
      case 'append':
        return fc.array(jsonArb, { maxLength: 3 }).map((items) => ({ kind: 'append', items }));
      case 'replace':
        return jsonArb.map((value) => ({ kind: 'replace', value }));
      case 'set':
        return fc.oneof(scalarArb, jsonArrayArb).map((value) => ({ kind: 'set', value }));
    }
  });
  return fc.oneof(...options);
}

function objectSpecArb(base: Json | undefined, depth: number, kinds: Kinds, minFields = 0): fc.Arbitrary<Spec> {
  const usable = (key: string) => specKinds(ownChild(base, key), depth - 1, kinds).length > 0;
  const baseKeys = isPlainObject(base) ? Object.keys(base).filter(usable) : [];
  return fc
    .tuple(fc.subarray(baseKeys), fc.uniqueArray(keyArb, { minLength: minFields, maxLength: 2 }))
    .chain(([picked, extra]) => {
      const keys = [...new Set([...picked, ...extra.filter(usable)])];
      return fc.tuple(...keys.map((key) => specArb(ownChild(base, key), depth - 1, kinds))).map(
        (children): Spec => ({ kind: 'object', fields: keys.map((key, i): [string, Spec] => [key, children[i]!]) }),
      );
    });
}

interface Case {
  base: JsonObject;
  spec: Spec;
}

function caseArb(baseArb: fc.Arbitrary<JsonObject>, kinds: Kinds, depth = 3): fc.Arbitrary<Case> {
  return baseArb.chain((base) => objectSpecArb(base, depth, kinds, 1).map((spec) => ({ base, spec })));
}

// ---------------------------------------------------------------------------------------------------------
// Translation

/** The merge() patch for a spec (Object.fromEntries keeps `__proto__` as an own data key). */
function toPatch(spec: Spec): unknown {
  switch (spec.kind) {
    case 'object':
      return Object.fromEntries(spec.fields.map(([key, child]) => [key, toPatch(child)]));
    case 'append':
      return append(...spec.items);
    case 'replace':
      return replace(spec.value);
    case 'set':
      return spec.value;
  }
}

/** The jsonnet expression for a spec applied over `base` (used to choose `k+:` vs `k:`). */
function toJsonnet(spec: Spec, base: unknown): string {
  switch (spec.kind) {
    case 'object': {
      const fields = spec.fields.map(([key, child]) => {
        const baseChild = ownChild(base, key);
        const plus = child.kind === 'append' || (child.kind === 'object' && isPlainObject(baseChild));
        return `${JSON.stringify(key)}${plus ? '+:' : ':'} ${toJsonnet(child, baseChild)}`;
      });
      return `{ ${fields.join(', ')} }`;
    }
    case 'append':
      return JSON.stringify(spec.items);
    case 'replace':
    case 'set':
      return JSON.stringify(spec.value);
  }
}

function caseJsonnet({ base, spec }: Case): string {
  return `${JSON.stringify(base)} + ${toJsonnet(spec, base)}`;
}

/** Evaluates all cases in ONE jsonnet run; large programs go through a temp file (argv strings are capped at 128 KiB). */
function evalJsonnet(expressions: string[]): unknown[] {
  const program = `[\n${expressions.join(',\n')}\n]\n`;
  const options = { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 } as const;
  if (program.length < 64 * 1024) return JSON.parse(execFileSync('jsonnet', ['-e', program], options)) as unknown[];
  const dir = mkdtempSync(join(tmpdir(), 'merge-jsonnet-'));
  try {
    const file = join(dir, 'cases.jsonnet');
    writeFileSync(file, program);
    return JSON.parse(execFileSync('jsonnet', [file], options)) as unknown[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Samples NUM_RUNS cases, evaluates them in one jsonnet program, and compares each with merge(). */
function checkParity(arb: fc.Arbitrary<Case>, seed: number): void {
  const cases = fc.sample(arb, { numRuns: NUM_RUNS, seed });
  const expressions = cases.map(caseJsonnet);
  const expected = evalJsonnet(expressions);
  expect(expected).toHaveLength(cases.length);
  cases.forEach((testCase, i) => {
    const context = `seed ${seed}, case ${i}: jsonnet ${expressions[i]}`;
    let actual: unknown;
    try {
      actual = merge<unknown>(testCase.base, toPatch(testCase.spec));
    } catch (error) {
      throw new Error(`merge() threw for ${context}: ${String(error)}`);
    }
    expect(actual, context).toEqual(expected[i]);
  });
}

// ---------------------------------------------------------------------------------------------------------

describe.skipIf(!hasJsonnet)('merge() parity with jsonnet', () => {
  it('sanity: the translation is what we think it is', () => {
    const spec: Spec = {
      kind: 'object',
      fields: [
        ['o', { kind: 'object', fields: [['x', { kind: 'set', value: 1 }]] }],
        ['l', { kind: 'append', items: [2] }],
        ['r', { kind: 'replace', value: { y: 2 } }],
        ['s', { kind: 'object', fields: [] }],
      ],
    };
    const base: JsonObject = { o: { w: 0 }, l: [1], r: { z: 1 }, s: 'str' };
    expect(toJsonnet(spec, base)).toBe('{ "o"+: { "x": 1 }, "l"+: [2], "r": {"y":2}, "s": {  } }');
    const [fromJsonnet] = evalJsonnet([caseJsonnet({ base, spec })]);
    const expected = { o: { w: 0, x: 1 }, l: [1, 2], r: { y: 2 }, s: {} };
    expect(fromJsonnet).toEqual(expected);
    expect(merge<unknown>(base, toPatch(spec))).toEqual(expected);
  });

  it('k+: {...} on objects ≙ merge() of plain patch objects', () => {
    checkParity(caseArb(objectRichObjectArb, { object: 'any', append: false, replace: false, set: true }), SEED);
  });

  it('k+: [...] on arrays ≙ append()', () => {
    checkParity(caseArb(arrayRichObjectArb, { object: 'onObjectOrMissing', append: true, replace: false, set: false }), SEED + 1);
  });

  it('k: value ≙ replace()', () => {
    checkParity(caseArb(objectRichObjectArb, { object: 'onObjectOrMissing', append: false, replace: true, set: false }), SEED + 2);
  });

  it('mixed: merge, append, replace and plain values together', () => {
    checkParity(caseArb(fc.oneof(jsonObjectArb, objectRichObjectArb, arrayRichObjectArb), { object: 'any', append: true, replace: true, set: true }), SEED + 3);
  });
});

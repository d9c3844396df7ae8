/**
 * YAML in and out, as an ordered tree.
 *
 * Mappings load as `Map` (js-yaml's `realMapTag`) so that document order — which the SOPS MAC
 * hashes — survives keys such as `'10'` that a plain JS object would move to the front. Integers
 * beyond 2^53 load as `bigint` so that they hash and encrypt digit for digit.
 *
 * Plain scalars are resolved with the YAML 1.2 core schema, like the yaml.v3 decoder sops uses:
 * `yes`/`on` and dates stay strings. We write with js-yaml's DUMP_SCHEMA, which quotes every string
 * another YAML 1.1 or 1.2 reader could take for something else.
 */
import {
  CORE_SCHEMA,
  DUMP_SCHEMA,
  NOT_RESOLVED,
  YAMLException,
  defineScalarTag,
  dump,
  intCoreTag,
  loadAll,
  realMapTag,
  type ScalarTagDefinition,
} from 'js-yaml';
import { SopsError } from './errors.js';

export type Scalar = string | number | bigint | boolean | null;
/** A YAML document as sops sees it: ordered mappings with string keys, sequences, scalars. */
export type Tree = Scalar | Tree[] | TreeMap;
export type TreeMap = Map<string, Tree>;

const INT_TAG = 'tag:yaml.org,2002:int';

/** Exact integer from a YAML core int literal (`-12`, `0x1F`, `0o17`) whose value is unsafe as a number. */
function bigIntOf(source: string): bigint {
  const negative = source.startsWith('-');
  const digits = source.replace(/^[-+]/, '');
  const value = BigInt(digits);
  return negative ? -value : value;
}

/** The core int tag, returning a bigint where a number would lose digits. */
const loadIntTag = defineScalarTag<number | bigint>(INT_TAG, {
  implicit: true,
  implicitFirstChars: intCoreTag.implicitFirstChars,
  resolve(source, isExplicit, tagName) {
    const value = intCoreTag.resolve(source, isExplicit, tagName);
    if (value === NOT_RESOLVED || Number.isSafeInteger(value)) return value;
    return bigIntOf(source);
  },
  identify: (data) => typeof data === 'bigint' || intCoreTag.identify(data),
  represent: (data) => (typeof data === 'bigint' ? data.toString() : intCoreTag.represent(data)),
});

const dumpIntBase = DUMP_SCHEMA.tags.find((tag): tag is ScalarTagDefinition => tag.tagName === INT_TAG && tag.nodeKind === 'scalar');
if (!dumpIntBase) throw new Error('js-yaml DUMP_SCHEMA has no int tag');
/** DUMP_SCHEMA's int tag (kept: it decides which strings need quotes), taught to write bigints. */
const dumpIntTag: ScalarTagDefinition = {
  ...dumpIntBase,
  identify: (data) => typeof data === 'bigint' || dumpIntBase.identify(data),
  represent: (data) => (typeof data === 'bigint' ? data.toString() : dumpIntBase.represent(data)),
};

const LOAD_SCHEMA = CORE_SCHEMA.withTags(realMapTag, loadIntTag);
const WRITE_SCHEMA = DUMP_SCHEMA.withTags(realMapTag, dumpIntTag);

/** Where a value sits, for messages: `complex.array[1]`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'a sequence';
  if (value instanceof Map) return 'a mapping';
  if (value instanceof Date) return 'a Date';
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'no prototype'})`;
  return `a ${typeof value}`;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks and copies a loaded YAML value or a caller's JS value into a {@link Tree}: string keys only
 * (sops: "Tree contains a non-string key"), scalars sops can encrypt, no cycles.
 */
export function toTree(value: unknown, path = '', seen: Set<object> = new Set()): Tree {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return value;
  }
  if (typeof value === 'object') {
    if (seen.has(value)) throw new SopsError('INVALID_INPUT', `the value at ${path || 'the root'} contains itself (a cycle); YAML files are trees`, { path });
    seen.add(value);
    try {
      if (Array.isArray(value)) return value.map((item, index) => toTree(item, childPath(path, index), seen));
      const entries: Array<[unknown, unknown]> | undefined =
        value instanceof Map ? [...value.entries()] : isPlainObject(value) ? Object.entries(value) : undefined;
      if (entries) {
        const out: TreeMap = new Map();
        for (const [key, item] of entries) {
          if (typeof key !== 'string') {
            throw new SopsError(
              'INVALID_INPUT',
              `key ${String(key)} at ${path || 'the root'} is ${describe(key)}, but sops supports string keys only. Quote it: '${String(key)}'`,
              { path },
            );
          }
          out.set(key, toTree(item, childPath(path, key), seen));
        }
        return out;
      }
    } finally {
      seen.delete(value);
    }
  }
  const hint = value instanceof Date ? ` Pass value.toISOString() to store the date as a string.` : '';
  throw new SopsError('INVALID_INPUT', `the value at ${path || 'the root'} is ${describe(value)}, which SOPS cannot store (strings, numbers, booleans, null, sequences and mappings only).${hint}`, { path });
}

/**
 * Parses one YAML document into a {@link Tree} whose root is a mapping. An empty text is an empty
 * mapping. Syntax errors report line and column but never a snippet of the text (it may be a secret).
 */
export function loadYaml(text: string): TreeMap {
  if (typeof text !== 'string') throw new SopsError('INVALID_INPUT', `expected YAML text, got ${describe(text)}`);
  let documents: unknown[];
  try {
    documents = loadAll(text, { schema: LOAD_SCHEMA });
  } catch (error) {
    if (error instanceof YAMLException) {
      const where = error.mark ? ` at line ${error.mark.line + 1}, column ${error.mark.column + 1}` : '';
      throw new SopsError('INVALID_YAML', `the text is not valid YAML: ${error.reason}${where}`);
    }
    throw error;
  }
  if (documents.length > 1) {
    throw new SopsError('INVALID_YAML', `the text holds ${documents.length} YAML documents; this implementation handles one document per file. Split the file`);
  }
  const root = documents[0] ?? null;
  if (root === null) return new Map();
  if (!(root instanceof Map)) {
    throw new SopsError('INVALID_YAML', `the YAML document is ${describe(root)}; SOPS files are mappings at the top level`);
  }
  return toTree(root) as TreeMap;
}

/** Writes a tree as YAML: block style, no line folding (ENC values and armored keys stay intact). */
export function dumpYaml(tree: TreeMap, indent: number): string {
  return dump(tree, { schema: WRITE_SCHEMA, indent, lineWidth: -1, noRefs: true });
}

/** A tree as plain JS data: mappings become objects (`__proto__` kept as an own key). */
export function toPlain(tree: Tree): unknown {
  if (Array.isArray(tree)) return tree.map(toPlain);
  if (tree instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of tree) {
      Object.defineProperty(out, key, { value: toPlain(value), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return tree;
}

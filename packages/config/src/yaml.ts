/**
 * The one reader of user-written YAML (homelab.yaml, and the hand-written files `homelab check`
 * reads). js-yaml resolves an alias to the same object, so a few lines of nested aliases (a
 * "billion laughs") parse instantly into a graph whose expansion — what every later walk, merge or
 * dump visits — is astronomically large, or into a cycle. This reader bounds the text, the
 * expanded node count and the expanded depth, and rejects such input with a sentence naming the
 * first place that crosses a bound, before anything walks it.
 */
import { loadAll } from 'js-yaml';
import { joinPath } from './errors.js';

export interface YamlLimits {
  /** Largest accepted text, in bytes (UTF-8). */
  maxBytes: number;
  /** Most nodes (mappings, lists, scalars) one document may expand to, aliases included. */
  maxNodes: number;
  /** Deepest nesting of collections, aliases included. */
  maxDepth: number;
}

/** homelab.yaml: a hand-written file of a few hundred lines; these bounds are far above any real one. */
export const CONFIG_YAML_LIMITS: YamlLimits = { maxBytes: 1024 * 1024, maxNodes: 100_000, maxDepth: 64 };

/** A problem of a YAML text: where (a path into the document, `(root)` for all of it), what and how to fix it. */
export interface YamlProblem {
  path: string;
  problem: string;
  got?: unknown;
  fix: string;
}

export type YamlResult = { ok: true; documents: unknown[] } | { ok: false; problem: YamlProblem };

const mib = (bytes: number) => `${Number((bytes / 1024 / 1024).toFixed(2))} MiB`;

/**
 * The offset of the first byte that does not start a valid UTF-8 sequence (overlong forms,
 * surrogates and code points above U+10FFFF included), or undefined when all of it is UTF-8.
 */
export function firstInvalidUtf8Byte(bytes: Uint8Array): number | undefined {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index]!;
    if (lead < 0x80) {
      index += 1;
      continue;
    }
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0) return index;
    // The second byte's range rules out overlong forms, surrogates and code points past U+10FFFF.
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    for (let offset = 1; offset < length; offset++) {
      const byte = bytes[index + offset];
      if (byte === undefined || byte < (offset === 1 ? low : 0x80) || byte > (offset === 1 ? high : 0xbf)) return index;
    }
    index += length;
  }
  return undefined;
}

/** Decodes UTF-8 bytes; a problem at `(root)` naming the first bad byte (counted from 1) when they are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array, fileName: string): { ok: true; text: string } | { ok: false; problem: YamlProblem } {
  const bad = firstInvalidUtf8Byte(bytes);
  if (bad === undefined) return { ok: true, text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') };
  const line = bytes.subarray(0, bad).filter((byte) => byte === 0x0a).length + 1;
  return {
    ok: false,
    problem: {
      path: '(root)',
      problem: `the file is not UTF-8 (byte ${bad + 1}, line ${line})`,
      got: `0x${bytes[bad]!.toString(16).padStart(2, '0')}`,
      fix: `Save ${fileName} as UTF-8 (your editor's encoding setting, or iconv -f LATIN1 -t UTF-8).`,
    },
  };
}

type Collection = Record<string, unknown> | unknown[];
const isCollection = (value: unknown): value is Collection => value !== null && typeof value === 'object';
const childrenOf = (node: Collection): [string | number, unknown][] =>
  Array.isArray(node) ? node.map((child, index) => [index, child]) : Object.entries(node);
/** Children in reverse, so popping them walks in document order (an anchor is met before its aliases). */
const pending = (node: Collection) => childrenOf(node).reverse();

/**
 * The first node (children before parents) whose expansion crosses a bound, or a cycle. Shared
 * nodes are measured once, so this costs one visit per distinct node however large the expansion.
 */
function boundProblem(document: unknown, limits: YamlLimits): YamlProblem | undefined {
  const measured = new Map<Collection, { nodes: number; depth: number }>();
  const open = new Set<Collection>();
  if (!isCollection(document)) return undefined;
  // An explicit stack: depth through aliases is bounded only by this walk, not by the parser.
  const stack: { node: Collection; path: (string | number)[]; children: [string | number, unknown][] }[] = [
    { node: document, path: [], children: pending(document) },
  ];
  open.add(document);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const next = frame.children.pop();
    if (next) {
      const [key, child] = next;
      if (!isCollection(child) || measured.has(child)) continue;
      const path = [...frame.path, key];
      if (open.has(child)) {
        return {
          path: joinPath(...path),
          problem: 'is an alias of a node that contains it (a recursive alias)',
          fix: 'Replace the alias (*name) with the values it should hold; YAML aliases must not refer to their own ancestors.',
        };
      }
      open.add(child);
      stack.push({ node: child, path, children: pending(child) });
      continue;
    }
    stack.pop();
    open.delete(frame.node);
    let nodes = 1;
    let depth = 1;
    for (const [, child] of childrenOf(frame.node)) {
      const size = isCollection(child) ? measured.get(child)! : { nodes: 1, depth: 0 };
      nodes += size.nodes;
      depth = Math.max(depth, size.depth + 1);
    }
    measured.set(frame.node, { nodes, depth });
    const path = joinPath(...frame.path);
    const got = Number.isSafeInteger(nodes) ? `${nodes} nodes` : 'more than 2^53 nodes';
    if (nodes > limits.maxNodes) {
      return {
        path,
        problem: `expands to more than ${limits.maxNodes} nodes (YAML aliases are counted each time they are used)`,
        got,
        fix: 'Write the values out without nested aliases, or split them up; input this large is refused so that it cannot exhaust memory.',
      };
    }
    if (depth > limits.maxDepth) {
      return {
        path,
        problem: `nests deeper than ${limits.maxDepth} levels (YAML aliases included)`,
        got: `${depth} levels`,
        fix: 'Flatten the structure; input this deep is refused so that it cannot exhaust the stack.',
      };
    }
  }
  return undefined;
}

/** The problem of a text of `bytes` bytes when it is larger than the limits allow. */
export function sizeProblem(bytes: number, limits: YamlLimits): YamlProblem | undefined {
  if (bytes <= limits.maxBytes) return undefined;
  return {
    path: '(root)',
    problem: `is larger than ${mib(limits.maxBytes)}`,
    got: mib(bytes),
    fix: 'Split it up or remove what does not belong in it; input this large is refused so that it cannot exhaust memory.',
  };
}

/**
 * Parses YAML text (one or more documents) within `limits`. Never throws for bad input: a syntax
 * error, an oversized text or a document that expands past a bound becomes one problem.
 */
export function parseYamlBounded(text: string, limits: YamlLimits): YamlResult {
  const tooLarge = sizeProblem(Buffer.byteLength(text, 'utf8'), limits);
  if (tooLarge) return { ok: false, problem: tooLarge };
  let documents: unknown[];
  try {
    documents = loadAll(text, { maxDepth: limits.maxDepth });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    const tooDeep = /^nesting exceeded maxDepth \(\d+\) \((\d+:\d+)\)/.exec(message);
    if (tooDeep) {
      return {
        ok: false,
        problem: {
          path: '(root)',
          problem: `nests deeper than ${limits.maxDepth} levels (at line:column ${tooDeep[1]})`,
          fix: 'Flatten the structure; input this deep is refused so that it cannot exhaust the stack.',
        },
      };
    }
    return { ok: false, problem: { path: '(root)', problem: `is not valid YAML: ${message}`, fix: 'Fix the YAML syntax at the position shown.' } };
  }
  for (const [index, document] of documents.entries()) {
    const problem = boundProblem(document, limits);
    if (problem) {
      const prefix = documents.length > 1 ? `(document ${index + 1}) ` : '';
      return { ok: false, problem: { ...problem, path: `${prefix}${problem.path}` } };
    }
  }
  return { ok: true, documents };
}

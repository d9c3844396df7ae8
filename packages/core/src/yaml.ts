import { dump, DUMP_SCHEMA } from 'js-yaml';

const DUMP_OPTIONS = { lineWidth: -1, noRefs: true, indent: 2 };

type Scalar = string | number | boolean | null;

/**
 * How js-yaml writes each scalar met so far, below the top level of a document. There a one-line
 * scalar's text depends only on its value — not on depth, nor on being key or value — so js-yaml is
 * asked once per scalar, in batches (a dump call costs several times what one more scalar in it does).
 * Asking js-yaml rather than re-implementing its rules keeps the YAML 1.1 traps (`on`, `0123`, …)
 * quoted exactly as it quotes them.
 */
const scalarTexts = new Map<Scalar, string>();
/** Bound on `scalarTexts`, so a long-lived process meeting ever new strings does not grow without end. */
const MAX_SCALAR_TEXTS = 50_000;
/** js-yaml writes a key whose text is longer as an explicit `? key` pair. */
const MAX_IMPLICIT_KEY_LENGTH = 1024;

/**
 * Exactly what js-yaml's `dump(plain, { lineWidth: -1, noRefs: true, indent: 2 })` returns (property
 * tests hold the two together), two to three times faster: js-yaml renders only the scalars, and the
 * block layout around them, fixed for these options, is written here. Documents this layout does not
 * cover go to js-yaml whole: a top level that is not a non-empty mapping or sequence, multi-line
 * strings (block scalars, indented by depth), `? key` pairs, -0 (a Map key cannot tell it from 0),
 * and anything but JSON values.
 */
export function dumpYaml(plain: unknown): string {
  return dumpYamlAll([plain])[0]!;
}

/** `dumpYaml` of each document, with one js-yaml call for the new scalars of them all (a call costs more than its scalars). */
export function dumpYamlAll(documents: readonly unknown[]): string[] {
  if (scalarTexts.size > MAX_SCALAR_TEXTS) scalarTexts.clear();
  const scalars = new Set<Scalar>();
  // Per document: the keys it met unrendered (undefined when the layout here does not cover it).
  const newKeys = documents.map((plain) => {
    const unseen: Unseen = { scalars, keys: [] };
    return isNonEmptyCollection(plain) && collectUnseen(plain, unseen) ? unseen.keys : undefined;
  });
  learnScalarTexts([...scalars]);
  return documents.map((plain, index) => {
    const keys = newKeys[index];
    if (!keys || keys.some(isExplicitKey)) return dump(plain, DUMP_OPTIONS);
    const out: Output = { text: '' };
    writeNode(plain, 0, true, out);
    return out.text + '\n';
  });
}

/** The scalars js-yaml has not rendered yet (of every document), and which of them a document has as keys. */
interface Unseen {
  scalars: Set<Scalar>;
  keys: string[];
}

function isNonEmptyCollection(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return value !== null && typeof value === 'object' && Object.keys(value).length > 0;
}

/** Gathers the scalars js-yaml has not rendered yet; false when the value holds something the layout here does not cover. */
function collectUnseen(value: unknown, unseen: Unseen): boolean {
  if (Array.isArray(value)) {
    // for…of, not every(), which skips holes: js-yaml writes a hole as null, and this layout leaves it to js-yaml.
    for (const item of value) if (!collectUnseen(item, unseen)) return false;
    return true;
  }
  if (value !== null && typeof value === 'object') {
    // Object.keys, not entries(): no [key, value] pair allocated per key of every document.
    for (const key of Object.keys(value)) {
      if (key.includes('\n')) return false; // js-yaml writes it as a `? key` pair
      if (!scalarTexts.has(key)) {
        unseen.scalars.add(key);
        unseen.keys.push(key);
      } else if (isExplicitKey(key)) return false;
      if (!collectUnseen((value as Record<string, unknown>)[key], unseen)) return false;
    }
    return true;
  }
  if (!isOneLineScalar(value)) return false;
  if (!scalarTexts.has(value)) unseen.scalars.add(value);
  return true;
}

/** A scalar whose text js-yaml picks by content alone; -0 is left out because a Map key cannot tell it from 0. */
function isOneLineScalar(value: unknown): value is Scalar {
  if (typeof value === 'string') return !value.includes('\n');
  if (typeof value === 'number') return !Object.is(value, -0);
  return value === null || typeof value === 'boolean';
}

function isExplicitKey(key: string): boolean {
  return scalarTexts.get(key)!.length > MAX_IMPLICIT_KEY_LENGTH;
}

/**
 * Strings js-yaml writes plain, as themselves, known without a dump: made of characters plain YAML
 * never escapes nor reads as syntax (letters, digits, `_ / . -`; not starting with `.` or `-`), and
 * resolved by no implicit type of js-yaml's own dump schema — the test its presenter makes, which
 * keeps `yes`, `0123`, `1e3`, `12:30`, dates … for the dump to quote.
 */
const PLAIN_SAFE = /^[A-Za-z0-9_/][A-Za-z0-9_/.-]*$/;
const isPlainAsItself = (value: Scalar): value is string =>
  typeof value === 'string' && PLAIN_SAFE.test(value) && DUMP_SCHEMA.resolveImplicitScalarTag(value).tag === DUMP_SCHEMA.defaultScalarTag;

/** Has js-yaml render the scalars that need it, all in one call: a sequence of them, one `- ` line each. */
function learnScalarTexts(scalars: Scalar[]): void {
  const rendered: Scalar[] = [];
  for (const scalar of scalars) {
    if (isPlainAsItself(scalar)) scalarTexts.set(scalar, scalar);
    else rendered.push(scalar);
  }
  if (rendered.length === 0) return;
  const lines = dump(rendered, DUMP_OPTIONS).split('\n');
  rendered.forEach((scalar, index) => scalarTexts.set(scalar, lines[index]!.slice('- '.length)));
}

/**
 * js-yaml's block layout with indent 2: a nested collection starts on its own line below its key
 * (`key:\n  - item`, not compact), but on the line of its `- ` in a sequence (`- a: 1\n  b: 2`, compact);
 * an empty collection is written in flow style (`{}`, `[]`). A collection at `level` indents its lines
 * by 2 × level, its items' content being one level deeper. A node not compact follows its key's `:`:
 * a one-token node (scalar, empty collection) takes the line after a space, a collection a line of its own.
 * Every node appends to one text, so no level builds a string of its own for its parent to copy.
 */
interface Output {
  text: string;
}

function writeNode(value: unknown, level: number, compact: boolean, out: Output): void {
  if (Array.isArray(value)) {
    if (value.length > 0) return writeSequence(value, level, compact, out);
    out.text += compact ? '[]' : ' []';
    return;
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length > 0) return writeMapping(value as Record<string, unknown>, keys, level, compact, out);
    out.text += compact ? '{}' : ' {}';
    return;
  }
  const text = scalarTexts.get(value as Scalar)!;
  out.text += compact ? text : ' ' + text;
}

function writeSequence(items: unknown[], level: number, compact: boolean, out: Output): void {
  for (let index = 0; index < items.length; index++) {
    out.text += !compact || index > 0 ? lineBreak(level) + '- ' : '- ';
    writeNode(items[index], level + 1, true, out);
  }
}

function writeMapping(mapping: Record<string, unknown>, keys: string[], level: number, compact: boolean, out: Output): void {
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    out.text += (!compact || index > 0 ? lineBreak(level) : '') + scalarTexts.get(key)! + ':';
    writeNode(mapping[key], level + 1, false, out);
  }
}

const lineBreaks: string[] = [];
function lineBreak(level: number): string {
  return (lineBreaks[level] ??= '\n' + '  '.repeat(level));
}

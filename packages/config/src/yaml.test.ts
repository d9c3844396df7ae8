import { describe, expect, it } from 'vitest';
import { decodeUtf8, firstInvalidUtf8Byte, parseYamlBounded, type YamlLimits } from './yaml.js';

const limits: YamlLimits = { maxBytes: 64 * 1024, maxNodes: 1000, maxDepth: 20 };

/** `levels` anchors, each a list of `width` aliases of the one before: width^levels leaves. */
function aliasBomb(levels: number, width: number): string {
  const lines = [`l0: &l0 [${Array(width).fill('lol').join(', ')}]`];
  for (let level = 1; level <= levels; level++) lines.push(`l${level}: &l${level} [${Array(width).fill(`*l${level - 1}`).join(', ')}]`);
  return lines.join('\n');
}

function problemOf(text: string) {
  const result = parseYamlBounded(text, limits);
  if (result.ok) expect.fail('expected the YAML to be refused');
  return result.problem;
}

describe('parseYamlBounded', () => {
  it('parses ordinary YAML, aliases within the bounds included', () => {
    expect(parseYamlBounded('a: &x [1, 2]\nb: *x\n---\nc: 3\n', limits)).toEqual({ ok: true, documents: [{ a: [1, 2], b: [1, 2] }, { c: 3 }] });
  });

  it('names the anchor where an alias bomb first crosses the node bound, at once', () => {
    const start = performance.now();
    const problem = problemOf(aliasBomb(9, 9));
    expect(performance.now() - start).toBeLessThan(1000);
    // l0 has 10 nodes, l1 91, l2 820, l3 7381: the first past 1000 is l3.
    expect(problem).toEqual(expect.objectContaining({ path: 'l3', got: '7381 nodes' }));
    expect(problem.problem).toBe('expands to more than 1000 nodes (YAML aliases are counted each time they are used)');
  });

  it('refuses a long flow sequence', () => {
    expect(problemOf(`list: [${Array(2000).fill('1').join(', ')}]`)).toEqual(expect.objectContaining({ path: 'list', got: '2001 nodes' }));
  });

  it('refuses deep nesting, written out or built from aliases', () => {
    expect(problemOf(`a: ${'['.repeat(30)}${']'.repeat(30)}`).problem).toMatch(/^nests deeper than 20 levels \(at line:column 1:\d+\)$/);
    const chain = ['x0: &x0 [leaf]', ...Array.from({ length: 30 }, (_, i) => `x${i + 1}: &x${i + 1} [*x${i}]`)].join('\n');
    expect(problemOf(chain)).toEqual(expect.objectContaining({ path: 'x20', problem: 'nests deeper than 20 levels (YAML aliases included)' }));
  });

  it('refuses a recursive alias instead of walking it forever', () => {
    expect(problemOf('a:\n  b: &loop [1, *loop]\n')).toEqual(expect.objectContaining({ path: 'a.b[1]', problem: 'is an alias of a node that contains it (a recursive alias)' }));
  });

  it('refuses text past the byte bound before parsing it', () => {
    expect(problemOf(`a: "${'x'.repeat(70 * 1024)}"`)).toEqual(expect.objectContaining({ path: '(root)', problem: 'is larger than 0.06 MiB', got: '0.07 MiB' }));
  });

  it('names the document of a multi-document stream', () => {
    expect(problemOf(`a: 1\n---\n${aliasBomb(5, 9)}`).path).toBe('(document 2) l3');
  });

  it('reports a syntax error at the root with its position', () => {
    expect(problemOf('a: [1\n').problem).toMatch(/^is not valid YAML: .*\(\d+:\d+\)/);
  });
});

describe('UTF-8', () => {
  const bytes = (...values: number[]) => Uint8Array.from(values);

  it('accepts UTF-8, multi-byte characters included', () => {
    expect(firstInvalidUtf8Byte(Buffer.from('café ☃ 𝄞'))).toBeUndefined();
    expect(decodeUtf8(Buffer.from('a: café\n'), 'x.yaml')).toEqual({ ok: true, text: 'a: café\n' });
  });

  it.each([
    ['a Latin-1 é', bytes(0x61, 0xe9, 0x0a), 1],
    ['a stray continuation byte', bytes(0x61, 0x62, 0x80), 2],
    ['an overlong slash', bytes(0xc0, 0xaf), 0],
    ['a UTF-16 surrogate', bytes(0x61, 0xed, 0xa0, 0x80), 1],
    ['a code point past U+10FFFF', bytes(0xf4, 0x90, 0x80, 0x80), 0],
    ['a truncated sequence', bytes(0x61, 0xe2, 0x98), 1],
  ])('finds %s', (_name, input, offset) => {
    expect(firstInvalidUtf8Byte(input)).toBe(offset);
  });

  it('says which byte and line, counted from 1', () => {
    const result = decodeUtf8(Buffer.concat([Buffer.from('cluster:\n  name: caf'), bytes(0xe9, 0x0a)]), 'homelab.yaml');
    expect(result).toEqual({
      ok: false,
      problem: {
        path: '(root)',
        problem: 'the file is not UTF-8 (byte 21, line 2)',
        got: '0xe9',
        fix: "Save homelab.yaml as UTF-8 (your editor's encoding setting, or iconv -f LATIN1 -t UTF-8).",
      },
    });
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyHunks, diffHunks, diffSequences, NO_NEWLINE_MARKER, parseUnifiedDiff, splitLines, unifiedDiff, type Hunk } from './diff.js';

const parseHunks = parseUnifiedDiff;

/** Deterministic pseudo-random numbers (mulberry32), so a failure names a reproducible seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Length of a longest common subsequence, by dynamic programming: the oracle of minimality. */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (const line of a) {
    const current = [0];
    for (let j = 1; j <= b.length; j++) current[j] = line === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    previous = current;
  }
  return previous[b.length]!;
}

/** Added and removed lines of a diff as sorted lists (a line and its no-newline marker as one). */
function changedLines(hunks: Hunk[]): { removed: string[]; added: string[] } {
  const removed: string[] = [];
  const added: string[] = [];
  for (const hunk of hunks) {
    hunk.lines.forEach((line, index) => {
      const text = line.slice(1) + (hunk.lines[index + 1] === NO_NEWLINE_MARKER ? ' (no newline)' : '');
      if (line[0] === '-') removed.push(text);
      if (line[0] === '+') added.push(text);
    });
  }
  return { removed: removed.sort(), added: added.sort() };
}

const body = (diff: string) => diff.split('\n').slice(2).join('\n');

describe('splitLines', () => {
  it('keeps each newline with its line and a last line without one', () => {
    expect(splitLines('')).toEqual([]);
    expect(splitLines('\n')).toEqual(['\n']);
    expect(splitLines('a\nb')).toEqual(['a\n', 'b']);
    expect(splitLines('a\n\nb\n')).toEqual(['a\n', '\n', 'b\n']);
  });
});

describe('unifiedDiff', () => {
  it('is empty for equal texts, including two empty files', () => {
    expect(unifiedDiff('', '')).toBe('');
    expect(unifiedDiff('a\nb\n', 'a\nb\n')).toBe('');
    expect(diffHunks('a\n', 'a\n')).toEqual([]);
  });

  it('diffs against an empty file with an empty range at line 0', () => {
    expect(unifiedDiff('', 'a\nb\n', { oldLabel: '/dev/null', newLabel: 'b/x' })).toBe('--- /dev/null\n+++ b/x\n@@ -0,0 +1,2 @@\n+a\n+b\n');
    expect(body(unifiedDiff('a\nb\n', ''))).toBe('@@ -1,2 +0,0 @@\n-a\n-b\n');
    expect(body(unifiedDiff('', 'a\nb'))).toBe(`@@ -0,0 +1,2 @@\n+a\n+b\n${NO_NEWLINE_MARKER}\n`);
  });

  it('marks a last line without a newline, which differs from the same line with one', () => {
    expect(body(unifiedDiff('a\nb\n', 'a\nb'))).toBe(`@@ -1,2 +1,2 @@\n a\n-b\n+b\n${NO_NEWLINE_MARKER}\n`);
    expect(body(unifiedDiff('a', 'a\n'))).toBe(`@@ -1 +1 @@\n-a\n${NO_NEWLINE_MARKER}\n+a\n`);
    expect(body(unifiedDiff('x\na', 'y\na'))).toBe(`@@ -1,2 +1,2 @@\n-x\n+y\n a\n${NO_NEWLINE_MARKER}\n`);
  });

  it('deletes every line, then inserts every line, when all lines changed', () => {
    expect(body(unifiedDiff('a\nb\nc\n', 'x\ny\nz\n'))).toBe('@@ -1,3 +1,3 @@\n-a\n-b\n-c\n+x\n+y\n+z\n');
  });

  it('shows 3 lines of context and joins changes at most 6 unchanged lines apart', () => {
    const lines = (edit: (n: number) => string) => Array.from({ length: 20 }, (_, i) => `${edit(i + 1)}\n`).join('');
    const base = lines(String);
    const joined = lines((n) => (n === 4 ? 'X' : n === 11 ? 'Y' : String(n)));
    expect(diffHunks(base, joined).map((hunk) => [hunk.oldStart, hunk.oldLines, hunk.newStart, hunk.newLines])).toEqual([[1, 14, 1, 14]]);
    const split = lines((n) => (n === 4 ? 'X' : n === 12 ? 'Y' : String(n)));
    expect(body(unifiedDiff(base, split))).toBe(
      '@@ -1,7 +1,7 @@\n 1\n 2\n 3\n-4\n+X\n 5\n 6\n 7\n@@ -9,7 +9,7 @@\n 9\n 10\n 11\n-12\n+Y\n 13\n 14\n 15\n',
    );
  });

  it('starts an empty range at the line before it, and leaves out a count of 1', () => {
    expect(body(unifiedDiff('1\n2\n3\n', '1\n2\n3\n4\n', { context: 0 }))).toBe('@@ -3,0 +4 @@\n+4\n');
    expect(body(unifiedDiff('1\n2\n3\n4\n', '1\n2\n3\n', { context: 0 }))).toBe('@@ -4 +3,0 @@\n-4\n');
  });

  it('shifts line numbers by the offset of a part within its file', () => {
    expect(body(unifiedDiff('a\nb\n', 'a\nc\n', { oldOffset: 10, newOffset: 20 }))).toBe('@@ -11,2 +21,2 @@\n a\n-b\n+c\n');
  });
});

describe('parseUnifiedDiff and applyHunks', () => {
  it('round-trips a diff and refuses one that does not fit the text', () => {
    const diff = unifiedDiff('a\nb\nc\n', 'a\nB\nc\n', { oldLabel: 'a/x', newLabel: 'b/x' });
    expect(parseUnifiedDiff(diff)).toEqual([{ oldStart: 1, oldLines: 3, newStart: 1, newLines: 3, lines: [' a', '-b', '+B', ' c'] }]);
    expect(applyHunks('a\nb\nc\n', parseUnifiedDiff(diff))).toBe('a\nB\nc\n');
    expect(() => applyHunks('a\nX\nc\n', parseUnifiedDiff(diff))).toThrow('line 2 is "X\\n", the hunk expects "b\\n"');
    expect(() => applyHunks('a\nb\nc\n', parseUnifiedDiff(diff.replace('@@ -1,3', '@@ -1,4')))).toThrow('its header says 4/3');
    expect(() => parseUnifiedDiff('hello\n')).toThrow("not a unified diff line: 'hello'");
  });
});

describe('diffSequences', () => {
  it('finds a minimal edit script that turns a into b (random inputs, against an LCS oracle)', () => {
    for (let seed = 1; seed <= 600; seed++) {
      const next = random(seed);
      const alphabet = 1 + Math.floor(next() * 6);
      const make = () => Array.from({ length: Math.floor(next() * 30) }, () => String.fromCharCode(97 + Math.floor(next() * alphabet)));
      const a = make();
      const b = make();
      const edits = diffSequences(a, b);
      const rebuilt = edits.filter((edit) => edit.op !== 'delete').map((edit) => (edit.op === 'insert' ? b[edit.b] : a[edit.a]));
      expect(rebuilt, `seed ${seed}`).toEqual(b);
      expect(edits.filter((edit) => edit.op !== 'insert').map((edit) => a[edit.a]), `seed ${seed}`).toEqual(a);
      expect(edits.filter((edit) => edit.op !== 'equal').length, `seed ${seed}`).toBe(a.length + b.length - 2 * lcsLength(a, b));
    }
  });

  it('handles long inputs with many changes in linear space', () => {
    const next = random(42);
    const a = Array.from({ length: 20_000 }, () => `${Math.floor(next() * 50)}`);
    const b = a.map((line) => (next() < 0.5 ? line : `${line}'`));
    const edits = diffSequences(a, b);
    expect(edits.filter((edit) => edit.op !== 'delete').map((edit) => (edit.op === 'insert' ? b[edit.b] : a[edit.a]))).toEqual(b);
  });

  it('produces hunks that turn the old text into the new one', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const next = random(seed);
      const make = () =>
        Array.from({ length: Math.floor(next() * 40) }, () => `${Math.floor(next() * 4)}\n`).join('') + (next() < 0.3 ? 'end' : '');
      const a = make();
      const b = make();
      for (const context of [0, 1, 3]) expect(applyHunks(a, diffHunks(a, b, context)), `seed ${seed}, context ${context}`).toBe(b);
    }
  });
});

const GNU_DIFF = '/usr/bin/diff';
const PATCH = '/usr/bin/patch';
const hasDiff = existsSync(GNU_DIFF);
if (!hasDiff) console.warn(`diff.test.ts: ${GNU_DIFF} (diffutils) is absent; skipping the cross-check against diff -u`);

describe.skipIf(!hasDiff)('cross-check with GNU diff -u', () => {
  const dir = mkdtempSync(join(tmpdir(), 'homelab-diff-'));
  const gnu = (a: string, b: string): string => {
    writeFileSync(join(dir, 'a'), a);
    writeFileSync(join(dir, 'b'), b);
    const result = spawnSync(GNU_DIFF, ['-u', '--minimal', 'a', 'b'], { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0 && result.status !== 1) throw new Error(`diff failed: ${result.stderr}`);
    return result.stdout;
  };

  it('gives the same hunks when the common lines are unambiguous (distinct lines, edits without moves)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const next = random(seed);
      const a = Array.from({ length: Math.floor(next() * 40) }, (_, i) => `line ${i}\n`);
      let fresh = 0;
      const b: string[] = [];
      for (const line of a) {
        if (next() < 0.2) b.push(`new ${fresh++}\n`);
        if (next() > 0.25) b.push(line);
      }
      if (next() < 0.3) b.push(`new ${fresh++}\n`);
      const [oldText, newText] = [a.join('') + (next() < 0.2 ? 'tail' : ''), b.join('') + (next() < 0.2 ? 'tail' : '')];
      const theirs = gnu(oldText, newText);
      const ours = unifiedDiff(oldText, newText);
      expect(changedLines(parseHunks(ours)), `seed ${seed}`).toEqual(changedLines(parseHunks(theirs)));
      expect(body(ours), `seed ${seed}`).toBe(body(theirs));
    }
  });

  it('removes and adds as many lines as diff --minimal on inputs with repeated lines, and both apply', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const next = random(1000 + seed);
      const make = () =>
        Array.from({ length: Math.floor(next() * 30) }, () => `${'abc'[Math.floor(next() * 3)]}\n`).join('') + (next() < 0.2 ? 'z' : '');
      const [oldText, newText] = [make(), make()];
      const ours = parseHunks(unifiedDiff(oldText, newText));
      const theirs = parseHunks(gnu(oldText, newText));
      const count = (hunks: Hunk[]) => ({ removed: changedLines(hunks).removed.length, added: changedLines(hunks).added.length });
      expect(count(ours), `seed ${seed}`).toEqual(count(theirs));
      expect(applyHunks(oldText, theirs), `seed ${seed}`).toBe(newText);
      expect(applyHunks(oldText, ours), `seed ${seed}`).toBe(newText);
    }
  });

  it.skipIf(!existsSync(PATCH))('is applied by patch(1) to give the new text', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const next = random(5000 + seed);
      const make = () => Array.from({ length: Math.floor(next() * 60) }, () => `${Math.floor(next() * 5)}\n`).join('') + (next() < 0.3 ? 'x' : '');
      const [oldText, newText] = [make(), make()];
      writeFileSync(join(dir, 'file'), oldText);
      writeFileSync(join(dir, 'change.diff'), unifiedDiff(oldText, newText, { oldLabel: 'a/file', newLabel: 'b/file' }));
      const result = spawnSync(PATCH, ['-p1', '--quiet', '--batch', '-i', 'change.diff', 'file'], { cwd: dir, encoding: 'utf8' });
      expect(result.status, `seed ${seed}: ${result.stdout}${result.stderr}`).toBe(0);
      expect(readFileSync(join(dir, 'file'), 'utf8'), `seed ${seed}`).toBe(newText);
    }
  });
});

/**
 * Line diffs in the unified format of `diff -u` / `git diff`, without dependencies.
 *
 * The edit script comes from Myers' O(ND) algorithm in its linear-space form (E. Myers, "An O(ND)
 * Difference Algorithm and Its Variations", 1986, section 4b): find a middle snake of an optimal
 * path, recurse on both sides. The script is minimal (fewest deleted + inserted lines). Hunks follow
 * GNU diff's conventions, so the output reads (and `patch` applies) like `diff -u`'s:
 * `@@ -start,count +start,count @@` with `,1` left out, an empty range starting at the line
 * before it, changes closer than 2 × context lines share a hunk, and a last line without a newline
 * followed by `\ No newline at end of file`.
 */

export type EditOp = 'equal' | 'delete' | 'insert';

/** One step of an edit script turning `a` into `b`. */
export interface Edit {
  op: EditOp;
  /** Index in `a` of the line kept or deleted; for an insertion, how many lines of `a` precede it. */
  a: number;
  /** Index in `b` of the line kept or inserted; for a deletion, how many lines of `b` precede it. */
  b: number;
}

/** One `@@` hunk. Starts are 1-based; an empty range starts at the line before it (0 at the top). */
export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Body lines without newlines: ` kept`, `-deleted`, `+inserted`, and NO_NEWLINE_MARKER. */
  lines: string[];
}

export const NO_NEWLINE_MARKER = '\\ No newline at end of file';

/** Default lines of context around a change, as `diff -u`. */
export const DEFAULT_CONTEXT = 3;

/**
 * Splits text into lines that keep their `\n`, so a last line without one differs from the same
 * line with one (as in `diff`). The empty text has no lines.
 */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', start)) {
    lines.push(text.slice(start, index + 1));
    start = index + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** A minimal edit script turning `a` into `b` (deletions before insertions within a change). */
export function diffSequences(a: readonly string[], b: readonly string[]): Edit[] {
  // Compare small integers instead of strings.
  const ids = new Map<string, number>();
  const intern = (line: string) => {
    let id = ids.get(line);
    if (id === undefined) ids.set(line, (id = ids.size));
    return id;
  };
  const A = Int32Array.from(a, intern);
  const B = Int32Array.from(b, intern);
  const edits: Edit[] = [];

  /**
   * A snake (diagonal run, possibly empty) from (x, y) to (u, v) that lies on an optimal path
   * from (aLo, bLo) to (aHi, bHi). Both ends differ (prefix and suffix are already stripped).
   */
  const middleSnake = (aLo: number, aHi: number, bLo: number, bHi: number) => {
    const n = aHi - aLo;
    const m = bHi - bLo;
    const delta = n - m;
    const odd = (delta & 1) !== 0;
    const limit = Math.ceil((n + m) / 2);
    const offset = limit + 1;
    // forward[k]: furthest x on diagonal k (= x − y) from the top-left corner; backward[k]: the
    // same for the reversed sequences, i.e. how far up-left from the bottom-right corner.
    const forward = new Int32Array(2 * offset + 1);
    const backward = new Int32Array(2 * offset + 1);
    forward[offset + 1] = 0;
    backward[offset + 1] = 0;
    for (let d = 0; d <= limit; d++) {
      for (let k = -d; k <= d; k += 2) {
        let x = k === -d || (k !== d && forward[offset + k - 1]! < forward[offset + k + 1]!) ? forward[offset + k + 1]! : forward[offset + k - 1]! + 1;
        let y = x - k;
        const x0 = x;
        const y0 = y;
        while (x < n && y < m && A[aLo + x] === B[bLo + y]) {
          x++;
          y++;
        }
        forward[offset + k] = x;
        // The reverse search has made d − 1 moves; its diagonal delta − k is this one.
        const reverse = delta - k;
        if (odd && reverse >= -(d - 1) && reverse <= d - 1 && x >= n - backward[offset + reverse]!) {
          return { x: aLo + x0, y: bLo + y0, u: aLo + x, v: bLo + y };
        }
      }
      for (let k = -d; k <= d; k += 2) {
        let x = k === -d || (k !== d && backward[offset + k - 1]! < backward[offset + k + 1]!) ? backward[offset + k + 1]! : backward[offset + k - 1]! + 1;
        let y = x - k;
        const x0 = x;
        const y0 = y;
        while (x < n && y < m && A[aHi - 1 - x] === B[bHi - 1 - y]) {
          x++;
          y++;
        }
        backward[offset + k] = x;
        const ahead = delta - k;
        if (!odd && ahead >= -d && ahead <= d && forward[offset + ahead]! >= n - x) {
          return { x: aHi - x, y: bHi - y, u: aHi - x0, v: bHi - y0 };
        }
      }
    }
    throw new Error(`diff: no middle snake found for ${n}×${m} lines (a bug in diff.ts)`);
  };

  const compare = (aLo: number, aHi: number, bLo: number, bHi: number): void => {
    while (aLo < aHi && bLo < bHi && A[aLo] === B[bLo]) edits.push({ op: 'equal', a: aLo++, b: bLo++ });
    let suffix = 0;
    while (aHi > aLo && bHi > bLo && A[aHi - 1] === B[bHi - 1]) {
      aHi--;
      bHi--;
      suffix++;
    }
    if (aLo === aHi) {
      for (let j = bLo; j < bHi; j++) edits.push({ op: 'insert', a: aLo, b: j });
    } else if (bLo === bHi) {
      for (let i = aLo; i < aHi; i++) edits.push({ op: 'delete', a: i, b: bLo });
    } else {
      const snake = middleSnake(aLo, aHi, bLo, bHi);
      if ((snake.x === aLo && snake.y === bLo && snake.u === snake.x) || (snake.x === aHi && snake.y === bHi)) {
        throw new Error(`diff: middle snake makes no progress (a bug in diff.ts)`);
      }
      compare(aLo, snake.x, bLo, snake.y);
      for (let i = snake.x, j = snake.y; i < snake.u; i++, j++) edits.push({ op: 'equal', a: i, b: j });
      compare(snake.u, aHi, snake.v, bHi);
    }
    for (let s = 0; s < suffix; s++) edits.push({ op: 'equal', a: aHi + s, b: bHi + s });
  };

  compare(0, A.length, 0, B.length);
  // Within each run of changes, deletions first (as diff and git print them).
  const ordered: Edit[] = [];
  for (let start = 0; start < edits.length; ) {
    if (edits[start]!.op === 'equal') {
      ordered.push(edits[start++]!);
      continue;
    }
    let end = start;
    while (end < edits.length && edits[end]!.op !== 'equal') end++;
    const run = edits.slice(start, end);
    const deletes = run.filter((edit) => edit.op === 'delete');
    const inserts = run.filter((edit) => edit.op === 'insert');
    const aStart = run.reduce((min, edit) => Math.min(min, edit.a), Infinity);
    const bStart = run.reduce((min, edit) => Math.min(min, edit.b), Infinity);
    // Positions of the other sequence: deletions come before every insertion of the run, and vice versa.
    for (const edit of deletes) ordered.push({ op: 'delete', a: edit.a, b: bStart });
    for (const edit of inserts) ordered.push({ op: 'insert', a: aStart + deletes.length, b: edit.b });
    start = end;
  }
  return ordered;
}

/** The hunks turning `oldText` into `newText`, with `context` lines around each change. */
export function diffHunks(oldText: string, newText: string, context: number = DEFAULT_CONTEXT): Hunk[] {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const edits = diffSequences(a, b);
  const changes: number[] = [];
  edits.forEach((edit, index) => {
    if (edit.op !== 'equal') changes.push(index);
  });
  const hunks: Hunk[] = [];
  let group = 0;
  while (group < changes.length) {
    // Extend the group while the next change is at most 2 × context unchanged lines away.
    let last = group;
    while (last + 1 < changes.length && changes[last + 1]! - changes[last]! - 1 <= 2 * context) last++;
    const from = Math.max(0, changes[group]! - context);
    const to = Math.min(edits.length, changes[last]! + context + 1);
    const first = edits[from]!;
    const hunk: Hunk = { oldStart: first.a, oldLines: 0, newStart: first.b, newLines: 0, lines: [] };
    for (const edit of edits.slice(from, to)) {
      const line = edit.op === 'insert' ? b[edit.b]! : a[edit.a]!;
      if (edit.op !== 'insert') hunk.oldLines++;
      if (edit.op !== 'delete') hunk.newLines++;
      const prefix = edit.op === 'equal' ? ' ' : edit.op === 'delete' ? '-' : '+';
      if (line.endsWith('\n')) hunk.lines.push(prefix + line.slice(0, -1));
      else hunk.lines.push(prefix + line, NO_NEWLINE_MARKER);
    }
    // A non-empty range starts at its first line (1-based); an empty one at the line before it.
    if (hunk.oldLines > 0) hunk.oldStart++;
    if (hunk.newLines > 0) hunk.newStart++;
    hunks.push(hunk);
    group = last + 1;
  }
  return hunks;
}

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${start},${count}`;
}

/** `@@ -l,s +l,s @@` and the hunk's lines, each ending in a newline; `offset` shifts line numbers. */
export function formatHunk(hunk: Hunk, offset: { old?: number; new?: number } = {}): string {
  const header = `@@ -${range(hunk.oldStart + (offset.old ?? 0), hunk.oldLines)} +${range(hunk.newStart + (offset.new ?? 0), hunk.newLines)} @@`;
  return [header, ...hunk.lines].map((line) => `${line}\n`).join('');
}

export interface UnifiedDiffOptions {
  /** Label of the `---` line. @default 'a' */
  oldLabel?: string;
  /** Label of the `+++` line. @default 'b' */
  newLabel?: string;
  /** Unchanged lines shown around each change. @default 3 */
  context?: number;
  /**
   * Lines of the file before `oldText` / `newText`, when they are a part of it (an object in a
   * multi-document YAML file): hunk headers then give line numbers in the file. @default 0
   */
  oldOffset?: number;
  newOffset?: number;
}

/** The unified diff from `oldText` to `newText`, or '' when they are equal. */
export function unifiedDiff(oldText: string, newText: string, options: UnifiedDiffOptions = {}): string {
  if (oldText === newText) return '';
  const hunks = diffHunks(oldText, newText, options.context ?? DEFAULT_CONTEXT);
  const offset = { old: options.oldOffset ?? 0, new: options.newOffset ?? 0 };
  return `--- ${options.oldLabel ?? 'a'}\n+++ ${options.newLabel ?? 'b'}\n${hunks.map((hunk) => formatHunk(hunk, offset)).join('')}`;
}

/** The hunks of a unified diff (this module's or `diff -u`'s); file header lines are skipped. */
export function parseUnifiedDiff(text: string): Hunk[] {
  const hunks: Hunk[] = [];
  for (const line of splitLines(text).map((line) => line.replace(/\n$/, ''))) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (header) {
      hunks.push({ oldStart: Number(header[1]), oldLines: Number(header[2] ?? 1), newStart: Number(header[3]), newLines: Number(header[4] ?? 1), lines: [] });
    } else if (hunks.length > 0 && /^[ +\-\\]/.test(line)) {
      hunks.at(-1)!.lines.push(line);
    } else if (hunks.length > 0 || !/^(---|\+\+\+|diff |index )/.test(line)) {
      throw new Error(`not a unified diff line: '${line}'`);
    }
  }
  return hunks;
}

/**
 * Applies hunks to a text, as `patch` does without fuzz: every kept and deleted line must match,
 * and the line counts of each header must hold. Throws naming the first mismatch.
 */
export function applyHunks(text: string, hunks: readonly Hunk[]): string {
  const lines = splitLines(text);
  const out: string[] = [];
  let next = 0;
  for (const hunk of hunks) {
    const start = hunk.oldLines === 0 ? hunk.oldStart : hunk.oldStart - 1;
    if (start < next || start > lines.length) throw new Error(`hunk at line ${hunk.oldStart} is out of order or past the end`);
    out.push(...lines.slice(next, start));
    next = start;
    let oldLines = 0;
    let newLines = 0;
    hunk.lines.forEach((line, index) => {
      if (line === NO_NEWLINE_MARKER) return;
      const content = line.slice(1) + (hunk.lines[index + 1] === NO_NEWLINE_MARKER ? '' : '\n');
      if (line[0] === ' ' || line[0] === '-') {
        if (lines[next] !== content) throw new Error(`line ${next + 1} is ${JSON.stringify(lines[next])}, the hunk expects ${JSON.stringify(content)}`);
        next++;
        oldLines++;
      }
      if (line[0] === ' ' || line[0] === '+') {
        out.push(content);
        newLines++;
      }
    });
    if (oldLines !== hunk.oldLines || newLines !== hunk.newLines) {
      throw new Error(`hunk at line ${hunk.oldStart} has ${oldLines}/${newLines} lines, its header says ${hunk.oldLines}/${hunk.newLines}`);
    }
  }
  out.push(...lines.slice(next));
  return out.join('');
}

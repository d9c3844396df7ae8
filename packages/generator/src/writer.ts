/**
 * The only impure step: puts a rendered tree on disk. Ownership-aware (it only ever touches files
 * it wrote, as recorded in the manifest), atomic per run (every new file is staged before any is
 * renamed into place), quiet about unchanged files (their mtimes are kept) and able to --check.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, posix, sep } from 'node:path';
import { hasGeneratedHeader, type GeneratedFile } from '@homelab/core';

/** Records which files the generator owns, so it can prune them later and leave others alone. */
export const MANIFEST_PATH = '.homelab/manifest.json';

export type FileStatus = 'added' | 'changed' | 'unchanged' | 'pruned';

export interface WritePlan {
  entries: { path: string; status: FileStatus }[];
  /** Files the generator would overwrite but did not write: never touched. */
  conflicts: string[];
  /** Staged files an interrupted run left in directories the generator owns (writeTree removes them). */
  leftovers: string[];
}

export interface WriteResult extends WritePlan {
  written: number;
  unchanged: number;
  pruned: number;
}

/** What is wrong with a path of the output directory, and what to do about it, by errno code. */
const FAULTS: Record<string, { what: string; fix: string }> = {
  EROFS: { what: 'the file system is read-only', fix: 'Generate into a writable directory (--out DIR), or remount it read-write' },
  EACCES: { what: 'permission denied', fix: 'Make it writable by you, or generate into another directory (--out DIR)' },
  EPERM: { what: 'operation not permitted', fix: 'Make it writable by you, or generate into another directory (--out DIR)' },
  ENOSPC: { what: 'the disk is full', fix: 'Free some space, then run generate again' },
  EDQUOT: { what: 'the disk quota is used up', fix: 'Free some space, then run generate again' },
  EISDIR: { what: 'it is a directory, where homelab writes a file', fix: 'Move or remove that directory, then run generate again' },
  ENOTDIR: { what: 'it is a file, where homelab needs a directory', fix: 'Move or remove that file, then run generate again' },
};

/** A fault of the output directory as one sentence: which path, what is wrong, what to do. Nothing was written. */
export class OutputError extends Error {
  constructor(
    readonly path: string,
    what: string,
    fix: string,
  ) {
    super(`cannot write ${path}: ${what}. ${fix}.`);
    this.name = 'OutputError';
  }
}

/** The first path from `outDir`'s root down to `path` that exists and is not a directory. */
function blockingFile(path: string): string | undefined {
  const chain: string[] = [];
  for (let dir = path; ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  return chain.find((candidate) => {
    const stat = statSync(candidate, { throwIfNoEntry: false });
    return stat !== undefined && !stat.isDirectory() && candidate !== path;
  });
}

/** `error` (from an operation on `path`) as an OutputError when it is a fault of the disk, else itself. */
export function outputFault(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const fault = code === undefined ? undefined : FAULTS[code];
  if (!fault) return error;
  if (code === 'ENOTDIR') {
    const blocker = blockingFile(path);
    if (blocker) return new OutputError(blocker, `it is a file, where homelab needs a directory (for ${path})`, fault.fix);
  }
  return new OutputError(path, fault.what, fault.fix);
}

/** Runs a file-system step on `path`, turning a fault of the disk into an OutputError. */
function onDisk<T>(path: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw outputFault(error, path);
  }
}

/** The output root must be a directory, or not exist yet below directories (never below a file). */
export function assertOutputRoot(outDir: string): void {
  let stat;
  try {
    stat = statSync(outDir, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw outputFault(error, outDir);
  }
  if (stat && !stat.isDirectory()) throw new OutputError(outDir, 'it is a file, where homelab writes its output directory', 'Pass --out a directory, or a path that does not exist yet');
  const blocker = stat ? undefined : blockingFile(outDir);
  if (blocker) throw new OutputError(blocker, `it is a file, where homelab needs a directory (for the output directory ${outDir})`, 'Pass --out a path that is not below a file');
}

/** Staged files (`.<name>.homelab-staged`) are named by stagedPath. */
const STAGED = /^\..+\.homelab-staged$/;

export class WriteConflictError extends Error {
  constructor(readonly conflicts: string[]) {
    super(
      `refusing to overwrite ${conflicts.length} file${conflicts.length === 1 ? '' : 's'} homelab did not write:\n` +
        conflicts.map((path) => `  ${path}`).join('\n') +
        '\nMove or rename them (or delete them if they are stale copies of generated files), then run generate again.',
    );
    this.name = 'WriteConflictError';
  }
}

/** The manifest content for a set of files (sorted, so it is deterministic). */
export function manifestFile(paths: string[]): GeneratedFile {
  const files = [...paths].sort();
  const content = `${JSON.stringify({ generator: 'homelab', note: 'Files owned by homelab generate; it prunes them when they are no longer generated.', files }, null, 2)}\n`;
  return { path: MANIFEST_PATH, content, source: '@homelab/generator' };
}

/**
 * Reads a tree an earlier `homelab generate --out DIR` rendered (every file its manifest lists, and
 * the manifest), so it can be written elsewhere with the same ownership rules. Nx caches the
 * rendered tree; `generate --from` applies it to the repository.
 */
export function readRenderedTree(dir: string): GeneratedFile[] {
  if (!existsSync(join(dir, MANIFEST_PATH))) {
    throw new Error(`${dir} holds no rendered tree (${MANIFEST_PATH} is missing). Render one first: homelab generate --out ${dir}`);
  }
  const paths = [...readManifest(dir)].sort();
  return [...paths, MANIFEST_PATH].map((path) => {
    assertSafePath(path);
    return { path, content: readFileSync(join(dir, path), 'utf8'), source: 'rendered tree' };
  });
}

function readManifest(outDir: string): Set<string> {
  const path = join(outDir, MANIFEST_PATH);
  if (!existsSync(path)) return new Set();
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { files?: unknown };
    if (!Array.isArray(parsed.files)) throw new Error('no files list');
    return new Set(parsed.files.filter((entry): entry is string => typeof entry === 'string'));
  } catch (error) {
    throw new Error(`${path} is unreadable (${(error as Error).message}). Restore it from git (git checkout -- ${MANIFEST_PATH}).`);
  }
}

/** A segment of a `/`-separated path that is empty, `.` or `..`: what normalize() would change or climb out by. */
const UNCLEAN_SEGMENT = /(?:^|\/)\.{0,2}(?:\/|$)/;

/** Generated paths are `/`-separated and clean: tested by a pattern, without a normalized copy of each. */
function assertSafePath(path: string): void {
  // On Windows a backslash separates too: `a\..\..\x` would climb out unseen by the pattern.
  if (isAbsolute(path) || UNCLEAN_SEGMENT.test(path) || (sep !== '/' && path.includes(sep))) {
    throw new Error(`generated path '${path}' is not a clean relative path inside the output directory`);
  }
}

/**
 * Reads the files of a tree, if they exist, and tells which directories exist. Directories are
 * probed once each, and not at all below one that does not exist: a first generate asks the disk a
 * handful of times, not once per file. A failed read builds an Error, which costs more than the
 * read; a stat returns undefined instead — and still throws on what must stop the plan (ENOTDIR …).
 * A file the manifest lists is expected to exist: it is read without a stat first.
 */
function existingReader(): { read: (path: string, expected: boolean) => string | undefined; dirExists: (dir: string) => boolean } {
  // Whether a directory exists at a directory's path.
  const existing = new Map<string, boolean>();
  const exists = (dir: string): boolean => {
    let found = existing.get(dir);
    if (found === undefined) {
      const parent = dirname(dir);
      const stat = parent === dir || exists(parent) ? statSync(dir, { throwIfNoEntry: false }) : undefined;
      // Node ≥ 22 stats a path below a file as absent (throwIfNoEntry covers ENOTDIR), Node 20 throws
      // ENOTDIR: a file where a directory must be is ENOTDIR on every Node, before anything is written.
      if (stat && !stat.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, stat '${dir}'`), { code: 'ENOTDIR' });
      found = stat !== undefined;
      existing.set(dir, found);
    }
    return found;
  };
  const read = (path: string, expected: boolean) => {
    if (!exists(dirname(path)) || (!expected && statSync(path, { throwIfNoEntry: false }) === undefined)) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  return { read, dirExists: exists };
}

/** Compares the rendered tree with the disk. Reads only; used by both write and --check. */
export function planWrite(outDir: string, files: GeneratedFile[]): WritePlan {
  return planOnDisk(outDir, files).plan;
}

/** The plan, and which directories exist (as the plan found them: writeTree creates the others). */
function planOnDisk(outDir: string, files: GeneratedFile[]): { plan: WritePlan; dirExists: (dir: string) => boolean } {
  assertOutputRoot(outDir);
  const owned = readManifest(outDir);
  owned.add(MANIFEST_PATH);
  const entries: WritePlan['entries'] = [];
  const conflicts: string[] = [];
  const rendered = new Set<string>();
  const existing = existingReader();
  for (const file of files) {
    assertSafePath(file.path);
    if (rendered.has(file.path)) throw new Error(`two generated files share the path '${file.path}'`);
    rendered.add(file.path);
    const target = join(outDir, file.path);
    const current = onDisk(target, () => existing.read(target, owned.has(file.path)));
    if (current === undefined) entries.push({ path: file.path, status: 'added' });
    else if (current === file.content) entries.push({ path: file.path, status: 'unchanged' });
    else if (owned.has(file.path) || hasGeneratedHeader(current)) entries.push({ path: file.path, status: 'changed' });
    else conflicts.push(file.path);
  }
  for (const path of [...owned].sort()) {
    if (path === MANIFEST_PATH) continue;
    if (!rendered.has(path) && existsSync(join(outDir, path))) entries.push({ path, status: 'pruned' });
  }
  const leftovers = stagedLeftovers(outDir, [...rendered, ...owned], existing.dirExists);
  return { plan: { entries, conflicts, leftovers }, dirExists: existing.dirExists };
}

/**
 * Staged files in the directories (that exist) holding, at any depth, files the generator writes or
 * owns. A directory known to be absent is not listed: a first generate would otherwise fail (and
 * build an Error) once per directory.
 */
function stagedLeftovers(outDir: string, paths: readonly string[], dirExists: (dir: string) => boolean): string[] {
  const dirs = new Set<string>();
  for (const path of paths) {
    for (let dir = posix.dirname(path); !dirs.has(dir); dir = posix.dirname(dir)) {
      dirs.add(dir);
      if (dir === '.') break;
    }
  }
  const leftovers: string[] = [];
  for (const dir of [...dirs].sort()) {
    const names = onDisk(join(outDir, dir), () => {
      if (!dirExists(join(outDir, dir))) return [];
      try {
        return readdirSync(join(outDir, dir), { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    });
    for (const entry of names) if (entry.isFile() && STAGED.test(entry.name)) leftovers.push(dir === '.' ? entry.name : `${dir}/${entry.name}`);
  }
  return leftovers.sort();
}

/** Removes directories left empty by pruning, up to (not including) the output root. */
function removeEmptyParents(outDir: string, path: string): void {
  let dir = dirname(join(outDir, path));
  while (dir.startsWith(outDir + sep) && readdirSync(dir).length === 0) {
    rmdirSync(dir);
    dir = dirname(dir);
  }
}

/**
 * mkdir -p that remembers what it made: each absent directory is made once, its parent first, so
 * every mkdir succeeds at its first try (a recursive mkdir of a deep path below absent ones fails and
 * climbs first). It records the topmost directories it created, so that a failed run can take them
 * away again. `dirExists` says which directories were there before the run.
 */
function directoryMaker(dirExists: (dir: string) => boolean): { ensure(dir: string): void; created: string[] } {
  const made = new Set<string>();
  const created: string[] = [];
  const ensure = (dir: string): void => {
    if (made.has(dir) || dirExists(dir)) return;
    const parent = dirname(dir);
    ensure(parent);
    // recursive: a directory that appeared since the plan is no error.
    const first = onDisk(dir, () => mkdirSync(dir, { recursive: true }));
    if (first !== undefined && !made.has(parent)) created.push(first);
    made.add(dir);
  };
  return { created, ensure };
}

/**
 * New content is staged beside its target, as `.<name>.homelab-staged`, then renamed over it (a
 * rename within one directory is atomic and needs no extra directories). Leftovers of an
 * interrupted run, in directories the generator owns, are removed by the next one.
 */
export function stagedPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.homelab-staged`);
}

/**
 * Writes the tree. Nothing is touched when there is a conflict. Every new file is staged first;
 * only when all are staged are they renamed into place, so an error or an interrupt while staging
 * leaves the previous tree exactly as it was.
 */
export function writeTree(outDir: string, files: GeneratedFile[]): WriteResult {
  const { plan, dirExists } = planOnDisk(outDir, files);
  if (plan.conflicts.length > 0) throw new WriteConflictError(plan.conflicts);
  const byPath = new Map(files.map((file) => [file.path, file]));
  const toWrite = plan.entries.filter((entry) => entry.status === 'added' || entry.status === 'changed');
  const directories = directoryMaker(dirExists);
  const staged: { temp: string; target: string }[] = [];
  try {
    for (const entry of toWrite) {
      const target = join(outDir, entry.path);
      directories.ensure(dirname(target));
      const temp = stagedPath(target);
      onDisk(temp, () => writeFileSync(temp, byPath.get(entry.path)!.content));
      staged.push({ temp, target });
    }
  } catch (error) {
    // Leave the tree as it was: no staged file, no directory this run made.
    for (const { temp } of staged) rmSync(temp, { force: true });
    for (const dir of directories.created.reverse()) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  for (const { temp, target } of staged) onDisk(target, () => renameSync(temp, target));
  for (const leftover of plan.leftovers) rmSync(join(outDir, leftover), { force: true });
  const pruned = plan.entries.filter((entry) => entry.status === 'pruned');
  for (const entry of pruned) {
    onDisk(join(outDir, entry.path), () => rmSync(join(outDir, entry.path)));
    removeEmptyParents(outDir, entry.path);
  }
  return {
    ...plan,
    written: toWrite.length,
    unchanged: plan.entries.filter((entry) => entry.status === 'unchanged').length,
    pruned: pruned.length,
  };
}

/**
 * What differs between two generated trees, file by file and Kubernetes object by object. Pure:
 * both trees are given as path → content. Objects are matched by apiVersion, kind, namespace and
 * name wherever they live, so an object whose file was renamed is reported as moved.
 */
import { load, loadAll } from 'js-yaml';
import { splitLines, unifiedDiff } from './diff.js';

/** A tree of files: path (relative to the output root) → content. */
export type Tree = ReadonlyMap<string, string>;

export interface ObjectId {
  apiVersion: string;
  kind: string;
  /** Absent for cluster-scoped objects (and objects that leave it to their Application). */
  namespace?: string;
  name: string;
}

export type FileChangeStatus = 'added' | 'removed' | 'changed' | 'renamed';
export type ObjectChangeStatus = 'added' | 'removed' | 'changed' | 'moved';

export interface FileChange {
  path: string;
  status: FileChangeStatus;
  /** Where a renamed file was. */
  previousPath?: string;
  /**
   * Unified diff of the whole file, for changed and renamed files whose differences the object
   * diffs do not show completely (files without objects, comments, added or removed documents).
   */
  diff?: string;
}

export interface ObjectChange {
  id: ObjectId;
  /** `moved`: now in another file (`diff` says whether its content changed as well). */
  status: ObjectChangeStatus;
  /** The file holding the object: the new one, or the old one for a removed object. */
  path: string;
  /** The file that held a moved object. */
  previousPath?: string;
  /** Unified diff of the object's text, with the line numbers of its files. */
  diff?: string;
}

export interface TreeDiff {
  files: FileChange[];
  objects: ObjectChange[];
}

/** `Kind namespace/name (apiVersion)`, or `Kind name (apiVersion)` without a namespace. */
export function formatObjectId(id: ObjectId): string {
  return `${id.kind} ${id.namespace ? `${id.namespace}/` : ''}${id.name} (${id.apiVersion})`;
}

const objectKey = (id: ObjectId) => [id.apiVersion, id.kind, id.namespace ?? '', id.name].join('\u0000');

/** A Kubernetes object found in a YAML file, with the lines it occupies. */
interface LocatedObject {
  id: ObjectId;
  key: string;
  path: string;
  text: string;
  /** Lines of the file before the object's text. */
  offset: number;
}

interface ParsedFile {
  objects: LocatedObject[];
  /** The file with each object's text replaced by a placeholder: what the object diffs do not show. */
  skeleton: string;
}

const DOCUMENT_START = /^---(?:[ \t].*)?\r?\n?$/;
const DOCUMENT_END = /^\.\.\.(?:[ \t].*)?\r?\n?$/;
const BLANK_OR_COMMENT = /^[ \t]*(?:#.*)?\r?\n?$/;

function asObjectId(document: unknown): ObjectId | undefined {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return undefined;
  const { apiVersion, kind, metadata } = document as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || typeof metadata?.name !== 'string') return undefined;
  return { apiVersion, kind, ...(typeof metadata.namespace === 'string' ? { namespace: metadata.namespace } : {}), name: metadata.name };
}

/**
 * The Kubernetes objects of a YAML file, each located by its document's lines (leading comments
 * excluded: they belong to the file). Undefined for other files and YAML this cannot split
 * reliably into documents; those are compared as whole files.
 */
function parseYamlFile(path: string, content: string): ParsedFile | undefined {
  if (!/\.ya?ml$/.test(path)) return undefined;
  const lines = splitLines(content);
  const chunks: { start: number; end: number }[] = [];
  let start = 0;
  lines.forEach((line, index) => {
    if (DOCUMENT_START.test(line) || DOCUMENT_END.test(line)) {
      chunks.push({ start, end: index });
      start = index + 1;
    }
  });
  chunks.push({ start, end: lines.length });
  try {
    const documents = chunks.map((chunk) => load(lines.slice(chunk.start, chunk.end).join('')));
    const whole = loadAll(content);
    // The split must agree with a YAML parser (a `---` inside a block scalar would not).
    const present = (values: unknown[]) => values.filter((value) => value !== null && value !== undefined).length;
    if (present(documents) !== present(whole)) return undefined;
    const objects: LocatedObject[] = [];
    const skeleton: string[] = [];
    let next = 0;
    chunks.forEach((chunk, index) => {
      const id = asObjectId(documents[index]);
      if (!id) return;
      let first = chunk.start;
      while (first < chunk.end && BLANK_OR_COMMENT.test(lines[first]!)) first++;
      skeleton.push(...lines.slice(next, first), '\u0000object\n');
      next = chunk.end;
      objects.push({ id, key: objectKey(id), path, text: lines.slice(first, chunk.end).join(''), offset: first });
    });
    skeleton.push(...lines.slice(next));
    return objects.length > 0 ? { objects, skeleton: skeleton.join('') } : undefined;
  } catch {
    return undefined;
  }
}

const byPath = <T extends { path: string }>(a: T, b: T) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Pairs the occurrences of one object: same file first, then in path order. */
function pairObjects(before: LocatedObject[], after: LocatedObject[]) {
  const pairs: [LocatedObject, LocatedObject][] = [];
  const restBefore = [...before].sort(byPath);
  const restAfter: LocatedObject[] = [];
  for (const object of [...after].sort(byPath)) {
    const index = restBefore.findIndex((old) => old.path === object.path);
    if (index === -1) restAfter.push(object);
    else pairs.push([restBefore.splice(index, 1)[0]!, object]);
  }
  while (restBefore.length > 0 && restAfter.length > 0) pairs.push([restBefore.shift()!, restAfter.shift()!]);
  return { pairs, removed: restBefore, added: restAfter };
}

/** Compares two trees: which files and objects were added, removed, changed, moved. */
export function diffTrees(before: Tree, after: Tree): TreeDiff {
  const parsed = (tree: Tree) => new Map([...tree].map(([path, content]) => [path, parseYamlFile(path, content)] as const));
  const parsedBefore = parsed(before);
  const parsedAfter = parsed(after);

  // Objects, matched by identity across files.
  const group = (files: Map<string, ParsedFile | undefined>) => {
    const groups = new Map<string, LocatedObject[]>();
    for (const file of files.values()) for (const object of file?.objects ?? []) groups.set(object.key, [...(groups.get(object.key) ?? []), object]);
    return groups;
  };
  const objectsBefore = group(parsedBefore);
  const objectsAfter = group(parsedAfter);
  const objects: ObjectChange[] = [];
  /** Files holding an added or removed object: their object diffs do not tell the whole story. */
  const incomplete = new Set<string>();
  for (const key of new Set([...objectsBefore.keys(), ...objectsAfter.keys()])) {
    const { pairs, removed, added } = pairObjects(objectsBefore.get(key) ?? [], objectsAfter.get(key) ?? []);
    for (const object of removed) {
      objects.push({ id: object.id, status: 'removed', path: object.path });
      incomplete.add(object.path);
    }
    for (const object of added) {
      objects.push({ id: object.id, status: 'added', path: object.path });
      incomplete.add(object.path);
    }
    for (const [old, current] of pairs) {
      if (old.path === current.path && old.text === current.text) continue;
      const diff = unifiedDiff(old.text, current.text, {
        oldLabel: `a/${old.path}`,
        newLabel: `b/${current.path}`,
        oldOffset: old.offset,
        newOffset: current.offset,
      });
      objects.push({
        id: current.id,
        status: old.path === current.path ? 'changed' : 'moved',
        path: current.path,
        ...(old.path === current.path ? {} : { previousPath: old.path }),
        ...(diff ? { diff } : {}),
      });
    }
  }
  objects.sort((a, b) => byPath(a, b) || (objectKey(a.id) < objectKey(b.id) ? -1 : objectKey(a.id) > objectKey(b.id) ? 1 : 0));

  // Files; a removed and an added file with the same content or the same objects were renamed.
  const removedPaths = [...before.keys()].filter((path) => !after.has(path)).sort();
  const addedPaths = [...after.keys()].filter((path) => !before.has(path)).sort();
  const keys = (file: ParsedFile | undefined) => (file ? file.objects.map((object) => object.key).sort().join('\u0001') : undefined);
  const renames: [string, string][] = [];
  for (const oldPath of removedPaths) {
    const newPath = addedPaths.find(
      (path) => !renames.some(([, taken]) => taken === path) && (after.get(path) === before.get(oldPath) || (keys(parsedBefore.get(oldPath)) ?? '\u0002') === keys(parsedAfter.get(path))),
    );
    if (newPath) renames.push([oldPath, newPath]);
  }
  /** The whole-file diff, unless the object diffs show every difference. */
  const fileDiff = (oldPath: string, newPath: string): string | undefined => {
    const old = parsedBefore.get(oldPath);
    const current = parsedAfter.get(newPath);
    const covered = old && current && old.skeleton === current.skeleton && !incomplete.has(oldPath) && !incomplete.has(newPath);
    return covered ? undefined : unifiedDiff(before.get(oldPath)!, after.get(newPath)!, { oldLabel: `a/${oldPath}`, newLabel: `b/${newPath}` }) || undefined;
  };
  const files: FileChange[] = [];
  for (const path of addedPaths) if (!renames.some(([, newPath]) => newPath === path)) files.push({ path, status: 'added' });
  for (const path of removedPaths) if (!renames.some(([oldPath]) => oldPath === path)) files.push({ path, status: 'removed' });
  for (const [oldPath, newPath] of renames) {
    const diff = fileDiff(oldPath, newPath);
    files.push({ path: newPath, status: 'renamed', previousPath: oldPath, ...(diff ? { diff } : {}) });
  }
  for (const [path, content] of after) {
    if (!before.has(path) || before.get(path) === content) continue;
    const diff = fileDiff(path, path);
    files.push({ path, status: 'changed', ...(diff ? { diff } : {}) });
  }
  files.sort(byPath);
  return { files, objects };
}

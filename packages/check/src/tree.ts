/**
 * The checked tree as ArgoCD's repo-server would see it, from one of two sources: a directory (the
 * files git knows — tracked, plus untracked files that are not ignored: what the next commit would
 * hold — or, outside a git work tree, every file but `.git/` and `node_modules/`), or files held in
 * memory (path → content, e.g. a tree just rendered and not yet written). Files are read and parsed
 * lazily, once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { formatProblem, parseYamlBounded, type YamlLimits } from '@homelab/config';
import { SKIPPED_DIRS } from './defaults.js';

/** A Kubernetes object as found in a file. */
export interface KubeDoc {
  /** `file#doc` (`file#doc.item` for an item of a List): unique across the tree. */
  id: string;
  file: string;
  apiVersion: string;
  group: string;
  kind: string;
  name: string;
  /** metadata.namespace as written (ArgoCD or kustomize may set another). */
  namespace: string | undefined;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  raw: Record<string, unknown>;
  /** Encrypted with SOPS: a top-level `sops` block (metadata stays readable). */
  sops: boolean;
}

export interface ParsedFile {
  docs: unknown[];
  error?: string;
}

export const isMap = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const stringMap = (value: unknown): Record<string, string> => {
  if (!isMap(value)) return {};
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) if (item !== null && item !== undefined) result[key] = String(item);
  return result;
};

export const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

/** Whether a parsed document is a Kubernetes object (apiVersion, kind and metadata). */
export function isKubeObject(doc: unknown): doc is Record<string, unknown> {
  return isMap(doc) && typeof doc['apiVersion'] === 'string' && typeof doc['kind'] === 'string' && isMap(doc['metadata']);
}

export function toKubeDoc(file: string, id: string, raw: Record<string, unknown>): KubeDoc {
  const metadata = raw['metadata'] as Record<string, unknown>;
  const apiVersion = raw['apiVersion'] as string;
  const namespace = metadata['namespace'];
  return {
    id,
    file,
    apiVersion,
    group: groupOf(apiVersion),
    kind: raw['kind'] as string,
    name: typeof metadata['name'] === 'string' ? metadata['name'] : String(metadata['name'] ?? metadata['generateName'] ?? '<unnamed>'),
    namespace: typeof namespace === 'string' && namespace !== '' ? namespace : undefined,
    annotations: stringMap(metadata['annotations']),
    labels: stringMap(metadata['labels']),
    raw,
    sops: isMap(raw['sops']),
  };
}

function listGit(root: string): string[] | undefined {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 256 * 1024 * 1024,
    });
    return [...new Set(out.split('\0').filter((path) => path !== ''))].filter((path) => existsSync(join(root, path)));
  } catch {
    return undefined;
  }
}

function listWalk(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(join(dir, entry.name), rel);
      } else if (entry.isFile() || (entry.isSymbolicLink() && statSafe(join(dir, entry.name)))) {
        files.push(rel);
      }
    }
  };
  walk(root, '');
  return files;
}

function statSafe(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const ALREADY_NORMAL = /^(?!\.\.?(?:\/|$))[^/\\]+(?:\/(?!\.\.?(?:\/|$))[^/\\]+)*$/;

/** Normalises a repository-relative path: no `./`, no trailing `/`, `.` → ''. Undefined when it leaves the repository. */
export function normalizePath(path: string): string | undefined {
  // Most paths are normal already (every rendered one): no empty, `.` or `..` segment, no backslash.
  if (ALREADY_NORMAL.test(path)) return path;
  const normal = posix.normalize(path.replace(/\\/g, '/')).replace(/^\/+/, '').replace(/\/+$/, '');
  if (normal === '.' || normal === '') return '';
  if (normal === '..' || normal.startsWith('../')) return undefined;
  return normal;
}

/** Where a tree's files come from: their repository paths, and how to read one. */
export interface TreeSource {
  /** Repository paths of the files in the tree. */
  files: readonly string[];
  /** The text of a file (also of one not listed, e.g. an ignored `.homelab-check.yaml`); undefined when absent. */
  read(path: string): string | undefined;
  /** The directory on disk the paths are relative to; undefined for a tree held in memory. */
  dir?: string;
  /** The documents of a file when they are known without parsing its text. */
  documents?(path: string): readonly unknown[] | undefined;
}

/** The files of directory `root`: `files` (repository paths) if given, else git's view, else a walk. */
export function dirSource(root: string, files?: readonly string[]): TreeSource {
  return {
    dir: root,
    files: files ?? listGit(root) ?? listWalk(root),
    read: (path) => {
      try {
        return readFileSync(join(root, path), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/** Files held in memory: repository path → content, and the parsed documents of those that have them. */
export function memorySource(
  files: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
  documents: ReadonlyMap<string, readonly unknown[]> = new Map(),
): TreeSource {
  const map = files instanceof Map ? (files as ReadonlyMap<string, string>) : new Map(Object.entries(files));
  const normalized = new Map<string, string>();
  const parsed = new Map<string, readonly unknown[]>();
  for (const [path, content] of map) {
    const normal = normalizePath(path);
    if (normal === undefined || normal === '') continue;
    normalized.set(normal, content);
    const docs = documents.get(path);
    if (docs) parsed.set(normal, docs);
  }
  return { files: [...normalized.keys()], read: (path) => normalized.get(path), documents: (path) => parsed.get(path) };
}

/**
 * Bounds of every YAML file check reads (hand-written repositories: vendored CRD bundles run to a
 * few MiB): an alias bomb or a megabyte-long flow list is refused, not expanded.
 */
export const CHECK_YAML_LIMITS: YamlLimits = { maxBytes: 8 * 1024 * 1024, maxNodes: 1_000_000, maxDepth: 128 };

/** The documents of YAML text within CHECK_YAML_LIMITS, or why not (`<path in the file>: <problem> …`). */
export function parseYaml(text: string): ParsedFile {
  const parsed = parseYamlBounded(text, CHECK_YAML_LIMITS);
  return parsed.ok ? { docs: parsed.documents } : { docs: [], error: formatProblem(parsed.problem) };
}

function parseText(path: string, text: string): ParsedFile {
  if (!path.endsWith('.json')) return parseYaml(text);
  try {
    return { docs: [JSON.parse(text) as unknown] };
  } catch (error) {
    return { docs: [], error: (error instanceof Error ? error.message : String(error)).split('\n')[0]! };
  }
}

const SKIPPED_NAMES = [...SKIPPED_DIRS];

/** Whether a path has a segment check skips; split only when a skipped name occurs in it at all (rare). */
const inSkippedDir = (file: string) => SKIPPED_NAMES.some((name) => file.includes(name)) && file.split('/').some((segment) => SKIPPED_DIRS.has(segment));

export class Tree {
  readonly files: readonly string[];
  private readonly fileSet: Set<string>;
  private readonly dirSet = new Set<string>(['']);
  private readonly texts = new Map<string, string>();
  private readonly parsed = new Map<string, ParsedFile>();
  private readonly objects = new Map<string, KubeDoc[]>();

  constructor(private readonly source: TreeSource) {
    this.files = source.files.filter((file) => !inSkippedDir(file)).sort();
    this.fileSet = new Set(this.files);
    for (const file of this.files) {
      for (let slash = file.lastIndexOf('/'); slash > 0; slash = file.lastIndexOf('/', slash - 1)) {
        const dir = file.slice(0, slash);
        if (this.dirSet.has(dir)) break;
        this.dirSet.add(dir);
      }
    }
  }

  isFile(path: string): boolean {
    return this.fileSet.has(path);
  }

  isDir(path: string): boolean {
    return this.dirSet.has(path);
  }

  exists(path: string): boolean {
    return this.isFile(path) || this.isDir(path);
  }

  /** Files below `dir` ('' is the root), sorted; only its direct children unless `recurse`. */
  filesUnder(dir: string, recurse: boolean): string[] {
    const prefix = dir === '' ? '' : `${dir}/`;
    let lo = 0;
    let hi = this.files.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.files[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const result: string[] = [];
    for (let i = lo; i < this.files.length; i++) {
      const file = this.files[i]!;
      if (!file.startsWith(prefix)) break;
      if (recurse || !file.slice(prefix.length).includes('/')) result.push(file);
    }
    return result;
  }

  /** The directory on disk the tree's paths are relative to; undefined for a tree held in memory. */
  get dir(): string | undefined {
    return this.source.dir;
  }

  text(path: string): string {
    let text = this.texts.get(path);
    if (text === undefined) {
      text = this.source.read(path) ?? '';
      this.texts.set(path, text);
    }
    return text;
  }

  /** The text of a file whether or not the tree lists it (settings files may be git-ignored); undefined when absent. */
  readAny(path: string): string | undefined {
    return this.isFile(path) ? this.text(path) : this.source.read(path);
  }

  /** The YAML documents (or the one JSON document) of a file; `error` when it does not parse. */
  parse(path: string): ParsedFile {
    let parsed = this.parsed.get(path);
    if (!parsed) {
      const known = this.source.documents?.(path);
      parsed = known ? { docs: [...known] } : parseText(path, this.text(path));
      this.parsed.set(path, parsed);
    }
    return parsed;
  }

  /** Whether the file may hold Kubernetes objects (cheap test before parsing). */
  mayHoldObjects(path: string): boolean {
    if (!/\.(ya?ml|json)$/.test(path)) return false;
    if (this.parsed.has(path) || this.source.documents?.(path)) return true; // parsing is no dearer than the test
    const text = this.text(path);
    return text.includes('apiVersion') && text.includes('kind');
  }

  /** The Kubernetes objects of a file (items of `List` kinds expanded); empty when it does not parse. */
  objectsOf(path: string): KubeDoc[] {
    let objects = this.objects.get(path);
    if (!objects) {
      objects = [];
      if (this.mayHoldObjects(path)) {
        const { docs } = this.parse(path);
        docs.forEach((doc, index) => {
          if (isMap(doc) && typeof doc['kind'] === 'string' && doc['kind'].endsWith('List') && Array.isArray(doc['items'])) {
            doc['items'].forEach((item, itemIndex) => {
              if (isKubeObject(item)) objects!.push(toKubeDoc(path, `${path}#${index}.${itemIndex}`, item));
            });
          } else if (isKubeObject(doc)) {
            objects!.push(toKubeDoc(path, `${path}#${index}`, doc));
          }
        });
      }
      this.objects.set(path, objects);
    }
    return objects;
  }
}

import { mkdirSync, mkdtempSync, readFileSync, existsSync, statSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { generatedHeader, type GeneratedFile } from '@homelab/core';
import { MANIFEST_PATH, manifestFile, planWrite, stagedPath, writeTree, WriteConflictError } from './writer.js';

const file = (path: string, body = path): GeneratedFile => ({ path, source: '@homelab/test', content: `${generatedHeader('@homelab/test')}${body}\n` });

/** A rendered tree as the pipeline produces it: files plus their manifest. */
function tree(...files: GeneratedFile[]): GeneratedFile[] {
  return [...files, manifestFile(files.map((f) => f.path))];
}

let out: string;
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), 'homelab-writer-'));
});

const read = (path: string) => readFileSync(join(out, path), 'utf8');

describe('writeTree', () => {
  it('writes every file and a manifest of what it owns', () => {
    const result = writeTree(out, tree(file('kubernetes/core/a.yaml'), file('talos/talconfig.yaml')));
    expect(result.written).toBe(3);
    expect(read('kubernetes/core/a.yaml')).toContain('kubernetes/core/a.yaml');
    expect(JSON.parse(read(MANIFEST_PATH)).files).toEqual(['kubernetes/core/a.yaml', 'talos/talconfig.yaml']);
    expect(existsSync(stagedPath(join(out, 'kubernetes/core/a.yaml')))).toBe(false);
  });

  it('leaves unchanged files alone, mtimes included', () => {
    const files = tree(file('kubernetes/core/a.yaml'));
    writeTree(out, files);
    const old = new Date('2020-01-01T00:00:00Z');
    utimesSync(join(out, 'kubernetes/core/a.yaml'), old, old);
    const result = writeTree(out, files);
    expect(result).toMatchObject({ written: 0, unchanged: 2, pruned: 0 });
    expect(statSync(join(out, 'kubernetes/core/a.yaml')).mtime.toISOString()).toBe(old.toISOString());
  });

  it('rewrites only the files whose content changed', () => {
    writeTree(out, tree(file('a.yaml'), file('b.yaml')));
    const result = writeTree(out, tree(file('a.yaml', 'new'), file('b.yaml')));
    expect(result.entries.filter((e) => e.status === 'changed').map((e) => e.path)).toEqual(['a.yaml']);
    expect(read('a.yaml')).toContain('new');
  });

  it('prunes its own stale files and the directories they leave empty, nothing else', () => {
    writeTree(out, tree(file('kubernetes/apps/plex/values.yaml'), file('kubernetes/apps/plex/manifests/x.yaml'), file('kubernetes/apps/keep.yaml')));
    writeFileSync(join(out, 'kubernetes/apps/plex/NOTES.md'), 'mine');
    const result = writeTree(out, tree(file('kubernetes/apps/keep.yaml')));
    expect(result.pruned).toBe(2);
    expect(existsSync(join(out, 'kubernetes/apps/plex/values.yaml'))).toBe(false);
    expect(existsSync(join(out, 'kubernetes/apps/plex/manifests'))).toBe(false);
    expect(read('kubernetes/apps/plex/NOTES.md')).toBe('mine');
    expect(JSON.parse(read(MANIFEST_PATH)).files).toEqual(['kubernetes/apps/keep.yaml']);
  });

  it('keeps hand-written files that sit beside generated ones', () => {
    mkdirSync(join(out, 'kubernetes/core'), { recursive: true });
    writeFileSync(join(out, 'kubernetes/core/hand-written.yaml'), 'kind: ConfigMap\n');
    writeTree(out, tree(file('kubernetes/core/a.yaml')));
    writeTree(out, tree(file('kubernetes/core/b.yaml')));
    expect(read('kubernetes/core/hand-written.yaml')).toBe('kind: ConfigMap\n');
  });

  it('refuses to overwrite a file it did not write, and writes nothing at all', () => {
    mkdirSync(join(out, 'kubernetes'), { recursive: true });
    writeFileSync(join(out, 'kubernetes/b.yaml'), 'hand-written\n');
    expect(() => writeTree(out, tree(file('kubernetes/a.yaml'), file('kubernetes/b.yaml')))).toThrow(WriteConflictError);
    expect(existsSync(join(out, 'kubernetes/a.yaml'))).toBe(false);
    expect(existsSync(join(out, MANIFEST_PATH))).toBe(false);
    expect(read('kubernetes/b.yaml')).toBe('hand-written\n');
  });

  it('names every conflicting file in the error', () => {
    writeFileSync(join(out, 'x.yaml'), 'mine');
    writeFileSync(join(out, 'y.yaml'), 'mine');
    try {
      writeTree(out, tree(file('x.yaml'), file('y.yaml')));
      expect.unreachable();
    } catch (error) {
      expect((error as WriteConflictError).conflicts).toEqual(['x.yaml', 'y.yaml']);
      expect((error as Error).message).toContain('refusing to overwrite 2 files homelab did not write');
    }
  });

  it('takes over a file that carries its generated header even when the manifest is lost', () => {
    writeTree(out, tree(file('a.yaml')));
    writeFileSync(join(out, MANIFEST_PATH), JSON.stringify({ files: [] }));
    expect(writeTree(out, tree(file('a.yaml', 'changed'))).written).toBe(2);
  });

  it('never touches the tree when a target cannot be read (the plan fails before any write)', () => {
    writeTree(out, tree(file('a.yaml')));
    writeFileSync(join(out, 'kubernetes'), 'a file where a directory is needed');
    const before = read('a.yaml');
    expect(() => writeTree(out, tree(file('a.yaml', 'new'), file('kubernetes/b.yaml')))).toThrow(/ENOTDIR/);
    expect(read('a.yaml')).toBe(before);
  });

  it('replaces a staged file left behind by an interrupted run, leaving none', () => {
    writeFileSync(stagedPath(join(out, 'a.yaml')), 'partial');
    writeTree(out, tree(file('a.yaml')));
    expect(read('a.yaml')).toContain('a.yaml');
    expect(existsSync(stagedPath(join(out, 'a.yaml')))).toBe(false);
  });

  it('removes what it staged when staging fails, and writes nothing', () => {
    writeTree(out, tree(file('a.yaml')));
    mkdirSync(stagedPath(join(out, 'b.yaml'))); // a directory where the staged file must go
    expect(() => writeTree(out, tree(file('a.yaml', 'new'), file('b.yaml')))).toThrow(/EISDIR/);
    expect(read('a.yaml')).not.toContain('new');
    expect(existsSync(stagedPath(join(out, 'a.yaml')))).toBe(false);
    expect(existsSync(join(out, 'b.yaml'))).toBe(false);
  });

  it('rejects paths that escape the output directory', () => {
    expect(() => writeTree(out, [file('../escape.yaml')])).toThrow(/not a clean relative path/);
    expect(() => writeTree(out, [file('/etc/passwd')])).toThrow(/not a clean relative path/);
  });

  it('rejects an unreadable manifest with the command that restores it', () => {
    mkdirSync(join(out, '.homelab'));
    writeFileSync(join(out, MANIFEST_PATH), '{not json');
    expect(() => writeTree(out, tree(file('a.yaml')))).toThrow(/git checkout -- \.homelab\/manifest\.json/);
  });
});

describe('planWrite', () => {
  it('reports added, changed, unchanged and pruned files without writing', () => {
    writeTree(out, tree(file('same.yaml'), file('changes.yaml'), file('goes.yaml')));
    const plan = planWrite(out, tree(file('same.yaml'), file('changes.yaml', 'v2'), file('new.yaml')));
    const status = Object.fromEntries(plan.entries.map((e) => [e.path, e.status]));
    expect(status).toMatchObject({ 'same.yaml': 'unchanged', 'changes.yaml': 'changed', 'new.yaml': 'added', 'goes.yaml': 'pruned' });
    expect(existsSync(join(out, 'new.yaml'))).toBe(false);
    expect(existsSync(join(out, 'goes.yaml'))).toBe(true);
  });
});

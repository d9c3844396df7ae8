import { mkdirSync, mkdtempSync, readFileSync, existsSync, statSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { generatedHeader, type GeneratedFile } from '@homelab/core';
import { MANIFEST_PATH, manifestFile, OutputError, outputFault, planWrite, stagedPath, writeTree, WriteConflictError } from './writer.js';

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
    expect(() => writeTree(out, tree(file('a.yaml', 'new'), file('kubernetes/b.yaml')))).toThrow(
      new OutputError(join(out, 'kubernetes'), `it is a file, where homelab needs a directory (for ${join(out, 'kubernetes/b.yaml')})`, 'Move or remove that file, then run generate again'),
    );
    expect(read('a.yaml')).toBe(before);
  });

  it('says so when a directory stands where it writes a file', () => {
    mkdirSync(join(out, 'talos/talconfig.yaml'), { recursive: true });
    expect(() => writeTree(out, tree(file('talos/talconfig.yaml')))).toThrow(
      `cannot write ${join(out, 'talos/talconfig.yaml')}: it is a directory, where homelab writes a file. Move or remove that directory, then run generate again.`,
    );
  });

  it('refuses an output directory that is a file, or below one', () => {
    const blocker = join(out, 'file');
    writeFileSync(blocker, 'x');
    expect(() => writeTree(blocker, tree(file('a.yaml')))).toThrow(`cannot write ${blocker}: it is a file, where homelab writes its output directory.`);
    expect(() => writeTree(join(blocker, 'sub'), tree(file('a.yaml')))).toThrow(`cannot write ${blocker}: it is a file, where homelab needs a directory (for the output directory ${join(blocker, 'sub')})`);
    expect(read('file')).toBe('x');
  });

  it('turns read-only, permission and full-disk faults into sentences naming the path', () => {
    const fault = (code: string) => (outputFault(Object.assign(new Error(`${code}: raw`), { code }), '/repo/.homelab-check.yaml') as Error).message;
    expect(fault('EROFS')).toBe('cannot write /repo/.homelab-check.yaml: the file system is read-only. Generate into a writable directory (--out DIR), or remount it read-write.');
    expect(fault('EACCES')).toBe('cannot write /repo/.homelab-check.yaml: permission denied. Make it writable by you, or generate into another directory (--out DIR).');
    expect(fault('ENOSPC')).toBe('cannot write /repo/.homelab-check.yaml: the disk is full. Free some space, then run generate again.');
    const other = new Error('not a disk fault');
    expect(outputFault(other, '/repo/a.yaml')).toBe(other);
  });

  it('replaces a staged file left behind by an interrupted run, leaving none', () => {
    writeFileSync(stagedPath(join(out, 'a.yaml')), 'partial');
    writeTree(out, tree(file('a.yaml')));
    expect(read('a.yaml')).toContain('a.yaml');
    expect(existsSync(stagedPath(join(out, 'a.yaml')))).toBe(false);
  });

  it('removes stale staged files in the directories it owns, and only its own kind', () => {
    writeTree(out, tree(file('kubernetes/core/a.yaml')));
    writeFileSync(join(out, 'kubernetes/core/.gone.yaml.homelab-staged'), 'from a killed run');
    writeFileSync(join(out, 'kubernetes/.other.yaml.homelab-staged'), 'from a killed run');
    writeFileSync(join(out, 'kubernetes/core/notes.homelab-staged.md'), 'mine');
    mkdirSync(join(out, 'unowned'));
    writeFileSync(join(out, 'unowned/.x.homelab-staged'), 'not in a directory homelab writes to');
    const files = tree(file('kubernetes/core/a.yaml'));
    expect(planWrite(out, files).leftovers).toEqual(['kubernetes/.other.yaml.homelab-staged', 'kubernetes/core/.gone.yaml.homelab-staged']);
    expect(writeTree(out, files)).toMatchObject({ written: 0, leftovers: ['kubernetes/.other.yaml.homelab-staged', 'kubernetes/core/.gone.yaml.homelab-staged'] });
    expect(existsSync(join(out, 'kubernetes/core/.gone.yaml.homelab-staged'))).toBe(false);
    expect(existsSync(join(out, 'kubernetes/.other.yaml.homelab-staged'))).toBe(false);
    expect(read('kubernetes/core/notes.homelab-staged.md')).toBe('mine');
    expect(read('unowned/.x.homelab-staged')).toContain('not in');
  });

  it('removes what it staged, and the directories it made, when staging fails, and writes nothing', () => {
    writeTree(out, tree(file('a.yaml')));
    mkdirSync(join(out, 'deep/er'), { recursive: true });
    mkdirSync(stagedPath(join(out, 'deep/er/b.yaml'))); // a directory where the staged file must go
    expect(() => writeTree(out, tree(file('a.yaml', 'new'), file('new/dir/c.yaml'), file('deep/er/b.yaml')))).toThrow(
      `cannot write ${stagedPath(join(out, 'deep/er/b.yaml'))}: it is a directory, where homelab writes a file.`,
    );
    expect(read('a.yaml')).not.toContain('new');
    expect(existsSync(stagedPath(join(out, 'a.yaml')))).toBe(false);
    expect(existsSync(join(out, 'new'))).toBe(false);
    expect(existsSync(join(out, 'deep/er/b.yaml'))).toBe(false);
  });

  it('rejects paths that escape the output directory', () => {
    expect(() => writeTree(out, [file('../escape.yaml')])).toThrow(/not a clean relative path/);
    expect(() => writeTree(out, [file('/etc/passwd')])).toThrow(/not a clean relative path/);
  });

  it('rejects paths that are not written the one clean way', () => {
    for (const path of ['a//b.yaml', 'a/./b.yaml', 'a/../b.yaml', './b.yaml', 'a/', '', '..']) {
      expect(() => writeTree(out, [file(path)]), path).toThrow(/not a clean relative path/);
    }
    expect(existsSync(join(out, 'b.yaml'))).toBe(false);
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

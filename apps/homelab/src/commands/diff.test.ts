import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { dump, load, loadAll } from 'js-yaml';
import { runCli } from '../testing/run-cli.js';
import { applyHunks, parseUnifiedDiff } from '../diff.js';
import type { FileChange, ObjectChange } from '../tree-diff.js';
import { MANIFEST_PATH } from '@homelab/generator';
import { diffCommand } from './diff.js';
import { generateCommand } from './generate.js';
import { seedConfigPath } from '@homelab/testing';

const SEED = seedConfigPath();
const COMMANDS = [generateCommand, diffCommand];

const run = (cwd: string, ...argv: string[]) => runCli(argv, { cwd, commands: COMMANDS });

interface DiffJson {
  changed: boolean;
  files: FileChange[];
  objects: ObjectChange[];
  conflicts: string[];
}

async function diffJson(cwd: string, ...argv: string[]): Promise<DiffJson> {
  const result = await run(cwd, 'diff', '--format', 'json', ...argv);
  expect(result.code, result.err).toBe(0);
  return JSON.parse(result.out) as DiffJson;
}

/** Every file under dir with its content, to prove a run wrote nothing. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(dir, path)] = `${readFileSync(path, 'utf8')}@${statSync(path).mtimeMs}`;
    }
  };
  walk(dir);
  return files;
}

/**
 * The oracle: every Kubernetes object of a generated tree, read with js-yaml (independently of
 * tree-diff's document splitting), keyed like `homelab diff` names them.
 */
function objectsOf(dir: string): Map<string, { path: string; data: string }> {
  const objects = new Map<string, { path: string; data: string }>();
  const owned = JSON.parse(readFileSync(join(dir, MANIFEST_PATH), 'utf8')).files as string[];
  for (const path of owned.filter((file) => /\.ya?ml$/.test(file))) {
    for (const doc of loadAll(readFileSync(join(dir, path), 'utf8')) as any[]) {
      if (typeof doc?.apiVersion !== 'string' || typeof doc?.kind !== 'string' || typeof doc?.metadata?.name !== 'string') continue;
      objects.set(`${doc.kind} ${doc.metadata.namespace ? `${doc.metadata.namespace}/` : ''}${doc.metadata.name} (${doc.apiVersion})`, { path, data: JSON.stringify(doc) });
    }
  }
  return objects;
}

/** What `homelab diff` should report per object between two generated trees, by the oracle. */
function expectedObjectChanges(oldDir: string, newDir: string): Record<string, string> {
  const before = objectsOf(oldDir);
  const after = objectsOf(newDir);
  const expected: Record<string, string> = {};
  for (const [id, old] of before) {
    const current = after.get(id);
    if (!current) expected[id] = 'removed';
    else if (current.path !== old.path) expected[id] = 'moved';
    else if (current.data !== old.data) expected[id] = 'changed';
  }
  for (const id of after.keys()) if (!before.has(id)) expected[id] = 'added';
  return expected;
}

const idOf = (object: ObjectChange) => `${object.id.kind} ${object.id.namespace ? `${object.id.namespace}/` : ''}${object.id.name} (${object.id.apiVersion})`;
const reported = (diff: DiffJson) => Object.fromEntries(diff.objects.map((object) => [idOf(object), object.status]));

let home: string;
beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'homelab-diff-'));
  cpSync(SEED, join(home, 'homelab.yaml'));
  expect((await run(home, 'generate', '--quiet')).code).toBe(0);
});

function editConfig(edit: (config: Record<string, any>) => void): void {
  const config = load(readFileSync(join(home, 'homelab.yaml'), 'utf8')) as Record<string, any>;
  edit(config);
  writeFileSync(join(home, 'homelab.yaml'), dump(config));
}

/** Renders the (edited) config into a separate directory: the tree generate would write. */
async function renderElsewhere(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'homelab-diff-new-'));
  expect((await run(home, 'generate', '--quiet', '--out', dir)).code).toBe(0);
  return dir;
}

describe('homelab diff', () => {
  it('reports no changes for a tree generate just wrote, with exit 0 even with --exit-code', async () => {
    const text = await run(home, 'diff');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^✔ no changes: \. matches homelab\.yaml \(\d+ files, 0\.00 s\)$/);
    expect((await run(home, 'diff', '--exit-code')).code).toBe(0);
    expect(await diffJson(home)).toMatchObject({ changed: false, files: [], objects: [], conflicts: [] });
  });

  it('lists the objects a domain change touches, with unified hunks that turn the old files into the new', async () => {
    const oldDomain = (load(readFileSync(SEED, 'utf8')) as any).domains.public as string;
    editConfig((config) => {
      config.domains = { public: 'example.org', internal: 'int.example.org' };
      config.acme.email = 'admin@example.org';
    });
    const before = snapshot(home);
    const diff = await diffJson(home);
    const fresh = await renderElsewhere();
    expect(snapshot(home)).toEqual(before);

    expect(diff.changed).toBe(true);
    const expected = expectedObjectChanges(home, fresh);
    expect(Object.values(expected)).toContain('changed');
    expect(reported(diff)).toEqual(expected);
    expect(reported(diff)['HTTPRoute argocd/argocd-server (gateway.networking.k8s.io/v1)']).toBe('changed');

    for (const object of diff.objects) {
      // One object per generated manifest: its hunks, numbered in its file, turn the file on disk into the new one.
      const oldFile = readFileSync(join(home, object.path), 'utf8');
      expect(applyHunks(oldFile, parseUnifiedDiff(object.diff!)), object.path).toBe(readFileSync(join(fresh, object.path), 'utf8'));
      const removed = object.diff!.split('\n').filter((line) => line.startsWith('-') && !line.startsWith('---'));
      expect(removed.length, object.path).toBeGreaterThan(0);
      for (const line of removed) expect(line, object.path).toContain(oldDomain);
    }
    for (const file of diff.files) {
      expect(file.status).toBe('changed');
      if (file.diff) expect(applyHunks(readFileSync(join(home, file.path), 'utf8'), parseUnifiedDiff(file.diff)), file.path).toBe(readFileSync(join(fresh, file.path), 'utf8'));
    }
    // Every changed file is explained: by its objects' diffs or its own.
    for (const file of diff.files) expect(file.diff !== undefined || diff.objects.some((object) => object.path === file.path), file.path).toBe(true);

    const text = await run(home, 'diff');
    expect(text.code).toBe(0);
    expect(text.out).toContain('  changed   HTTPRoute argocd/argocd-server (gateway.networking.k8s.io/v1)  kubernetes/core/argocd/manifests/HTTPRoute-argocd-server.yaml');
    expect(text.out).toMatch(/^--- a\/kubernetes\/core\/argocd\/manifests\/HTTPRoute-argocd-server\.yaml\n\+\+\+ b\/kubernetes\/core\/argocd\/manifests\/HTTPRoute-argocd-server\.yaml\n@@ -\d+,\d+ \+\d+,\d+ @@\n/m);
    expect(text.out).toContain(`-    - argocd.int.${oldDomain}\n+    - argocd.int.example.org`);
    expect((await run(home, 'diff', '--exit-code')).code).toBe(1);
  });

  it('reports the objects of a disabled component as removed, and its files', async () => {
    editConfig((config) => {
      config.components = { ...config.components, alloy: { enabled: false } };
    });
    const diff = await diffJson(home);
    const fresh = await renderElsewhere();
    const expected = expectedObjectChanges(home, fresh);
    expect(expected['Application argocd/alloy (argoproj.io/v1alpha1)']).toBe('removed');
    expect(reported(diff)).toEqual(expected);
    const removedFiles = diff.files.filter((file) => file.status === 'removed').map((file) => file.path);
    expect(removedFiles).toContain('kubernetes/observability/alloy.yaml');
    const owned = (dir: string) => JSON.parse(readFileSync(join(dir, MANIFEST_PATH), 'utf8')).files as string[];
    expect(removedFiles).toEqual(owned(home).filter((path) => !owned(fresh).includes(path)));
    const text = await run(home, 'diff');
    expect(text.out).toContain('  removed   Application argocd/alloy (argoproj.io/v1alpha1)  kubernetes/observability/alloy.yaml');
  });

  it('reports an object whose file was renamed as moved, not as removed and added', async () => {
    const manifest = JSON.parse(readFileSync(join(home, MANIFEST_PATH), 'utf8'));
    const path = (manifest.files as string[]).find((file) => /\/manifests\/[^/]+\.yaml$/.test(file))!;
    const renamed = join(dirname(path), 'renamed-by-hand.yaml');
    renameSync(join(home, path), join(home, renamed));
    manifest.files = (manifest.files as string[]).map((file) => (file === path ? renamed : file)).sort();
    writeFileSync(join(home, MANIFEST_PATH), `${JSON.stringify(manifest, null, 2)}\n`);

    const diff = await diffJson(home);
    expect(diff.objects).toEqual([{ id: expect.any(Object), status: 'moved', path, previousPath: renamed }]);
    expect(diff.files).toEqual([
      { path: MANIFEST_PATH, status: 'changed', diff: expect.stringContaining(`-    "${renamed}"`) },
      { path, status: 'renamed', previousPath: renamed },
    ]);
    const text = await run(home, 'diff');
    expect(text.out).toContain(`  moved     ${idOf(diff.objects[0]!)}  ${renamed} → ${path}\n`);
    expect(text.out).toContain(`  renamed   ${renamed} → ${path}\n`);

    // Moved and edited: the diff runs from the old file to the new one.
    const content = readFileSync(join(home, renamed), 'utf8');
    writeFileSync(join(home, renamed), content.replace(/^kind: .*$/m, '$&\n# edited'));
    const edited = await diffJson(home);
    expect(edited.objects).toEqual([expect.objectContaining({ status: 'moved', path, previousPath: renamed, diff: expect.stringContaining('-# edited') })]);
    expect(applyHunks(readFileSync(join(home, renamed), 'utf8'), parseUnifiedDiff(edited.objects[0]!.diff!))).toBe(content);
  });

  it('flags files it would overwrite but did not write', async () => {
    const manifest = JSON.parse(readFileSync(join(home, MANIFEST_PATH), 'utf8'));
    manifest.files = (manifest.files as string[]).filter((file) => file !== 'talos/talconfig.yaml');
    writeFileSync(join(home, MANIFEST_PATH), `${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(join(home, 'talos/talconfig.yaml'), 'my own notes\n');
    const diff = await diffJson(home);
    expect(diff.conflicts).toEqual(['talos/talconfig.yaml']);
    expect(diff.files).toContainEqual({ path: 'talos/talconfig.yaml', status: 'changed', diff: expect.stringContaining('-my own notes') });
    expect((await run(home, 'diff')).out).toContain('talos/talconfig.yaml  (not written by homelab: generate refuses to overwrite it)');
  });

  it('honours --out and rejects an unknown --format', async () => {
    const other = mkdtempSync(join(tmpdir(), 'homelab-diff-empty-'));
    const diff = await diffJson(home, '--out', other);
    expect(diff.files.every((file) => file.status === 'added')).toBe(true);
    expect(diff.files.map((file) => file.path)).toContain(MANIFEST_PATH);
    const bad = await run(home, 'diff', '--format', 'xml');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("unknown --format 'xml' (use text or json)");
  });

  it('exits 1 and reports the problems of an invalid config', async () => {
    editConfig((config) => {
      config.network.gateway = 'not-an-ip';
    });
    const result = await run(home, 'diff');
    expect(result.code).toBe(1);
    expect(result.err).toContain('network.gateway');
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { argocdDefaults, type SopsSettings } from './defaults.js';
import { sopsGenerateScript, sopsPlugin } from './sops-plugin.js';
import { SOPS_IMAGE } from './versions.js';

const settings: SopsSettings = argocdDefaults.sops;

describe('sopsPlugin', () => {
  const plugin = sopsPlugin(settings);

  it('builds a sidecar and volumes that pass their Kubernetes schemas', () => {
    expect(() => plugin.container.validate()).not.toThrow();
    for (const volume of Object.values(plugin.volumes)) expect(() => volume.validate()).not.toThrow();
  });

  it('keys every volume by its own name', () => {
    for (const [key, volume] of Object.entries(plugin.volumes)) expect(volume.name).toBe(key);
  });

  it('runs the pinned SOPS image (a version tag, never latest)', () => {
    expect(plugin.container.image).toBe(`${SOPS_IMAGE.repository}:${SOPS_IMAGE.tag}`);
    expect(SOPS_IMAGE.tag).toMatch(/^v\d+\.\d+\.\d+(-[a-z]+)?$/);
  });

  it('runs argocd-cmp-server as ArgoCD user 999, non-root, read-only, no privileges', () => {
    expect(plugin.container.command).toEqual(['/var/run/argocd/argocd-cmp-server']);
    expect(plugin.container.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 999,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('mounts its plugin config from the chart ConfigMap key the plugin name renders to', () => {
    const config = plugin.container.volumeMounts?.find((mount) => mount.mountPath === '/home/argocd/cmp-server/config/plugin.yaml');
    expect(config?.subPath).toBe(`${settings.plugin}.yaml`);
    expect(plugin.volumes[config!.name]?.configMap?.name).toBe('argocd-cmp-cm');
  });

  it('has its own /tmp, not the repo-server one', () => {
    const tmp = plugin.container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
    expect(tmp?.name).not.toBe('tmp');
    expect(plugin.volumes[tmp!.name]?.emptyDir).toEqual({});
  });

  it('is discovered by the encrypted file pattern, the same one its script decrypts', () => {
    expect(plugin.spec.discover).toEqual({ fileName: settings.filePattern });
    expect(plugin.spec.generate.command).toEqual(['sh', '-c']);
    expect(plugin.spec.generate.args[0]).toContain(`    ${settings.filePattern}) sops --decrypt "$file" ;;`);
  });

  it('refuses a file pattern a shell would interpret', () => {
    expect(() => sopsGenerateScript("*.yaml'; rm -rf /")).toThrow(
      `argocd: SOPS file pattern has characters a shell would interpret (sops.filePattern: '*.yaml'; rm -rf /'). Use letters, digits, '.', '_', '-', '*' and '?' only.`,
    );
  });
});

/**
 * The generate script, run for real by sh in a scratch source directory. `sops` is a stand-in on
 * PATH that marks what it was asked to decrypt (real decryption is sops' business, not ours).
 */
describe('the generate script', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'argocd-cmp-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const bin = join(scratch, 'bin');
  mkdirSync(bin);
  const fakeSops = (body: string) => {
    writeFileSync(join(bin, 'sops'), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, 'sops'), 0o755);
  };

  function source(files: Record<string, string>): string {
    const dir = mkdtempSync(join(scratch, 'src-'));
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    return dir;
  }

  const run = (dir: string, pattern = settings.filePattern) =>
    spawnSync('sh', ['-c', sopsGenerateScript(pattern)], { cwd: dir, env: { PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' });

  const DECRYPTED = `[ "$1" = --decrypt ] || exit 2
name=$(basename "$2"); printf 'apiVersion: v1\\nkind: Secret\\nmetadata:\\n  name: decrypted-%s\\n' "\${name%%.*}"`;

  it('passes plain manifests through and decrypts encrypted ones, top level only, in name order', () => {
    fakeSops(DECRYPTED);
    const dir = source({
      'b.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n',
      'a.sops.yaml': 'sops: encrypted\n',
      'c.json': '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}',
      'd.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d', // no trailing newline
      'README.md': '# not a manifest\n',
      'nested/e.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nested\n',
    });
    const result = run(dir);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const docs = loadAll(result.stdout).filter((doc) => doc !== null) as { kind: string; metadata: { name: string } }[];
    expect(docs.map((doc) => `${doc.kind}/${doc.metadata.name}`)).toEqual(['Secret/decrypted-a', 'ConfigMap/b', 'ConfigMap/c', 'ConfigMap/d']);
  });

  it('fails the whole render when one file does not decrypt', () => {
    fakeSops('echo "Failed to get the data key required to decrypt the SOPS file." >&2; exit 128');
    const dir = source({ 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n', 'b.sops.yaml': 'sops: encrypted\n' });
    const result = run(dir);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Failed to get the data key');
  });

  it('decrypts whatever the configured pattern names', () => {
    fakeSops(DECRYPTED);
    const dir = source({ 'x.enc.yaml': 'sops: encrypted\n', 'y.sops.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\n' });
    const docs = loadAll(run(dir, '*.enc.yaml').stdout).filter((doc) => doc !== null) as { metadata: { name: string } }[];
    expect(docs.map((doc) => doc.metadata.name)).toEqual(['decrypted-x', 'y']);
  });

  it('is POSIX sh (parses under sh -n)', () => {
    expect(() => execFileSync('sh', ['-n', '-c', sopsGenerateScript(settings.filePattern)])).not.toThrow();
  });
});

import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { dump, load } from 'js-yaml';
import { runCli } from './testing/run-cli.js';
import { MANIFEST_PATH } from '@homelab/generator';
import { seedConfigPath } from '@homelab/testing';

const SEED = seedConfigPath();

const run = (cwd: string, ...argv: string[]) => runCli(argv, { cwd });

/** Every file under dir with its bytes and mtime, to prove a run touched nothing. */
function snapshot(dir: string): Record<string, { content: string; mtimeMs: number }> {
  const files: Record<string, { content: string; mtimeMs: number }> = {};
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(dir, path)] = { content: readFileSync(path, 'utf8'), mtimeMs: statSync(path).mtimeMs };
    }
  };
  walk(dir);
  return files;
}

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'homelab-cli-'));
  cpSync(SEED, join(home, 'homelab.yaml'));
});

function editConfig(edit: (config: Record<string, any>) => void): void {
  const config = load(readFileSync(join(home, 'homelab.yaml'), 'utf8')) as Record<string, any>;
  edit(config);
  writeFileSync(join(home, 'homelab.yaml'), dump(config));
}

describe('homelab generate', () => {
  it('writes the tree next to the config and summarises what it did', async () => {
    const result = await run(home, 'generate');
    expect(result.code).toBe(0);
    expect(existsSync(join(home, 'kubernetes/bootstrap/app-of-apps/root.yaml'))).toBe(true);
    expect(existsSync(join(home, 'homelab.schema.json'))).toBe(true);
    const owned = JSON.parse(readFileSync(join(home, MANIFEST_PATH), 'utf8')).files as string[];
    expect(result.out).toMatch(new RegExp(`✔ ${owned.length + 1} files: ${owned.length + 1} written, 0 unchanged, 0 pruned \\(0\\.00 s\\) → ${home}`));
  });

  it('changes nothing on a second run', async () => {
    await run(home, 'generate');
    const before = snapshot(home);
    const second = await run(home, 'generate');
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/: 0 written, \d+ unchanged, 0 pruned/);
    expect(snapshot(home)).toEqual(before);
  });

  it('is deterministic: two runs from the same config give byte-identical trees', async () => {
    const other = mkdtempSync(join(tmpdir(), 'homelab-cli-'));
    cpSync(join(home, 'homelab.yaml'), join(other, 'homelab.yaml'));
    await run(home, 'generate');
    await run(other, 'generate');
    const contents = (dir: string) => Object.fromEntries(Object.entries(snapshot(dir)).map(([path, file]) => [path, file.content]));
    expect(contents(other)).toEqual(contents(home));
  });

  it('honours --config and --out', async () => {
    const out = mkdtempSync(join(tmpdir(), 'homelab-out-'));
    const result = await run(tmpdir(), 'generate', '--config', join(home, 'homelab.yaml'), '--out', out);
    expect(result.code).toBe(0);
    expect(existsSync(join(out, 'kubernetes/bootstrap/app-of-apps/root.yaml'))).toBe(true);
    expect(existsSync(join(home, 'kubernetes'))).toBe(false);
  });

  it('finds homelab.yaml in a parent directory', async () => {
    mkdirSync(join(home, 'docs/deep'), { recursive: true });
    expect((await run(join(home, 'docs/deep'), 'generate')).code).toBe(0);
    expect(existsSync(join(home, 'kubernetes'))).toBe(true);
  });

  it('keeps a hand-written manifest dropped into kubernetes/', async () => {
    await run(home, 'generate');
    writeFileSync(join(home, 'kubernetes/extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\n');
    expect((await run(home, 'generate')).code).toBe(0);
    expect(readFileSync(join(home, 'kubernetes/extra.yaml'), 'utf8')).toBe('apiVersion: v1\nkind: ConfigMap\n');
  });

  it('rejects an invalid config with exit 1, names path and value, and leaves the tree untouched', async () => {
    await run(home, 'generate');
    editConfig((config) => {
      config.network.ranges.loadBalancer = { start: '10.9.9.1', end: '10.9.9.20' };
    });
    const before = snapshot(home);
    const result = await run(home, 'generate');
    expect(result.code).toBe(1);
    expect(result.err).toContain("network.ranges.loadBalancer: is not inside the subnet (got '10.9.9.1-10.9.9.20')");
    expect(result.err).toContain('Nothing was written.');
    expect(snapshot(home)).toEqual(before);
  });

  it('refuses to overwrite a file it did not write: exit 1, nothing written', async () => {
    mkdirSync(join(home, 'kubernetes/bootstrap/app-of-apps'), { recursive: true });
    writeFileSync(join(home, 'kubernetes/bootstrap/app-of-apps/root.yaml'), 'mine\n');
    const result = await run(home, 'generate');
    expect(result.code).toBe(1);
    expect(result.err).toContain('kubernetes/bootstrap/app-of-apps/root.yaml');
    expect(existsSync(join(home, MANIFEST_PATH))).toBe(false);
    expect(readFileSync(join(home, 'kubernetes/bootstrap/app-of-apps/root.yaml'), 'utf8')).toBe('mine\n');
  });
});

describe('homelab generate --check', () => {
  it('passes on a fresh tree', async () => {
    await run(home, 'generate');
    const result = await run(home, 'generate', '--check');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/files up to date/);
  });

  it('fails and lists every stale file, writing nothing', async () => {
    await run(home, 'generate');
    writeFileSync(join(home, 'kubernetes/bootstrap/app-of-apps/root.yaml'), '# edited by hand\n');
    rmSync(join(home, 'homelab.schema.json'));
    const before = snapshot(home);
    const result = await run(home, 'generate', '--check');
    expect(result.code).toBe(1);
    expect(result.err).toContain('changed   kubernetes/bootstrap/app-of-apps/root.yaml');
    expect(result.err).toContain('added     homelab.schema.json');
    expect(result.err).toContain('Run `homelab generate` and commit the result.');
    expect(snapshot(home)).toEqual(before);
  });

  it('fails when the config changed since the tree was generated', async () => {
    await run(home, 'generate');
    editConfig((config) => {
      config.gitops.repoURL = 'https://example.org/other/homelab.git';
    });
    const result = await run(home, 'generate', '--check');
    expect(result.code).toBe(1);
    expect(result.err).toContain('changed   kubernetes/bootstrap/app-of-apps/root.yaml');
  });
});

describe('homelab validate', () => {
  it('accepts the seed config and writes nothing', async () => {
    const result = await run(home, 'validate');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/homelab\.yaml is valid: \d+ files would be generated/);
    expect(readdirSync(home)).toEqual(['homelab.yaml']);
  });

  it('reports a shape problem with its fix (semantic checks wait for a well-formed config)', async () => {
    editConfig((config) => {
      config.network.internalGatewayIP = '192.168.30.200';
      config.cluster.name = 'Home Lab';
    });
    const result = await run(home, 'validate');
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      "cluster.name: does not have the expected form (got 'Home Lab'). Use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit.",
    );
    expect(result.err).toMatch(/✖ homelab\.yaml: 1 problem\n/);
  });

  it('reports semantic problems together', async () => {
    editConfig((config) => {
      config.network.internalGatewayIP = '192.168.30.200';
      config.nodes['talos-cp01'].ip = '10.0.0.5';
    });
    const result = await run(home, 'validate');
    expect(result.code).toBe(1);
    expect(result.err).toContain("network.internalGatewayIP: is outside network.ranges.loadBalancer (192.168.30.60-192.168.30.80) (got '192.168.30.200')");
    expect(result.err).toContain("nodes.talos-cp01.ip: is outside the subnet (got '10.0.0.5')");
  });

  it('rejects a settings key for a component that does not exist, suggesting the closest', async () => {
    editConfig((config) => {
      config.components = { 'no-such-component': { enabled: false } };
    });
    const result = await run(home, 'validate');
    expect(result.code).toBe(1);
    expect(result.err).toContain("components.no-such-component: is not a known component (got 'no-such-component')");
  });
});

describe('usage', () => {
  it.each([
    [['generate', '--help'], /homelab generate: render the homelab/],
    [['validate', '-h'], /homelab validate: check the config/],
    [['help', 'generate'], /Usage: homelab generate/],
    [['--help'], /Commands:/],
  ])('%j prints help and exits 0', async (argv, expected) => {
    const result = await run(home, ...argv);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(expected);
  });

  it('prints the version', async () => {
    const result = await run(home, '--version');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each([
    [[], /Commands:/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['generate', '--chek'], /^homelab: unknown option --chek for 'homelab generate'; see homelab generate --help$/m],
    [['check', '-x'], /^homelab: unknown option -x for 'homelab check'; see homelab check --help$/m],
    [['generate', 'extra'], /unexpected argument 'extra'/],
    [['help', 'nope'], /unknown command 'nope'/],
  ])('%j is a usage error (exit 2)', async (argv, expected) => {
    const result = await run(home, ...argv);
    expect(result.code).toBe(2);
    expect(`${result.out}\n${result.err}`).toMatch(expected);
  });

  it('says where it looked when no config exists', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'homelab-empty-'));
    const result = await run(empty, 'validate', '--config', 'missing.yaml');
    expect(result.code).toBe(2);
    expect(result.err).toContain(`config file not found: ${join(empty, 'missing.yaml')}`);
  });
});

describe('homelab generate --from (how Nx applies its cached render)', () => {
  it('writes a tree rendered elsewhere with the same ownership rules, keeping hand-written files', async () => {
    const rendered = mkdtempSync(join(tmpdir(), 'homelab-rendered-'));
    expect((await run(home, 'generate', '--quiet', '--out', rendered)).code).toBe(0);
    mkdirSync(join(home, 'kubernetes'), { recursive: true });
    writeFileSync(join(home, 'kubernetes/hand.yaml'), 'mine\n');
    const result = await run(home, 'generate', '--from', rendered);
    expect(result.code).toBe(0);
    const fresh = mkdtempSync(join(tmpdir(), 'homelab-fresh-'));
    cpSync(join(home, 'homelab.yaml'), join(fresh, 'homelab.yaml'));
    await run(fresh, 'generate');
    const contents = (dir: string) => Object.fromEntries(Object.entries(snapshot(dir)).filter(([path]) => path !== 'kubernetes/hand.yaml').map(([path, file]) => [path, file.content]));
    expect(contents(home)).toEqual(contents(fresh));
    expect(readFileSync(join(home, 'kubernetes/hand.yaml'), 'utf8')).toBe('mine\n');
    expect((await run(home, 'generate', '--check')).code).toBe(0);
  });

  it('says how to render first when the directory holds no tree', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'homelab-norender-'));
    const result = await run(home, 'generate', '--from', empty);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`holds no rendered tree (.homelab/manifest.json is missing). Render one first: homelab generate --out ${empty}`);
  });
});

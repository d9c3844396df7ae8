/**
 * The component generator, run through Nx's own Tree on a scratch copy of the workspace files it
 * reads and edits (never on the real workspace). The scaffolded package must typecheck, build and
 * pass its tests as generated, and the aggregator must compile with it registered.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsTree, flushChanges } from 'nx/src/generators/tree';
import { extractDependencies, readRenovateConfig } from '../../renovate/src/managers.js';
import componentGenerator, { addDependency, AGGREGATOR_PACKAGE, FIXTURE_PREFIX, MODULES_FILE, normalizeOptions, registerModule, render, takenComponentNames } from './generator.js';

const WORKSPACE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** A chart collected in ../shared/chart-schemas that no package deploys yet: conformance runs for real. */
const OPTIONS = {
  name: 'metrics-server',
  repo: 'https://kubernetes-sigs.github.io/metrics-server/',
  chartVersion: '3.13.1',
  group: 'observability',
  syncWave: 1,
  description: "Resource metrics for `kubectl top` and the HPA (it's small)",
  skipInstall: true,
} as const;
const PACKAGE_DIR = `packages/${OPTIONS.name}`;
const EXPECTED_FILES = [
  'README.md',
  'package.json',
  'src/defaults.ts',
  'src/index.ts',
  `src/${OPTIONS.name}.test.ts`,
  `src/${OPTIONS.name}.ts`,
  'src/versions.ts',
  'tsconfig.json',
  'tsconfig.lib.json',
  'vitest.config.ts',
];
/** What the generator reads or edits, plus what the scaffold and the aggregator's modules.ts compile against. */
const COPIED = [
  'nx.json',
  'package.json',
  'tsconfig.base.json',
  'vitest.shared.ts',
  'vitest.tmpdir.ts',
  'homelab.yaml',
  'tools/check-dependencies.mjs',
  // With their sources: the dependency rules read what each project imports.
  'packages/core/package.json',
  'packages/core/src',
  'packages/config/package.json',
  'packages/config/src',
  'packages/config/scripts',
  'packages/testing/package.json',
  'packages/testing/src',
  'apps/homelab/package.json',
  'apps/homelab/tsconfig.json',
  // The whole aggregator source: modules.ts imports siblings (overview, sops-config, …).
  'apps/homelab/src',
  'apps/homelab/scripts',
  // The generated tree's Applications: the component names already taken, and by which package.
  'kubernetes',
];

let scratch: string;
/** modules.ts as copied, before the generator ran. */
let originalModules: string;

/** Runs the generator on `root` the way `nx g` does: a Tree, then the changes flushed to disk. */
async function generate(root: string, options: Parameters<typeof componentGenerator>[1] = OPTIONS) {
  const tree = new FsTree(root, false);
  const callback = await componentGenerator(tree, options);
  const changes = tree.listChanges();
  flushChanges(root, changes);
  callback();
  return changes.map((change) => `${change.type} ${change.path}`).sort();
}

/** Every file under `dir`, relative to it, with its content. */
function snapshot(dir: string, prefix = ''): Record<string, string> {
  return Object.fromEntries(
    readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
      const path = join(prefix, entry.name);
      if (entry.name === 'node_modules' || entry.name === 'dist') return [];
      return entry.isDirectory() ? Object.entries(snapshot(dir, path)) : [[path, readFileSync(join(dir, path), 'utf8')]];
    }),
  );
}

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'homelab-generator-'));
  for (const path of COPIED) {
    mkdirSync(dirname(join(scratch, path)), { recursive: true });
    cpSync(join(WORKSPACE_ROOT, path), join(scratch, path), { recursive: true });
  }
  originalModules = readFileSync(join(scratch, MODULES_FILE), 'utf8');
  // node_modules: the workspace's, except @homelab, which links every workspace package (as npm
  // install does, including the new one).
  mkdirSync(join(scratch, 'node_modules', '@homelab'), { recursive: true });
  for (const entry of readdirSync(join(WORKSPACE_ROOT, 'node_modules'))) {
    if (entry !== '@homelab') symlinkSync(join(WORKSPACE_ROOT, 'node_modules', entry), join(scratch, 'node_modules', entry));
  }
  for (const parent of ['packages', 'apps']) {
    for (const entry of readdirSync(join(WORKSPACE_ROOT, parent))) {
      const manifest = join(WORKSPACE_ROOT, parent, entry, 'package.json');
      if (!existsSync(manifest)) continue;
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string };
      symlinkSync(join(WORKSPACE_ROOT, parent, entry), join(scratch, 'node_modules', name));
    }
  }
  symlinkSync(join(scratch, PACKAGE_DIR), join(scratch, 'node_modules', '@homelab', OPTIONS.name));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the component generator on a copy of the workspace', () => {
  let firstRun: string[];
  let afterFirstRun: Record<string, string>;

  beforeAll(async () => {
    firstRun = await generate(scratch);
    afterFirstRun = snapshot(scratch);
  });

  it('creates the package files and updates the aggregator, nothing else', () => {
    expect(firstRun).toEqual(
      [...EXPECTED_FILES.map((file) => `CREATE ${PACKAGE_DIR}/${file}`), `UPDATE ${MODULES_FILE}`, `UPDATE ${AGGREGATOR_PACKAGE}`].sort(),
    );
  });

  it('registers the module once: one import, one defaultModules entry, one dependency', () => {
    const modules = readFileSync(join(scratch, MODULES_FILE), 'utf8');
    expect(modules.match(/import \{ metricsServerModule \} from '@homelab\/metrics-server';/g)).toHaveLength(1);
    const list = /export const defaultModules[^=]*=\s*\[([\s\S]*?)\n\];/.exec(modules)?.[1] ?? '';
    expect(list.match(/\bmetricsServerModule\b/g)).toHaveLength(1);
    // Everything registered before is still there, in the same order.
    expect(modules.replace("import { metricsServerModule } from '@homelab/metrics-server';\n", '').replace('  metricsServerModule,\n', '')).toBe(originalModules);
    const manifest = JSON.parse(readFileSync(join(scratch, AGGREGATOR_PACKAGE), 'utf8'));
    const core = JSON.parse(readFileSync(join(scratch, 'packages/core/package.json'), 'utf8'));
    expect(manifest.dependencies['@homelab/metrics-server']).toBe(core.version);
    expect(Object.keys(manifest.dependencies)).toEqual(Object.keys(manifest.dependencies).sort());
  });

  it('writes a package.json shaped like every other component package', () => {
    const manifest = JSON.parse(readFileSync(join(scratch, PACKAGE_DIR, 'package.json'), 'utf8'));
    const core = JSON.parse(readFileSync(join(scratch, 'packages/core/package.json'), 'utf8'));
    expect(manifest).toMatchObject({
      name: '@homelab/metrics-server',
      version: core.version,
      description: OPTIONS.description,
      type: 'module',
      exports: core.exports,
      files: core.files,
      dependencies: { '@homelab/core': core.version, '@homelab/config': expect.any(String) },
      devDependencies: { '@homelab/testing': expect.any(String) },
      nx: { name: OPTIONS.name, tags: ['type:component'] },
    });
    expect(manifest.private).toBeUndefined();
  });

  it('fills in every option: chart pin, group, namespace, sync wave, description', () => {
    const versions = afterFirstRun[`${PACKAGE_DIR}/src/versions.ts`];
    expect(versions).toContain(`repo: '${OPTIONS.repo.replace(/\/$/, '')}',\n  name: '${OPTIONS.name}',\n  version: '${OPTIONS.chartVersion}',`);
    const source = afterFirstRun[`${PACKAGE_DIR}/src/${OPTIONS.name}.ts`];
    expect(source).toContain(`group: '${OPTIONS.group}'`);
    expect(source).toContain(`description: 'Resource metrics for \`kubectl top\` and the HPA (it\\'s small)'`);
    expect(afterFirstRun[`${PACKAGE_DIR}/src/defaults.ts`]).toContain(`namespace: '${OPTIONS.name}',\n  syncWave: ${OPTIONS.syncWave},`);
    for (const [path, content] of Object.entries(afterFirstRun)) if (path.startsWith(PACKAGE_DIR)) expect(content, path).not.toMatch(/\{\{|\}\}/);
  });

  it('pins the chart where Renovate finds it: one helm dependency with the repository as registry', () => {
    const path = `${PACKAGE_DIR}/src/versions.ts`;
    const deps = extractDependencies(afterFirstRun[path]!, readRenovateConfig(WORKSPACE_ROOT), path);
    expect(deps.map(({ datasource, depName, currentValue, registryUrl }) => ({ datasource, depName, currentValue, registryUrl }))).toEqual([
      { datasource: 'helm', depName: OPTIONS.name, currentValue: OPTIONS.chartVersion, registryUrl: OPTIONS.repo.replace(/\/$/, '') },
    ]);
  });

  it('changes nothing when run again (idempotent)', async () => {
    expect(await generate(scratch)).toEqual([]);
    expect(snapshot(scratch)).toEqual(afterFirstRun);
  });

  it('never overwrites a file the author has edited, and still registers a missing module', async () => {
    const source = join(scratch, PACKAGE_DIR, 'README.md');
    const edited = `${afterFirstRun[`${PACKAGE_DIR}/README.md`]}\nMy notes.\n`;
    writeFileSync(source, edited);
    writeFileSync(join(scratch, MODULES_FILE), afterFirstRun[MODULES_FILE]!.replace('  metricsServerModule,\n', ''));
    expect(await generate(scratch)).toEqual([`UPDATE ${MODULES_FILE}`]);
    expect(readFileSync(source, 'utf8')).toBe(edited);
    expect(readFileSync(join(scratch, MODULES_FILE), 'utf8')).toBe(afterFirstRun[MODULES_FILE]);
    writeFileSync(source, afterFirstRun[`${PACKAGE_DIR}/README.md`]!);
  });

  it('scaffolds a package that typechecks, builds and passes its own tests', () => {
    const dir = join(scratch, PACKAGE_DIR);
    const tsc = join(WORKSPACE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const typecheck = run('node', [tsc, '-p', 'tsconfig.json', '--noEmit'], dir);
    expect(typecheck.output.trim()).toBe('');
    expect(typecheck.status).toBe(0);
    const build = run('node', [tsc, '-p', 'tsconfig.lib.json'], dir);
    expect(build.status, build.output).toBe(0);
    expect(readdirSync(join(dir, 'dist')).sort()).toEqual(
      ['defaults', 'index', OPTIONS.name, 'versions'].flatMap((name) => [`${name}.d.ts`, `${name}.js`]).sort(),
    );
    const test = run('node', [join(WORKSPACE_ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], dir);
    expect(test.status, test.output).toBe(0);
    expect(test.output).toMatch(/Tests\s+.*\d+ passed/);
    expect(test.output).not.toMatch(/failed/);
  });

  it('leaves an aggregator that compiles with the module registered', () => {
    const app = join(scratch, 'apps', 'homelab');
    writeFileSync(join(app, 'tsconfig.modules.json'), JSON.stringify({ extends: './tsconfig.json', files: ['src/modules.ts'], include: [] }));
    const tsc = join(WORKSPACE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const typecheck = run('node', [tsc, '-p', 'tsconfig.modules.json', '--noEmit'], app);
    expect(typecheck.status, typecheck.output).toBe(0);
  });

  it('keeps the workspace dependency rules (imports declared, tags respected)', () => {
    const check = run('node', ['tools/check-dependencies.mjs'], scratch);
    expect(check.status, check.output).toBe(0);
  });

  it('refuses a name taken by a package that is not a component', async () => {
    await expect(generate(scratch, { ...OPTIONS, name: 'core' })).rejects.toThrow(/packages\/core exists and is not a component package/);
  });

  it('refuses a component name another package already renders, naming that package, before writing anything', async () => {
    const before = snapshot(scratch);
    // No packages/prometheus-operator-crds: the name is kube-prometheus-stack's second component.
    expect(existsSync(join(scratch, 'packages/prometheus-operator-crds'))).toBe(false);
    await expect(generate(scratch, { ...OPTIONS, name: 'prometheus-operator-crds' })).rejects.toThrow(
      "component generator: the component name 'prometheus-operator-crds' is taken by @homelab/kube-prometheus-stack (its Application is in the generated tree): choose another name, or change @homelab/kube-prometheus-stack instead.",
    );
    expect(snapshot(scratch)).toEqual(before);
  });
});

describe('takenComponentNames', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const treeOf = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'homelab-generator-taken-'));
    dirs.push(dir);
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    return new FsTree(dir, false);
  };
  const header = (source: string) => `# Generated by homelab from ${source}. Do not edit by hand:\n# change homelab.yaml (or the package) and run \`homelab generate\`.\n`;

  it("maps each component's Application to the package named in its generated header", () => {
    const tree = treeOf({
      'kubernetes/core/internal-gateway.yaml': header('@homelab/gateway-api'),
      'kubernetes/apps/plex.yaml': header('@homelab/plex'),
      'kubernetes/apps/plex/values.yaml': header('@homelab/plex'),
      'kubernetes/observability/notes.yaml': 'hand-written: no header\n',
    });
    expect(takenComponentNames(tree)).toEqual(new Map([['internal-gateway', '@homelab/gateway-api'], ['plex', '@homelab/plex']]));
  });

  it('finds every component of the real generated tree', () => {
    const taken = takenComponentNames(new FsTree(WORKSPACE_ROOT, false));
    expect(taken.get('argocd')).toBe('@homelab/argocd');
    expect(taken.get('prometheus-operator-crds')).toBe('@homelab/kube-prometheus-stack');
    expect([...taken.keys()].some((name) => name.startsWith(FIXTURE_PREFIX))).toBe(false);
  });

  it('lets a package re-run the scaffold for its own name', async () => {
    const tree = treeOf({ 'kubernetes/core/whoami.yaml': header('@homelab/whoami') });
    await expect(componentGenerator(tree, { name: 'whoami', repo: 'https://charts.example', chartVersion: '1.0.0', skipInstall: true })).rejects.toThrow(/packages\/core\/package.json not found/);
  });
});

describe('normalizeOptions', () => {
  it('derives the identifiers and defaults from the name', () => {
    expect(normalizeOptions({ name: 'kube-state-metrics', repo: 'https://charts.example/prometheus/', chartVersion: 'v1.2.3' })).toEqual({
      name: 'kube-state-metrics',
      camel: 'kubeStateMetrics',
      Pascal: 'KubeStateMetrics',
      CONST: 'KUBE_STATE_METRICS',
      chart: 'kube-state-metrics',
      repo: 'https://charts.example/prometheus',
      chartVersion: 'v1.2.3',
      namespace: 'kube-state-metrics',
      group: 'core',
      syncWave: 0,
      description: 'The kube-state-metrics Helm chart',
    });
  });

  it.each(['Bad', '1password', 'a--b', '-a', 'a-', 'a', 'a_b', `x${'y'.repeat(63)}`])('rejects the name %j', (name) => {
    expect(() => normalizeOptions({ name, repo: 'https://charts.example', chartVersion: '1.0.0' })).toThrow(/name must be a DNS label/);
  });

  it.each(['^1.2.3', '1.2', 'latest', '1.x'])('rejects the chart version %j (exact versions only)', (chartVersion) => {
    expect(() => normalizeOptions({ name: 'x1', repo: 'https://charts.example', chartVersion })).toThrow(/exact version/);
  });

  it(`rejects a name starting with '${FIXTURE_PREFIX}', which test fixtures use so they never collide with a user's component`, () => {
    expect(() => normalizeOptions({ name: `${FIXTURE_PREFIX}whoami`, repo: 'https://charts.example', chartVersion: '1.0.0' })).toThrow(
      "component generator: names starting with 'fixture-' are reserved for test fixtures, got 'fixture-whoami': choose another name.",
    );
  });

  it('rejects a repository that is not an https:// URL (Renovate cannot follow oci:// charts), and an unknown group', () => {
    expect(() => normalizeOptions({ name: 'x1', repo: 'charts.example', chartVersion: '1.0.0' })).toThrow(/--repo/);
    expect(() => normalizeOptions({ name: 'x1', repo: 'oci://ghcr.io/charts', chartVersion: '1.0.0' })).toThrow(/oci:\/\/ is not supported/);
    expect(() => normalizeOptions({ name: 'x1', repo: 'https://c.example', chartVersion: '1.0.0', group: 'apps' as 'core' })).toThrow(/--group/);
  });
});

describe('registerModule', () => {
  const modules = [
    "import type { HomelabModule } from './compose.js';",
    "import { aModule } from '@homelab/a';",
    "import { bHelper } from '@homelab/b';",
    "import { local } from './local.js';",
    '',
    'export const defaultModules: HomelabModule[] = [',
    '  aModule,',
    '  wrap(cModule, [1, 2])',
    '];',
    '',
  ].join('\n');

  it('imports after the last @homelab import and appends to defaultModules', () => {
    expect(registerModule(modules, { name: 'new-one', camel: 'newOne' })).toBe(
      [
        "import type { HomelabModule } from './compose.js';",
        "import { aModule } from '@homelab/a';",
        "import { bHelper } from '@homelab/b';",
        "import { newOneModule } from '@homelab/new-one';",
        "import { local } from './local.js';",
        '',
        'export const defaultModules: HomelabModule[] = [',
        '  aModule,',
        '  wrap(cModule, [1, 2]),',
        '  newOneModule,',
        '];',
        '',
      ].join('\n'),
    );
  });

  it('adds the module to an existing import of the package', () => {
    expect(registerModule(modules, { name: 'b', camel: 'b' })).toContain("import { bHelper, bModule } from '@homelab/b';");
    const multiline = modules.replace("import { bHelper } from '@homelab/b';", "import {\n  bHelper,\n  bOther,\n} from '@homelab/b';");
    expect(registerModule(multiline, { name: 'b', camel: 'b' })).toContain("import {\n  bHelper,\n  bOther,\n  bModule,\n} from '@homelab/b';");
  });

  it('is idempotent, also for a module registered through a wrapper', () => {
    const once = registerModule(modules, { name: 'new-one', camel: 'newOne' });
    expect(registerModule(once, { name: 'new-one', camel: 'newOne' })).toBe(once);
    expect(registerModule(modules, { name: 'a', camel: 'a' })).toBe(modules);
    const wrapped = modules.replace("import { bHelper } from '@homelab/b';", "import { bHelper, cModule } from '@homelab/c';");
    expect(registerModule(wrapped, { name: 'c', camel: 'c' })).toBe(wrapped);
  });

  it('fails loudly when modules.ts has no defaultModules array', () => {
    expect(() => registerModule("import { x } from '@homelab/x';\n", { name: 'y', camel: 'y' })).toThrow(/defaultModules/);
  });

  it('registers into the real modules.ts exactly once', () => {
    const real = readFileSync(join(WORKSPACE_ROOT, MODULES_FILE), 'utf8');
    const registered = registerModule(real, { name: 'zz-probe', camel: 'zzProbe' });
    expect(registered.match(/\bzzProbeModule\b/g)).toHaveLength(2);
    expect(registerModule(registered, { name: 'zz-probe', camel: 'zzProbe' })).toBe(registered);
  });
});

describe('addDependency and render', () => {
  it('adds a dependency in sorted order, once', () => {
    const text = `${JSON.stringify({ name: 'x', dependencies: { '@homelab/a': '0.1.0', '@homelab/c': '0.1.0' } }, null, 2)}\n`;
    const added = addDependency(text, '@homelab/b', '0.1.0');
    expect(Object.keys(JSON.parse(added!).dependencies)).toEqual(['@homelab/a', '@homelab/b', '@homelab/c']);
    expect(addDependency(added!, '@homelab/b', '0.1.0')).toBeNull();
  });

  it('fails on a token a template does not know, instead of leaving it in the output', () => {
    expect(render('a {{known}} b', { known: 'K' })).toBe('a K b');
    expect(() => render('{{unknown}}', { known: 'K' })).toThrow(/unknown template token \{\{unknown\}\}/);
  });
});

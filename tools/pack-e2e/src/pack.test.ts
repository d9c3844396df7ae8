/**
 * The packages as another homelab gets them: `npm pack` every publishable package, check each
 * tarball, and use them from two scratch projects in the OS temp directory (outside the workspace,
 * so nothing resolves to workspace sources):
 *
 * - the consumer (tools/pack-e2e/consumer): installs the tarballs of only the packages its sources
 *   import, with their @homelab dependencies (read from the packed manifests), compiles its own
 *   TypeScript composition strictly with the workspace's tsc, runs it, and checks the tree it writes;
 * - the CLI project: installs every tarball, loads every package, and runs the packaged `homelab`
 *   command on a homelab.yaml expressing the consumer's homelab (its custom app through `modules:`),
 *   whose tree must equal the consumer's file for file.
 *
 * Needs the packages built (`nx run pack-e2e:e2e` builds them first). Set HOMELAB_E2E_KEEP=1 to
 * keep the scratch directory for inspection.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load, loadAll } from 'js-yaml';
import { CERT_MANAGER_VALUES } from '../consumer/src/override.js';
import { publishablePackages, readJson, run, TSC, WORKSPACE_ROOT, type PackageJson, type WorkspacePackage } from './workspace.js';

interface PackResult {
  name: string;
  version: string;
  filename: string;
  files: { path: string }[];
}

interface ConsumerConfig {
  cluster: { name: string; controlPlaneVIP: string };
  domains: { public: string; internal: string };
  network: { subnet: string; ranges: { loadBalancer: { start: string; end: string } } };
  nodes: Record<string, { ip: string; role: 'controlplane' | 'worker' }>;
  gitops: { repoURL: string; revision: string };
}

type Yaml = Record<string, any>;

const CONSUMER = join(WORKSPACE_ROOT, 'tools', 'pack-e2e', 'consumer');
const SOURCE_CONDITION = '@homelab/source';
/** Where the CLI project keeps the consumer's compiled custom app, as homelab.yaml's `modules:` names it. */
const CUSTOM_APP_MODULE = './modules/vaultwarden.js';
const timings: Record<string, number> = {};
const timed = <T>(step: string, work: () => T): T => {
  const started = performance.now();
  try {
    return work();
  } finally {
    timings[step] = Math.round(performance.now() - started);
  }
};

const packages = publishablePackages();
const config = load(readFileSync(join(CONSUMER, 'homelab.yaml'), 'utf8')) as ConsumerConfig;

/** The @homelab packages the consumer's sources import (`@homelab/core/models` counts as @homelab/core). */
function namedPackages(sourceDir: string): string[] {
  const names = new Set<string>();
  for (const file of readdirSync(sourceDir).filter((name) => name.endsWith('.ts'))) {
    for (const match of readFileSync(join(sourceDir, file), 'utf8').matchAll(/from '(@homelab\/[^/']+)[^']*'/g)) names.add(match[1]!);
  }
  return [...names].sort();
}

/** `names` and every @homelab package they depend on, transitively, by the packed manifests. */
function withDependencies(names: string[], manifests: Map<string, PackageJson>): string[] {
  const closure = new Set<string>();
  const visit = (name: string) => {
    if (closure.has(name)) return;
    const manifest = manifests.get(name);
    if (!manifest) throw new Error(`${name} is imported but not packed`);
    closure.add(name);
    for (const dependency of Object.keys(manifest.dependencies ?? {})) if (dependency.startsWith('@homelab/')) visit(dependency);
  };
  names.forEach(visit);
  return [...closure].sort();
}

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(dir, join(prefix, entry.name)) : [join(prefix, entry.name)]))
    .sort();
}

let scratch: string;
let packed: Map<string, PackResult>;
let installed: string[];
let summary: { modules: string[]; files: string[]; written: number };
let project: string;
let cliProject: string;
let out: string;
let cliOut: string;

const readOut = (path: string): string => readFileSync(join(out, path), 'utf8');
const yamlOut = (path: string): Yaml => load(readOut(path)) as Yaml;

/** A scratch project's package.json: the tarballs of `names`, and @types/node for its tsc. */
function writeManifest(dir: string, name: string, names: string[], tarballs: string): void {
  const rootManifest = readJson<PackageJson>(join(WORKSPACE_ROOT, 'package.json'));
  const dependencies: Record<string, string> = { '@types/node': rootManifest.devDependencies!['@types/node']! };
  for (const packageName of names) dependencies[packageName] = `file:${relative(dir, join(tarballs, packed.get(packageName)!.filename))}`;
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name, private: true, type: 'module', dependencies }, null, 2)}\n`);
}

const npmInstall = (dir: string) => run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir);

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'homelab-pack-e2e-'));
  const tarballs = join(scratch, 'tarballs');
  project = join(scratch, 'homelab');
  cliProject = join(scratch, 'cli');
  out = join(project, 'out');
  cliOut = join(cliProject, 'out');
  mkdirSync(tarballs);

  for (const pkg of packages) {
    if (!existsSync(join(WORKSPACE_ROOT, pkg.dir, 'dist', 'index.js'))) {
      throw new Error(`${pkg.dir} is not built: run \`npx nx run pack-e2e:e2e\` (it builds every package first).`);
    }
  }
  // One npm process packs them all (files: dist, README.md; no lifecycle script builds anything).
  const pack = timed('npm pack', () =>
    run('npm', ['pack', ...packages.map((pkg) => `./${pkg.dir}`), '--pack-destination', tarballs, '--json'], WORKSPACE_ROOT),
  );
  packed = new Map((JSON.parse(pack.stdout) as PackResult[]).map((result) => [result.name, result]));
  // The dependencies as published: each tarball's own package.json.
  const manifests = new Map(
    [...packed.values()].map((result) => [result.name, JSON.parse(run('tar', ['-xOzf', join(tarballs, result.filename), 'package/package.json'], scratch).stdout) as PackageJson]),
  );

  // The consumer: its own package.json naming the tarballs it needs, its own sources and tsconfig.
  cpSync(CONSUMER, project, { recursive: true });
  installed = withDependencies(namedPackages(join(project, 'src')), manifests);
  writeManifest(project, 'another-homelab', installed, tarballs);
  // Tarballs plus their third-party dependencies, from the npm cache when it has them.
  timed('npm install (consumer)', () => npmInstall(project));
  timed('tsc (consumer)', () => run('node', [TSC, '-p', 'tsconfig.json'], project));
  summary = timed('composition', () => JSON.parse(run('node', ['dist/homelab.js', 'homelab.yaml', 'out'], project).stdout));

  // The CLI project: every tarball, and a file importing every package at once: its declarations
  // must compile in a strict consumer (skipLibCheck off) and its runtime entry must load from the
  // tarball's dependencies alone.
  mkdirSync(join(cliProject, 'src'), { recursive: true });
  cpSync(join(CONSUMER, 'tsconfig.json'), join(cliProject, 'tsconfig.json'));
  writeManifest(cliProject, 'homelab-cli-user', [...packed.keys()].sort(), tarballs);
  const names = [...packed.keys()].sort();
  writeFileSync(
    join(cliProject, 'src', 'all-packages.ts'),
    `${names.map((name, i) => `import * as p${i} from '${name}';`).join('\n')}\n` +
      `const loaded: Record<string, object> = { ${names.map((name, i) => `'${name}': p${i}`).join(', ')} };\n` +
      `console.log(JSON.stringify(Object.fromEntries(Object.entries(loaded).map(([name, module]) => [name, Object.keys(module).length]))));\n`,
  );
  timed('npm install (cli)', () => npmInstall(cliProject));
  timed('tsc (cli)', () => run('node', [TSC, '-p', 'tsconfig.json'], cliProject));
}, 420_000);

afterAll(() => {
  console.log(`pack-e2e timings (ms): ${JSON.stringify(timings)}; scratch: ${scratch}`);
  if (scratch && !process.env['HOMELAB_E2E_KEEP']) rmSync(scratch, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('packs every publishable package and nothing private', () => {
    expect([...packed.keys()].sort()).toEqual(packages.map((pkg) => pkg.manifest.name).sort());
    expect(packages.map((pkg) => pkg.manifest.name)).not.toContain('@homelab/testing');
    expect(packages.map((pkg) => pkg.dir)).toContain('apps/homelab');
  });

  describe.each(packages.map((pkg): [string, WorkspacePackage] => [pkg.manifest.name, pkg]))('%s', (name, pkg) => {
    const files = () => packed.get(name)!.files.map((file) => file.path);

    it('ships dist and the README, never sources or tests', () => {
      expect(files()).toContain('README.md');
      expect(files()).toContain('package.json');
      expect(files().filter((path) => !/^(dist\/|bin\/|README\.md$|package\.json$|LICENSE)/.test(path))).toEqual([]);
      // src/testing/ holds test-only helpers (the in-process CLI runner): the build leaves it out.
      expect(files().filter((path) => /(^|\/)src\/|\.test\.|__snapshots__|^dist\/testing\//.test(path))).toEqual([]);
    });

    it('ships no stale build output: every dist module has its source', () => {
      const stale = files()
        .filter((path) => /^dist\/.*\.js$/.test(path))
        .filter((path) => !existsSync(join(WORKSPACE_ROOT, pkg.dir, path.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'))));
      expect(stale).toEqual([]);
    });

    it('is ESM whose exports map resolves to shipped files without the workspace condition', () => {
      expect(pkg.manifest.type).toBe('module');
      const exportsMap = pkg.manifest.exports ?? {};
      expect(Object.keys(exportsMap)).toContain('.');
      for (const conditions of Object.values(exportsMap)) {
        // Node and TypeScript pick the first condition they know: the workspace-only one must
        // come first (consumers never set it) and types must precede import.
        const keys = Object.keys(conditions);
        expect(keys.filter((key) => key !== SOURCE_CONDITION)).toEqual(['types', 'import']);
        expect(keys.indexOf(SOURCE_CONDITION)).toBeLessThanOrEqual(0);
        for (const [condition, target] of Object.entries(conditions)) {
          if (condition === SOURCE_CONDITION) expect(files()).not.toContain(target.replace(/^\.\//, ''));
          else expect(files()).toContain(target.replace(/^\.\//, ''));
        }
        expect(conditions['types']).toMatch(/\.d\.ts$/);
      }
      for (const target of Object.values(pkg.manifest.bin ?? {})) expect(files()).toContain(target.replace(/^\.\//, ''));
    });

    it('depends on other @homelab packages at their exact version, and never on a private one', () => {
      const byName = new Map(packages.map((other) => [other.manifest.name, other.manifest]));
      for (const [dependency, range] of Object.entries(pkg.manifest.dependencies ?? {})) {
        expect(range, `${dependency}`).not.toMatch(/^(workspace:|file:|link:|\*)/);
        if (!dependency.startsWith('@homelab/')) continue;
        expect(byName.has(dependency), `${dependency} is not publishable`).toBe(true);
        expect(range, dependency).toBe(byName.get(dependency)!.version);
      }
    });
  });

  it('ships the generated config schema and validator of @homelab/config', () => {
    const files = packed.get('@homelab/config')!.files.map((file) => file.path);
    const generated = readdirSync(join(WORKSPACE_ROOT, 'packages', 'config', 'src', 'generated'));
    expect(generated.length).toBeGreaterThan(0);
    for (const file of generated) {
      const shipped = `dist/generated/${file.replace(/\.ts$/, '.js')}`;
      expect(files).toContain(shipped);
      if (file.endsWith('.ts')) expect(files).toContain(shipped.replace(/\.js$/, '.d.ts'));
    }
    expect(files.some((path) => /^dist\/generated\/.*\.json$/.test(path))).toBe(true);
  });
});

describe('a homelab outside the workspace, composed from the tarballs of only the packages it names', () => {
  it('installs the packages its sources import and their @homelab dependencies, and nothing else of the workspace', () => {
    const present = readdirSync(join(project, 'node_modules', '@homelab')).map((name) => `@homelab/${name}`).sort();
    expect(present).toEqual(installed);
    // A strict subset: no CLI, and no component it does not compose.
    expect(installed).toContain('@homelab/generator');
    for (const absent of ['@homelab/cli', '@homelab/plex', '@homelab/loki', '@homelab/kube-prometheus-stack', '@homelab/cloudflared', '@homelab/tailscale']) expect(installed).not.toContain(absent);
    expect(installed.length).toBeLessThan(packed.size);
    for (const name of installed) {
      const at = join(project, 'node_modules', ...name.split('/'));
      expect(existsSync(join(at, 'dist', 'index.js')), name).toBe(true);
      expect(existsSync(join(at, 'src')), `${name} ships src/`).toBe(false);
    }
  });

  it('writes an Application for each module it selected, and none for the ones it left out', () => {
    const applications = summary.files.filter((path) => /^kubernetes\/(core|apps|observability)\/[^/]+\.yaml$/.test(path));
    const names = applications.map((path) => path.split('/')[2]!.replace(/\.yaml$/, ''));
    for (const module of summary.modules) expect(names).toContain(module);
    expect(summary.files.filter((path) => path.startsWith('kubernetes/apps/') && path.endsWith('.yaml') && path.split('/').length === 3).sort()).toEqual(
      ['prowlarr', 'radarr', 'vaultwarden'].map((app) => `kubernetes/apps/${app}.yaml`),
    );
    expect(names).not.toContain('loki');
    expect(names).not.toContain('cloudflared');
    for (const path of summary.files) expect(existsSync(join(out, path)), path).toBe(true);
    expect(summary.written).toBe(summary.files.length);
  });

  it('writes only parseable YAML and JSON', () => {
    for (const path of summary.files) {
      if (path.endsWith('.yaml')) expect(() => loadAll(readOut(path)), path).not.toThrow();
      if (path.endsWith('.json')) expect(() => JSON.parse(readOut(path)), path).not.toThrow();
    }
  });

  it('points every Application at its own git repository and revision', () => {
    const applications = summary.files.filter((path) => path.startsWith('kubernetes/') && path.endsWith('.yaml')).map(yamlOut).filter((doc) => doc?.['kind'] === 'Application');
    expect(applications.length).toBeGreaterThanOrEqual(summary.modules.length);
    const gitSources = applications.flatMap((app) => [app['spec']['source'], ...(app['spec']['sources'] ?? [])]).filter((source) => source && !source['chart']);
    expect(gitSources.length).toBeGreaterThan(0);
    const ownRepo = gitSources.filter((source) => source['repoURL'] === config.gitops.repoURL);
    expect(ownRepo.length).toBeGreaterThan(0);
    for (const source of ownRepo) expect(source['targetRevision']).toBe(config.gitops.revision);
  });

  it('derives the load-balancer pool from its own network plan', () => {
    const pool = yamlOut('kubernetes/core/cilium/manifests/CiliumLoadBalancerIPPool-load-balancer.yaml');
    expect(pool['spec']['blocks']).toEqual([{ start: config.network.ranges.loadBalancer.start, stop: config.network.ranges.loadBalancer.end }]);
  });

  it('routes each selected app on its own internal domain', () => {
    for (const app of ['prowlarr', 'radarr', 'vaultwarden']) {
      const route = yamlOut(`kubernetes/apps/${app}/manifests/HTTPRoute-${app}.yaml`);
      expect(route['spec']['hostnames']).toEqual([`${app}.${config.domains.internal}`]);
    }
  });

  it('renders its custom app from the public contract: its objects, a route and policies derived from its exposure', () => {
    // The consumer declares only @homelab packages: the model classes come from @homelab/core/models.
    const manifest = readJson<PackageJson>(join(scratch, 'homelab', 'package.json'));
    expect(Object.keys(manifest.dependencies ?? {}).filter((name) => !name.startsWith('@homelab/') && name !== '@types/node')).toEqual([]);
    const deployment = yamlOut('kubernetes/apps/vaultwarden/manifests/Deployment-vaultwarden.yaml');
    const container = deployment['spec']['template']['spec']['containers'][0];
    expect(container['env']).toContainEqual({ name: 'DOMAIN', value: `https://vaultwarden.${config.domains.internal}` });
    expect(yamlOut('kubernetes/apps/vaultwarden/manifests/PersistentVolumeClaim-vaultwarden-data.yaml')['spec']['storageClassName']).toBe('nfs-config');
    const route = yamlOut('kubernetes/apps/vaultwarden/manifests/HTTPRoute-vaultwarden.yaml');
    expect(route['spec']['rules'][0]['backendRefs']).toEqual([expect.objectContaining({ name: 'vaultwarden', port: 80 })]);
    const application = yamlOut('kubernetes/apps/vaultwarden.yaml');
    expect(application['spec']['destination']['namespace']).toBe('vaultwarden');
    expect(summary.files.filter((path) => path.startsWith('kubernetes/apps/vaultwarden/manifests/CiliumNetworkPolicy-')).length).toBeGreaterThan(0);
  });

  it('configures three control planes and three workers for Talos and Proxmox', () => {
    const talconfig = yamlOut('talos/talconfig.yaml');
    expect(talconfig['clusterName']).toBe(config.cluster.name);
    expect(talconfig['endpoint']).toBe(`https://${config.cluster.controlPlaneVIP}:6443`);
    const nodes = talconfig['nodes'] as Yaml[];
    expect(nodes.map((node) => [node['hostname'], node['ipAddress'], node['controlPlane']])).toEqual(
      Object.entries(config.nodes).map(([name, node]) => [name, node.ip, node.role === 'controlplane']),
    );
    expect(nodes.filter((node) => node['controlPlane']).length).toBe(3);
    expect(nodes.filter((node) => !node['controlPlane']).length).toBe(3);
    const terraform = JSON.parse(readOut('terraform/proxmox/main.tf.json')) as Yaml;
    expect(Object.keys(terraform['resource']['proxmox_virtual_environment_vm']).sort()).toEqual(Object.keys(config.nodes).sort());
  });

  it('applies the chart value the composition merged in, where the bare package differs', () => {
    const values = yamlOut('kubernetes/core/cert-manager/values.yaml');
    expect(values).toMatchObject(CERT_MANAGER_VALUES);
    // The bare package's values, from the installed package itself.
    const probe =
      "const { loadConfigFile } = await import('@homelab/config'); const { certManagerModule } = await import('@homelab/cert-manager');" +
      " process.stdout.write(JSON.stringify([certManagerModule.build(loadConfigFile('homelab.yaml'))].flat().find((c) => c.name === certManagerModule.name).values))";
    const bare = JSON.parse(run('node', ['--input-type=module', '-e', probe], project).stdout) as Yaml;
    expect(bare['replicaCount']).not.toBe(CERT_MANAGER_VALUES.replicaCount);
    const { replicaCount: _override, ...rest } = values;
    const { replicaCount: _default, ...bareRest } = bare;
    expect(rest).toEqual(bareRest);
  });

  it('equals, file for file, what the packaged homelab command generates for the same homelab in homelab.yaml', () => {
    // The same homelab for the CLI: its default modules, minus those the consumer left out
    // (enabled: false), the chart value under components.cert-manager.values, and the custom
    // app, compiled by the consumer, through modules:.
    mkdirSync(join(cliProject, 'modules'), { recursive: true });
    cpSync(join(project, 'dist', 'vaultwarden.js'), join(cliProject, CUSTOM_APP_MODULE));
    const defaults = JSON.parse(
      run('node', ['--input-type=module', '-e', "const { defaultModules } = await import('@homelab/cli'); process.stdout.write(JSON.stringify(defaultModules.map((m) => [m.name, m.kind])))"], cliProject).stdout,
    ) as [string, 'component' | 'app'][];
    const disabled = (kind: string) =>
      Object.fromEntries(defaults.filter(([name, of]) => of === kind && !summary.modules.includes(name)).map(([name]) => [name, { enabled: false }]));
    expect(Object.keys(disabled('app'))).toContain('plex');
    const homelab = { ...config, components: { ...disabled('component'), 'cert-manager': { values: CERT_MANAGER_VALUES } }, apps: disabled('app'), modules: [CUSTOM_APP_MODULE] };
    writeFileSync(join(cliProject, 'homelab.yaml'), JSON.stringify(homelab, null, 2)); // JSON is YAML
    run('node', ['node_modules/.bin/homelab', 'generate', '--quiet', '--out', cliOut], cliProject);
    const files = filesUnder(out);
    expect(files).toContain('kubernetes/apps/vaultwarden/manifests/Deployment-vaultwarden.yaml');
    expect(filesUnder(cliOut)).toEqual(files);
    for (const path of files) expect(readFileSync(join(cliOut, path), 'utf8'), path).toBe(readFileSync(join(out, path), 'utf8'));
  });
});

describe('the packaged homelab command, with every package installed', () => {
  it('installed every package from its tarball, not from the workspace', () => {
    for (const name of packed.keys()) {
      const at = join(cliProject, 'node_modules', ...name.split('/'));
      expect(existsSync(join(at, 'dist', 'index.js')), name).toBe(true);
      expect(existsSync(join(at, 'src')), `${name} ships src/`).toBe(false);
    }
  });

  it('loads every package at run time (declared dependencies suffice)', () => {
    const exportsCount = JSON.parse(run('node', ['dist/all-packages.js'], cliProject).stdout) as Record<string, number>;
    expect(Object.keys(exportsCount).sort()).toEqual([...packed.keys()].sort());
    for (const [name, count] of Object.entries(exportsCount)) expect(count, name).toBeGreaterThan(0);
  });

  it("reports a user module's ConfigMistake as a homelab.yaml problem, though it comes from the installed @homelab/core, not the bundle's", () => {
    mkdirSync(join(cliProject, 'modules'), { recursive: true });
    writeFileSync(
      join(cliProject, 'modules', 'strict.js'),
      "import { ConfigMistake } from '@homelab/core';\n" +
        "export const strictModule = { name: 'strict', kind: 'app', build: () => { throw new ConfigMistake([{ path: 'apps.strict.enabled', problem: 'needs a public domain it does not have', got: true, fix: 'Turn it off.' }]); } };\n",
    );
    writeFileSync(join(cliProject, 'strict.yaml'), JSON.stringify({ ...config, modules: ['./modules/strict.js'] }, null, 2)); // JSON is YAML
    const result = spawnSync('node', ['node_modules/.bin/homelab', 'validate', '--config', 'strict.yaml'], { cwd: cliProject, encoding: 'utf8' });
    expect(result.stderr).toContain("  apps.strict.enabled: needs a public domain it does not have (got 'true'). Turn it off.");
    expect(result.status).toBe(1);
  });

  it('runs the packaged homelab command from its code cache', () => {
    const cli = join(cliProject, 'node_modules', '@homelab', 'cli', 'dist');
    const probe = `const { loadBundle } = await import(${JSON.stringify(join(cli, 'load-bundle.js'))}); process.stdout.write(String(loadBundle(${JSON.stringify(join(cli, 'homelab.cjs'))}).cacheAccepted))`; // not console.log: FORCE_COLOR would colour it
    expect(run('node', ['--input-type=module', '-e', probe], scratch).stdout.trim()).toBe('true');
  });

  it('validates, in the packaged command, kinds it imports at run time (not among its own models)', () => {
    const tree = join(scratch, 'check-tree');
    const root = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'root', namespace: 'argocd' }, spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: 'web' }, source: { repoURL: 'https://example.com/r.git', path: 'manifests', targetRevision: 'main' } } };
    const budget = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'web' }, spec: { minAvailable: [1] } };
    mkdirSync(join(tree, 'apps'), { recursive: true });
    mkdirSync(join(tree, 'manifests'));
    writeFileSync(join(tree, 'apps', 'root.yaml'), JSON.stringify(root)); // JSON is YAML
    writeFileSync(join(tree, 'manifests', 'budget.yaml'), JSON.stringify(budget));
    const result = spawnSync('node', ['node_modules/.bin/homelab', 'check', tree, '--external', 'Namespace/web', '--format', 'json'], { cwd: cliProject, encoding: 'utf8' });
    const report = JSON.parse(result.stdout) as { findings: { check: string; severity: string; problem: string }[] };
    expect(report.findings.map((finding) => `${finding.check} ${finding.severity}`)).toEqual(['schema error']);
    expect(report.findings[0]!.problem).toContain('/spec/minAvailable');
    expect(result.status).toBe(1);
  });
});

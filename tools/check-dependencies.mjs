#!/usr/bin/env node
// Workspace dependency rules, checked on every `npm test`:
// 1. every bare import in a project's sources is declared in its package.json
//    (runtime files: dependencies; *.test.ts: dependencies or devDependencies, or a root devDependency);
// 2. tags constrain who may depend on whom: foundation packages only on foundation packages,
//    the generator on foundation and component packages, nobody at runtime on type:testing, nobody on the app;
// 3. every declared dependency is imported somewhere in the project (or NEEDED_UNIMPORTED says why
//    not): a stale entry installs, and ships to every consumer, for nothing.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { builtinModules } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const rootDev = new Set(Object.keys(rootPkg.devDependencies ?? {}));
const builtins = new Set(builtinModules);

const projects = ['packages', 'apps'].flatMap((dir) =>
  readdirSync(join(root, dir)).map((name) => join(root, dir, name)).filter((path) => existsSync(join(path, 'package.json'))),
);
const byName = new Map(projects.map((path) => [JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')).name, path]));
const tagsOf = (pkg) => pkg.nx?.tags ?? [];

/** Which tags a project with `tag` may depend on at runtime. */
const ALLOWED = {
  'type:foundation': ['type:foundation'],
  'type:component': ['type:foundation', 'type:component'],
  // The generator library composes what components declare (their secrets, their network policies).
  'type:generator': ['type:foundation', 'type:component'],
  'type:app': ['type:foundation', 'type:component', 'type:generator'],
  'type:testing': ['type:foundation'],
};

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
    return /\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Declared dependencies no source imports, and why each is needed all the same. */
const MODEL_PACKAGES_BY_PATH = 'schema classes are imported by a path computed from apiVersion and kind (schema.ts modelPath)';
const NEEDED_UNIMPORTED = {
  '@homelab/check': Object.fromEntries(
    ['kubernetes-models', '@kubernetes-models/argo-cd', '@kubernetes-models/cert-manager', '@kubernetes-models/cilium', '@kubernetes-models/gateway-api', '@kubernetes-models/prometheus-operator'].map(
      (name) => [name, MODEL_PACKAGES_BY_PATH],
    ),
  ),
  '@homelab/cli': {
    ajv: "the bundled CLI's precompiled config validator requires ajv's runtime from dist/",
    're2-wasm': 'left out of the bundle, which requires it from dist/ when an RE2 pattern is first tested (scripts/build-bundle.ts)',
  },
};

const packageOf = (specifier) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

const problems = [];
for (const dir of projects) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const deps = new Set(Object.keys(pkg.dependencies ?? {}));
  const devDeps = new Set(Object.keys(pkg.devDependencies ?? {}));
  const [tag] = tagsOf(pkg);
  if (!tag || !ALLOWED[tag]) problems.push(`${pkg.name}: needs one of the tags ${Object.keys(ALLOWED).join(', ')} in package.json nx.tags`);
  const imported = new Set();
  for (const file of [...sourceFiles(join(dir, 'src')), ...sourceFiles(join(dir, 'scripts'))]) {
    const isTest = /\.test\.ts$/.test(file) || file.includes(`${join(dir, 'scripts')}`);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2];
      if (specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier)) continue;
      const name = packageOf(specifier);
      imported.add(name);
      const where = relative(root, file);
      const declared = deps.has(name) || (isTest && (devDeps.has(name) || rootDev.has(name)));
      if (!declared) problems.push(`${where}: imports '${name}', which ${pkg.name} does not declare in ${isTest ? 'dependencies or devDependencies' : 'dependencies'}`);
      const target = byName.get(name);
      if (target && !isTest && tag) {
        const targetTag = tagsOf(JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')))[0];
        if (!ALLOWED[tag]?.includes(targetTag)) problems.push(`${where}: ${tag} may not depend on ${name} (${targetTag})`);
      }
    }
  }
  const needed = NEEDED_UNIMPORTED[pkg.name] ?? {};
  for (const name of [...deps, ...devDeps]) {
    if (!imported.has(name) && !(name in needed)) problems.push(`${pkg.name}: declares '${name}', which nothing in it imports (remove it, or say why in NEEDED_UNIMPORTED)`);
  }
}

if (problems.length > 0) {
  console.error(`✖ dependency rules: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
  for (const problem of [...new Set(problems)].sort()) console.error(`  ${problem}`);
  console.error('Declare what is imported, in the right package.json section; import what is declared, or remove it.');
  process.exit(1);
}
console.log(`✔ dependency rules hold for ${projects.length} projects`);

// @ts-check
/**
 * `nx g ./tools/generators:component <name> --repo=<helm repo> --chartVersion=<x.y.z>`
 *
 * Scaffolds packages/<name>, a component package deploying one Helm chart and shaped like every
 * other one (index, versions, defaults, <name>.ts, tests, README, package.json with exports and
 * Nx tags, tsconfigs, vitest config), then registers it with the aggregator: the import and the
 * `defaultModules` entry in apps/homelab/src/modules.ts, the dependency in apps/homelab/package.json.
 *
 * Idempotent: it only creates what is missing. A file that exists is never overwritten (it may
 * hold your edits), a module already registered is not registered twice; running it twice
 * changes nothing the second time.
 *
 * Plain JavaScript on purpose: Nx loads a local generator with require(), and a TypeScript one
 * would need @swc-node/register or ts-node, which this workspace does not install. It uses only
 * the Tree Nx passes in (no @nx/devkit).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** @typedef {import('nx/src/generators/tree').Tree} Tree */
/**
 * @typedef {object} ComponentOptions
 * @property {string} name component name: a DNS label starting with a letter
 * @property {string} repo Helm repository URL
 * @property {string} chartVersion exact chart version
 * @property {string} [chart] chart name; defaults to `name`
 * @property {string} [namespace] defaults to `name`
 * @property {'core' | 'observability'} [group] defaults to 'core'
 * @property {number} [syncWave] defaults to 0
 * @property {string} [description]
 * @property {boolean} [skipInstall] skip `npm install` after writing
 */
/**
 * @typedef {object} Names
 * @property {string} name
 * @property {string} camel
 * @property {string} Pascal
 * @property {string} CONST
 * @property {string} chart
 * @property {string} repo
 * @property {string} chartVersion
 * @property {string} namespace
 * @property {'core' | 'observability'} group
 * @property {number} syncWave
 * @property {string} description
 */

const FILES = fileURLToPath(new URL('./files/', import.meta.url));
export const MODULES_FILE = 'apps/homelab/src/modules.ts';
export const AGGREGATOR_PACKAGE = 'apps/homelab/package.json';
const NAME = /^[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const CHART_VERSION = /^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$/;
const GROUPS = ['core', 'observability'];

/** @param {string} name */
const camelCase = (name) => name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());

/**
 * Checked options with every default applied, and the identifiers derived from the name.
 * @param {ComponentOptions} options
 * @returns {Names}
 */
export function normalizeOptions(options) {
  const { name, repo, chartVersion } = options;
  const fail = (/** @type {string} */ message) => {
    throw new Error(`component generator: ${message}`);
  };
  if (typeof name !== 'string' || !NAME.test(name) || name.includes('--')) {
    fail(`name must be a DNS label starting with a letter (a-z, 0-9, single '-'), got '${name}'.`);
  }
  // https only: renovate.json's helm manager reads the repository URL as its registry, and the
  // helm datasource cannot look up oci:// charts.
  if (typeof repo !== 'string' || !/^https:\/\/\S+$/.test(repo)) fail(`--repo must be an https:// Helm repository URL (oci:// is not supported), got '${repo}'.`);
  if (typeof chartVersion !== 'string' || !CHART_VERSION.test(chartVersion)) fail(`--chartVersion must be an exact version such as 1.2.3, got '${chartVersion}'.`);
  const group = options.group ?? 'core';
  if (!GROUPS.includes(group)) fail(`--group must be one of ${GROUPS.join(', ')}, got '${group}'.`);
  const syncWave = options.syncWave ?? 0;
  if (!Number.isInteger(syncWave)) fail(`--syncWave must be an integer, got '${syncWave}'.`);
  const chart = options.chart ?? name;
  const camel = camelCase(name);
  return {
    name,
    camel,
    Pascal: camel.charAt(0).toUpperCase() + camel.slice(1),
    CONST: name.replace(/-/g, '_').toUpperCase(),
    chart,
    repo: repo.replace(/\/+$/, ''),
    chartVersion,
    namespace: options.namespace ?? name,
    group: /** @type {'core' | 'observability'} */ (group),
    syncWave,
    description: (options.description ?? `The ${chart} Helm chart`).replace(/\s+/g, ' ').trim(),
  };
}

/**
 * Fills `{{token}}`s; an unknown token is a bug in a template, not something to leave behind.
 * @param {string} template
 * @param {Record<string, string>} tokens
 */
export function render(template, tokens) {
  return template.replace(/\{\{(\w+)\}\}/g, (match, token) => {
    const value = tokens[token];
    if (value === undefined) throw new Error(`component generator: unknown template token ${match}`);
    return value;
  });
}

/** @param {Names} names */
function tokensOf(names) {
  return {
    ...Object.fromEntries(Object.entries(names).map(([key, value]) => [key, String(value)])),
    // A single-quoted TypeScript string, and text that cannot close a comment.
    descriptionLiteral: `'${names.description.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`,
    descriptionComment: names.description.replace(/\*\//g, '* /'),
  };
}

/** @param {string} dir @returns {string[]} paths relative to FILES */
function templates(dir = FILES) {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? templates(path) : [relative(FILES, path)];
    });
}

/**
 * @param {Tree} tree
 * @param {string} path
 * @returns {any}
 */
function readJson(tree, path) {
  const text = tree.read(path, 'utf-8');
  if (text === null) throw new Error(`component generator: ${path} not found (run it from the workspace root)`);
  return JSON.parse(text);
}

/**
 * The new package's manifest: versions, exports and files are those of @homelab/core, so every
 * package keeps the same publishable shape.
 * @param {Tree} tree
 * @param {Names} names
 */
function packageJson(tree, names) {
  const core = readJson(tree, 'packages/core/package.json');
  const version = (/** @type {string} */ dir) => readJson(tree, `packages/${dir}/package.json`).version;
  const manifest = {
    name: `@homelab/${names.name}`,
    version: core.version,
    description: names.description,
    type: 'module',
    license: core.license,
    exports: core.exports,
    files: core.files,
    dependencies: { '@homelab/config': version('config'), '@homelab/core': core.version },
    devDependencies: { '@homelab/testing': version('testing') },
    nx: { name: names.name, tags: ['type:component'], targets: { build: {}, typecheck: {}, test: {} } },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * modules.ts with `<camel>Module` imported from `@homelab/<name>` and appended to
 * `defaultModules`; unchanged when both are there already.
 * @param {string} text
 * @param {Pick<Names, 'name' | 'camel'>} names
 */
export function registerModule(text, { name, camel }) {
  const identifier = `${camel}Module`;
  const specifier = `@homelab/${name}`;
  const uses = (/** @type {string} */ code) => new RegExp(`\\b${identifier}\\b`).test(code);
  let result = text;

  // 1. The import. Statements end at ';', so `[^;]` never reads past one.
  const imports = [...result.matchAll(/^import\s+(?!type\s)([^;]*?)\s+from\s+'([^']+)';[^\n]*\n/gm)];
  const existing = imports.find((match) => match[2] === specifier);
  if (existing && !uses(existing[1] ?? '')) {
    const withName = existing[0].trimEnd().includes('\n')
      ? existing[0].replace(/,?(\s*)\}/, (_, space) => `,\n  ${identifier},${space}}`)
      : existing[0].replace(/\{\s*([^}]*?)\s*\}/, (_, names) => `{ ${names.replace(/,\s*$/, '')}, ${identifier} }`);
    if (withName === existing[0]) throw new Error(`component generator: cannot add ${identifier} to "${existing[0].trim()}" in ${MODULES_FILE}`);
    result = result.replace(existing[0], withName);
  } else if (!existing) {
    const last = imports.filter((match) => match[2]?.startsWith('@homelab/')).at(-1) ?? imports.at(-1);
    const at = last ? (last.index ?? 0) + last[0].length : 0;
    result = `${result.slice(0, at)}import { ${identifier} } from '${specifier}';\n${result.slice(at)}`;
  }

  // 2. The defaultModules entry, before the array's closing bracket.
  const start = /export const defaultModules\b[^=]*=\s*\[/.exec(result);
  if (!start) throw new Error(`component generator: no \`export const defaultModules … = [\` in ${MODULES_FILE}`);
  let depth = 1;
  let end = start.index + start[0].length;
  for (; end < result.length && depth > 0; end++) {
    if (result[end] === '[') depth++;
    else if (result[end] === ']') depth--;
  }
  const close = end - 1;
  const body = result.slice(start.index + start[0].length, close);
  if (uses(body)) return result;
  const lastItem = body.replace(/\s+$/, '');
  const separator = lastItem === '' || lastItem.endsWith(',') ? '' : ',';
  const indent = /\n([ \t]+)\S/.exec(body)?.[1] ?? '  ';
  const before = result.slice(0, start.index + start[0].length) + lastItem + separator;
  return `${before}\n${indent}${identifier},\n${result.slice(close)}`;
}

/**
 * The aggregator's package.json text with the dependency added (dependencies kept sorted, as npm
 * writes them); null when it is there already.
 * @param {string} text
 * @param {string} dependency
 * @param {string} version
 * @returns {string | null}
 */
export function addDependency(text, dependency, version) {
  const manifest = JSON.parse(text);
  if (manifest.dependencies?.[dependency] !== undefined) return null;
  const dependencies = { ...manifest.dependencies, [dependency]: version };
  manifest.dependencies = Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * @param {Tree} tree
 * @param {ComponentOptions} options
 */
export default async function componentGenerator(tree, options) {
  const names = normalizeOptions(options);
  const root = `packages/${names.name}`;
  const manifestPath = `${root}/package.json`;
  if (tree.exists(manifestPath)) {
    const tags = readJson(tree, manifestPath).nx?.tags ?? [];
    if (!tags.includes('type:component')) {
      throw new Error(`component generator: ${root} exists and is not a component package (nx tags: ${JSON.stringify(tags)}); choose another name.`);
    }
  }

  const tokens = tokensOf(names);
  /** @type {[string, string][]} */
  const files = templates().map((template) => [
    `${root}/${template.replace(/__name__/g, names.name).replace(/\.template$/, '')}`,
    render(readFileSync(join(FILES, template), 'utf8'), tokens),
  ]);
  files.push([manifestPath, packageJson(tree, names)]);
  const kept = [];
  for (const [path, content] of files) {
    if (!tree.exists(path)) tree.write(path, content);
    else if (tree.read(path, 'utf-8') !== content) kept.push(path);
  }

  const modules = tree.read(MODULES_FILE, 'utf-8');
  if (modules === null) throw new Error(`component generator: ${MODULES_FILE} not found`);
  const registered = registerModule(modules, names);
  if (registered !== modules) tree.write(MODULES_FILE, registered);
  const aggregator = tree.read(AGGREGATOR_PACKAGE, 'utf-8');
  if (aggregator === null) throw new Error(`component generator: ${AGGREGATOR_PACKAGE} not found`);
  const withDependency = addDependency(aggregator, `@homelab/${names.name}`, readJson(tree, manifestPath).version);
  if (withDependency !== null) tree.write(AGGREGATOR_PACKAGE, withDependency);

  if (kept.length > 0) console.log(`Kept as they are (they exist and may hold your edits): ${kept.join(', ')}`);
  const changed = tree.listChanges().length > 0;
  return () => {
    if (changed && !options.skipInstall) {
      // Links the new workspace package into node_modules and records it in package-lock.json.
      const install = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: tree.root, stdio: 'inherit' });
      if (install.status !== 0) console.error('npm install failed: run it yourself before building the new package.');
    }
    if (!changed) console.log(`Nothing to do: @homelab/${names.name} is scaffolded and registered.`);
    else console.log(`Next: npx nx run-many -t build typecheck test -p ${names.name} homelab, then fill in ${root}/src/${names.name}.ts.`);
  };
}

/**
 * Builds a code-cached bundle of the CLI (see src/load-bundle.ts): esbuild writes one CommonJS
 * file ending in its id line, then a training run executes it and V8's code cache — holding every
 * function that run compiled — is written beside it. The build runs this for dist/homelab.cjs
 * (`tsx scripts/build-bundle.ts`); the bench for its synthetic-homelab bundle.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { BUNDLE_ID_MARKER, codeCacheFile, importModule, loadBundle } from '../src/load-bundle.js';

/**
 * @kubernetes-models compiles its one RE2 pattern (Cilium's log-config value) when the validators
 * load, instantiating re2-wasm's WebAssembly (~20 ms). This stand-in compiles it when first tested;
 * the validators only ever call test().
 */
const LAZY_RE2 = `
export default class LazyRE2 {
  constructor(source, flags) {
    this.source = source;
    this.flags = flags;
  }
  test(text) {
    this.re2 ??= new (require('re2-wasm').RE2)(this.source, this.flags);
    return this.re2.test(text);
  }
}
`;

/** A bundled script cannot call import(): @homelab/check's default importer fails loudly, not silently. */
const NO_DYNAMIC_IMPORT = `
export const dynamicImport = (specifier) =>
  Promise.reject(new Error(\`cannot import \${specifier}: the bundled CLI passes an importModule to @homelab/check\`));
`;

/**
 * ajv-formats-draft2019 (under @kubernetes-models/validate) calls require('punycode'), which Node
 * answers with its deprecated built-in: from a file outside node_modules — the workspace's bundle —
 * Node 22 and later print DEP0040 on every run. The npm package it declares is the same code, so
 * the bundle takes that one (`punycode/` is the package's documented name for it).
 */
const USERLAND_PUNYCODE = /^punycode$/;

const bundleReplacements: Plugin = {
  name: 'homelab-bundle-replacements',
  setup(builder) {
    builder.onResolve({ filter: USERLAND_PUNYCODE }, ({ resolveDir }) => ({ path: createRequire(join(resolveDir, 'importer.js')).resolve('punycode/') }));
    builder.onLoad({ filter: /@kubernetes-models[\\/]validate[\\/]dist[\\/]runtime[\\/]re2\.js$/ }, () => ({ contents: LAZY_RE2, loader: 'js' }));
    builder.onLoad({ filter: /(packages|@homelab)[\\/]check[\\/]dist[\\/]import-module\.js$/ }, () => ({ contents: NO_DYNAMIC_IMPORT, loader: 'js' }));
  },
};

export interface BundleSpec {
  /** The entry module, exporting `run` (see src/load-bundle.ts). */
  entry: string;
  /** The bundle to write; its code cache goes beside it. Keep it in the package: its require()s resolve from there. */
  outfile: string;
  /** Arguments of the training run whose compiled functions the code cache keeps; none: only the bundle's top level. */
  train?: string[];
}

export async function buildBundle({ entry, outfile, train }: BundleSpec): Promise<void> {
  rmSync(codeCacheFile(outfile), { force: true });
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['re2-wasm'],
    logLevel: 'warning',
    minifyWhitespace: true,
    minifySyntax: true,
    plugins: [bundleReplacements],
    // CommonJS has no import.meta: the bundle's own URL stands in (package.json, require() bases).
    banner: { js: "var __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__bundleUrl' },
  });
  const code = readFileSync(outfile, 'utf8');
  const dynamicImport = /\bimport\(/.exec(code);
  if (dynamicImport) {
    const line = code.slice(0, dynamicImport.index).split('\n').length;
    throw new Error(`${outfile}:${line} calls import(), which fails in a code-cached script: take an ImportModule (@homelab/check) from the host instead`);
  }
  appendFileSync(outfile, `${BUNDLE_ID_MARKER}${createHash('sha256').update(code).digest('hex')}\n`);
  const loaded = loadBundle(outfile);
  if (train) {
    const exitCode = await loaded.entry.run(train, importModule);
    if (exitCode !== 0) throw new Error(`training run of ${outfile} (${train.join(' ')}) exited ${exitCode}`);
  }
  loaded.saveCodeCache();
}

/**
 * The build of dist/homelab.cjs, trained on generating the workspace's homelab.yaml (into a
 * scratch directory) when there is one.
 */
async function buildCli(): Promise<void> {
  const project = join(dirname(fileURLToPath(import.meta.url)), '..');
  const config = join(project, '../../homelab.yaml');
  const scratch = mkdtempSync(join(tmpdir(), 'homelab-bundle-'));
  try {
    await buildBundle({
      entry: join(project, 'src/bundle-entry.ts'),
      outfile: join(project, 'dist/homelab.cjs'),
      ...(existsSync(config) ? { train: ['generate', '--quiet', '--config', config, '--out', scratch] } : {}),
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();

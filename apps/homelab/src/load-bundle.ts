/**
 * Runs a CommonJS bundle of the CLI through V8's code cache. Compiling the 3 MB bundle is a fifth
 * of a cold `homelab generate`, and Node 20 has no compile cache of its own (module.enableCompileCache
 * came with Node 22), so the bundle is compiled with vm.Script and the cached data written when it
 * was built (build-bundle.ts). A cache V8 rejects (another Node version, other V8 flags) costs only
 * that time. Code compiled from a cache cannot call import() — Node 20 loses the callback — so the
 * entry is handed an importer instead, and the build refuses a bundle that calls import().
 *
 * Deliberately free of run-time imports beyond node: builtins: this module starts every `homelab` run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import type { ImportModule } from '@homelab/check';

/** What a bundle's entry exports. */
export interface BundleEntry {
  run(argv: string[], importModule: ImportModule): Promise<number>;
}

/** The last line of a bundle names its content: `//# homelab-bundle=<sha256 of the lines before>`. */
export const BUNDLE_ID_MARKER = '//# homelab-bundle=';

/** A bundle's code cache file: the bundle's id (from its marker line), then V8's cached data. */
export const codeCacheFile = (bundleFile: string) => `${bundleFile}.cache`;

const bundleId = (source: string): string | undefined => {
  const at = source.lastIndexOf(BUNDLE_ID_MARKER);
  return at < 0 ? undefined : source.slice(at + BUNDLE_ID_MARKER.length).trim();
};

/** The cached data written for exactly this bundle, if any: a cache of an older build is ignored. */
function cachedDataFor(bundleFile: string, id: string | undefined): Buffer | undefined {
  const cacheFile = codeCacheFile(bundleFile);
  if (id === undefined || !existsSync(cacheFile)) return undefined;
  const cache = readFileSync(cacheFile);
  return cache.subarray(0, id.length).toString('latin1') === id ? cache.subarray(id.length) : undefined;
}

export interface LoadedBundle {
  entry: BundleEntry;
  /** Whether V8 took the code cache (false: none matched, or V8 rejected it). */
  cacheAccepted: boolean;
  /** Writes the code cache of everything compiled so far (run the entry first to include its functions). */
  saveCodeCache(): void;
}

export function loadBundle(bundle: URL | string): LoadedBundle {
  const file = bundle instanceof URL ? fileURLToPath(bundle) : resolve(bundle);
  if (!existsSync(file)) throw new Error(`${file} is missing: build the CLI first (npx nx run homelab:build)`);
  const source = readFileSync(file, 'utf8');
  const id = bundleId(source);
  const cachedData = cachedDataFor(file, id);
  // The CommonJS wrapper, on the bundle's first line so its line numbers stay true in stack traces.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(file), module, file, dirname(file));
  return {
    entry: module.exports as BundleEntry,
    cacheAccepted: cachedData !== undefined && script.cachedDataRejected === false,
    saveCodeCache: () => {
      if (id === undefined) throw new Error(`${file} has no ${BUNDLE_ID_MARKER} line`);
      writeFileSync(codeCacheFile(file), Buffer.concat([Buffer.from(id, 'latin1'), script.createCachedData()]));
    },
  };
}

/** The importer bundles get: import() from here, so packages resolve as they would from dist/. */
export const importModule: ImportModule = (specifier) => import(specifier) as Promise<Record<string, unknown>>;

/** Loads the bundle and runs its entry with `argv`; resolves to the exit code. */
export function runBundle(bundle: URL | string, argv: string[]): Promise<number> {
  return loadBundle(bundle).entry.run(argv, importModule);
}

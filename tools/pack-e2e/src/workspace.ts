/** The workspace's publishable packages, and running npm/tsc/node the way a consumer would. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WORKSPACE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  files?: string[];
  bin?: Record<string, string>;
  exports?: Record<string, Record<string, string>>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface WorkspacePackage {
  /** Directory relative to the workspace root, e.g. `packages/core`. */
  dir: string;
  manifest: PackageJson;
}

export const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** Every workspace package (the npm workspaces `packages/*` and `apps/*`). */
export function workspacePackages(): WorkspacePackage[] {
  return ['packages', 'apps'].flatMap((parent) =>
    readdirSync(join(WORKSPACE_ROOT, parent))
      .map((name) => `${parent}/${name}`)
      .filter((dir) => existsSync(join(WORKSPACE_ROOT, dir, 'package.json')))
      .map((dir) => ({ dir, manifest: readJson<PackageJson>(join(WORKSPACE_ROOT, dir, 'package.json')) })),
  );
}

/** What gets published: every workspace package that is not private. */
export const publishablePackages = (): WorkspacePackage[] => workspacePackages().filter((pkg) => !pkg.manifest.private);

export interface RunResult {
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * What `npm test` tells its child processes about the workspace (its root as npm's local prefix,
 * the workspace package, the running script): a consumer's npm must not see it. Other npm_config_*
 * values (registry, cache, proxy, CA file) are the user's settings and are kept.
 */
const WORKSPACE_NPM_ENV = /^npm_(config_(local_prefix|workspaces?|include_workspace_root)$|package_|lifecycle_|command$)/i;

/** Runs a command to completion and throws with its output when it fails. */
export function run(command: string, args: string[], cwd: string): RunResult {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !WORKSPACE_NPM_ENV.test(key)));
  const started = performance.now();
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Math.round(performance.now() - started);
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.status}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
  return { stdout: result.stdout, stderr: result.stderr, ms };
}

/** The workspace's own TypeScript compiler (a consumer brings its own; this one is pinned). */
export const TSC = join(WORKSPACE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

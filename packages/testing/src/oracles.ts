/**
 * The real tools the tests use as oracles (jsonnet, age, yamllint, helm, sops, talhelper), pinned
 * once in tools/oracles.json. A missing tool skips the tests that need it, with a warning, and is
 * recorded so `npm test` ends with one line listing every skipped oracle (tools/oracle-summary.mjs);
 * in CI (CI=true), where .ci/run installs every one, a missing tool fails the run instead.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { locateExecutable } from '@homelab/core';
import { workspaceRoot } from './shared.js';

export { locateExecutable };

interface OraclePin {
  /** Debian package that ships the tool. */
  debian?: string;
  /** Go package path and version for `go install`. */
  go?: string;
  version?: string;
}

export type OracleName = 'jsonnet' | 'age' | 'yamllint' | 'helm' | 'sops' | 'talhelper';

function pins(): Record<OracleName, OraclePin> {
  return JSON.parse(readFileSync(join(workspaceRoot(), 'tools', 'oracles.json'), 'utf8')) as Record<OracleName, OraclePin>;
}

/** How a person gets the tool, from its pin. */
export function oracleInstallHint(name: OracleName): string {
  const pin = pins()[name];
  if (pin.go) return `go install ${pin.go}@${pin.version}`;
  return `apt-get install -y ${pin.debian ?? name}`;
}

/** The directory skipped oracles are recorded in, read by tools/oracle-summary.mjs. */
export function oracleSkipDir(): string {
  return join(workspaceRoot(), 'node_modules', '.cache', 'homelab', 'oracle-skips');
}

/**
 * The path of the oracle's binary, or undefined (skip the tests that need it) after recording the
 * skip and warning `purpose … SKIPPED`. Under CI=true a missing oracle throws: CI must never pass
 * with an oracle silently absent.
 */
export function findOracle(name: OracleName, purpose: string): string | undefined {
  const path = locateExecutable(name);
  if (path && spawnSync(path, ['--version'], { stdio: 'ignore' }).status !== null) return path;
  const hint = oracleInstallHint(name);
  if (process.env['CI'] === 'true') throw new Error(`${name} not found, and CI requires every oracle: ${purpose} cannot run. Install it: ${hint} (.ci/run does)`);
  console.warn(`${name} not found: ${purpose} SKIPPED (install: ${hint})`);
  mkdirSync(oracleSkipDir(), { recursive: true });
  writeFileSync(join(oracleSkipDir(), name), `${hint}\n`);
  return undefined;
}

/**
 * The real Renovate (pinned in tools/oracles.json, installed by tools/npm-oracles.mjs) on this
 * repository: renovate-config-validator accepts renovate.json, and Renovate's own extraction
 * (`--platform=local --dry-run=extract`)
 * finds every pin the versions.ts modules export — the list comes from the modules, never from
 * a count kept here — with the names and registry the code uses.
 *
 * Offline: the local platform reads the working tree through git, extract mode stops before any
 * datasource lookup, and no token is passed on, so no platform or registry is contacted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findOracle } from '@homelab/testing';
import { coverageProblems, extractDependencies, pinsOf, readRenovateConfig, registryKey, WORKSPACE_ROOT, type Dependency } from './managers.js';

const renovate = findOracle('renovate', 'the real Renovate validator and extraction tests');
const config = readRenovateConfig();
const baseDir = mkdtempSync(join(tmpdir(), 'homelab-renovate-'));
afterAll(() => rmSync(baseDir, { recursive: true, force: true }));

/** Renovate's environment: no token or platform settings of the caller, its caches in a scratch directory. */
function renovateEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(RENOVATE_|GITHUB_|GH_|GITLAB_|LOG_)/.test(key) && !/TOKEN/.test(key)));
  return { ...env, LOG_FORMAT: 'json', LOG_LEVEL: 'debug', RENOVATE_BASE_DIR: baseDir };
}

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { cwd: WORKSPACE_ROOT, env: renovateEnv(), encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const logLines = (output: string) =>
  output.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });

/** What Renovate logs as extracted by a custom regex manager, per package file. */
interface ExtractedFile {
  packageFile: string;
  matchStrings: string[];
  deps: { depName: string; currentValue: string; datasource: string; registryUrls?: string[]; versioning?: string; replaceString: string }[];
}

const versionFiles = readdirSync(join(WORKSPACE_ROOT, 'packages'))
  .map((name) => `packages/${name}/src/versions.ts`)
  .filter((path) => existsSync(join(WORKSPACE_ROOT, path)));

describe.skipIf(!renovate)('the real Renovate', () => {
  const validator = join(renovate ?? '', '..', 'renovate-config-validator');

  it('renovate-config-validator accepts renovate.json, with no migration pending (--strict)', () => {
    const { status, output } = run(validator, ['--strict']);
    expect(output).toContain('Config validated successfully');
    expect(status, output).toBe(0);
  });

  it('extracts every pin of packages/*/src/versions.ts, once, with the names and registry the code uses', async () => {
    const { status, output } = run(renovate!, ['--platform=local', '--dry-run=extract', '--enabled-managers=custom.regex']);
    expect(status, output.slice(-4000)).toBe(0);
    const extracted = logLines(output).find((line) => line['msg'] === 'Extracted dependencies');
    expect(extracted, 'Renovate logged no "Extracted dependencies"').toBeDefined();
    const files = ((extracted!['packageFiles'] as Record<string, ExtractedFile[]>)['regex'] ?? []) as ExtractedFile[];

    let pinCount = 0;
    const problems: string[] = [];
    for (const path of versionFiles) {
      const text = readFileSync(join(WORKSPACE_ROOT, path), 'utf8');
      const exports = (await import(pathToFileURL(join(WORKSPACE_ROOT, path)).href)) as Record<string, unknown>;
      // Pins written in this file (a re-exported pin is counted where it is written).
      const pins = pinsOf(exports).filter((pin) => pin.literals.some((literal) => text.includes(literal)));
      pinCount += pins.length;
      // Renovate's dependencies in the shape the emulation uses, so the same coverage rules apply.
      const deps: Dependency[] = files
        .filter((file) => file.packageFile === path)
        .flatMap((file) => {
          const manager = config.customManagers.findIndex((candidate) => JSON.stringify(candidate.matchStrings) === JSON.stringify(file.matchStrings));
          return file.deps.map((dep) => ({
            manager,
            depName: dep.depName,
            currentValue: dep.currentValue,
            datasource: dep.datasource,
            ...(dep.registryUrls?.[0] ? { registryUrl: dep.registryUrls[0] } : {}),
            ...(dep.versioning ? { versioning: dep.versioning } : {}),
            index: text.indexOf(dep.replaceString),
            valueIndex: text.indexOf(dep.replaceString) + dep.replaceString.lastIndexOf(dep.currentValue),
          }));
        })
        .sort((a, b) => a.index - b.index);
      if (pins.length > 0 && deps.length === 0) problems.push(`${path}: Renovate extracts nothing (is the file committed? the local platform lists files with git)`);
      problems.push(...coverageProblems(text, pins, deps).map((problem) => `${path}: ${problem}`));
      // The emulation the fast tests rely on agrees with the real extraction.
      const shape = (dep: Dependency) => `${dep.datasource} ${dep.depName}@${dep.currentValue} ${registryKey(dep.registryUrl)}`.trim();
      expect(deps.map(shape), `${path}: emulated extraction differs from Renovate's`).toEqual(extractDependencies(text, config, path).map(shape));
    }
    expect(problems).toEqual([]);
    const extractedCount = files.filter((file) => versionFiles.includes(file.packageFile)).reduce((sum, file) => sum + file.deps.length, 0);
    expect(pinCount).toBeGreaterThan(0);
    expect(extractedCount, `Renovate extracted ${extractedCount} of ${pinCount} pins`).toBe(pinCount);
    // Nothing outside versions.ts is claimed by the custom managers.
    expect(files.map((file) => file.packageFile).filter((file) => !versionFiles.includes(file))).toEqual([]);
  }, 180_000);
});

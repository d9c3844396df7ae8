import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace root: the nearest parent holding nx.json. */
export function workspaceRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) throw new Error('nx.json not found above @homelab/testing');
  }
}

/**
 * `../shared` beside the repository (chart schemas, SOPS fixtures). CI always has it; a clone
 * elsewhere may not, and tests that need it skip with a message saying so.
 */
export function sharedDir(): string | undefined {
  const dir = resolve(workspaceRoot(), '..', 'shared');
  return existsSync(dir) ? dir : undefined;
}

/** Path to `../shared/chart-schemas/<chart>`, or undefined (with a warning) when shared/ is absent. */
export function chartSchemaDir(chart: string): string | undefined {
  const shared = sharedDir();
  if (!shared) {
    console.warn(`../shared not found next to ${workspaceRoot()}: chart conformance tests for ${chart} are SKIPPED`);
    return undefined;
  }
  const dir = join(shared, 'chart-schemas', chart);
  if (!existsSync(dir)) throw new Error(`${dir} does not exist: is '${chart}' a chart listed in shared/chart-schemas/SOURCES.md?`);
  return dir;
}

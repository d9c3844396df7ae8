/**
 * The entry of the bench's synthetic-homelab bundle (bench.ts builds it as the build does dist/homelab.cjs):
 * the `homelab` command rendering the default modules plus `count` synthetic apps of a kind.
 * Usage: run([count, kind, ...homelabArguments]).
 */
import { syntheticModules } from './bench-synthetic.js';
import { main, processIo } from '../src/cli.js';
import type { ImportModule } from '@homelab/check';
import { defaultModules } from '../src/modules.js';

export function run([count, kind, ...argv]: string[], importModule: ImportModule): Promise<number> {
  if (kind !== 'plain' && kind !== 'exposed') throw new Error(`synthetic app kind '${kind}': give plain or exposed`);
  return main(argv, { ...processIo, importModule, modules: [...defaultModules, ...syntheticModules(Number(count), kind)] });
}

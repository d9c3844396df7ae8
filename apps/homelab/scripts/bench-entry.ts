/**
 * The entry of the bench's synthetic-homelab bundle (bench.ts builds it as the build does dist/homelab.cjs):
 * the `homelab` command rendering the default modules plus `count` synthetic apps.
 * Usage: run([count, ...homelabArguments]).
 */
import { syntheticModules } from './bench-synthetic.js';
import { main, processIo } from '../src/cli.js';
import type { ImportModule } from '@homelab/check';
import { defaultModules } from '../src/modules.js';

export function run([count, ...argv]: string[], importModule: ImportModule): Promise<number> {
  return main(argv, { ...processIo, importModule, modules: [...defaultModules, ...syntheticModules(Number(count))] });
}

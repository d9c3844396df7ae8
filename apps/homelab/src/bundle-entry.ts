/**
 * The entry of dist/homelab.cjs, the bundle bin/homelab.js runs through load-bundle.ts: the CLI
 * on the real process, with the importer the loader hands over (bundled code cannot call import()).
 */
import { main, processIo } from './cli.js';
import type { ImportModule } from '@homelab/check';

export function run(argv: string[], importModule: ImportModule): Promise<number> {
  return main(argv, { ...processIo, importModule });
}

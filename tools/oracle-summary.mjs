#!/usr/bin/env node
// Ends `npm test` with one line naming every real tool (tools/oracles.json) whose tests were
// skipped because it is missing, and how to install it; `--reset` clears the record first.
// The tests record skips through @homelab/testing's findOracle().
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'node_modules', '.cache', 'homelab', 'oracle-skips');
if (process.argv.includes('--reset')) {
  rmSync(dir, { recursive: true, force: true });
} else {
  const oracles = Object.keys(JSON.parse(readFileSync(join(root, 'tools', 'oracles.json'), 'utf8'))).filter((name) => !name.startsWith('$'));
  const skipped = existsSync(dir) ? readdirSync(dir).sort() : [];
  if (skipped.length === 0) console.log(`oracles: none skipped by the tests that ran (${oracles.join(", ")}; a result replayed from the Nx cache records none)`);
  else console.log(`oracles SKIPPED: ${skipped.map((name) => `${name} (${readFileSync(join(dir, name), 'utf8').trim()})`).join('; ')}; these tests did not run`);
}

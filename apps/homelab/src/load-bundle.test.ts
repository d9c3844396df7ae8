import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLE_ID_MARKER, importModule, loadBundle } from './load-bundle.js';

describe('loadBundle', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'homelab-load-bundle-')), 'entry.cjs');
  const writeBundle = (code: string, id: string) => writeFileSync(file, `${code}\n${BUNDLE_ID_MARKER}${id}\n`);

  it('runs the entry as CommonJS, handing it the importer', async () => {
    writeBundle("exports.run = async (argv, importModule) => ((await importModule('node:path')).basename(argv[0]) === 'x' && __filename.endsWith('entry.cjs') ? 0 : 1);", 'a');
    expect(await loadBundle(file).entry.run(['/to/x'], importModule)).toBe(0);
  });

  it('says how to build a bundle that is missing', () => {
    expect(() => loadBundle(join(file, '..', 'missing.cjs'))).toThrow(/missing\.cjs is missing: build the CLI first \(npx nx run homelab:build\)/);
  });

  it('takes the code cache saved for its build and ignores one of another build, even of the same length', async () => {
    writeBundle('exports.run = async () => 1;', 'build-1');
    const first = loadBundle(file);
    expect(first.cacheAccepted).toBe(false);
    expect(await first.entry.run([], importModule)).toBe(1); // compiled, so the cache holds it
    first.saveCodeCache();
    const cached = loadBundle(file);
    expect(cached.cacheAccepted).toBe(true);
    expect(await cached.entry.run([], importModule)).toBe(1);
    // V8 checks the source's length, not its text: without the id, this rebuild would run the cached `1`.
    writeBundle('exports.run = async () => 2;', 'build-2');
    const rebuilt = loadBundle(file);
    expect(rebuilt.cacheAccepted).toBe(false);
    expect(await rebuilt.entry.run([], importModule)).toBe(2);
  });
});

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLE_ID_MARKER, importModule, loadBundle } from '../src/load-bundle.js';
import { buildBundle } from './build-bundle.js';

describe('buildBundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'homelab-build-bundle-'));
  const entry = (name: string, code: string) => {
    const file = join(dir, name);
    writeFileSync(file, code);
    return file;
  };

  it('writes a CommonJS bundle whose import.meta.url is its own URL, with its id line and a trained code cache', async () => {
    const outfile = join(dir, 'out', 'ok.cjs');
    mkdirSync(join(dir, 'out'));
    const source = entry('ok.ts', "export async function run(argv: string[]): Promise<number> { return new URL('.', import.meta.url).pathname.endsWith('/out/') && argv[0] === 'train' ? 0 : 1; }\n");
    await buildBundle({ entry: source, outfile, train: ['train'] });
    expect(readFileSync(outfile, 'utf8')).toMatch(new RegExp(`\\n${BUNDLE_ID_MARKER}[0-9a-f]{64}\\n$`));
    const loaded = loadBundle(outfile);
    expect(loaded.cacheAccepted).toBe(true);
    expect(await loaded.entry.run(['train'], importModule)).toBe(0);
  });

  it("bundles the npm punycode where the validators require('punycode'), never Node's deprecated built-in", async () => {
    // The very module of @kubernetes-models/validate's tree that asks for it (idn-hostname format).
    const idnHostname = createRequire(import.meta.url).resolve('ajv-formats-draft2019/formats/idn-hostname.js');
    expect(readFileSync(idnHostname, 'utf8')).toMatch(/require\(["']punycode["']\)/);
    const outfile = join(dir, 'punycode.cjs');
    const source = entry('punycode-entry.cjs', `const idnHostname = require(${JSON.stringify(idnHostname)});\nexports.run = async () => (idnHostname('bücher.example') ? 0 : 1);\n`);
    await buildBundle({ entry: source, outfile, train: [] });
    expect(readFileSync(outfile, 'utf8')).not.toMatch(/require\(["']punycode["']\)/);
    expect(await loadBundle(outfile).entry.run([], importModule)).toBe(0);
  });

  it('fails when the training run fails', async () => {
    const source = entry('fails.ts', 'export async function run(): Promise<number> { return 1; }\n');
    await expect(buildBundle({ entry: source, outfile: join(dir, 'fails.cjs'), train: [] })).rejects.toThrow(/training run .* exited 1/);
  });

  it('refuses a bundle that calls import(), which a code-cached script cannot', async () => {
    const source = entry('imports.ts', "export async function run(argv: string[]): Promise<number> { return (await import(argv[0]!)) ? 0 : 1; }\n");
    await expect(buildBundle({ entry: source, outfile: join(dir, 'imports.cjs') })).rejects.toThrow(/imports\.cjs:\d+ calls import\(\)/);
  });
});

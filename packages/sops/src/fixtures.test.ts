/**
 * Oracles 1 and 2: files written by the real sops tool (../shared/sops-fixtures, see SOURCES.md).
 * The files are read in place, never copied into the repository.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDir } from '@homelab/testing';
import { load } from 'js-yaml';
import { decryptSops } from 'sops-age';
import { describe, expect, it } from 'vitest';
import { SopsError, decryptYaml, identitiesFromKeyFile, isEncrypted, recipientsOf, type SopsErrorCode } from './index.js';

const shared = sharedDir();
if (!shared) console.warn('../shared not found: the sops fixture tests (real sops-written files) are SKIPPED');
const fixtureDir = shared && join(shared, 'sops-fixtures');
const read = (name: string): string => readFileSync(join(fixtureDir ?? '', name), 'utf8');

/** Every `ENC[...]` token of a text, in order, with the key it is written under. */
function encTokens(text: string): Array<{ key: string; token: string }> {
  return [...text.matchAll(/^\s*(?:-\s+)?(?:([^\s:]+):\s+)?(ENC\[[^\]]*\])/gm)].map((match) => ({ key: match[1] ?? '(list item)', token: match[2] ?? '' }));
}

/** The token with one byte of one of its base64 fields flipped (a real ciphertext change, not base64 padding noise). */
function flipByte(token: string, field: 'data' | 'iv' | 'tag', index = 0): string {
  return token.replace(new RegExp(`${field}:([^,\\]]+)`), (_, b64: string) => {
    const bytes = Buffer.from(b64, 'base64');
    bytes[index % bytes.length]! ^= 0x01;
    return `${field}:${bytes.toString('base64')}`;
  });
}

function leaves(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + leaves(item), 0);
  if (value !== null && typeof value === 'object') return leaves(Object.values(value));
  return 1;
}

async function rejection(promise: Promise<unknown>): Promise<SopsError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(SopsError);
  return error as SopsError;
}

describe.skipIf(!fixtureDir)('secret.enc.yaml (sops 3.8.1, age, with MAC)', () => {
  const text = fixtureDir ? read('secret.enc.yaml') : '';
  const identities = fixtureDir ? identitiesFromKeyFile(read('test-key.txt')) : [];

  it('reads the age key file written by age-keygen (comments skipped)', () => {
    expect(identities).toHaveLength(1);
    expect(identities[0]).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]+$/);
  });

  it('decrypts to what the independent decoder sops-age reads, and verifies the MAC', async () => {
    const ours = await decryptYaml(text, { identities });
    const theirs: unknown = await decryptSops(text, { secretKey: identities[0], fileType: 'yaml' });
    expect(ours).toEqual(theirs);
    // Exercised: str, int, float, bool, nested mapping, list items (additional data `complex:array:`).
    expect(Object.keys(ours)).toEqual(Object.keys(load(text) as object).filter((key) => key !== 'sops'));
    expect(ours).toMatchObject({ complex: { array: expect.any(Array) } });
    expect(new Set(Object.values(ours).map((value) => typeof value))).toEqual(new Set(['string', 'number', 'boolean', 'object']));
  });

  it('recognises the file and lists the recipients it names', () => {
    expect(isEncrypted(text)).toBe(true);
    const named = [...text.matchAll(/recipient: (age1\w+)/g)].map((match) => match[1]);
    expect(recipientsOf(text)).toEqual(named);
    expect(named.length).toBe(3);
  });

  const tokens = fixtureDir ? encTokens(text) : [];
  it('has every value and the MAC as ENC tokens', () => {
    const { sops: _, ...data } = load(text) as Record<string, unknown>;
    expect(tokens.length).toBe(leaves(data) + 1);
    expect(tokens.at(-1)?.key).toBe('mac');
  });

  for (const [index, { key, token }] of tokens.entries()) {
    const isMac = key === 'mac';
    const expected: SopsErrorCode = isMac ? 'MAC_MISMATCH' : 'VALUE_DECRYPT_FAILED';
    for (const field of ['data', 'iv', 'tag'] as const) {
      it(`rejects token #${index} (${key}) with one ${field} byte flipped: ${expected}`, async () => {
        const tampered = text.replace(token, flipByte(token, field, index));
        expect(tampered).not.toBe(text);
        const error = await rejection(decryptYaml(tampered, { identities }));
        expect(error.code).toBe(expected);
        expect(error.message).toMatch(isMac ? /^sops: MAC mismatch: the file was modified after encryption/ : /AES-GCM authentication failed, so the file was modified after encryption/);
      });
    }
  }

  it('rejects a value moved under another key (its additional data no longer matches)', async () => {
    const [first, second] = tokens;
    const swapped = text.replace(first!.token, 'SWAP').replace(second!.token, first!.token).replace('SWAP', second!.token);
    const error = await rejection(decryptYaml(swapped, { identities }));
    expect(error.code).toBe('VALUE_DECRYPT_FAILED');
    expect(error.path).toBe(first!.key);
  });

  it('rejects reordered list items: each still decrypts, the MAC does not match', async () => {
    const items = tokens.filter((token) => token.key === '(list item)');
    expect(items.length).toBeGreaterThan(1);
    const reordered = text.replace(items[0]!.token, 'SWAP').replace(items[1]!.token, items[0]!.token).replace('SWAP', items[1]!.token);
    const error = await rejection(decryptYaml(reordered, { identities }));
    expect(error.code).toBe('MAC_MISMATCH');
    expect(error.message).toContain('the values no longer hash to the stored MAC');
  });

  it('rejects a removed value and a changed lastmodified', async () => {
    const removed = text.replace(/^int: .*\n/m, '');
    expect((await rejection(decryptYaml(removed, { identities }))).code).toBe('MAC_MISMATCH');
    const redated = text.replace(/lastmodified: "([^"]+)"/, (_, date: string) => `lastmodified: "${date.replace(/:(\d\d)Z/, (__, s: string) => `:${String((Number(s) + 1) % 60).padStart(2, '0')}Z`)}"`);
    expect(redated).not.toBe(text);
    const error = await rejection(decryptYaml(redated, { identities }));
    expect(error.code).toBe('MAC_MISMATCH');
    expect(error.message).toContain('the stored MAC does not decrypt');
  });

  it('names the key path of a value whose ENC syntax is corrupted', async () => {
    const value = tokens.find((token) => token.key === 'value')!;
    const broken = text.replace(value.token, value.token.replace(',iv:', ',iw:'));
    const error = await rejection(decryptYaml(broken, { identities }));
    expect(error.code).toBe('MALFORMED_VALUE');
    expect(error.path).toBe('complex.value');
    expect(error.message).toContain('the encrypted value at complex.value is corrupted');
  });
});

describe.skipIf(!fixtureDir)('k8s-secret.sops-3.11.yaml (sops 3.11.0 Kubernetes Secret, structure only)', () => {
  const text = fixtureDir ? read('k8s-secret.sops-3.11.yaml') : '';
  const named = [...text.matchAll(/recipient: (age1\w+)/g)].map((match) => match[1]);

  it('is recognised as encrypted and lists its recipient', () => {
    expect(isEncrypted(text)).toBe(true);
    expect(named).toHaveLength(1);
    expect(recipientsOf(text)).toEqual(named);
  });

  it('cannot be decrypted with another key, and the error names its recipient', async () => {
    const identities = identitiesFromKeyFile(read('test-key.txt'));
    const error = await rejection(decryptYaml(text, { identities }));
    expect(error.code).toBe('NO_MATCHING_IDENTITY');
    expect(error.message).toContain(`no age identity matches the file's recipients (${named[0]}). Use the key of one of them`);
  });
});

/**
 * Oracle 3: our output, read by tools that share no code with ours — the Debian `age` CLI (Go,
 * filippo.io/age) unwraps the data key; sops-age (noble ciphers) decrypts the values; a MAC is
 * recomputed here from the spec with node:crypto.
 */
import { execFileSync } from 'node:child_process';
import { createDecipheriv, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOracle, sharedDir } from '@homelab/testing';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { load } from 'js-yaml';
import { decryptSops } from 'sops-age';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SopsError, decryptYaml, encryptYaml, identitiesFromKeyFile, isEncrypted, recipientsOf, reencrypt } from './index.js';

const cli = findOracle('age', 'the age CLI interop tests') !== undefined;

const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db-credentials', namespace: 'apps', labels: { tier: 'db' } },
  type: 'Opaque',
  stringData: {
    password: 'correct horse battery staple',
    port: 5432,
    ratio: 0.25,
    enabled: true,
    hosts: ['a.internal', 'b.internal'],
    nested: { deeper: { token: 'tk-1' } },
  },
  data: { 'tls.key': Buffer.from('not really a key').toString('base64') },
};

interface Parsed {
  data: Buffer;
  iv: Buffer;
  tag: Buffer;
  type: string;
}
function parseEnc(token: string): Parsed {
  const match = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]$/.exec(token);
  if (!match) throw new Error(`not an ENC token: ${token}`);
  return { data: Buffer.from(match[1]!, 'base64'), iv: Buffer.from(match[2]!, 'base64'), tag: Buffer.from(match[3]!, 'base64'), type: match[4]! };
}
/** AES-256-GCM open, written from the spec: 32-byte key, the token's IV, 16-byte tag, additional data. */
function open(token: string, key: Buffer, aad: string): string {
  const { data, iv, tag } = parseEnc(token);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  decipher.setAuthTag(tag);
  decipher.setAAD(Buffer.from(aad));
  return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
}

describe.skipIf(!cli)('the age CLI unwraps our data key', () => {
  let dir = '';
  let recipient = '';
  let keyFile = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sops-age-cli-'));
    keyFile = join(dir, 'key.txt');
    execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
    recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gets 32 bytes that decrypt the values and the MAC we wrote', async () => {
    const text = await encryptYaml(secret, { recipients: [recipient] });
    const document = load(text) as { stringData: Record<string, unknown>; sops: { age: Array<{ recipient: string; enc: string }>; mac: string; lastmodified: string } };
    expect(document.sops.age.map((entry) => entry.recipient)).toEqual([recipient]);
    writeFileSync(join(dir, 'datakey.age'), document.sops.age[0]!.enc);
    const dataKey = execFileSync('age', ['-d', '-i', keyFile, join(dir, 'datakey.age')]);
    expect(dataKey.length).toBe(32);

    // One value, by hand: additional data is the key path with a trailing ':'.
    expect(open(String(document.stringData.password), dataKey, 'stringData:password:')).toBe(secret.stringData.password);
    expect(open(String(document.stringData.enabled), dataKey, 'stringData:enabled:')).toBe('True');
    expect(parseEnc(String(document.stringData.port)).type).toBe('int');
    expect(parseEnc(String(document.stringData.ratio)).type).toBe('float');
    expect(parseEnc(String(document.stringData.password)).iv.length).toBe(32);

    // The MAC, by hand: SHA-512 over every value's text in document order (plain ones too), uppercase hex,
    // encrypted with lastmodified as additional data.
    // (Text forms per sops' ToBytes; this document's numbers print the same in Go and JS.)
    const texts = (value: unknown): string[] =>
      Array.isArray(value) ? value.flatMap(texts)
      : value !== null && typeof value === 'object' ? Object.values(value).flatMap(texts)
      : typeof value === 'boolean' ? [value ? 'True' : 'False']
      : [String(value)];
    expect(texts(secret)).toHaveLength(14);
    const hash = createHash('sha512');
    for (const text of texts(secret)) hash.update(text);
    expect(open(document.sops.mac, dataKey, document.sops.lastmodified)).toBe(hash.digest('hex').toUpperCase());
  });

  it('lets an age-keygen key file decrypt the whole file through identitiesFromKeyFile', async () => {
    const text = await encryptYaml(secret, { recipients: [recipient] });
    expect(await decryptYaml(text, { identities: identitiesFromKeyFile(readFileSync(keyFile, 'utf8')) })).toEqual(secret);
  });
});

describe('our files, read back', () => {
  let identity = '';
  let recipient = '';
  let other = '';
  let otherRecipient = '';
  beforeAll(async () => {
    identity = await generateIdentity();
    recipient = await identityToRecipient(identity);
    other = await generateIdentity();
    otherRecipient = await identityToRecipient(other);
  });

  it('decrypt to the same object with sops-age and with our decoder (which also checks the MAC)', async () => {
    const text = await encryptYaml(secret, { recipients: [recipient, otherRecipient] });
    expect(await decryptSops(text, { secretKey: identity, fileType: 'yaml' })).toEqual(secret);
    expect(await decryptSops(text, { secretKey: other, fileType: 'yaml' })).toEqual(secret);
    expect(await decryptYaml(text, { identities: [identity] })).toEqual(secret);
    expect(await decryptYaml(text, { identities: [other] })).toEqual(secret);
    expect(isEncrypted(text)).toBe(true);
    expect(recipientsOf(text)).toEqual([recipient, otherRecipient]);
  });

  it('round-trip strings, ints, floats, bools, null, nesting, lists and awkward keys', async () => {
    const values = {
      str: 'hello',
      empty: '',
      unicode: 'grüße ✓ 🔐',
      multiline: 'line one\nline two\n',
      looksLikeNumber: '0777',
      looksLikeBool: 'yes',
      looksLikeDate: '2024-01-01',
      encLike: 'ENC[not really]',
      int: 42,
      negative: -7,
      big: 9_007_199_254_740_993n,
      float: 3.14159,
      tiny: 1e-7,
      huge: 1e21,
      bool: false,
      nothing: null,
      list: [1, 'two', [3, { four: 4 }], null],
      'key:with:colons': 'x',
      '10': 'integer-like key',
      'with space': { 'and.dot': 'y' },
    };
    const text = await encryptYaml({ data: values }, { recipients: [recipient] });
    const back = (await decryptYaml(text, { identities: [identity] })) as { data: typeof values };
    expect(back.data).toEqual(values);
    expect(Object.keys(back.data).sort()).toEqual(Object.keys(values).sort());
    // sops-age reads ints as JS numbers, and takes a digit-only key for a list index (its additional data
    // drops it; sops keeps it, as we do): compare it on the rest.
    const { big: _, '10': __, ...forSopsAge } = values;
    const again = await encryptYaml({ data: forSopsAge }, { recipients: [recipient] });
    expect(await decryptSops(again, { secretKey: identity, fileType: 'yaml' })).toEqual({ data: forSopsAge });
  });

  it('keep document order, including integer-like keys a JS object would move', async () => {
    const text = await encryptYaml('data:\n  b: 1\n  "10": 2\n  a: 3\n', { recipients: [recipient] });
    const order = [...text.matchAll(/^ {2}('?\w+'?):/gm)].map((match) => match[1]);
    expect(order.slice(0, 3)).toEqual(['b', "'10'", 'a']);
    await expect(decryptYaml(text, { identities: [identity] })).resolves.toEqual({ data: { b: 1, '10': 2, a: 3 } });
  });

  it('respect encrypted_regex: metadata stays plain, everything under a matching key is encrypted', async () => {
    const text = await encryptYaml(secret, { recipients: [recipient] });
    const document = load(text) as Record<string, unknown> & { sops: Record<string, unknown> };
    for (const key of ['apiVersion', 'kind', 'metadata', 'type'] as const) expect(document[key]).toEqual(secret[key]);
    const leaves = (value: unknown): unknown[] =>
      Array.isArray(value) ? value.flatMap(leaves) : value !== null && typeof value === 'object' ? Object.values(value).flatMap(leaves) : [value];
    for (const leaf of [...leaves(document.stringData), ...leaves(document.data)]) expect(leaf).toMatch(/^ENC\[AES256_GCM,data:/);
    expect(document.sops.encrypted_regex).toBe('^(data|stringData)$');
    expect(document.sops.version).toMatch(/^3\.\d+\.\d+$/);
    expect(document.sops.lastmodified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('apply other rules: a custom regex, an unencrypted suffix, and mac_only_encrypted', async () => {
    const doc = { db: { user: 'app', password: 'pw' }, password_unencrypted: 'visible', port: 1 };
    const byRegex = load(await encryptYaml(doc, { recipients: [recipient], encryptedRegex: '^password$' })) as typeof doc;
    expect(byRegex.db.user).toBe('app');
    expect(byRegex.db.password).toMatch(/^ENC\[/);
    expect(byRegex.password_unencrypted).toBe('visible'); // ^password$ is anchored

    const bySuffix = await encryptYaml(doc, { recipients: [recipient], unencryptedSuffix: '_unencrypted' });
    const parsed = load(bySuffix) as typeof doc & { sops: Record<string, unknown> };
    expect(parsed.password_unencrypted).toBe('visible');
    expect(parsed.db.user).toMatch(/^ENC\[/);
    expect(parsed.sops.unencrypted_suffix).toBe('_unencrypted');
    expect(parsed.sops.encrypted_regex).toBeUndefined();
    expect(await decryptYaml(bySuffix, { identities: [identity] })).toEqual(doc);

    const macOnly = await encryptYaml(doc, { recipients: [recipient], encryptedRegex: '^password$', macOnlyEncrypted: true });
    expect((load(macOnly) as { sops: Record<string, unknown> }).sops.mac_only_encrypted).toBe(true);
    // A plain value may change without breaking the MAC; an encrypted one may not be removed.
    const edited = macOnly.replace('user: app', 'user: other');
    await expect(decryptYaml(edited, { identities: [identity] })).resolves.toEqual({ ...doc, db: { ...doc.db, user: 'other' } });
    const full = await encryptYaml(doc, { recipients: [recipient], encryptedRegex: '^password$' });
    const error = await decryptYaml(full.replace('user: app', 'user: other'), { identities: [identity] }).catch((caught: unknown) => caught);
    expect((error as SopsError).code).toBe('MAC_MISMATCH');
  });

  it('write lastmodified from `now` and authenticate the MAC with it', async () => {
    const now = new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 678));
    const text = await encryptYaml(secret, { recipients: [recipient], now });
    expect((load(text) as { sops: { lastmodified: string } }).sops.lastmodified).toBe(now.toISOString().replace(/\.\d+Z$/, 'Z'));
  });

  it('re-encrypt to new recipients: same values and rule, new data key, old key locked out', async () => {
    const text = await encryptYaml(secret, { recipients: [recipient] });
    const rotated = await reencrypt(text, { identities: [identity], recipients: [otherRecipient] });
    expect(recipientsOf(rotated)).toEqual([otherRecipient]);
    expect(await decryptYaml(rotated, { identities: [other] })).toEqual(secret);
    expect(await decryptSops(rotated, { secretKey: other, fileType: 'yaml' })).toEqual(secret);
    const error = await decryptYaml(rotated, { identities: [identity] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SopsError);
    expect((error as SopsError).code).toBe('NO_MATCHING_IDENTITY');
    expect((error as SopsError).message).toContain(`(${otherRecipient})`);
    const before = load(text) as { stringData: Record<string, string>; sops: Record<string, unknown> };
    const after = load(rotated) as { stringData: Record<string, string>; sops: Record<string, unknown> };
    expect(after.stringData.password).not.toBe(before.stringData.password);
    expect(after.sops.encrypted_regex).toBe(before.sops.encrypted_regex);
  });
});

const shared = sharedDir();
describe.skipIf(!cli || !shared)('re-encrypting the real sops fixture', () => {
  it('moves it to an age-keygen recipient; the fixture key no longer opens it', async () => {
    const fixtures = join(shared ?? '', 'sops-fixtures');
    const text = readFileSync(join(fixtures, 'secret.enc.yaml'), 'utf8');
    const fixtureKey = identitiesFromKeyFile(readFileSync(join(fixtures, 'test-key.txt'), 'utf8'));
    const dir = mkdtempSync(join(tmpdir(), 'sops-rotate-'));
    try {
      execFileSync('age-keygen', ['-o', join(dir, 'key.txt')], { stdio: 'ignore' });
      const newKey = identitiesFromKeyFile(readFileSync(join(dir, 'key.txt'), 'utf8'));
      const newRecipient = execFileSync('age-keygen', ['-y', join(dir, 'key.txt')], { encoding: 'utf8' }).trim();
      const rotated = await reencrypt(text, { identities: fixtureKey, recipients: [newRecipient] });
      expect(await decryptYaml(rotated, { identities: newKey })).toEqual(await decryptSops(text, { secretKey: fixtureKey[0], fileType: 'yaml' }));
      expect((load(rotated) as { sops: Record<string, unknown> }).sops.unencrypted_suffix).toBe('_unencrypted');
      const error = await decryptYaml(rotated, { identities: fixtureKey }).catch((caught: unknown) => caught);
      expect((error as SopsError).code).toBe('NO_MATCHING_IDENTITY');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Oracle 4: bad input is rejected with a specific error, and inputs are never modified. */
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { beforeAll, describe, expect, it } from 'vitest';
import { SopsError, decryptYaml, encryptYaml, identitiesFromKeyFile, isEncrypted, recipientsOf, reencrypt, type SopsErrorCode } from './index.js';

async function failure(run: () => Promise<unknown> | unknown): Promise<SopsError> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SopsError);
  return caught as SopsError;
}

async function expectCode(run: () => Promise<unknown> | unknown, code: SopsErrorCode, message?: string | RegExp): Promise<SopsError> {
  const error = await failure(run);
  expect(error.code).toBe(code);
  if (typeof message === 'string') expect(error.message).toBe(message);
  else if (message) expect(error.message).toMatch(message);
  return error;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

let identity = '';
let recipient = '';
let plain = '';
let encrypted = '';
const PASSWORD = 'hunter2-do-not-leak';
beforeAll(async () => {
  identity = await generateIdentity();
  recipient = await identityToRecipient(identity);
  plain = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\nstringData:\n  password: ${PASSWORD}\n  list: [a, b]\n`;
  encrypted = await encryptYaml(plain, { recipients: [recipient] });
});

describe('encryptYaml rejects', () => {
  it('a missing or empty recipient list', async () => {
    await expectCode(() => encryptYaml(plain, { recipients: [] }), 'INVALID_RECIPIENT', 'sops: at least one age recipient is required (recipients: []). Print yours with: age-keygen -y key.txt');
  });

  it('a malformed recipient, naming its index and value', async () => {
    const bad = `${recipient.slice(0, -1)}${recipient.endsWith('q') ? 'p' : 'q'}`;
    const error = await expectCode(() => encryptYaml(plain, { recipients: [recipient, bad] }), 'INVALID_RECIPIENT');
    expect(error.message).toMatch(new RegExp(`^sops: recipients\\[1\\] is not an age recipient \\(recipients\\[1\\]: '${bad}': .+\\)\\. An age recipient looks like age1…`));
    await expectCode(() => encryptYaml(plain, { recipients: ['ssh-ed25519 AAAA'] }), 'INVALID_RECIPIENT', /recipients\[0\]: 'ssh-ed25519 AAAA': does not start with age1/);
  });

  it('two rules at once, and a regex JS cannot compile', async () => {
    await expectCode(
      () => encryptYaml(plain, { recipients: [recipient], encryptedRegex: '^data$', unencryptedSuffix: '_plain' }),
      'INVALID_INPUT',
      'sops: name at most one of encryptedRegex, unencryptedRegex, encryptedSuffix, unencryptedSuffix (got encryptedRegex, unencryptedSuffix): sops files carry a single encryption rule',
    );
    await expectCode(() => encryptYaml(plain, { recipients: [recipient], encryptedRegex: '^(data' }), 'INVALID_INPUT', /^sops: encrypted_regex '\^\(data' is not a regular expression/);
  });

  it('an invalid `now`', async () => {
    await expectCode(() => encryptYaml(plain, { recipients: [recipient], now: new Date('nope') }), 'INVALID_INPUT', "sops: now must be a valid Date (now: 'Invalid Date')");
  });

  it('non-string keys, as sops does, naming where', async () => {
    await expectCode(
      () => encryptYaml('stringData:\n  1: x\n', { recipients: [recipient] }),
      'INVALID_INPUT',
      "sops: key 1 at stringData is a number, but sops supports string keys only. Quote it: '1'",
    );
  });

  it('values SOPS cannot store, naming where', async () => {
    await expectCode(
      () => encryptYaml({ stringData: { when: new Date(0) } }, { recipients: [recipient] }),
      'INVALID_INPUT',
      'sops: the value at stringData.when is a Date, which SOPS cannot store (strings, numbers, booleans, null, sequences and mappings only). Pass value.toISOString() to store the date as a string.',
    );
    await expectCode(() => encryptYaml({ data: [1, () => 2] }, { recipients: [recipient] }), 'INVALID_INPUT', /the value at data\[1\] is a function/);
    await expectCode(() => encryptYaml({ data: { n: 2n ** 64n } }, { recipients: [recipient] }), 'INVALID_INPUT', /the integer at data\.n does not fit in 64 bits/);
    const cyclic: Record<string, unknown> = { data: {} };
    (cyclic.data as Record<string, unknown>).self = cyclic.data;
    await expectCode(() => encryptYaml(cyclic, { recipients: [recipient] }), 'INVALID_INPUT', /the value at data\.self contains itself/);
  });

  it('documents that are not one mapping, and YAML syntax errors (without echoing the text)', async () => {
    await expectCode(() => encryptYaml('- a\n- b\n', { recipients: [recipient] }), 'INVALID_YAML', 'sops: the YAML document is a sequence; SOPS files are mappings at the top level');
    await expectCode(() => encryptYaml('a: 1\n---\nb: 2\n', { recipients: [recipient] }), 'INVALID_YAML', /holds 2 YAML documents/);
    await expectCode(() => encryptYaml([1, 2], { recipients: [recipient] }), 'INVALID_INPUT', /must be a mapping/);
    const error = await expectCode(() => encryptYaml(`stringData:\n  password: "${PASSWORD}\n`, { recipients: [recipient] }), 'INVALID_YAML', /^sops: the text is not valid YAML: .+ at line \d+, column \d+$/);
    expect(error.message).not.toContain(PASSWORD);
  });

  it('a document that is already encrypted', async () => {
    await expectCode(() => encryptYaml(encrypted, { recipients: [recipient] }), 'ALREADY_ENCRYPTED', /already has a top-level 'sops' key: it is already encrypted.*Use reencrypt\(\)/);
  });

  it('and never modifies its input', async () => {
    const input = deepFreeze({ stringData: { a: 'x', nested: { list: [1, { b: true }] } }, metadata: { name: 'n' } });
    const copy = structuredClone(input);
    await encryptYaml(input, { recipients: [recipient] });
    expect(input).toEqual(copy);
    const text = `${plain}`;
    await encryptYaml(text, { recipients: [recipient] });
    await failure(() => encryptYaml(text, { recipients: ['nope'] }));
    expect(text).toBe(plain);
  });
});

describe('decryptYaml rejects', () => {
  it('text that is not a SOPS file, including a `sops:` config section', async () => {
    const message = "sops: the text is not a SOPS file: it has no top-level 'sops:' block with mac and lastmodified. Encrypt it first";
    await expectCode(() => decryptYaml(plain, { identities: [identity] }), 'NOT_SOPS', message);
    await expectCode(() => decryptYaml('sops:\n  enabled: true\n', { identities: [identity] }), 'NOT_SOPS', message);
    expect(() => recipientsOf(plain)).toThrow(message);
  });

  it('malformed identities, without echoing them', async () => {
    const secretish = 'AGE-SECRET-KEY-1NOTAREALKEY';
    const error = await expectCode(() => decryptYaml(encrypted, { identities: [identity, secretish] }), 'INVALID_IDENTITY', /^sops: identities\[1\] is not an age secret key \(/);
    expect(error.message).not.toContain(secretish);
    await expectCode(() => decryptYaml(encrypted, { identities: [] }), 'INVALID_IDENTITY', /at least one age identity/);
    await expectCode(() => decryptYaml(encrypted, { identities: [recipient] }), 'INVALID_IDENTITY', /identities\[0\] is not an age secret key \(it does not start with AGE-SECRET-KEY-\)/);
  });

  it('the wrong key, naming the recipients to use', async () => {
    const other = await generateIdentity();
    await expectCode(
      () => decryptYaml(encrypted, { identities: [other] }),
      'NO_MATCHING_IDENTITY',
      `sops: no age identity matches the file's recipients (${recipient}). Use the key of one of them (the identities given are for ${await identityToRecipient(other)})`,
    );
  });

  it('a plain value where the rule says encrypted', async () => {
    const edited = encrypted.replace(/^( {2}password: ).*$/m, '$1plaintext');
    await expectCode(() => decryptYaml(edited, { identities: [identity] }), 'MALFORMED_VALUE', /^sops: the value at stringData\.password should be encrypted .* but is plain text/);
    const number = encrypted.replace(/^( {2}password: ).*$/m, '$1 5');
    await expectCode(() => decryptYaml(number, { identities: [identity] }), 'MALFORMED_VALUE', /stringData\.password should be encrypted .* but is a plain number/);
  });

  it('a changed plain value (the MAC covers metadata too)', async () => {
    const edited = encrypted.replace('name: app', 'name: evil');
    expect(edited).not.toBe(encrypted);
    await expectCode(
      () => decryptYaml(edited, { identities: [identity] }),
      'MAC_MISMATCH',
      'sops: MAC mismatch: the file was modified after encryption (the values no longer hash to the stored MAC: a value was added, removed, reordered or changed). Restore it from version control, or re-encrypt it from the plaintext',
    );
  });

  it('a file without a MAC, or with broken metadata', async () => {
    await expectCode(() => decryptYaml(encrypted.replace(/^( {2}mac: ).*$/m, "$1''"), { identities: [identity] }), 'MAC_MISMATCH', /\(it has no MAC\)/);
    await expectCode(() => decryptYaml(encrypted.replace(/^( {2}lastmodified: ).*$/m, '$1yesterday'), { identities: [identity] }), 'MALFORMED_METADATA', /sops\.lastmodified is not an RFC 3339 time \(sops\.lastmodified: 'yesterday'\)/);
    await expectCode(() => decryptYaml(encrypted.replace(/^( {2}encrypted_regex: .*)$/m, '$1\n  unencrypted_suffix: _x'), { identities: [identity] }), 'MALFORMED_METADATA', /more than one of/);
    const armorBroken = encrypted.replace(/-----BEGIN AGE ENCRYPTED FILE-----\n(\s+)\S+/, '-----BEGIN AGE ENCRYPTED FILE-----\n$1!!!!');
    expect(armorBroken).not.toBe(encrypted);
    await expectCode(() => decryptYaml(armorBroken, { identities: [identity] }), 'MALFORMED_METADATA', /sops\.age\[0\]\.enc .* is not an armored age file/);
  });

  it('SOPS features outside this implementation, saying so', async () => {
    const shamir = encrypted.replace(/^( {2}lastmodified: .*)$/m, '  key_groups:\n    - age: []\n    - age: []\n$1');
    await expectCode(() => decryptYaml(shamir, { identities: [identity] }), 'UNSUPPORTED', /splits its data key over 2 key groups \(Shamir secret sharing\)/);
    const comments = encrypted.replace(/^( {2}encrypted_regex: .*)$/m, '  encrypted_comment_regex: sops:enc');
    await expectCode(() => decryptYaml(comments, { identities: [identity] }), 'UNSUPPORTED', /sops\.encrypted_comment_regex/);
    const pgpOnly = encrypted.replace(/^ {2}age:\n(?: {4}.*\n)+/m, '  pgp:\n    - fp: ABC\n      enc: x\n');
    await expectCode(() => decryptYaml(pgpOnly, { identities: [identity] }), 'UNSUPPORTED', /not wrapped for any age recipient \(only pgp\)/);
  });

  it('and reencrypt checks its new recipients before decrypting', async () => {
    await expectCode(() => reencrypt(encrypted, { identities: [identity], recipients: [] }), 'INVALID_RECIPIENT');
  });
});

describe('helpers', () => {
  it('isEncrypted never throws', () => {
    expect(isEncrypted(encrypted)).toBe(true);
    expect(isEncrypted(plain)).toBe(false);
    expect(isEncrypted('a: [unclosed')).toBe(false);
    expect(isEncrypted('')).toBe(false);
    expect(isEncrypted(undefined as unknown as string)).toBe(false);
  });

  it('identitiesFromKeyFile names bad lines by number only', () => {
    expect(identitiesFromKeyFile(`# created: now\n# public key: ${recipient}\n${identity}\n`)).toEqual([identity]);
    expect(() => identitiesFromKeyFile('# nothing\n')).toThrow(/holds no age secret key/);
    expect(() => identitiesFromKeyFile(`${identity}\nsecret-looking-garbage\n`)).toThrow(/^sops: line 2 of the key file is neither a comment nor an age secret key/);
    expect(() => identitiesFromKeyFile('AGE-PLUGIN-YUBIKEY-1XYZ\n')).toThrow(/age plugin identity/);
  });
});

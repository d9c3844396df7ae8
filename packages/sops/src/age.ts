/**
 * The data key, wrapped per age recipient.
 *
 * sops writes, for each recipient, a separate age file whose plaintext is the raw 32-byte data key,
 * ASCII-armored (`-----BEGIN AGE ENCRYPTED FILE-----`, 64-column base64), in `sops.age[].enc`
 * (getsops/sops `age/keysource.go`). Any identity that opens any one of them can decrypt the file.
 */
import type { Decrypter } from 'age-encryption';
import { DATA_KEY_BYTES } from './cipher.js';
import { SopsError } from './errors.js';

/** One `sops.age[]` entry. */
export interface AgeEntry {
  recipient: string;
  enc: string;
}

const NO_MATCH = /no identity matched/i;

/**
 * age-encryption, loaded on first use: its crypto stack is most of this package's import time, and
 * the CLI loads this package for every command, while only the secrets commands encrypt.
 */
const ageLibrary = () => import('age-encryption');

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Checks the recipient list (at least one, each a valid age recipient) and drops repeats. */
export async function checkRecipients(recipients: readonly string[] | undefined): Promise<string[]> {
  const { Encrypter } = await ageLibrary();
  if (!Array.isArray(recipients) || recipients.length === 0) {
    throw new SopsError('INVALID_RECIPIENT', `at least one age recipient is required (recipients: ${JSON.stringify(recipients ?? null)}). Print yours with: age-keygen -y key.txt`);
  }
  const unique = [...new Set(recipients.map((recipient) => (typeof recipient === 'string' ? recipient.trim() : recipient)))];
  for (const [index, recipient] of unique.entries()) {
    const problem = typeof recipient !== 'string' ? `is ${typeof recipient}` : !recipient.startsWith('age1') ? 'does not start with age1' : undefined;
    let detail = problem;
    if (!detail) {
      try {
        new Encrypter().addRecipient(recipient);
      } catch (error) {
        detail = reason(error);
      }
    }
    if (detail) {
      throw new SopsError(
        'INVALID_RECIPIENT',
        `recipients[${index}] is not an age recipient (recipients[${index}]: '${String(recipient)}': ${detail}). An age recipient looks like age1…; print yours with: age-keygen -y key.txt`,
      );
    }
  }
  return unique;
}

/** Wraps the data key for one recipient: the armored age file sops stores in `enc`. */
export async function wrapDataKey(dataKey: Uint8Array, recipient: string): Promise<string> {
  const { Encrypter, armor } = await ageLibrary();
  const encrypter = new Encrypter();
  encrypter.addRecipient(recipient);
  return armor.encode(await encrypter.encrypt(dataKey));
}

/**
 * Reads the age identities (`AGE-SECRET-KEY-1…`) out of a key file as written by `age-keygen`
 * (comment lines and blank lines are skipped). Never echoes key material in errors.
 */
export function identitiesFromKeyFile(text: string): string[] {
  const identities: string[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('AGE-PLUGIN-')) {
      throw new SopsError('UNSUPPORTED', `line ${index + 1} of the key file is an age plugin identity, which this implementation cannot use. Use a native age key (age-keygen)`);
    }
    if (!line.startsWith('AGE-SECRET-KEY-')) {
      throw new SopsError('INVALID_IDENTITY', `line ${index + 1} of the key file is neither a comment nor an age secret key (AGE-SECRET-KEY-1…)`);
    }
    identities.push(line);
  }
  if (identities.length === 0) throw new SopsError('INVALID_IDENTITY', 'the key file holds no age secret key (AGE-SECRET-KEY-1…). Create one with: age-keygen -o key.txt');
  return identities;
}

/** A Decrypter holding every identity; each malformed identity is named by index, never shown. */
async function decrypterFor(identities: readonly string[] | undefined): Promise<{ decrypter: Decrypter; recipients: string[] }> {
  if (!Array.isArray(identities) || identities.length === 0) {
    throw new SopsError('INVALID_IDENTITY', 'at least one age identity (AGE-SECRET-KEY-1…) is required to decrypt. Read a key file with identitiesFromKeyFile()');
  }
  const { Decrypter, identityToRecipient } = await ageLibrary();
  const decrypter = new Decrypter();
  const recipients: string[] = [];
  for (const [index, identity] of identities.entries()) {
    const invalid = (detail: string): SopsError =>
      new SopsError('INVALID_IDENTITY', `identities[${index}] is not an age secret key (${detail}). Pass AGE-SECRET-KEY-1… lines; identitiesFromKeyFile() reads an age-keygen key file`);
    if (typeof identity !== 'string') throw invalid(`it is ${typeof identity}`);
    if (!identity.trim().startsWith('AGE-SECRET-KEY-')) throw invalid('it does not start with AGE-SECRET-KEY-');
    try {
      decrypter.addIdentity(identity.trim());
      recipients.push(await identityToRecipient(identity.trim()));
    } catch (error) {
      throw invalid(reason(error));
    }
  }
  return { decrypter, recipients };
}

/** The public key (age1…) of each identity, in order: whom a key file decrypts for. */
export async function recipientsOfIdentities(identities: readonly string[]): Promise<string[]> {
  return (await decrypterFor(identities)).recipients;
}

/**
 * Opens the first `enc` block any identity can open and returns the 32-byte data key.
 * `NO_MATCHING_IDENTITY` lists the file's recipients and the identities' own recipients.
 */
export async function unwrapDataKey(entries: readonly AgeEntry[], identities: readonly string[]): Promise<Uint8Array> {
  const { decrypter, recipients: ours } = await decrypterFor(identities);
  const { armor } = await ageLibrary();
  const broken: string[] = [];
  for (const [index, entry] of entries.entries()) {
    let file: Uint8Array;
    try {
      file = armor.decode(entry.enc);
    } catch (error) {
      broken.push(`sops.age[${index}].enc (${entry.recipient}) is not an armored age file: ${reason(error)}`);
      continue;
    }
    let dataKey: Uint8Array;
    try {
      dataKey = await decrypter.decrypt(file);
    } catch (error) {
      if (!NO_MATCH.test(reason(error))) broken.push(`sops.age[${index}].enc (${entry.recipient}) could not be decrypted: ${reason(error)}`);
      continue;
    }
    if (dataKey.length !== DATA_KEY_BYTES) {
      throw new SopsError('MALFORMED_METADATA', `sops.age[${index}].enc (${entry.recipient}) holds a ${dataKey.length}-byte key instead of a ${DATA_KEY_BYTES}-byte SOPS data key`);
    }
    return dataKey;
  }
  if (broken.length > 0) {
    throw new SopsError('MALFORMED_METADATA', `the data key could not be unwrapped: ${broken.join('; ')}. Restore the sops block from version control`);
  }
  const theirs = entries.map((entry) => entry.recipient).join(', ');
  throw new SopsError(
    'NO_MATCHING_IDENTITY',
    `no age identity matches the file's recipients (${theirs}). Use the key of one of them (the identities given are for ${ours.join(', ')})`,
  );
}

/**
 * The SOPS file format (sops 3.x) for YAML documents with age recipients.
 *
 * Pure in the sense that matters here: text in, text or data out, no file or environment access,
 * inputs never mutated. Encryption is random by nature (data key, IVs, age ephemeral keys).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { checkRecipients, unwrapDataKey, wrapDataKey } from './age.js';
import { DATA_KEY_BYTES, decryptValue, encryptValue } from './cipher.js';
import { sopsDefaults } from './defaults.js';
import { SopsError } from './errors.js';
import { SOPS_KEY, buildMetadata, formatLastModified, readMetadata, sopsBlock, type SopsMetadata } from './metadata.js';
import { compileRules, decryptTree, encryptTree, type Rules } from './tree.js';
import { dumpYaml, loadYaml, toPlain, toTree, type TreeMap } from './yaml.js';

/** Options of {@link encryptYaml}. Name at most one of the four rules; none means `encryptedRegex`'s default. */
export interface EncryptOptions {
  /** age recipients (`age1…`) whose identities can decrypt the file. At least one. */
  recipients: readonly string[];
  /**
   * Encrypt the values under any key matching this (Go/JS-compatible) regex; leave the rest plain.
   * @default '^(data|stringData)$' — the payload of a Kubernetes Secret
   */
  encryptedRegex?: string;
  /** Encrypt everything except values under a key matching this regex. */
  unencryptedRegex?: string;
  /** Encrypt only values under a key ending with this suffix. */
  encryptedSuffix?: string;
  /** Encrypt everything except values under a key ending with this suffix (sops' own default: `_unencrypted`). */
  unencryptedSuffix?: string;
  /**
   * Let the MAC cover only the encrypted values (sops ≥ 3.10 `mac_only_encrypted`), so plain values
   * can be edited without sops. Older sops releases cannot verify such files.
   * @default false
   */
  macOnlyEncrypted?: boolean;
  /** The file's `lastmodified` time. @default new Date() */
  now?: Date;
}

/** Options of {@link decryptYaml}. */
export interface DecryptOptions {
  /** age identities (`AGE-SECRET-KEY-1…`); {@link identitiesFromKeyFile} reads them from a key file. */
  identities: readonly string[];
}

/** Options of {@link reencrypt}. */
export interface ReencryptOptions extends DecryptOptions {
  /** The new recipients: they replace the old ones entirely. */
  recipients: readonly string[];
  /** The new `lastmodified`. @default new Date() */
  now?: Date;
}

const RULE_OPTIONS = ['encryptedRegex', 'unencryptedRegex', 'encryptedSuffix', 'unencryptedSuffix'] as const;

function rulesFrom(options: EncryptOptions): Rules {
  const named = RULE_OPTIONS.filter((name) => options[name] !== undefined);
  if (named.length > 1) {
    throw new SopsError('INVALID_INPUT', `name at most one of ${RULE_OPTIONS.join(', ')} (got ${named.join(', ')}): sops files carry a single encryption rule`);
  }
  const rules: Rules = {};
  for (const name of named) {
    const value = options[name];
    if (typeof value !== 'string' || value === '') throw new SopsError('INVALID_INPUT', `${name} must be a non-empty string (${name}: '${String(value)}')`);
    rules[name] = value;
  }
  if (named.length === 0) rules.encryptedRegex = sopsDefaults.encryptedRegex;
  if (options.macOnlyEncrypted) rules.macOnlyEncrypted = true;
  compileRules(rules); // a bad regex fails here, before any work
  return rules;
}

/** Encrypts a checked plaintext tree under a fresh data key and writes the SOPS YAML text. */
async function writeEncrypted(data: TreeMap, recipients: readonly string[], rules: Rules, now: Date): Promise<string> {
  const lastModified = formatLastModified(now);
  const dataKey = randomBytes(DATA_KEY_BYTES);
  try {
    const { tree, mac } = encryptTree(data, dataKey, rules);
    const age = await Promise.all(recipients.map(async (recipient) => ({ recipient, enc: await wrapDataKey(dataKey, recipient) })));
    const encryptedMac = encryptValue(mac, dataKey, lastModified, 'sops.mac');
    const document: TreeMap = new Map(tree);
    document.set(SOPS_KEY, buildMetadata({ age, lastModified, mac: encryptedMac, rules }));
    return dumpYaml(document, sopsDefaults.indent);
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Encrypts a YAML document (text, or a plain object / `Map`) into a SOPS file for the given age
 * recipients. Values under keys matching the rule become `ENC[AES256_GCM,…]`; everything else stays
 * readable and is authenticated by the MAC. YAML comments are not kept.
 */
export async function encryptYaml(input: string | object, options: EncryptOptions): Promise<string> {
  const recipients = await checkRecipients(options?.recipients);
  const rules = rulesFrom(options);
  const now = options.now ?? new Date();
  formatLastModified(now);
  const data = typeof input === 'string' ? loadYaml(input) : toTree(input);
  if (!(data instanceof Map)) throw new SopsError('INVALID_INPUT', 'the document to encrypt must be a mapping (an object), as in every SOPS file');
  if (data.has(SOPS_KEY)) {
    throw new SopsError('ALREADY_ENCRYPTED', `the document already has a top-level '${SOPS_KEY}' key: it is already encrypted (or uses the key SOPS reserves). Use reencrypt() to change its recipients`);
  }
  return writeEncrypted(data, recipients, rules, now);
}

function loadSops(text: string): { data: TreeMap; metadata: SopsMetadata } {
  const document = loadYaml(text);
  const block = sopsBlock(document);
  if (!block) {
    throw new SopsError('NOT_SOPS', `the text is not a SOPS file: it has no top-level '${SOPS_KEY}:' block with mac and lastmodified. Encrypt it first`);
  }
  const metadata = readMetadata(block);
  const data = new Map(document);
  data.delete(SOPS_KEY);
  return { data, metadata };
}

function macMismatch(detail: string, cause?: unknown): SopsError {
  return new SopsError(
    'MAC_MISMATCH',
    `MAC mismatch: the file was modified after encryption (${detail}). Restore it from version control, or re-encrypt it from the plaintext`,
    cause === undefined ? {} : { cause },
  );
}

/** Decrypts and authenticates: every value must decrypt and the values must hash to the stored MAC. */
async function openSops(text: string, identities: readonly string[]): Promise<{ data: TreeMap; metadata: SopsMetadata }> {
  const { data, metadata } = loadSops(text);
  if (metadata.age.length === 0) {
    const others = metadata.otherKeyTypes.length > 0 ? ` (only ${metadata.otherKeyTypes.join(', ')})` : '';
    throw new SopsError('UNSUPPORTED', `the file's data key is not wrapped for any age recipient${others}; this implementation supports age only. Use sops itself for this file`);
  }
  const dataKey = await unwrapDataKey(metadata.age, identities);
  try {
    const { tree, mac } = decryptTree(data, dataKey, metadata.rules);
    if (metadata.mac === '') throw macMismatch('it has no MAC');
    let stored;
    try {
      stored = decryptValue(metadata.mac, dataKey, metadata.macAdditionalData, 'sops.mac').value;
    } catch (error) {
      throw macMismatch('the stored MAC does not decrypt: it or sops.lastmodified was altered', error);
    }
    const expected = Buffer.from(String(stored));
    const actual = Buffer.from(mac);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      throw macMismatch('the values no longer hash to the stored MAC: a value was added, removed, reordered or changed');
    }
    return { data: tree, metadata };
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Decrypts a SOPS YAML file and verifies its MAC; returns the plaintext document (the `sops`
 * block removed). Integers beyond 2^53 come back as `bigint`.
 */
export async function decryptYaml(text: string, options: DecryptOptions): Promise<Record<string, unknown>> {
  const { data } = await openSops(text, options?.identities);
  return toPlain(data) as Record<string, unknown>;
}

/**
 * Decrypts (verifying the MAC) and encrypts again under a new data key for new recipients, keeping
 * the values, their order and the file's encryption rule. Old identities no longer open the result
 * unless their recipient is among the new ones.
 */
export async function reencrypt(text: string, options: ReencryptOptions): Promise<string> {
  const recipients = await checkRecipients(options?.recipients);
  const now = options.now ?? new Date();
  formatLastModified(now);
  const { data, metadata } = await openSops(text, options.identities);
  return writeEncrypted(data, recipients, metadata.rules, now);
}

/** Whether the text is a SOPS-encrypted YAML document (has a `sops:` block with mac and lastmodified). Never throws. */
export function isEncrypted(text: string): boolean {
  try {
    return sopsBlock(loadYaml(text)) !== undefined;
  } catch {
    return false;
  }
}

/** The age recipients a SOPS YAML file is encrypted for, in file order. */
export function recipientsOf(text: string): string[] {
  return loadSops(text).metadata.age.map((entry) => entry.recipient);
}

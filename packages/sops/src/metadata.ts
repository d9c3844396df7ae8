/**
 * The `sops:` block: reading it from a file, writing it for ours.
 *
 * We write the layout of sops 3.11 (getsops/sops `stores/stores.go`, `Metadata`): `age`,
 * `lastmodified`, `mac`, the one encryption rule, `mac_only_encrypted` when set, `version`; empty
 * key lists are omitted. We read every layout sops 3.x writes, including the 3.8-era one with empty
 * `kms: []`, `pgp: []` lists, and a single `key_groups` entry.
 */
import type { AgeEntry } from './age.js';
import { sopsDefaults } from './defaults.js';
import { SopsError } from './errors.js';
import type { Rules } from './tree.js';
import type { Tree, TreeMap } from './yaml.js';

export const SOPS_KEY = 'sops';

/** What this package needs from a file's `sops:` block. */
export interface SopsMetadata {
  /** Age recipients and their wrapped data keys, in file order. */
  age: AgeEntry[];
  /** `lastmodified` as written. */
  lastModified: string;
  /** The MAC's additional data: `lastmodified` as Go re-formats it (`time.RFC3339`). */
  macAdditionalData: string;
  /** The encrypted MAC (`ENC[...]`), or '' when absent. */
  mac: string;
  version: string;
  rules: Rules;
  /** Non-age key types the file also lists (pgp, kms, …): named in errors, never used. */
  otherKeyTypes: string[];
}

const OTHER_KEY_TYPES = ['kms', 'gcp_kms', 'hckms', 'azure_kv', 'hc_vault', 'pgp'] as const;
const RULE_FIELDS = {
  unencrypted_suffix: 'unencryptedSuffix',
  encrypted_suffix: 'encryptedSuffix',
  unencrypted_regex: 'unencryptedRegex',
  encrypted_regex: 'encryptedRegex',
} as const;
const COMMENT_RULE_FIELDS = ['unencrypted_comment_regex', 'encrypted_comment_regex'] as const;

/** The `sops` mapping when the document has one that looks like SOPS metadata (has `mac` and `lastmodified`). */
export function sopsBlock(document: TreeMap): TreeMap | undefined {
  const block = document.get(SOPS_KEY);
  return block instanceof Map && block.has('mac') && block.has('lastmodified') ? block : undefined;
}

function malformed(problem: string): SopsError {
  return new SopsError('MALFORMED_METADATA', `the sops metadata is broken: ${problem}. Restore the file from version control`);
}

function optionalString(block: TreeMap, field: string, where = 'sops'): string | undefined {
  const value = block.get(field);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw malformed(`${where}.${field} is not a string`);
  return value;
}

function list(value: Tree | undefined, where: string): Tree[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw malformed(`${where} is not a list`);
  return value;
}

function ageEntries(value: Tree | undefined, where: string): AgeEntry[] {
  return list(value, where).map((entry, index) => {
    const at = `${where}[${index}]`;
    if (!(entry instanceof Map)) throw malformed(`${at} is not a mapping`);
    const recipient = entry.get('recipient');
    const enc = entry.get('enc');
    if (typeof recipient !== 'string' || recipient === '') throw malformed(`${at}.recipient is missing`);
    if (typeof enc !== 'string' || enc === '') throw malformed(`${at}.enc is missing`);
    return { recipient, enc };
  });
}

/**
 * Go's `time.Parse(time.RFC3339, s).Format(time.RFC3339)`: fractional seconds dropped, a zero
 * offset written `Z`. sops authenticates the MAC with this string.
 */
export function goRfc3339(text: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!match || Number.isNaN(Date.parse(text))) return undefined;
  const [, date, time, offset] = match;
  return `${date}T${time}${offset === '+00:00' || offset === '-00:00' ? 'Z' : offset}`;
}

/** `lastmodified` for a date: RFC 3339 in UTC, whole seconds, as sops writes it. */
export function formatLastModified(date: Date): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new SopsError('INVALID_INPUT', `now must be a valid Date (now: '${String(date)}')`);
  }
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Reads and checks the metadata of a document known to have a `sops` block. */
export function readMetadata(block: TreeMap): SopsMetadata {
  const lastModified = block.get('lastmodified');
  if (typeof lastModified !== 'string') throw malformed('sops.lastmodified is not a string');
  const macAdditionalData = goRfc3339(lastModified);
  if (macAdditionalData === undefined) throw malformed(`sops.lastmodified is not an RFC 3339 time (sops.lastmodified: '${lastModified}')`);
  const mac = block.get('mac') ?? '';
  if (typeof mac !== 'string') throw malformed('sops.mac is not a string');
  const version = optionalString(block, 'version') ?? '';

  let age = ageEntries(block.get('age'), 'sops.age');
  const otherKeyTypes: string[] = OTHER_KEY_TYPES.filter((type) => list(block.get(type), `sops.${type}`).length > 0);
  const groups = list(block.get('key_groups'), 'sops.key_groups');
  if (groups.length > 1) {
    throw new SopsError('UNSUPPORTED', `the file splits its data key over ${groups.length} key groups (Shamir secret sharing), which this implementation does not support. Use sops itself for this file`);
  }
  const [group] = groups;
  if (group !== undefined) {
    if (!(group instanceof Map)) throw malformed('sops.key_groups[0] is not a mapping');
    age = [...age, ...ageEntries(group.get('age'), 'sops.key_groups[0].age')];
    otherKeyTypes.push(...OTHER_KEY_TYPES.filter((type) => list(group.get(type), `sops.key_groups[0].${type}`).length > 0));
  }

  for (const field of COMMENT_RULE_FIELDS) {
    if (optionalString(block, field) !== undefined) {
      throw new SopsError('UNSUPPORTED', `the file selects values by comments (sops.${field}), which this implementation does not support (it does not keep YAML comments). Use sops itself for this file`);
    }
  }
  const rules: Rules = {};
  for (const [field, rule] of Object.entries(RULE_FIELDS)) {
    const value = optionalString(block, field);
    if (value !== undefined) rules[rule] = value;
  }
  if (Object.keys(rules).length > 1) {
    throw malformed(`it names more than one of ${Object.keys(RULE_FIELDS).join(', ')}, which sops forbids`);
  }
  if (Object.keys(rules).length === 0) rules.unencryptedSuffix = sopsDefaults.implicitUnencryptedSuffix;
  const macOnlyEncrypted = block.get('mac_only_encrypted');
  if (macOnlyEncrypted !== undefined && macOnlyEncrypted !== null && typeof macOnlyEncrypted !== 'boolean') {
    throw malformed('sops.mac_only_encrypted is not a boolean');
  }
  if (macOnlyEncrypted === true) rules.macOnlyEncrypted = true;

  return { age, lastModified, macAdditionalData, mac, version, rules, otherKeyTypes };
}

/** The `sops:` block we write, in sops 3.11's field order. */
export function buildMetadata(input: { age: readonly AgeEntry[]; lastModified: string; mac: string; rules: Rules }): TreeMap {
  const block: TreeMap = new Map();
  block.set('age', input.age.map(({ recipient, enc }) => new Map<string, Tree>([['recipient', recipient], ['enc', enc]])));
  block.set('lastmodified', input.lastModified);
  block.set('mac', input.mac);
  for (const [field, rule] of Object.entries(RULE_FIELDS)) {
    const value = input.rules[rule];
    if (value !== undefined) block.set(field, value);
  }
  if (input.rules.macOnlyEncrypted) block.set('mac_only_encrypted', true);
  block.set('version', sopsDefaults.formatVersion);
  return block;
}

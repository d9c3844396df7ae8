/**
 * Walking a document the way sops does (getsops/sops `sops.go`: `walkBranch`, `shouldBeEncrypted`,
 * `Tree.Encrypt`, `Tree.Decrypt`).
 *
 * - The path of a value is the list of mapping keys above it; sequence indices are not part of it.
 *   Its additional data is `keys.join(':') + ':'` (`complex:array:` for every item of that list).
 * - Whether a value is encrypted depends on the keys of its path only: with `encrypted_regex`, a
 *   value is encrypted when any key on its path matches (so everything below a matching key is);
 *   `unencrypted_suffix` exempts a value when any key on its path ends with the suffix; and so on.
 * - The MAC is SHA-512 over the text form of every non-null value in document order — encrypted or
 *   not, so plain metadata is authenticated too — unless `mac_only_encrypted` is set (then only
 *   encrypted values, after a fixed 32-byte prefix). It is written as uppercase hex.
 */
import { createHash, type Hash } from 'node:crypto';
import { decryptValue, encryptValue, looksEncrypted, plainForm } from './cipher.js';
import { SopsError } from './errors.js';
import { childPath, type Tree, type TreeMap } from './yaml.js';

/** Which values are encrypted: at most one of the four selectors, like sops. */
export interface Rules {
  unencryptedSuffix?: string;
  encryptedSuffix?: string;
  unencryptedRegex?: string;
  encryptedRegex?: string;
  /** Hash only the encrypted values (sops ≥ 3.10 `mac_only_encrypted`). */
  macOnlyEncrypted?: boolean;
}

/** sops' `MACOnlyEncryptedInitialization`: SHA-256 of "sops", fed first when only encrypted values are hashed. */
const MAC_ONLY_ENCRYPTED_PREFIX = createHash('sha256').update('sops').digest();

/**
 * Compiles a sops (Go RE2) regex for JS. Go's leading inline flags `(?i)`, `(?s)`, `(?m)` become
 * JS flags; the common syntax is shared. Unanchored like Go's `regexp.Match`.
 */
export function compileGoRegex(pattern: string, field: string): RegExp {
  const flags = /^\(\?([ims]+)\)/.exec(pattern);
  try {
    return flags ? new RegExp(pattern.slice(flags[0].length), flags[1]) : new RegExp(pattern);
  } catch (cause) {
    throw new SopsError('INVALID_INPUT', `${field} '${pattern}' is not a regular expression this implementation can run (${(cause as Error).message})`, { cause });
  }
}

interface CompiledRules {
  shouldEncrypt(keys: readonly string[]): boolean;
  macOnlyEncrypted: boolean;
}

export function compileRules(rules: Rules): CompiledRules {
  const encryptedRegex = rules.encryptedRegex ? compileGoRegex(rules.encryptedRegex, 'encrypted_regex') : undefined;
  const unencryptedRegex = rules.unencryptedRegex ? compileGoRegex(rules.unencryptedRegex, 'unencrypted_regex') : undefined;
  const { unencryptedSuffix, encryptedSuffix } = rules;
  return {
    macOnlyEncrypted: rules.macOnlyEncrypted ?? false,
    shouldEncrypt(keys) {
      let encrypted = true;
      if (unencryptedSuffix && keys.some((key) => key.endsWith(unencryptedSuffix))) encrypted = false;
      if (encryptedSuffix) encrypted = keys.some((key) => key.endsWith(encryptedSuffix));
      if (unencryptedRegex && keys.some((key) => unencryptedRegex.test(key))) encrypted = false;
      if (encryptedRegex) encrypted = keys.some((key) => encryptedRegex.test(key));
      return encrypted;
    },
  };
}

/** The sops path string of a value: its keys joined by ':' with a trailing ':'. */
export function additionalData(keys: readonly string[]): string {
  return `${keys.join(':')}:`;
}

function newMac(rules: CompiledRules): Hash {
  const hash = createHash('sha512');
  if (rules.macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_PREFIX);
  return hash;
}

type Leaf = Exclude<Tree, Tree[] | TreeMap>;
type LeafVisitor = (value: Exclude<Leaf, null>, keys: readonly string[], path: string) => Tree;

/** Rebuilds the tree, replacing every non-null scalar with `visit(...)`, in document order. */
function mapLeaves(tree: Tree, keys: readonly string[], path: string, visit: LeafVisitor): Tree {
  if (tree === null) return null;
  if (Array.isArray(tree)) return tree.map((item, index) => mapLeaves(item, keys, childPath(path, index), visit));
  if (tree instanceof Map) {
    const out: TreeMap = new Map();
    for (const [key, value] of tree) out.set(key, mapLeaves(value, [...keys, key], childPath(path, key), visit));
    return out;
  }
  return visit(tree, keys, path);
}

/** Encrypts the selected values; returns the new tree and the MAC (uppercase hex SHA-512). */
export function encryptTree(tree: TreeMap, dataKey: Uint8Array, rules: Rules): { tree: TreeMap; mac: string } {
  const compiled = compileRules(rules);
  const hash = newMac(compiled);
  const out = mapLeaves(tree, [], '', (value, keys, path) => {
    const encrypted = compiled.shouldEncrypt(keys);
    if (!compiled.macOnlyEncrypted || encrypted) hash.update(plainForm(value, path).bytes);
    return encrypted ? encryptValue(value, dataKey, additionalData(keys), path) : value;
  }) as TreeMap;
  return { tree: out, mac: hash.digest('hex').toUpperCase() };
}

/** Decrypts the selected values; returns the plaintext tree and the MAC computed over it. */
export function decryptTree(tree: TreeMap, dataKey: Uint8Array, rules: Rules): { tree: TreeMap; mac: string } {
  const compiled = compileRules(rules);
  const hash = newMac(compiled);
  const out = mapLeaves(tree, [], '', (value, keys, path) => {
    const encrypted = compiled.shouldEncrypt(keys);
    if (!encrypted) {
      if (!compiled.macOnlyEncrypted) hash.update(plainForm(value, path).bytes);
      return value;
    }
    if (typeof value !== 'string') {
      throw new SopsError(
        'MALFORMED_VALUE',
        `the value at ${path} should be encrypted (its key path matches the file's rules) but is a plain ${typeof value}: it was edited after encryption. Restore it or re-encrypt the file`,
        { path },
      );
    }
    if (value !== '' && !looksEncrypted(value)) {
      throw new SopsError(
        'MALFORMED_VALUE',
        `the value at ${path} should be encrypted (its key path matches the file's rules) but is plain text: it was edited after encryption. Restore it or re-encrypt the file`,
        { path },
      );
    }
    const { value: plain, macBytes } = decryptValue(value, dataKey, additionalData(keys), path);
    hash.update(macBytes);
    return plain;
  }) as TreeMap;
  return { tree: out, mac: hash.digest('hex').toUpperCase() };
}

/**
 * One SOPS value: `ENC[AES256_GCM,data:<b64>,iv:<b64>,tag:<b64>,type:<type>]`.
 *
 * AES-256-GCM with a 32-byte random IV (sops' `nonceSize`) and a 16-byte tag; the additional
 * data is the value's key path (`complex:array:`), so a value moved to another key no longer
 * decrypts. The plaintext is the value's text form, which is also what the MAC hashes:
 * Go's `strconv.Itoa` for ints, `strconv.FormatFloat(v, 'f', -1, 64)` for floats, `True`/`False`
 * for booleans (a Python-era convention sops kept). See getsops/sops `aes/cipher.go` and
 * `sops.go` (`ToBytes`).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SopsError } from './errors.js';
import type { Scalar } from './yaml.js';

export const DATA_KEY_BYTES = 32;
export const IV_BYTES = 32;
export const TAG_BYTES = 16;

/** A scalar sops encrypts (`null` is left as is and not hashed). */
export type Encryptable = Exclude<Scalar, null>;

const ENC_SHAPE = /^ENC\[AES256_GCM,data:(.*),iv:(.*),tag:(.*),type:(.*)\]$/s;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const KNOWN_TYPES = new Set(['str', 'int', 'int64', 'float', 'bool', 'bytes', 'time']);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Whether a string has the outer shape of an encrypted value (not whether it is valid). */
export function looksEncrypted(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('ENC[');
}

/**
 * Go's `strconv.FormatFloat(n, 'f', -1, 64)`: the shortest digits that round-trip, never an
 * exponent (`1e21` → `1000000000000000000000`, `1e-7` → `0.0000001`), `NaN`, `+Inf`, `-Inf`.
 */
export function goFormatFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  // toExponential() without an argument yields the shortest round-trip digits, as Go's -1 precision does.
  const [mantissa = '', exponent = '0'] = Math.abs(n).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const point = Number(exponent) + 1; // digits are 0.d1d2d3… × 10^point
  let text: string;
  if (point <= 0) text = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) text = digits + '0'.repeat(point - digits.length);
  else text = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return n < 0 ? `-${text}` : text;
}

/** The sops type name and text bytes of a plaintext value: what is encrypted and what the MAC hashes. */
export function plainForm(value: Encryptable, path: string): { type: 'str' | 'int' | 'float' | 'bool'; bytes: Uint8Array } {
  switch (typeof value) {
    case 'string':
      return { type: 'str', bytes: utf8.encode(value) };
    case 'boolean':
      return { type: 'bool', bytes: utf8.encode(value ? 'True' : 'False') };
    case 'bigint':
      if (value < INT64_MIN || value > INT64_MAX) {
        throw new SopsError('INVALID_INPUT', `the integer at ${path} does not fit in 64 bits, which sops requires. Quote it to store it as a string`, { path });
      }
      return { type: 'int', bytes: utf8.encode(value.toString()) };
    case 'number':
      // A whole number is an int (yaml.v3 reads `3` as int); 3.0 hashes the same either way ("3").
      if (Number.isSafeInteger(value)) return { type: 'int', bytes: utf8.encode(String(value)) };
      return { type: 'float', bytes: utf8.encode(goFormatFloat(value)) };
  }
}

/**
 * Encrypts one value under the data key. Empty strings stay empty, unencrypted — sops does the
 * same (its value syntax cannot hold empty data).
 */
export function encryptValue(value: Encryptable, key: Uint8Array, additionalData: string, path: string, iv: Uint8Array = randomBytes(IV_BYTES)): string {
  if (value === '') return '';
  const { type, bytes } = plainForm(value, path);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(utf8.encode(additionalData));
  const data = Buffer.concat([cipher.update(bytes), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${Buffer.from(iv).toString('base64')},tag:${tag.toString('base64')},type:${type}]`;
}

interface ParsedValue {
  data: Uint8Array;
  iv: Uint8Array;
  tag: Uint8Array;
  type: string;
}

/** Splits an `ENC[...]` string, or explains what is wrong with it (without echoing it). */
export function parseEncrypted(text: string, path: string): ParsedValue {
  const match = ENC_SHAPE.exec(text);
  const malformed = (problem: string): SopsError =>
    new SopsError('MALFORMED_VALUE', `the encrypted value at ${path} is corrupted: ${problem}. Restore the file from version control`, { path });
  if (!match) throw malformed(`it does not have the form ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`);
  const [, data = '', iv = '', tag = '', type = ''] = match;
  const fields = { data, iv, tag };
  for (const [name, field] of Object.entries(fields)) {
    if (field === '' || !BASE64.test(field)) throw malformed(`its ${name} is not valid base64`);
  }
  if (!KNOWN_TYPES.has(type)) throw malformed(`its type '${type}' is not one sops writes (str, int, float, bool)`);
  const parsed = { data: Buffer.from(data, 'base64'), iv: Buffer.from(iv, 'base64'), tag: Buffer.from(tag, 'base64'), type };
  if (parsed.tag.length !== TAG_BYTES) throw malformed(`its tag has ${parsed.tag.length} bytes instead of ${TAG_BYTES}`);
  return parsed;
}

function parseGoInt(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

function parseGoFloat(text: string): number | undefined {
  if (/^nan$/i.test(text)) return NaN;
  const inf = /^([+-]?)(?:inf|infinity)$/i.exec(text);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  if (!/^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined; // Go: out of range is an error
}

function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/** A decrypted value and the bytes the MAC hashes for it (sops hashes the re-serialised value). */
export interface DecryptedValue {
  value: Encryptable;
  macBytes: Uint8Array;
}

/** Decrypts one value; `VALUE_DECRYPT_FAILED` when AES-GCM rejects it. */
export function decryptValue(text: string, key: Uint8Array, additionalData: string, path: string): DecryptedValue {
  if (text === '') return { value: '', macBytes: new Uint8Array() };
  const { data, iv, tag, type } = parseEncrypted(text, path);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    decipher.setAAD(utf8.encode(additionalData));
    plain = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch (cause) {
    throw new SopsError(
      'VALUE_DECRYPT_FAILED',
      `cannot decrypt the value at ${path}: AES-GCM authentication failed, so the file was modified after encryption (the value was altered, moved from another key or copied from another file). Restore it from version control`,
      { path, cause },
    );
  }
  const textValue = utf8Decoder.decode(plain);
  const invalid = (): SopsError =>
    new SopsError('MALFORMED_VALUE', `the value at ${path} decrypts to something that is not a valid ${type}`, { path });
  switch (type) {
    case 'str':
    case 'bytes':
    case 'time': // sops ≥ 3.10 stores YAML timestamps as their RFC 3339 text; we hand back that text
      return { value: textValue, macBytes: plain };
    case 'int':
    case 'int64': {
      const value = parseGoInt(textValue);
      if (value === undefined) throw invalid();
      const asNumber = Number(value);
      return { value: Number.isSafeInteger(asNumber) ? asNumber : value, macBytes: utf8.encode(value.toString()) };
    }
    case 'float': {
      const value = parseGoFloat(textValue);
      if (value === undefined) throw invalid();
      return { value, macBytes: utf8.encode(goFormatFloat(value)) };
    }
    case 'bool': {
      const value = parseGoBool(textValue);
      if (value === undefined) throw invalid();
      return { value, macBytes: utf8.encode(value ? 'True' : 'False') };
    }
    default:
      throw invalid();
  }
}

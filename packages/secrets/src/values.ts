/**
 * Secret values: each declared once (`SecretValue`), carried by one or more Secret keys. This is
 * where a value's copies are found, where a generated value is made and where an external value's
 * format is checked.
 */
import { randomInt, randomBytes } from 'node:crypto';
import { secretValueOf, type SecretGenerator, type SecretValue } from '@homelab/core';
import { identitiesFromKeyFile } from '@homelab/sops';
import type { DeclaredSecret } from './files.js';

/** One Secret key that carries a value. */
export interface Carrier {
  secret: DeclaredSecret;
  key: string;
}

/** A declared value and every key that carries it. */
export interface DeclaredValue {
  value: SecretValue;
  /** `KEY` of `--from-env-file` lines: the id in upper case, every other character run an underscore. */
  env: string;
  carriers: Carrier[];
}

export const envNameOf = (id: string): string => id.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '');

const describeGenerator = (generator: SecretGenerator): string =>
  'bytes' in generator ? `${generator.bytes} random bytes, ${generator.encoding}` : `${generator.length} random characters, ${generator.alphabet}`;

/** How a value comes to be, for listings: `generated (…)` or `external`. */
export const describeOrigin = (value: SecretValue): string => (value.generate ? `generated (${describeGenerator(value.generate)})` : `external${value.format && value.format !== 'text' ? ` (${value.format})` : ''}`);

/**
 * Every value the declared secrets carry, sorted by id. Throws when one id is declared twice with
 * different facts, when two ids share an env name, or when a declaration names a value for a key it
 * does not have: a package bug, reported with both places.
 */
export function declaredValues(secrets: readonly DeclaredSecret[]): DeclaredValue[] {
  const byId = new Map<string, DeclaredValue>();
  const byEnv = new Map<string, string>();
  for (const secret of secrets) {
    for (const key of Object.keys(secret.declaration.values ?? {})) {
      if (!secret.declaration.keys.includes(key)) throw new Error(`${secret.component.name}: Secret ${secret.id} declares a value for key '${key}', which is not one of its keys (${secret.declaration.keys.join(', ')})`);
    }
    for (const key of secret.declaration.keys) {
      const value = secretValueOf(secret.declaration, key);
      const known = byId.get(value.id);
      if (known) {
        if (JSON.stringify(known.value.generate) !== JSON.stringify(value.generate) || (known.value.format ?? 'text') !== (value.format ?? 'text')) {
          const first = known.carriers[0]!;
          throw new Error(`secret value ${value.id} is declared twice with different facts: by ${first.secret.id} key ${first.key} and by ${secret.id} key ${key}. Declare it once and reference that declaration.`);
        }
        known.carriers.push({ secret, key });
        continue;
      }
      const env = envNameOf(value.id);
      const clash = byEnv.get(env);
      if (clash) throw new Error(`secret values ${clash} and ${value.id} would both be ${env} in an env file: rename one`);
      byEnv.set(env, value.id);
      byId.set(value.id, { value, env, carriers: [{ secret, key }] });
    }
  }
  return [...byId.values()].sort((a, b) => (a.value.id < b.value.id ? -1 : a.value.id > b.value.id ? 1 : 0));
}

/** An age X25519 identity: the Bech32 encoding of 32 bytes. */
const AGE_IDENTITY = /^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/;

const ALPHABETS = {
  alphanumeric: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  lowercase: 'abcdefghijklmnopqrstuvwxyz0123456789',
} as const;

/** A new value from the CSPRNG (node:crypto); characters are drawn without modulo bias. */
export function generateValue(generator: SecretGenerator): string {
  if ('bytes' in generator) {
    const bytes = randomBytes(generator.bytes);
    return generator.encoding === 'hex' ? bytes.toString('hex') : bytes.toString(generator.encoding);
  }
  const alphabet = ALPHABETS[generator.alphabet];
  let text = '';
  // A user name must not start with a digit: the lowercase alphabet's first character is a letter.
  if (generator.alphabet === 'lowercase') text += alphabet[randomInt(26)];
  while (text.length < generator.length) text += alphabet[randomInt(alphabet.length)];
  return text;
}

/** Why `text` cannot be this value (never quoting it), or undefined when it can. */
export function formatProblem(value: SecretValue, text: string): string | undefined {
  if (text === '') return 'is empty: give it a value';
  switch (value.format ?? 'text') {
    case 'json':
      try {
        JSON.parse(text);
        return undefined;
      } catch {
        return 'is not JSON (it must be the whole credentials file, e.g. --from-file or one line of JSON)';
      }
    case 'age-identity': {
      let identities: string[];
      try {
        identities = identitiesFromKeyFile(text);
      } catch {
        identities = [];
      }
      const valid = identities.length > 0 && identities.every((identity) => AGE_IDENTITY.test(identity));
      return valid ? undefined : 'is not an age identity (an AGE-SECRET-KEY-1… line, as age-keygen writes)';
    }
    case 'text':
      return undefined;
  }
}

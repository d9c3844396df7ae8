/** The pieces of the format that the fixtures exercise only partly. */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptValue, encryptValue, goFormatFloat, plainForm } from './cipher.js';
import { goRfc3339 } from './metadata.js';
import { additionalData, compileGoRegex, compileRules, encryptTree } from './tree.js';
import { dumpYaml, loadYaml } from './yaml.js';

describe('goFormatFloat (Go strconv.FormatFloat(v, "f", -1, 64))', () => {
  it('writes the shortest round-trip digits without an exponent', () => {
    const samples = [3.14, 0.1 + 0.2, 1e21, 1e23, 1e-7, 5e-324, 1.7976931348623157e308, 123456.789, -2.5, 2 ** 53 + 2];
    for (let i = 0; i < 2000; i += 1) samples.push(new Float64Array(randomBytes(8).buffer)[0]!);
    for (const value of samples.filter(Number.isFinite)) {
      const text = goFormatFloat(value);
      expect(text).toMatch(/^-?\d+(\.\d+)?$/);
      expect(Number(text)).toBe(value);
      // as short as JS's own shortest form (same significant digits)
      const significant = (s: string): string => s.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
      expect(significant(text)).toBe(significant(String(value)));
    }
  });

  it('spells the specials the Go way', () => {
    expect([NaN, Infinity, -Infinity].map(goFormatFloat)).toEqual(['NaN', '+Inf', '-Inf']);
  });
});

describe('values', () => {
  const key = randomBytes(32);
  it('round-trip every type through encrypt and decrypt, with the MAC bytes sops hashes', () => {
    for (const value of ['s', 'ünï', 7, -7, 0, 2.5, 1e21, true, false, 9_007_199_254_740_993n, NaN, Infinity]) {
      const token = encryptValue(value, key, 'a:b:', 'a.b');
      const { value: back, macBytes } = decryptValue(token, key, 'a:b:', 'a.b');
      expect(back).toEqual(value);
      expect(Buffer.from(macBytes)).toEqual(Buffer.from(plainForm(value, 'a.b').bytes));
    }
  });

  it('types: whole numbers are int, others float; booleans hash as True/False', () => {
    expect(plainForm(3, 'x')).toMatchObject({ type: 'int' });
    expect(plainForm(3.5, 'x')).toMatchObject({ type: 'float' });
    expect(Buffer.from(plainForm(true, 'x').bytes).toString()).toBe('True');
    expect(Buffer.from(plainForm(1e21, 'x').bytes).toString()).toBe('1'.padEnd(22, '0'));
  });

  it('leaves empty strings unencrypted, like sops', () => {
    expect(encryptValue('', key, 'a:', 'a')).toBe('');
    expect(decryptValue('', key, 'a:', 'a').value).toBe('');
  });

  it('bind a value to its key path', () => {
    const token = encryptValue('x', key, 'a:b:', 'a.b');
    expect(() => decryptValue(token, key, 'a:c:', 'a.c')).toThrow(/AES-GCM authentication failed/);
  });

  it('refuse a truncated tag instead of trusting a shorter one', () => {
    const token = encryptValue('x', key, 'a:', 'a');
    const short = token.replace(/tag:([^,\]]+)/, (_, tag: string) => `tag:${Buffer.from(tag, 'base64').subarray(0, 12).toString('base64')}`);
    expect(() => decryptValue(short, key, 'a:', 'a')).toThrow(/its tag has 12 bytes instead of 16/);
  });

  it('accept what Go accepts when reading ints, floats and bools', () => {
    const sealed = (plaintext: string, type: string): string => {
      const token = encryptValue(plaintext, key, 'a:', 'a');
      return token.replace(/type:str\]$/, `type:${type}]`);
    };
    expect(decryptValue(sealed('+5', 'int'), key, 'a:', 'a')).toEqual({ value: 5, macBytes: new TextEncoder().encode('5') });
    expect(decryptValue(sealed('t', 'bool'), key, 'a:', 'a').value).toBe(true);
    expect(decryptValue(sealed('1e3', 'float'), key, 'a:', 'a').value).toBe(1000);
    expect(() => decryptValue(sealed('yes', 'bool'), key, 'a:', 'a')).toThrow(/not a valid bool/);
    expect(() => decryptValue(sealed('9223372036854775808', 'int'), key, 'a:', 'a')).toThrow(/not a valid int/);
  });
});

describe('tree rules (sops shouldBeEncrypted)', () => {
  it('joins the keys of a path with ":" and a trailing ":"', () => {
    expect(additionalData(['complex', 'array'])).toBe('complex:array:');
    expect(additionalData([])).toBe(':');
  });

  it('encrypt everything under a key matching encrypted_regex, on any level', () => {
    const rules = compileRules({ encryptedRegex: '^(data|stringData)$' });
    expect(rules.shouldEncrypt(['data'])).toBe(true);
    expect(rules.shouldEncrypt(['data', 'nested', 'deep'])).toBe(true);
    expect(rules.shouldEncrypt(['spec', 'data'])).toBe(true);
    expect(rules.shouldEncrypt(['metadata', 'name'])).toBe(false);
    expect(rules.shouldEncrypt(['database'])).toBe(false);
  });

  it('apply suffix rules to any key of the path', () => {
    expect(compileRules({ unencryptedSuffix: '_unencrypted' }).shouldEncrypt(['a_unencrypted', 'b'])).toBe(false);
    expect(compileRules({ unencryptedSuffix: '_unencrypted' }).shouldEncrypt(['a', 'b'])).toBe(true);
    expect(compileRules({ encryptedSuffix: '_enc' }).shouldEncrypt(['x_enc', 'y'])).toBe(true);
    expect(compileRules({ encryptedSuffix: '_enc' }).shouldEncrypt(['x'])).toBe(false);
    expect(compileRules({ unencryptedRegex: '^public' }).shouldEncrypt(['publicKey'])).toBe(false);
  });

  it("translate Go's leading inline flags", () => {
    expect(compileGoRegex('(?i)^password$', 'encrypted_regex').test('PASSWORD')).toBe(true);
  });

  it("start the MAC with sops' MACOnlyEncryptedInitialization when only encrypted values count", () => {
    // The 32 bytes as listed in getsops/sops sops.go.
    const initialization = Buffer.from([
      0x8a, 0x3f, 0xd2, 0xad, 0x54, 0xce, 0x66, 0x52, 0x7b, 0x10, 0x34, 0xf3, 0xd1, 0x47, 0xbe, 0xb, 0xb, 0x97, 0x5b, 0x3b, 0xf4, 0x4f, 0x72, 0xc6, 0xfd, 0xad,
      0xec, 0x81, 0x76, 0xf2, 0x7d, 0x69,
    ]);
    const tree = new Map([['plain', 'p'], ['secret', 's']]);
    const { mac } = encryptTree(tree, randomBytes(32), { encryptedRegex: '^secret$', macOnlyEncrypted: true });
    expect(mac).toBe(createHash('sha512').update(initialization).update('s').digest('hex').toUpperCase());
    const full = encryptTree(tree, randomBytes(32), { encryptedRegex: '^secret$' });
    expect(full.mac).toBe(createHash('sha512').update('p').update('s').digest('hex').toUpperCase());
  });
});

describe('metadata and YAML', () => {
  it("re-format lastmodified the way Go's RFC3339 round trip does", () => {
    expect(goRfc3339('2024-03-25T22:08:10Z')).toBe('2024-03-25T22:08:10Z');
    expect(goRfc3339('2024-03-25T22:08:10.123456Z')).toBe('2024-03-25T22:08:10Z');
    expect(goRfc3339('2024-03-25T22:08:10+00:00')).toBe('2024-03-25T22:08:10Z');
    expect(goRfc3339('2024-03-25T22:08:10+02:00')).toBe('2024-03-25T22:08:10+02:00');
    expect(goRfc3339('2024-03-25 22:08:10')).toBeUndefined();
  });

  it('read YAML 1.2 core scalars as yaml.v3 does, and big integers exactly', () => {
    const tree = loadYaml('a: yes\nb: 2024-01-01\nc: 0x1F\nd: 9007199254740993\ne: ~\nf: 1.0\n');
    expect([...tree.values()]).toEqual(['yes', '2024-01-01', 31, 9_007_199_254_740_993n, null, 1]);
    expect(loadYaml(dumpYaml(tree, 2))).toEqual(tree);
  });

  it('quote strings another reader could take for something else', () => {
    const tree = new Map<string, string>([['a', 'yes'], ['b', '0777'], ['c', '1e3'], ['d', 'null'], ['e', '2024-01-01']]);
    expect(loadYaml(dumpYaml(tree, 2))).toEqual(tree);
    for (const line of dumpYaml(tree, 2).trim().split('\n')) expect(line).toMatch(/^\w: '.*'$/);
  });
});

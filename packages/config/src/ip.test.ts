import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { contains, containsRange, formatIpv4, formatRange, hasHostBits, isIpv4, overlaps, parseCidr, parseIpv4, rangeSize, type Ipv4Range } from './ip.js';

const MAX = 2 ** 32 - 1;
const range = (start: number, end: number): Ipv4Range => ({ start, end });

describe('isIpv4 / parseIpv4 / formatIpv4', () => {
  it.each([
    ['0.0.0.0', 0],
    ['0.0.0.1', 1],
    ['0.0.1.0', 256],
    ['10.0.0.1', 167772161],
    ['192.168.30.1', 3232243201],
    ['255.255.255.255', MAX],
  ])('parses %s as %i and formats it back', (text, value) => {
    expect(isIpv4(text)).toBe(true);
    expect(parseIpv4(text)).toBe(value);
    expect(formatIpv4(value)).toBe(text);
  });

  it('round-trips every address', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: MAX }), (value) => parseIpv4(formatIpv4(value)) === value));
    fc.assert(fc.property(fc.ipV4(), (text) => formatIpv4(parseIpv4(text)) === text));
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '1.2.3.',
    '.1.2.3',
    '1..2.3',
    '256.0.0.0',
    '1.2.3.256',
    '01.2.3.4',
    '1.2.3.004',
    '-1.2.3.4',
    '+1.2.3.4',
    ' 1.2.3.4',
    '1.2.3.4 ',
    '1.2.3.4/24',
    'a.b.c.d',
    '0x1.2.3.4',
    '1e1.2.3.4',
    '１.2.3.4',
  ])('rejects malformed address %j', (text) => {
    expect(isIpv4(text)).toBe(false);
    expect(() => parseIpv4(text)).toThrow(`not an IPv4 address: '${text}'`);
  });
});

describe('parseCidr', () => {
  it('covers the whole address space for /0, whatever the address', () => {
    expect(parseCidr('0.0.0.0/0')).toEqual({ start: 0, end: MAX, prefix: 0 });
    expect(parseCidr('10.1.2.3/0')).toEqual({ start: 0, end: MAX, prefix: 0 });
  });

  it('splits the space in halves at /1', () => {
    expect(parseCidr('127.255.255.255/1')).toEqual({ start: 0, end: 2 ** 31 - 1, prefix: 1 });
    expect(parseCidr('128.0.0.0/1')).toEqual({ start: 2 ** 31, end: MAX, prefix: 1 });
  });

  it('covers 256 addresses, network and broadcast included, at /24', () => {
    const block = parseCidr('192.168.30.0/24');
    expect(block).toEqual({ start: parseIpv4('192.168.30.0'), end: parseIpv4('192.168.30.255'), prefix: 24 });
    expect(block && rangeSize(block)).toBe(256);
    expect(parseCidr('192.168.30.77/24')).toEqual(block);
  });

  it('covers 2 addresses at /31 and one at /32', () => {
    expect(parseCidr('10.0.0.5/31')).toEqual({ start: parseIpv4('10.0.0.4'), end: parseIpv4('10.0.0.5'), prefix: 31 });
    expect(parseCidr('10.0.0.5/32')).toEqual({ start: parseIpv4('10.0.0.5'), end: parseIpv4('10.0.0.5'), prefix: 32 });
    expect(parseCidr('255.255.255.255/32')).toEqual({ start: MAX, end: MAX, prefix: 32 });
  });

  it('aligns every block to its size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX }), fc.integer({ min: 0, max: 32 }), (address, prefix) => {
        const block = parseCidr(`${formatIpv4(address)}/${prefix}`);
        const size = 2 ** (32 - prefix);
        return block !== undefined && block.start % size === 0 && rangeSize(block) === size && contains(block, address);
      }),
    );
  });

  it.each([
    '',
    '/24',
    '10.0.0.0',
    '10.0.0.0/',
    '10.0.0.0/33',
    '10.0.0.0/-1',
    '10.0.0.0/+8',
    '10.0.0.0/8.0',
    '10.0.0.0/ 8',
    '10.0.0.0/8 ',
    '10.0.0.0/0x18',
    '10.0.0.0/1e1',
    '10.0.0.0/100',
    '10.0.0.0/24/8',
    '10.0.0/8',
    '300.0.0.0/8',
    'ten.0.0.0/8',
  ])('rejects malformed CIDR %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
    expect(hasHostBits(text)).toBe(false);
  });
});

describe('hasHostBits', () => {
  it.each([
    ['192.168.30.0/24', false],
    ['192.168.30.5/24', true],
    ['192.168.30.255/24', true],
    ['10.0.0.0/8', false],
    ['10.0.0.1/8', true],
    ['10.0.0.1/32', false],
    ['10.0.0.1/31', true],
    ['0.0.0.0/0', false],
    ['0.0.0.1/0', true],
  ])('%s → %s', (text, expected) => {
    expect(hasHostBits(text)).toBe(expected);
  });
});

describe('range helpers', () => {
  it('contains includes both ends', () => {
    const r = range(10, 20);
    expect([9, 10, 15, 20, 21].map((address) => contains(r, address))).toEqual([false, true, true, true, false]);
    expect(contains(range(5, 5), 5)).toBe(true);
  });

  it('containsRange accepts equal bounds and rejects one address past either end', () => {
    const outer = range(10, 20);
    expect(containsRange(outer, range(10, 20))).toBe(true);
    expect(containsRange(outer, range(12, 12))).toBe(true);
    expect(containsRange(outer, range(9, 20))).toBe(false);
    expect(containsRange(outer, range(10, 21))).toBe(false);
    expect(containsRange(range(12, 12), outer)).toBe(false);
  });

  it.each([
    ['touching at one address', range(1, 5), range(5, 9), true],
    ['adjacent', range(1, 5), range(6, 9), false],
    ['far apart', range(1, 5), range(100, 200), false],
    ['identical', range(1, 5), range(1, 5), true],
    ['nested', range(1, 100), range(40, 50), true],
    ['single addresses, equal', range(7, 7), range(7, 7), true],
    ['single addresses, different', range(7, 7), range(8, 8), false],
    ['single address on an end', range(7, 7), range(1, 7), true],
    ['whole space', range(0, MAX), range(MAX, MAX), true],
  ])('overlaps: %s → %s (both orders)', (_name, a, b, expected) => {
    expect(overlaps(a, b)).toBe(expected);
    expect(overlaps(b, a)).toBe(expected);
  });

  it('rangeSize and formatRange', () => {
    expect(rangeSize(range(5, 5))).toBe(1);
    expect(rangeSize(range(0, MAX))).toBe(2 ** 32);
    expect(formatRange({ start: parseIpv4('192.168.30.60'), end: parseIpv4('192.168.30.80') })).toBe('192.168.30.60-192.168.30.80');
  });
});

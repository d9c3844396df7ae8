/** IPv4 arithmetic for the IP plan checks. Addresses are unsigned 32-bit integers. */

export interface Ipv4Range {
  start: number;
  end: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((part) => OCTET.test(part));
}

export function parseIpv4(text: string): number {
  if (!isIpv4(text)) throw new Error(`not an IPv4 address: '${text}'`);
  return text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** The addresses of a CIDR block, network and broadcast included; undefined when malformed. */
export function parseCidr(text: string): (Ipv4Range & { prefix: number }) | undefined {
  const parts = text.split('/');
  const [address, prefixText] = parts;
  // Digits only: Number() would also accept '', ' 8', '0x18' and '1e1'.
  if (parts.length !== 2 || address === undefined || !isIpv4(address) || !/^\d{1,2}$/.test(prefixText ?? '')) return undefined;
  const prefix = Number(prefixText);
  if (prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const start = Math.floor(parseIpv4(address) / size) * size;
  return { start, end: start + size - 1, prefix };
}

/** The CIDR text has host bits set (192.0.2.5/24): usually a typo for the network address. */
export function hasHostBits(text: string): boolean {
  const block = parseCidr(text);
  const address = text.split('/')[0];
  return block !== undefined && address !== undefined && parseIpv4(address) !== block.start;
}

export function contains(range: Ipv4Range, address: number): boolean {
  return address >= range.start && address <= range.end;
}

export function containsRange(outer: Ipv4Range, inner: Ipv4Range): boolean {
  return inner.start >= outer.start && inner.end <= outer.end;
}

export function overlaps(a: Ipv4Range, b: Ipv4Range): boolean {
  return a.start <= b.end && b.start <= a.end;
}

export function rangeSize(range: Ipv4Range): number {
  return range.end - range.start + 1;
}

export function formatRange(range: Ipv4Range): string {
  return `${formatIpv4(range.start)}-${formatIpv4(range.end)}`;
}

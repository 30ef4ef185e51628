// IPv4 subnets of berth's virtual networks: parsing CIDR text, membership, and addresses by
// index (.1 is the gateway — the host, as host.berth.internal — containers get .2 upward).

import { UsageError } from '../errors.ts';
import { ipv4Bytes } from '../../shims/net/address.ts';

export interface Subnet {
  /** Network address as a u32. */
  readonly base: number;
  readonly prefix: number;
  readonly text: string;
}

export const ipToNumber = (ip: string): number | undefined => {
  const b = ipv4Bytes(ip);
  return b ? ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0 : undefined;
};

export const numberToIp = (n: number): string =>
  `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

export function parseSubnet(text: string): Subnet {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text);
  const ip = m ? ipToNumber(m[1]!) : undefined;
  const prefix = m ? Number(m[2]) : Number.NaN;
  if (ip === undefined || !(prefix >= 8 && prefix <= 30))
    throw new UsageError(`invalid subnet ${text}: expected an IPv4 CIDR such as 10.89.0.0/24`);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const base = (ip & mask) >>> 0;
  return { base, prefix, text: `${numberToIp(base)}/${prefix}` };
}

export function contains(subnet: Subnet, ip: string): boolean {
  const n = ipToNumber(ip);
  if (n === undefined) return false;
  const mask = (0xffffffff << (32 - subnet.prefix)) >>> 0;
  return (n & mask) >>> 0 === subnet.base;
}

export const overlaps = (a: Subnet, b: Subnet): boolean => {
  const prefix = Math.min(a.prefix, b.prefix);
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  return (a.base & mask) >>> 0 === (b.base & mask) >>> 0;
};

export const gatewayOf = (subnet: Subnet): string => numberToIp(subnet.base + 1);

/** The lowest free container address (.2 upward, below broadcast), or undefined when full. */
export function allocateIp(subnet: Subnet, taken: ReadonlySet<string>): string | undefined {
  const size = 2 ** (32 - subnet.prefix);
  for (let i = 2; i < size - 1; i++) {
    const ip = numberToIp(subnet.base + i);
    if (!taken.has(ip)) return ip;
  }
  return undefined;
}

export const isLoopback = (ip: string): boolean => ip.startsWith('127.') || ip === '0.0.0.0';

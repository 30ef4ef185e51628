// WASIX socket address structs in guest memory, and IPv4 text. __wasi_addr_port_t (20 bytes):
// u8 family tag at 0, then at 2 the port (u16, little-endian: host order in wasm) and at 4 the
// address bytes in network order. __wasi_addr_t (resolve's records, 18 bytes): tag at 0,
// address bytes at 2. Families: 0 unspec, 1 inet4, 2 inet6, 3 unix.

import type { SocketAddress } from './net-protocol.ts';

export const ADDR_PORT_SIZE = 20;
export const ADDR_SIZE = 18;
export const FAMILY_INET4 = 1;
export const FAMILY_INET6 = 2;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The four bytes of a dotted IPv4 address, or undefined. */
export function ipv4Bytes(ip: string): [number, number, number, number] | undefined {
  const m = IPV4.exec(ip);
  if (!m) return undefined;
  const bytes = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] as [number, number, number, number];
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

export const isIpv4 = (ip: string): boolean => ipv4Bytes(ip) !== undefined;

/** Reads an __wasi_addr_port_t; undefined for a family berth does not route (IPv6, unix). */
export function readAddrPort(view: DataView, at: number): SocketAddress | number {
  const family = view.getUint8(at);
  if (family !== FAMILY_INET4) return family;
  const port = view.getUint16(at + 2, true);
  const ip = `${view.getUint8(at + 4)}.${view.getUint8(at + 5)}.${view.getUint8(at + 6)}.${view.getUint8(at + 7)}`;
  return { ip, port };
}

export function writeAddrPort(view: DataView, at: number, address: SocketAddress | undefined): void {
  for (let i = 0; i < ADDR_PORT_SIZE; i++) view.setUint8(at + i, 0);
  const bytes = address ? ipv4Bytes(address.ip) : undefined;
  if (!address || !bytes) return;
  view.setUint8(at, FAMILY_INET4);
  view.setUint16(at + 2, address.port, true);
  for (let i = 0; i < 4; i++) view.setUint8(at + 4 + i, bytes[i]!);
}

export function writeAddr(view: DataView, at: number, ip: string): void {
  for (let i = 0; i < ADDR_SIZE; i++) view.setUint8(at + i, 0);
  const bytes = ipv4Bytes(ip);
  if (!bytes) return;
  view.setUint8(at, FAMILY_INET4);
  for (let i = 0; i < 4; i++) view.setUint8(at + 2 + i, bytes[i]!);
}

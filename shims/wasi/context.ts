// What every syscall module shares: guest memory, the fd table, the Vfs and the host services.

import type { Doorbell } from './fd.ts';
import type { FdTable } from './fd-table.ts';
import type { GuestFs } from './guest-fs.ts';
import type { GuestMemory } from './memory.ts';

export interface WasiClock {
  realtimeNs(): bigint;
  monotonicNs(): bigint;
}

/** NUL-terminated UTF-8 strings back to back, and where each starts. */
export interface StringBlock {
  readonly bytes: Uint8Array;
  readonly offsets: number[];
}

export interface WasiContext {
  readonly mem: GuestMemory;
  readonly fds: FdTable;
  readonly vfs: GuestFs;
  readonly clock: WasiClock;
  readonly randomFill: (buf: Uint8Array) => void;
  readonly doorbell: Doorbell;
  readonly args: StringBlock;
  readonly env: StringBlock;
  /** monotonicNs() when the process started (the cputime clocks count from it). */
  readonly startNs: bigint;
}

export const stringBlock = (strings: readonly string[]): StringBlock => {
  const encoder = new TextEncoder();
  const parts = strings.map((s) => encoder.encode(s));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
  const offsets: number[] = [];
  let at = 0;
  for (const p of parts) {
    offsets.push(at);
    bytes.set(p, at);
    at += p.length + 1;
  }
  return { bytes, offsets };
};

// Rights checks run on every call; a BigInt `&` allocates, so the low 30 bits (all the rights
// preview1 defines) of the last two rights values seen are kept as numbers.
let haveA = 0n;
let bitsA = 0;
let haveB = 0n;
let bitsB = 0;
const RIGHTS_MASK = 0x3fff_ffffn;

/** True when `have` holds every bit of `need` (rights bits as a number, see `rightsBits`). */
export const hasRights = (have: bigint, need: number): boolean => {
  let bits: number;
  if (have === haveA) bits = bitsA;
  else if (have === haveB) bits = bitsB;
  else {
    haveB = haveA;
    bitsB = bitsA;
    haveA = have;
    bits = bitsA = Number(have & RIGHTS_MASK);
  }
  return (bits & need) === need;
};

/** A rights value as the number hasRights takes. */
export const rightsBits = (rights: bigint): number => Number(rights & RIGHTS_MASK);

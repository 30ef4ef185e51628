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

/** True when `have` holds every bit of `need`. */
export const hasRights = (have: bigint, need: bigint): boolean => (have & need) === need;

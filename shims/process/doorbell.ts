// A doorbell is one Int32 cell in a SharedArrayBuffer. Every process of a container and the
// engine-side stdio pumps share one: whoever changes a pipe rings it, whoever waits re-checks
// its own condition. A spurious wake-up costs one re-check; a missed one would hang, so waiters
// read `seq()` before checking and wait only while it is unchanged.
// A second cell counts sleepers (threads in wait(), pending waitAsync()s): ring() skips the
// notify — a futex wake, ~12 µs — while nobody sleeps. Safe because every access is a
// sequentially consistent atomic: a sleeper counts itself before it checks the sequence, and a
// ringer bumps the sequence before it reads the count, so either the ringer sees the sleeper or
// the sleeper sees the new sequence and does not sleep. A transfer whose buffer has no room for
// the count (a bare 4-byte cell) always notifies.

import type { Doorbell } from '../wasi/fd.ts';

/** Structured-cloneable description of a doorbell (shares the cell). */
export interface DoorbellTransfer {
  readonly buffer: SharedArrayBuffer;
  readonly index: number;
}

type WaitAsync = (
  cells: Int32Array,
  index: number,
  value: number,
  timeout?: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };

const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

export class SabDoorbell implements Doorbell {
  private readonly cells: Int32Array;
  readonly index: number;
  /** The sleepers cell, or -1 when the buffer has none. */
  private readonly sleepers: number;

  constructor(transfer: DoorbellTransfer = { buffer: new SharedArrayBuffer(8), index: 0 }) {
    this.cells = new Int32Array(transfer.buffer);
    this.index = transfer.index;
    this.sleepers = transfer.index + 1 < this.cells.length ? transfer.index + 1 : -1;
  }

  transfer(): DoorbellTransfer {
    return { buffer: this.cells.buffer as SharedArrayBuffer, index: this.index };
  }

  /** The shared buffer (identifies the doorbell across SabDoorbell objects). */
  get buffer(): SharedArrayBuffer {
    return this.cells.buffer as SharedArrayBuffer;
  }

  seq(): number {
    return Atomics.load(this.cells, this.index);
  }

  /** Blocks the calling thread (workers only). */
  wait(seq: number, timeoutMs: number): void {
    const s = this.sleepers;
    if (s < 0) {
      Atomics.wait(this.cells, this.index, seq, timeoutMs);
      return;
    }
    Atomics.add(this.cells, s, 1);
    Atomics.wait(this.cells, this.index, seq, timeoutMs);
    Atomics.sub(this.cells, s, 1);
  }

  ring(): void {
    Atomics.add(this.cells, this.index, 1);
    if (this.sleepers < 0 || Atomics.load(this.cells, this.sleepers) > 0)
      Atomics.notify(this.cells, this.index);
  }

  /** Resolves once the bell rang after `seq` was read (host thread; never blocks it). */
  waitAsync(seq: number, timeoutMs = Number.POSITIVE_INFINITY): Promise<void> | undefined {
    if (Atomics.load(this.cells, this.index) !== seq) return undefined;
    if (waitAsync) {
      const s = this.sleepers;
      if (s < 0) {
        const r = waitAsync(this.cells, this.index, seq, timeoutMs);
        return r.async ? r.value.then(() => undefined) : undefined;
      }
      Atomics.add(this.cells, s, 1);
      const r = waitAsync(this.cells, this.index, seq, timeoutMs);
      if (!r.async) {
        Atomics.sub(this.cells, s, 1);
        return undefined;
      }
      return r.value.then(() => {
        Atomics.sub(this.cells, s, 1);
      });
    }
    // Engines without Atomics.waitAsync: poll on a short timer.
    return new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, 4)));
  }
}

// A doorbell is one Int32 cell in a SharedArrayBuffer. Every process of a container and the
// engine-side stdio pumps share one: whoever changes a pipe rings it, whoever waits re-checks
// its own condition. A spurious wake-up costs one re-check; a missed one would hang, so waiters
// read `seq()` before checking and wait only while it is unchanged.

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

  constructor(transfer: DoorbellTransfer = { buffer: new SharedArrayBuffer(4), index: 0 }) {
    this.cells = new Int32Array(transfer.buffer);
    this.index = transfer.index;
  }

  transfer(): DoorbellTransfer {
    return { buffer: this.cells.buffer as SharedArrayBuffer, index: this.index };
  }

  seq(): number {
    return Atomics.load(this.cells, this.index);
  }

  /** Blocks the calling thread (workers only). */
  wait(seq: number, timeoutMs: number): void {
    Atomics.wait(this.cells, this.index, seq, timeoutMs);
  }

  ring(): void {
    Atomics.add(this.cells, this.index, 1);
    Atomics.notify(this.cells, this.index);
  }

  /** Resolves once the bell rang after `seq` was read (host thread; never blocks it). */
  waitAsync(seq: number, timeoutMs = Number.POSITIVE_INFINITY): Promise<void> | undefined {
    if (Atomics.load(this.cells, this.index) !== seq) return undefined;
    if (waitAsync) {
      const r = waitAsync(this.cells, this.index, seq, timeoutMs);
      return r.async ? r.value.then(() => undefined) : undefined;
    }
    // Engines without Atomics.waitAsync: poll on a short timer.
    return new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, 4)));
  }
}

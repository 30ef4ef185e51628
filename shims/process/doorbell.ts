// A doorbell is a few Int32 cells in a SharedArrayBuffer. Every process of a container and the
// engine-side stdio pumps share one: whoever changes a pipe rings it, whoever waits re-checks
// its own condition. A spurious wake-up costs one re-check; a missed one would hang, so waiters
// read `seq()` before checking and wait only while it is unchanged.
//
// Cells (from `index`): [0] sequence threads sleep on (wait), [1] how many threads sleep,
// [2] sequence async waiters sleep on (waitAsync, the engine's and a filesystem worker's event
// loops), [3] how many async waiters sleep. Two things follow:
// - ring() skips each notify (a futex wake or a task posted to an event loop, ~12 µs) while
//   nobody sleeps on that cell, and claims the sleepers it wakes (swaps the count to 0), so the
//   rings that follow before a woken thread is even scheduled cost no notify either. Safe because
//   every access is a sequentially consistent atomic: a sleeper counts itself before it checks
//   the sequence, and a ringer bumps the sequence before it takes the count, so either the ringer
//   sees the sleeper or the sleeper sees the new sequence and does not sleep. A sleeper never
//   uncounts itself (it cannot tell whether a ringer already did): one that woke by timeout
//   leaves the count high, which costs one needless notify, never a missed one.
// - ringThreads() wakes only the threads: the engine handing a guest network bytes does not wake
//   its own stdio pumps waiting on the same doorbell.
// A transfer whose buffer has no room for the extra cells (a bare 4-byte cell) uses cell 0 for
// everything and always notifies.

import type { Doorbell } from '../wasi/fd.ts';

/** Structured-cloneable description of a doorbell (shares the cells). */
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

const CELLS = 4;

export class SabDoorbell implements Doorbell {
  private readonly cells: Int32Array;
  readonly index: number;
  /** Whether the buffer has the sleeper counts and the async sequence. */
  private readonly split: boolean;

  constructor(transfer: DoorbellTransfer = { buffer: new SharedArrayBuffer(CELLS * 4), index: 0 }) {
    this.cells = new Int32Array(transfer.buffer);
    this.index = transfer.index;
    this.split = transfer.index + CELLS <= this.cells.length;
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
    const i = this.index;
    if (!this.split) {
      Atomics.wait(this.cells, i, seq, timeoutMs);
      return;
    }
    Atomics.add(this.cells, i + 1, 1);
    Atomics.wait(this.cells, i, seq, timeoutMs);
  }

  /** Wakes every waiter: threads and event loops. */
  ring(): void {
    const i = this.index;
    Atomics.add(this.cells, i, 1);
    if (!this.split) {
      Atomics.notify(this.cells, i);
      return;
    }
    if (Atomics.load(this.cells, i + 1) > 0 && Atomics.exchange(this.cells, i + 1, 0) > 0)
      Atomics.notify(this.cells, i);
    Atomics.add(this.cells, i + 2, 1);
    if (Atomics.load(this.cells, i + 3) > 0 && Atomics.exchange(this.cells, i + 3, 0) > 0)
      Atomics.notify(this.cells, i + 2);
  }

  /**
   * Wakes only threads blocked in wait() (guests), not event loops in waitAsync(): for a change
   * that only a guest can act on, rung from the thread whose own waiters do not care.
   */
  ringThreads(): void {
    if (!this.split) {
      this.ring();
      return;
    }
    const i = this.index;
    Atomics.add(this.cells, i, 1);
    if (Atomics.load(this.cells, i + 1) > 0 && Atomics.exchange(this.cells, i + 1, 0) > 0)
      Atomics.notify(this.cells, i);
  }

  /** Resolves once the bell rang after `seq` was read (host thread; never blocks it). */
  waitAsync(seq: number, timeoutMs = Number.POSITIVE_INFINITY): Promise<void> | undefined {
    const i = this.index;
    if (!waitAsync) {
      if (Atomics.load(this.cells, i) !== seq) return undefined;
      // Engines without Atomics.waitAsync: poll on a short timer.
      return new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, 4)));
    }
    if (!this.split) {
      if (Atomics.load(this.cells, i) !== seq) return undefined;
      const r = waitAsync(this.cells, i, seq, timeoutMs);
      return r.async ? r.value.then(() => undefined) : undefined;
    }
    // ring() bumps cell 0 before cell 2: read cell 2 first, then check cell 0 against `seq`; a
    // ring after that check changes cell 2, which the wait compares and is notified on.
    const asyncSeq = Atomics.load(this.cells, i + 2);
    if (Atomics.load(this.cells, i) !== seq) return undefined;
    Atomics.add(this.cells, i + 3, 1);
    const r = waitAsync(this.cells, i + 2, asyncSeq, timeoutMs);
    return r.async ? r.value.then(() => undefined) : undefined;
  }
}

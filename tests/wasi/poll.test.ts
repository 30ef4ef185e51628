// poll_oneoff and blocking reads wait on the doorbell, not in a loop: another thread delivers
// stdin data and rings; the guest wakes at once and has looked at its fds only a few times.

import { randomFillSync } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { SabDoorbell } from '../../shims/process/doorbell.ts';
import {
  type Doorbell,
  ERRNO_AGAIN,
  ERRNO_SUCCESS,
  Fd,
  Filetype,
  type Readiness,
  type Result,
} from '../../shims/wasi/fd.ts';
import { Wasi } from '../../shims/wasi/index.ts';
import { CaptureFd, guest, hostClock, newFs } from './harness.ts';

const NONBLOCK = 4;
// cells: [0] data ready flag, [1] data length, [2] armed (the guest is polling); bytes from 16.
const DATA_AT = 16;

/** stdin fed by another thread through a SharedArrayBuffer. */
class SharedStdinFd extends Fd {
  readonly filetype = Filetype.CHARACTER_DEVICE;
  readinessChecks = 0;
  private readonly cells: Int32Array;
  constructor(
    private readonly sab: SharedArrayBuffer,
    private readonly bell: Doorbell,
  ) {
    super();
    this.cells = new Int32Array(sab, 0, 4);
  }
  override readiness(): Readiness {
    this.readinessChecks++;
    Atomics.store(this.cells, 2, 1);
    Atomics.notify(this.cells, 2);
    const ready = Atomics.load(this.cells, 0) === 1;
    return { readable: ready, nbytes: ready ? this.cells[1]! : 0, writable: false, hangup: false };
  }
  override read(into: Uint8Array): Result<number> {
    for (;;) {
      const seq = this.bell.seq();
      if (Atomics.load(this.cells, 0) === 1) {
        const n = Math.min(into.length, this.cells[1]!);
        into.set(new Uint8Array(this.sab, DATA_AT, n));
        Atomics.store(this.cells, 0, 0);
        return { errno: ERRNO_SUCCESS, value: n };
      }
      if (this.flags & NONBLOCK) return { errno: ERRNO_AGAIN };
      this.bell.wait(seq, Number.POSITIVE_INFINITY);
    }
  }
}

const FEEDER = `
const { workerData } = require('node:worker_threads');
const cells = new Int32Array(workerData.sab, 0, 4);
Atomics.wait(cells, 2, 0);                         // until the guest polls
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.delayMs);
const text = new TextEncoder().encode('hello from another thread');
new Uint8Array(workerData.sab, ${DATA_AT}).set(text);
cells[1] = text.length;
Atomics.store(cells, 0, 1);
const bell = new Int32Array(workerData.bell.buffer);
Atomics.add(bell, workerData.bell.index, 1);
Atomics.notify(bell, workerData.bell.index);
`;

describe('poll_oneoff on the doorbell', () => {
  it('sleeps until another thread rings, then reports the fd and reads it', async () => {
    const sab = new SharedArrayBuffer(256);
    const bell = new SabDoorbell();
    const stdin = new SharedStdinFd(sab, bell);
    const worker = new Worker(FEEDER, {
      eval: true,
      workerData: { sab, bell: bell.transfer(), delayMs: 150 },
    });
    const online = new Promise((resolve) => worker.once('online', resolve));
    await online;
    const stdout = new CaptureFd();
    const wasi = new Wasi({
      args: ['poll'],
      env: [],
      vfs: newFs().vfs,
      preopens: ['/'],
      stdio: [stdin, stdout, new CaptureFd()],
      clock: hostClock,
      randomFill: (b) => randomFillSync(b),
      doorbell: bell,
    });
    const code = wasi.start(
      new WebAssembly.Instance(guest('poll-stdin'), wasi.imports as WebAssembly.Imports),
    );
    await worker.terminate();
    const out = stdout.text();
    expect(code).toBe(0);
    expect(out).toContain('set_nonblock=0\nread_nonblock=6\nset_block=0\npoll=0\n');
    expect(out).toContain('events=1 2:1:0:25\n');
    expect(out).toContain('read=0\ndata=[hello from another thread]\n');
    const waited = Number(/waited_ms=(\d+)/.exec(out)![1]);
    expect(waited).toBeGreaterThanOrEqual(100);
    expect(waited).toBeLessThan(4000);
    // One look before sleeping and one after the ring: no busy-waiting.
    expect(stdin.readinessChecks).toBeLessThanOrEqual(3);
  });
});

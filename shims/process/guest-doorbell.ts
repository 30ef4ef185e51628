// The container's doorbell as a guest's own thread waits on it (every blocking syscall does:
// pipes, sockets, poll, proc_wait). Two duties ride on those waits, at no cost to the wait itself:
// - a serving leader answers its container's other processes before it sleeps and when it wakes
//   (their requests ring this doorbell; leader-fs.ts);
// - the first time the guest stays idle for IDLE_MS, the worker collects its garbage once: what
//   booting the worker, building the filesystem and instantiating left behind (a few MB per
//   container) is freed before a server sleeps in accept/poll, possibly for days.
// Returning early is always allowed: every caller re-checks its condition and waits again.

import { type DoorbellTransfer, SabDoorbell } from './doorbell.ts';
import type { LeaderFs } from './leader-fs.ts';

/** How long the guest must have been waiting before the worker collects garbage (ms). */
const IDLE_MS = 50;

export class GuestDoorbell extends SabDoorbell {
  constructor(
    transfer: DoorbellTransfer,
    private readonly leader: LeaderFs | undefined,
    private onFirstIdle: (() => void) | undefined,
  ) {
    super(transfer);
  }

  override wait(seq: number, timeoutMs: number): void {
    this.leader?.check();
    if (this.seq() !== seq) return;
    const idle = this.onFirstIdle;
    if (idle && timeoutMs > IDLE_MS) {
      super.wait(seq, IDLE_MS);
      if (this.seq() === seq) {
        this.onFirstIdle = undefined;
        idle();
      }
    } else super.wait(seq, timeoutMs);
    this.leader?.check();
  }
}

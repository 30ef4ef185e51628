// The leader's side of a shared container filesystem (see fs-channel.ts), inside its worker. The
// guest's thread is busy running the guest, so it serves at its checks: the one-load gate of every
// import and pause point sends it here when FLAG_SERVE is set, and every doorbell wait serves
// before it sleeps and after it wakes (clients ring the container's doorbell; guest-doorbell.ts). New channels come
// as messages, taken synchronously then (a busy worker's event loop never runs).

import type { GuestFs } from '../wasi/guest-fs.ts';
import { type FsChannelTransfer, FsServer } from './fs-channel.ts';
import {
  type AttachFsRequest,
  CONTROL_SERVER,
  CONTROL_STATE,
  type DetachFsRequest,
  FLAG_SERVE,
  FLAG_UNWIND,
  SERVER_GONE,
  SERVER_SERVING,
  STATE_PAUSED,
} from './worker-protocol.ts';

/** Thrown at a check once the engine killed a leader: leaves the guest so its files are kept. */
export class GuestUnwind extends Error {
  constructor() {
    super('killed');
    this.name = 'GuestUnwind';
  }
}

export class LeaderFs {
  private server: FsServer | undefined;
  private pending: FsChannelTransfer[] = [];

  constructor(
    readonly runId: number,
    private readonly control: Int32Array,
    /** Takes the worker's queued messages now (Node: receiveMessageOnPort); handles each. */
    private readonly drain: () => void,
  ) {}

  onMessage(request: AttachFsRequest | DetachFsRequest): void {
    if (request.runId !== this.runId) return;
    if (request.type === 'fs-attach') {
      if (this.server) this.server.attach(request.channel);
      else this.pending.push(request.channel);
      return;
    }
    this.server?.detach(request.id);
    this.pending = this.pending.filter((c) => c.id !== request.id);
  }

  /** The Vfs is built: serve it from now on. */
  start(fs: GuestFs): void {
    this.server = new FsServer(fs);
    for (const channel of this.pending.splice(0)) this.server.attach(channel);
    Atomics.store(this.control, CONTROL_SERVER, SERVER_SERVING);
  }

  /** Takes new messages and answers every pending request (FLAG_SERVE was set). */
  serve(): void {
    Atomics.and(this.control, CONTROL_STATE, ~FLAG_SERVE);
    this.drain();
    this.server?.poll();
  }

  /** Serves if asked to; leaves the guest if killed. */
  check(): void {
    const s = Atomics.load(this.control, CONTROL_STATE);
    if (s & FLAG_UNWIND) throw new GuestUnwind();
    if (s & FLAG_SERVE) this.serve();
  }

  /** The guest is done: clients still waiting get EIO instead of an answer. */
  end(): void {
    Atomics.store(this.control, CONTROL_SERVER, SERVER_GONE);
    this.server?.close();
    this.server = undefined;
  }
}

/**
 * The gate every import and pause point enters when the control state is not 0: serve, unwind,
 * or sleep while paused (still serving: the engine's exec lookup may come while paused).
 */
export function controlGate(control: Int32Array, leader: LeaderFs | undefined): () => void {
  return () => {
    for (;;) {
      const s = Atomics.load(control, CONTROL_STATE);
      if (s & FLAG_UNWIND) throw new GuestUnwind();
      if (s & FLAG_SERVE) {
        if (leader) leader.serve();
        else Atomics.and(control, CONTROL_STATE, ~FLAG_SERVE);
        continue;
      }
      if (!(s & STATE_PAUSED)) return;
      Atomics.wait(control, CONTROL_STATE, s);
    }
  };
}

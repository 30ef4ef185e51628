// The worker's side of a process's network: requests to the engine (bind, listen, connect,
// resolve) that block the guest until the reply arrives, and the queues of connections the
// engine pushed for each listening socket. Waiting happens on the container's doorbell, which
// the engine rings after every message it posts; a shared counter says whether any arrived, so
// the common case (nothing new) costs one atomic load.

import type { Doorbell } from '../wasi/fd.ts';
import type { WriteSocketSync } from './host-outlet.ts';
import type { NetMessage, NetReply, NetRequest, NetSpec, ReceiveSync, WireEnd } from './net-protocol.ts';

type Request = NetRequest extends infer R ? (R extends NetRequest ? Omit<R, 'id'> : never) : never;

export class GuestNet {
  private nextId = 1;
  private received = 0;
  private readonly pushed: Int32Array;
  private readonly replies = new Map<number, NetReply>();
  private readonly queues = new Map<number, WireEnd[]>();

  constructor(
    readonly spec: NetSpec,
    readonly bell: Doorbell,
    private readonly receive: ReceiveSync,
    /** Writes to a host socket's fd from this thread (Node); without it bytes go via the engine. */
    readonly writeSocket?: WriteSocketSync,
  ) {
    this.pushed = new Int32Array(spec.inbox);
  }

  /** Takes every message the engine posted so far. */
  drain(): void {
    if (Atomics.load(this.pushed, 0) === this.received) return;
    for (;;) {
      const got = this.receive(this.spec.port);
      if (!got) return;
      this.received++;
      const message = got.message as NetMessage;
      if (message.type === 'reply') this.replies.set(message.id, message);
      else {
        let queue = this.queues.get(message.listener);
        if (!queue) this.queues.set(message.listener, (queue = []));
        queue.push(message.end);
      }
    }
  }

  /** Sends `request` and blocks until the engine answers it. */
  request(request: Request): NetReply {
    const id = this.nextId++;
    this.spec.port.postMessage({ ...request, id });
    for (;;) {
      const seq = this.bell.seq();
      this.drain();
      const reply = this.replies.get(id);
      if (reply) {
        this.replies.delete(id);
        return reply;
      }
      this.bell.wait(seq, Number.POSITIVE_INFINITY);
    }
  }

  /** Sends without waiting for an answer. */
  post(request: Request): void {
    this.spec.port.postMessage({ ...request, id: this.nextId++ });
  }

  /** The oldest connection waiting on `listener`, if any. */
  takeConnection(listener: number): WireEnd | undefined {
    this.drain();
    return this.queues.get(listener)?.shift();
  }

  pending(listener: number): number {
    this.drain();
    return this.queues.get(listener)?.length ?? 0;
  }

  /** The guest closed a listener: connections still queued for it are refused (closed). */
  forget(listener: number): WireEnd[] {
    this.drain();
    const queue = this.queues.get(listener) ?? [];
    this.queues.delete(listener);
    return queue;
  }
}

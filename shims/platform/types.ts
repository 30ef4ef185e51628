// Everything that differs between Node and the browser, behind one interface. Nothing outside
// shims/platform/, web/ and bin/ imports node:* — a test checks it, and the browser bundle proves it.

import type { FileSystem } from '../../overlay/types.ts';

/** A worker thread (worker_threads on Node, a Web Worker in the browser). */
export interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onMessage(handler: (message: unknown) => void): void;
  onError(handler: (error: Error) => void): void;
  onExit(handler: (code: number) => void): void;
  /** Ends the thread at once, even inside an endless loop. */
  terminate(): Promise<void>;
  /** Keep the host event loop alive while this worker runs (Node: ref/unref). */
  ref(): void;
  unref(): void;
}

/** The side of a worker that talks to its parent. */
export interface ParentPort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onMessage(handler: (message: unknown) => void): void;
  /**
   * Takes one queued message now, from a worker busy running its guest (Node:
   * receiveMessageOnPort). A container's leader takes its fs channels this way; undefined in the
   * browser, where other processes cannot share a running container's filesystem yet.
   */
  receiveSync?(): { message: unknown } | undefined;
}

export interface Platform {
  readonly name: 'node' | 'browser';
  /** Realtime clock, ns since the epoch. */
  realtimeNs(): bigint;
  /** Monotonic clock, ns from an arbitrary origin. */
  monotonicNs(): bigint;
  randomFill(buf: Uint8Array): void;
  /** Starts a process worker running berth's worker entry. */
  createWorker(): WorkerLike;
  /** A host directory as a FileSystem (Node only; undefined in the browser). */
  hostDirectory?(source: string, readonly: boolean): FileSystem;
  /**
   * Takes one message off a MessagePort without waiting, from a worker blocked in a syscall
   * (Node: worker_threads.receiveMessageOnPort). Guest networking needs it; undefined in the
   * browser (no guest sockets there yet).
   */
  receiveMessageSync?(port: MessagePort): { message: unknown } | undefined;
  /**
   * Writes to a host socket's file descriptor without blocking, from a guest's worker (Node:
   * fs.writeSync): bytes written, -1 when the socket is full, -2 on an error. Lets a guest answer
   * a published port without a hop through the engine thread (shims/net/host-outlet.ts).
   */
  writeSocketSync?(fd: number, data: Uint8Array): number;
  /**
   * A full garbage collection of the calling thread's heap (Node: V8's gc). A worker calls it
   * once, when its guest first goes idle (guest-doorbell.ts).
   */
  collectGarbage?(): void;
}

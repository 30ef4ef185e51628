// The engine side of a process's stdio: moves bytes between the caller's streams and the
// SabPipes the guest reads and writes. Back-pressure is end to end: a pump takes bytes out of a
// pipe only after the caller's sink accepted the previous chunk, so a guest writing to a slow
// reader blocks in fd_write instead of growing memory. The caller owns its streams: berth never
// ends, closes or destroys them.

import type { SabDoorbell } from './doorbell.ts';
import type { SabPipe } from './sab-pipe.ts';

/** Minimal shapes of Node streams, so this file needs no node:* import. */
interface NodeWritableLike {
  write(chunk: Uint8Array): boolean;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}
interface NodeReadableLike extends AsyncIterable<unknown> {
  iterator?(options: { destroyOnReturn: boolean }): AsyncIterator<unknown>;
}

/** Where a process's stdout/stderr go. A function may return a promise to apply back-pressure. */
export type OutputSink =
  | NodeWritableLike
  | WritableStream<Uint8Array>
  | ((chunk: Uint8Array) => void | Promise<void>);

/** What a process reads as stdin; undefined is an immediate EOF. */
export type InputSource =
  | string
  | Uint8Array
  | ReadableStream<Uint8Array>
  | NodeReadableLike
  | AsyncIterable<Uint8Array>;

type Deliver = (chunk: Uint8Array) => void | Promise<void>;

function deliverTo(sink: OutputSink): { deliver: Deliver; release(): void } {
  if (typeof sink === 'function') return { deliver: sink, release() {} };
  if ('getWriter' in sink) {
    const writer = sink.getWriter();
    return {
      // ready resolves when the stream's queue is below its high-water mark.
      deliver: async (chunk) => {
        await writer.ready;
        void writer.write(chunk).catch(() => {});
      },
      release: () => writer.releaseLock(),
    };
  }
  const node = sink;
  return {
    deliver: (chunk) => {
      if (node.write(chunk)) return;
      return new Promise<void>((resolve, reject) => {
        const done = (): void => {
          node.removeListener('drain', done);
          node.removeListener('close', done);
          node.removeListener('error', failed);
          resolve();
        };
        const failed = (error: unknown): void => {
          done();
          reject(error);
        };
        node.once('drain', done);
        node.once('close', done);
        node.once('error', failed);
      });
    },
    release() {},
  };
}

/**
 * Copies a pipe's bytes to `sink` until the writer closed it and it is empty. A sink that fails
 * closes the pipe's read end, so the guest's next write gets EPIPE.
 */
export async function pumpOutput(pipe: SabPipe, bell: SabDoorbell, sink: OutputSink): Promise<void> {
  const { deliver, release } = deliverTo(sink);
  try {
    for (;;) {
      const seq = bell.seq();
      const closed = pipe.writerClosed;
      const chunk = pipe.readChunk();
      if (chunk) {
        bell.ring();
        const pending = deliver(chunk);
        if (pending) await pending;
        continue;
      }
      if (closed) return;
      await bell.waitAsync(seq);
    }
  } catch {
    pipe.closeReader();
    bell.ring();
  } finally {
    release();
  }
}

const encoder = new TextEncoder();

function chunksOf(source: InputSource): { iterator: AsyncIterator<unknown>; stop(): void } {
  if (typeof source === 'string' || source instanceof Uint8Array) {
    const bytes = typeof source === 'string' ? encoder.encode(source) : source;
    let sent = false;
    return {
      iterator: {
        next: async () => {
          if (sent) return { done: true, value: undefined };
          sent = true;
          return { done: false, value: bytes };
        },
      },
      stop() {},
    };
  }
  if ('getReader' in source) {
    const reader = source.getReader();
    return {
      iterator: { next: () => reader.read() as Promise<IteratorResult<unknown>> },
      stop: () => {
        reader.releaseLock();
      },
    };
  }
  const node = source as NodeReadableLike;
  // Node Readables: leave the caller's stream open when we stop early (e.g. process.stdin).
  const iterator = node.iterator ? node.iterator({ destroyOnReturn: false }) : source[Symbol.asyncIterator]();
  return { iterator, stop: () => void iterator.return?.().catch(() => {}) };
}

/**
 * Copies `source` into a pipe, then closes the pipe's write end (EOF). Stops early, leaving the
 * source open, when the reader closes (the process exited) or `stop()` is called.
 */
export function pumpInput(pipe: SabPipe, bell: SabDoorbell, source: InputSource): { stop(): void } {
  const { iterator, stop } = chunksOf(source);
  let stopped = false;
  const finish = (): void => {
    if (stopped) return;
    stopped = true;
    stop();
    pipe.closeWriter();
    bell.ring();
  };
  void (async () => {
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done || stopped) break;
        const value = next.value;
        let chunk = typeof value === 'string' ? encoder.encode(value) : (value as Uint8Array);
        while (chunk.length > 0 && !stopped) {
          const seq = bell.seq();
          if (pipe.readerClosed) return;
          const n = pipe.write(chunk);
          if (n > 0) {
            chunk = chunk.subarray(n);
            bell.ring();
            continue;
          }
          await bell.waitAsync(seq);
        }
        if (pipe.readerClosed) return;
      }
    } catch {
      // A failing source ends stdin like EOF; the guest sees a short read.
    } finally {
      finish();
    }
  })();
  return { stop: finish };
}

/** stdin fed by the caller chunk by chunk (spawnWasm with stdin: 'pipe'). */
export class StdinWriter implements AsyncIterable<Uint8Array> {
  private readonly queue: Uint8Array[] = [];
  private ended = false;
  private wake: (() => void) | undefined;

  write(chunk: Uint8Array | string): void {
    if (this.ended) throw new Error('stdin is closed');
    this.queue.push(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const chunk = this.queue.shift();
      if (chunk) {
        yield chunk;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}

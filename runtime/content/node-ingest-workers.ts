// Big blob writes (layer downloads) are written and hashed on worker threads: SHA-256 is the
// largest cost of a pull, and a worker per core lets layers hash in parallel while the main
// thread keeps receiving. The main thread gathers incoming chunks into ~1 MiB batches and
// transfers them (no copy for network reads); a worker appends each batch to the file (one
// writev), then hashes it, in order,
// so the digest is of exactly the bytes on disk. Workers are started on first use (or taken
// from one started ahead, see INGEST_WORKER_BOOT), never keep the process alive once no blob is
// being written, and end when the store is told its writes are over (finishWrites), so a
// command's exit does not wait for them.

import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { HttpIngestOutcome, HttpIngestRequest } from './content-store.ts';
import { ingestHttpBody } from './node-http-body-ingest.ts';
import { builtin } from '../../shims/platform/node/builtin.ts';

/**
 * The worker: plain JS evaluated in the thread, so no separate bundle entry is needed. It also
 * reads plain-HTTP blob bodies from their sockets itself ('fetch', node-http-body-ingest.ts).
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const net = require('node:net');
const { createHash } = require('node:crypto');
const ingestHttpBody = ${ingestHttpBody.toString()};
const open = new Map();
parentPort.on('message', (m) => {
  let w = open.get(m.id);
  try {
    if (m.op === 'fetch') {
      if (!w || w.error) {
        const e = w && w.error;
        parentPort.postMessage({ id: m.id, op: 'fetched', outcome: { kind: 'failed', received: 0, message: e ? e.message : 'blob not open', code: e && e.code } });
        return;
      }
      w.fetch = ingestHttpBody({ net, fs }, m.req, w.fd, w.hash,
        (received) => parentPort.postMessage({ id: m.id, op: 'progress', bytes: received }),
        (outcome) => { w.fetch = undefined; parentPort.postMessage({ id: m.id, op: 'fetched', outcome }); });
      return;
    }
    if (m.op === 'cancel') {
      if (w && w.fetch) w.fetch.cancel(m.reason);
      return;
    }
    if (m.op === 'open') {
      w = { fd: -1, hash: createHash('sha256'), error: undefined };
      open.set(m.id, w);
      if (m.resume > 0) {
        const fd = fs.openSync(m.path, 'r');
        try {
          const buf = Buffer.allocUnsafe(1 << 20);
          let at = 0;
          while (at < m.resume) {
            const n = fs.readSync(fd, buf, 0, Math.min(buf.length, m.resume - at), at);
            if (n === 0) throw new Error('partial download shrank while resuming');
            w.hash.update(buf.subarray(0, n));
            at += n;
          }
        } finally {
          fs.closeSync(fd);
        }
      }
      w.fd = fs.openSync(m.path, 'a', 0o644);
      return;
    }
    if (!w) return;
    if (m.op === 'write') {
      if (!w.error) {
        const views = m.bufs.map((b) => new Uint8Array(b));
        let done = 0;
        while (done < m.len) {
          let n = fs.writevSync(w.fd, views);
          done += n;
          while (n > 0 && views.length > 0) {
            if (n >= views[0].byteLength) n -= views.shift().byteLength;
            else { views[0] = views[0].subarray(n); n = 0; }
          }
        }
        for (const b of m.bufs) w.hash.update(new Uint8Array(b));
      }
      parentPort.postMessage({ id: m.id, op: 'written', bytes: m.len });
      return;
    }
    // finish: 'commit' syncs (off this thread, so other blobs keep hashing) and returns the
    // digest; 'close' keeps the file; 'abort' drops it.
    open.delete(m.id);
    if (w.error) throw w.error;
    const hex = m.op === 'commit' ? w.hash.digest('hex') : undefined;
    const closed = (e) => {
      try { fs.closeSync(w.fd); } catch {}
      parentPort.postMessage(e ? { id: m.id, op: 'done', error: { message: e.message, code: e.code } } : { id: m.id, op: 'done', hex });
    };
    if (m.op === 'commit') fs.fsync(w.fd, closed);
    else closed();
  } catch (e) {
    if (w && m.op === 'write') {
      w.error = e;
      parentPort.postMessage({ id: m.id, op: 'written', bytes: m.len });
      return;
    }
    if (w && w.fd >= 0 && m.op !== 'open') try { fs.closeSync(w.fd); } catch {}
    if (m.op === 'open') { w.error = e; return; }
    open.delete(m.id);
    parentPort.postMessage({ id: m.id, op: 'done', error: { message: e.message, code: e.code } });
  }
});
`;

/**
 * What an ingest thread runs first: it evaluates its first message, WORKER_SOURCE. Booting a
 * thread costs ~40 ms of CPU; one started with just this ahead of time (bin/berth.cjs does for
 * `pull`, so the boot runs on the idle core while the CLI loads) is taken by the first spawn().
 */
export const INGEST_WORKER_BOOT =
  "require('node:worker_threads').parentPort.once('message', (m) => (0, eval)(m));";

/** A thread started ahead with INGEST_WORKER_BOOT, left at globalThis[SPARE_WORKER]. */
export interface SpareIngestWorker {
  readonly worker: Worker;
  /** Its 'online' event came. */
  online: boolean;
  /** No 'error' or 'exit' event came. */
  alive: boolean;
}

export const SPARE_WORKER = Symbol.for('berth.spareIngestWorker');

function takeSpareWorker(): SpareIngestWorker | undefined {
  const g = globalThis as { [SPARE_WORKER]?: SpareIngestWorker };
  const spare = g[SPARE_WORKER];
  g[SPARE_WORKER] = undefined;
  return spare?.alive ? spare : undefined;
}

interface Reply {
  id: number;
  op: 'written' | 'done' | 'progress' | 'fetched';
  bytes?: number;
  hex?: string;
  error?: { message: string; code?: string };
  outcome?: HttpIngestOutcome;
}

/** A helper thread and the blobs it is writing. */
export interface IngestWorker {
  readonly worker: Worker;
  /** Blobs open on it (it keeps the process alive while any is). */
  active: number;
  /** Blobs it is still hashing: what picking a thread weighs (a blob syncing to disk is not work). */
  busy: number;
  /** Its thread runs (worker 'online'): until then a blob given to it waits ~30 ms for the boot. */
  online: boolean;
  readonly handlers: Map<number, (r: Reply) => void>;
}

/** Batches sent to a worker and not yet written there, per blob: bounds memory when disk lags. */
const MAX_IN_FLIGHT = 8 * 1024 * 1024;
const BATCH = 1024 * 1024;

let slots: IngestWorker[] | undefined;
let nextId = 1;

/** Helper threads for ingest: one fewer than the cores (this thread hashes too), at most two. */
export function maxWorkers(): number {
  return Math.max(0, Math.min(2, availableParallelism() - 1));
}

function spawn(): IngestWorker {
  // worker_threads is loaded with the first worker: a `run` that reads small blobs never needs it.
  const { Worker: WorkerClass } = builtin('node:worker_threads');
  const spare = takeSpareWorker();
  const worker = spare?.worker ?? new WorkerClass(INGEST_WORKER_BOOT, { eval: true, execArgv: [] });
  worker.postMessage(WORKER_SOURCE);
  const slot: IngestWorker = {
    worker,
    active: 0,
    busy: 0,
    online: spare?.online === true,
    handlers: new Map(),
  };
  if (!slot.online) {
    worker.once('online', () => {
      slot.online = true;
    });
  }
  worker.on('message', (r: Reply) => slot.handlers.get(r.id)?.(r));
  worker.on('error', (e) => {
    for (const h of slot.handlers.values()) h({ id: 0, op: 'done', error: { message: String(e) } });
  });
  worker.unref();
  (slots ??= []).push(slot);
  return slot;
}

/** Starts a helper thread ahead of big writes, so its start-up overlaps the first requests. */
export function prewarmIngestWorker(): void {
  if (!slots?.length && maxWorkers() > 0) spawn();
}

/**
 * Ends the helper threads that have no blob open (they start again when next needed): a thread
 * ended while a command finishes its work is not one its exit waits for.
 */
export function stopIdleIngestWorkers(): void {
  // A thread started ahead and never needed (nothing to download) goes too.
  void takeSpareWorker()?.worker.terminate();
  if (!slots) return;
  const idle = slots.filter((s) => s.active === 0);
  slots = slots.filter((s) => s.active > 0);
  for (const s of idle) void s.worker.terminate();
}

/** The thread ids of the helper threads started (or taken) so far. */
export function ingestWorkerThreadIds(): number[] {
  return (slots ?? []).map((s) => s.worker.threadId);
}

/** Resolves once a helper thread runs (starting one if none); false on a machine without helpers. */
export async function ingestWorkerOnline(): Promise<boolean> {
  prewarmIngestWorker();
  const slot = slots?.[0];
  if (!slot) return false;
  if (!slot.online) await new Promise((r) => slot.worker.once('online', r));
  return true;
}

/**
 * The helper thread that should take a new big blob, or undefined when the calling thread
 * should. Ties go to a helper once it runs (the calling thread also has the network traffic and
 * the rest of the command), to the calling thread while the helper still boots. `inlineBusy`:
 * big blobs the calling thread is hashing. The blob is counted on the helper at once (pass it to
 * WorkerBlobWrite, or to releaseIngestWorker).
 */
export function pickIngestWorker(inlineBusy: number): IngestWorker | undefined {
  const existing = slots ?? [];
  let best = existing.reduce<IngestWorker | undefined>((a, s) => (!a || s.busy < a.busy ? s : a), undefined);
  if ((!best || best.busy > 0) && existing.length < maxWorkers()) best = spawn();
  if (!best || inlineBusy < best.busy || (inlineBusy === best.busy && !best.online)) return undefined;
  best.busy++;
  if (best.active++ === 0) best.worker.ref();
  return best;
}

/** Gives back a helper picked for a blob that was not written after all. */
export function releaseIngestWorker(worker: IngestWorker, busy = true): void {
  if (busy) worker.busy--;
  if (--worker.active === 0) worker.worker.unref();
}

function errorOf(r: Reply): Error {
  const e = new Error(r.error?.message ?? 'blob ingest worker failed') as NodeJS.ErrnoException;
  if (r.error?.code) e.code = r.error.code;
  return e;
}

/**
 * One blob being appended to `path` by a worker. `resume` bytes already in the file are hashed
 * first (the resumed prefix). `finish` resolves with the hex digest for 'commit'.
 */
export class WorkerBlobWrite {
  private readonly slot: IngestWorker;
  private readonly id = nextId++;
  private batch: ArrayBuffer[] = [];
  private filled = 0;
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private finished: ((r: Reply) => void) | undefined;
  private failure: Error | undefined;
  private fetching: { progress(bytes: number): void; done(o: HttpIngestOutcome): void } | undefined;
  private hashing = true;

  constructor(worker: IngestWorker, path: string, resume: number) {
    this.slot = worker;
    this.slot.handlers.set(this.id, (r) => {
      if (r.op === 'written') {
        this.inFlight -= r.bytes ?? 0;
        this.wake?.();
      } else if (r.op === 'progress') {
        this.fetching?.progress(r.bytes ?? 0);
      } else if (r.op === 'fetched') {
        this.fetching?.done(r.outcome ?? { kind: 'failed', received: 0, message: 'no outcome' });
      } else {
        if (r.error) this.failure ??= errorOf(r);
        // A worker that died mid-fetch: the fetch ends too (its prefix is not trusted).
        this.fetching?.done({
          kind: 'failed',
          received: 0,
          message: r.error?.message ?? 'ingest worker failed',
        });
        this.wake?.();
        this.finished?.(r);
      }
    });
    this.slot.worker.postMessage({ op: 'open', id: this.id, path, resume });
  }

  /**
   * Queues `chunk`. An `owned` chunk that is the whole of its ArrayBuffer (a network read) moves
   * to the worker as it is (its buffer is detached here); any other is copied.
   */
  async write(chunk: Uint8Array, owned = false): Promise<void> {
    if (this.failure) throw this.failure;
    if (chunk.byteLength === 0) return;
    const whole = owned && chunk.byteOffset === 0 && chunk.buffer.byteLength === chunk.byteLength;
    this.batch.push(whole && chunk.buffer instanceof ArrayBuffer ? chunk.buffer : copyOf(chunk));
    this.filled += chunk.byteLength;
    if (this.filled >= BATCH || this.batch.length >= 256) this.send();
    while (this.inFlight > MAX_IN_FLIGHT && !this.failure) {
      await new Promise<void>((r) => {
        this.wake = r;
      });
    }
  }

  /**
   * Appends the body of a plain-HTTP GET, read from its socket by the worker itself (see
   * node-http-body-ingest.ts). `signal` cancels it (an 'interrupted' outcome).
   */
  fetch(
    req: HttpIngestRequest,
    onProgress: (received: number) => void,
    signal?: AbortSignal,
  ): Promise<HttpIngestOutcome> {
    this.send();
    return new Promise<HttpIngestOutcome>((resolve) => {
      const cancel = () => this.slot.worker.postMessage({ op: 'cancel', id: this.id, reason: 'aborted' });
      signal?.addEventListener('abort', cancel, { once: true });
      this.fetching = {
        progress: onProgress,
        done: (o) => {
          // The whole body is in and hashed: the thread is free for another blob as this one commits.
          if (o.kind === 'complete') this.doneHashing();
          this.fetching = undefined;
          signal?.removeEventListener('abort', cancel);
          resolve(o);
        },
      };
      this.slot.worker.postMessage({ op: 'fetch', id: this.id, req });
      if (signal?.aborted) cancel();
    });
  }

  private send(): void {
    if (this.filled === 0) return;
    const bufs = this.batch;
    this.slot.worker.postMessage({ op: 'write', id: this.id, bufs, len: this.filled }, bufs);
    this.inFlight += this.filled;
    this.batch = [];
    this.filled = 0;
  }

  private doneHashing(): void {
    if (this.hashing) this.slot.busy--;
    this.hashing = false;
  }

  /** 'commit': fsync and the hex digest; 'close': keep the file as is; 'abort': just stop. */
  finish(op: 'commit' | 'close' | 'abort'): Promise<string | undefined> {
    if (op !== 'abort') this.send();
    this.doneHashing();
    return new Promise<Reply>((resolve) => {
      this.finished = resolve;
      this.slot.worker.postMessage({ op, id: this.id });
    }).then((r) => {
      this.slot.handlers.delete(this.id);
      releaseIngestWorker(this.slot, false);
      if (r.error) throw errorOf(r);
      if (this.failure) throw this.failure;
      return r.hex;
    });
  }
}

/** A copy in a buffer of its own (a Buffer's `slice` would be a view of the caller's memory). */
function copyOf(chunk: Uint8Array): ArrayBuffer {
  const out = new Uint8Array(chunk.byteLength);
  out.set(chunk);
  return out.buffer;
}

// A one-way byte pipe in a SharedArrayBuffer: a ring buffer with a 32-byte header (read and
// write counters, how many ends of each kind are open, a lock per side). Counters are free-running
// u32s, so `write - read` is the fill level even after wrapping. Several processes may hold the
// same end (a shell and its children all writing to one stdout): each side takes its lock for a
// copy, and the side counts as closed when its last holder closed it.
// The pipe never blocks or rings anything itself: its users (pipe fds in a worker, stdio pumps
// on the engine thread) wait on and ring the container's doorbell.

const READ = 0;
const WRITE = 1;
const WRITERS = 2;
const READERS = 3;
const WRITE_LOCK = 4;
const READ_LOCK = 5;
const HEADER_BYTES = 32;

export const DEFAULT_PIPE_CAPACITY = 64 * 1024;

export interface PipeTransfer {
  readonly buffer: SharedArrayBuffer;
}

export class SabPipe {
  private readonly header: Int32Array;
  private readonly data: Uint8Array;
  readonly capacity: number;

  constructor(transfer?: PipeTransfer, capacity = DEFAULT_PIPE_CAPACITY) {
    const fresh = !transfer;
    if (!transfer) {
      if (capacity <= 0 || (capacity & (capacity - 1)) !== 0)
        throw new RangeError('pipe capacity: power of 2');
      transfer = { buffer: new SharedArrayBuffer(HEADER_BYTES + capacity) };
    }
    this.header = new Int32Array(transfer.buffer, 0, HEADER_BYTES / 4);
    this.data = new Uint8Array(transfer.buffer, HEADER_BYTES);
    this.capacity = this.data.length;
    if (fresh) this.reset();
  }

  transfer(): PipeTransfer {
    return { buffer: this.header.buffer as SharedArrayBuffer };
  }

  /** Empties the pipe and reopens both ends (one holder each), for reuse once nobody holds it. */
  reset(): void {
    Atomics.store(this.header, READ, 0);
    Atomics.store(this.header, WRITE, 0);
    Atomics.store(this.header, WRITERS, 1);
    Atomics.store(this.header, READERS, 1);
  }

  /** Bytes waiting to be read. */
  available(): number {
    return (Atomics.load(this.header, WRITE) - Atomics.load(this.header, READ)) >>> 0;
  }

  space(): number {
    return this.capacity - this.available();
  }

  get writerClosed(): boolean {
    return Atomics.load(this.header, WRITERS) <= 0;
  }

  get readerClosed(): boolean {
    return Atomics.load(this.header, READERS) <= 0;
  }

  /** One more holder of the write end (before handing it to another process). */
  addWriter(): void {
    Atomics.add(this.header, WRITERS, 1);
  }

  addReader(): void {
    Atomics.add(this.header, READERS, 1);
  }

  /** One holder of the write end closed it. */
  closeWriter(): void {
    Atomics.sub(this.header, WRITERS, 1);
  }

  closeReader(): void {
    Atomics.sub(this.header, READERS, 1);
  }

  /** Every writer is gone at once (their workers were terminated). */
  forceCloseWriter(): void {
    Atomics.store(this.header, WRITERS, 0);
  }

  private lock(cell: number): void {
    while (Atomics.compareExchange(this.header, cell, 0, 1) !== 0) {
      // Held by another thread for one memcpy: spin briefly (Atomics.wait is not allowed on
      // the engine's main thread in browsers).
    }
  }

  private unlock(cell: number): void {
    Atomics.store(this.header, cell, 0);
  }

  /** Copies as much of `src` as fits; returns the count (0 when full). */
  write(src: Uint8Array): number {
    this.lock(WRITE_LOCK);
    try {
      return this.writeLocked(src);
    } finally {
      this.unlock(WRITE_LOCK);
    }
  }

  /** Copies up to `into.length` bytes out; returns the count (0 when empty). */
  read(into: Uint8Array): number {
    this.lock(READ_LOCK);
    try {
      return this.readLocked(into);
    } finally {
      this.unlock(READ_LOCK);
    }
  }

  private writeLocked(src: Uint8Array): number {
    const w = Atomics.load(this.header, WRITE) >>> 0;
    const r = Atomics.load(this.header, READ) >>> 0;
    const n = Math.min(src.length, this.capacity - ((w - r) >>> 0));
    if (n <= 0) return 0;
    const at = w & (this.capacity - 1);
    const first = Math.min(n, this.capacity - at);
    this.data.set(first === src.length ? src : src.subarray(0, first), at);
    if (n > first) this.data.set(src.subarray(first, n), 0);
    // The counter is published after the bytes, so a reader never sees unwritten data.
    Atomics.store(this.header, WRITE, (w + n) | 0);
    return n;
  }

  private readLocked(into: Uint8Array): number {
    const r = Atomics.load(this.header, READ) >>> 0;
    const w = Atomics.load(this.header, WRITE) >>> 0;
    const n = Math.min(into.length, (w - r) >>> 0);
    if (n <= 0) return 0;
    const at = r & (this.capacity - 1);
    const first = Math.min(n, this.capacity - at);
    into.set(this.data.subarray(at, at + first), 0);
    if (n > first) into.set(this.data.subarray(0, n - first), first);
    Atomics.store(this.header, READ, (r + n) | 0);
    return n;
  }

  /** Reads everything available (up to `max`) into a fresh buffer; undefined when empty. */
  readChunk(max = this.capacity): Uint8Array | undefined {
    const n = Math.min(this.available(), max);
    if (n === 0) return undefined;
    const chunk = new Uint8Array(n);
    this.read(chunk);
    return chunk;
  }
}

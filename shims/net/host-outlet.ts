// A guest connection bridged to a real host socket can skip the engine on the way out: the
// guest's worker writes its bytes straight into the socket's file descriptor (one write(2), no
// copy into a ring, no wake-up of the engine thread), while the engine keeps reading the socket
// and owns its lifetime. One Int32 cell shared by both says who may write now, so bytes never
// overtake each other and the fd is never written after the engine closed it (a reused fd
// number would reach someone else's file):
//
//   FREE ──guest begin()──> GUEST ──guest end()──> FREE
//   FREE|ENGINE <──engine claim()/release()──> (the engine holds bytes taken from the ring)
//   any ──engine close()──> CLOSED, or GUEST ──> CLOSE_WANTED ──guest end()──> CLOSED
//
// The guest writes directly only when the cell is FREE and its ring to the engine is empty; it
// checks the ring first: the engine sets ENGINE before it takes bytes out of the ring, so a guest
// that sees the ring emptied also sees ENGINE (all accesses are sequentially consistent atomics).

const FREE = 0;
const GUEST = 1;
const ENGINE = 2;
const CLOSED = 3;
const CLOSE_WANTED = 4;

/** What a guest end needs to write to the host socket itself (WireEnd.outlet). */
export interface OutletTransfer {
  /** The host socket's file descriptor in this process. */
  readonly fd: number;
  /** Int32 [1]: the state cell. */
  readonly cell: SharedArrayBuffer;
}

/** Writes to a host socket fd without blocking: bytes written, -1 when full (EAGAIN), -2 on error. */
export type WriteSocketSync = (fd: number, data: Uint8Array) => number;

export class HostOutlet {
  private readonly cell: Int32Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.cell = new Int32Array(buffer);
  }

  get buffer(): SharedArrayBuffer {
    return this.cell.buffer as SharedArrayBuffer;
  }

  // --- guest side ---

  /** True when the guest may write to the fd now (until end()). */
  begin(): boolean {
    return Atomics.compareExchange(this.cell, 0, FREE, GUEST) === FREE;
  }

  /**
   * The guest's write is over. `handOver`: bytes remain (the socket was full), so the engine
   * writes from now on, after draining the ring. Returns true when the engine asked to close
   * meanwhile: then ring it, it closes the socket once it sees CLOSED.
   */
  end(handOver: boolean): boolean {
    if (Atomics.compareExchange(this.cell, 0, GUEST, handOver ? ENGINE : FREE) === GUEST) return false;
    Atomics.store(this.cell, 0, CLOSED);
    return true;
  }

  // --- engine side ---

  /** Before taking bytes out of the ring: the guest must not write directly until release(). */
  claim(): void {
    Atomics.compareExchange(this.cell, 0, FREE, ENGINE);
  }

  /** The engine holds no bytes any more (ring empty, socket buffer flushed). */
  release(): void {
    Atomics.compareExchange(this.cell, 0, ENGINE, FREE);
  }

  /** True when the engine took bytes a direct write would overtake (nothing to release). */
  get engineHolds(): boolean {
    return Atomics.load(this.cell, 0) === ENGINE;
  }

  /**
   * The engine wants to close the fd: true when it may now; false while the guest is inside a
   * write (it rings the engine's doorbell when done; call closable() then).
   */
  close(): boolean {
    for (;;) {
      const state = Atomics.load(this.cell, 0);
      if (state === CLOSED) return true;
      if (state === CLOSE_WANTED) return false;
      const next = state === GUEST ? CLOSE_WANTED : CLOSED;
      if (Atomics.compareExchange(this.cell, 0, state, next) === state) return next === CLOSED;
    }
  }

  /** After close() said false: whether the guest has finished its write. */
  get closable(): boolean {
    return Atomics.load(this.cell, 0) === CLOSED;
  }

  /** The guest's thread is gone (terminated): nobody is inside a write any more. */
  forceClose(): void {
    Atomics.store(this.cell, 0, CLOSED);
  }
}

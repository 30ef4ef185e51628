// Joins real host sockets to the engine's ends of guest connections. Back-pressure both ways:
// bytes from the host go into the guest's ring only as far as it has room, and the host socket
// is paused until the guest reads; bytes from the guest are taken out of its ring only once the
// host socket has drained the previous chunk. So neither a guest that never reads nor a slow
// host client makes memory grow beyond the ring and one socket buffer.
//
// All bridges of one container share one engine-side doorbell and one pump loop (BridgeHub):
// a wake-up of the engine thread serves every connection that has something to do, instead of
// one Atomics.waitAsync task per connection per message. The doorbell counts its sleepers, so a
// guest that sends while the engine is still busy pumping costs no wake-up at all; and the
// engine wakes a guest with ringThreads(), which leaves the container's stdio pumps (waiting on
// the same doorbell on this thread) asleep.

import { SabDoorbell } from '../../shims/process/doorbell.ts';
import { SabPipe } from '../../shims/process/sab-pipe.ts';
import type { HostOutlet } from '../../shims/net/host-outlet.ts';
import type { WireEnd } from '../../shims/net/net-protocol.ts';
import { SpaceWant } from '../../shims/net/wire.ts';
import type { HostSocket } from './host-tcp.ts';

export interface Bridge {
  /** Resolves when both directions are finished. */
  readonly done: Promise<void>;
  /** Tears the connection down at once (the container stopped). */
  abort(): void;
}

/** Moves whatever can move now; called by the hub after every ring. */
type Pump = () => void;

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

export class BridgeHub {
  readonly bell = new SabDoorbell();
  private readonly pumps = new Set<Pump>();
  private running = false;
  /** Doorbells to ring, keyed by their buffer (bridges to one guest share its doorbell). */
  private readonly toRing = new Map<SharedArrayBuffer, SabDoorbell>();
  private ringScheduled = false;

  /**
   * Rings `bell` once the current round of socket events is handled: data for several
   * connections of one guest arriving together costs it one wake-up, not one per connection.
   */
  ringSoon(bell: SabDoorbell): void {
    this.toRing.set(bell.buffer, bell);
    if (this.ringScheduled) return;
    this.ringScheduled = true;
    setImmediate(() => {
      this.ringScheduled = false;
      for (const b of this.toRing.values()) b.ringThreads();
      this.toRing.clear();
    });
  }

  add(pump: Pump): void {
    this.pumps.add(pump);
    if (!this.running) void this.loop();
  }

  remove(pump: Pump): void {
    this.pumps.delete(pump);
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.pumps.size > 0) {
        const seq = this.bell.seq();
        for (const pump of this.pumps) pump();
        const rang = this.bell.waitAsync(seq);
        // Rung while pumping: go round again, but let socket events in first.
        await (rang ?? yieldToIo());
      }
    } finally {
      this.running = false;
    }
  }
}

/**
 * `outlet`: the guest may write to the socket's fd itself (host-outlet.ts); the bridge then
 * takes only what the guest could not write (a full socket) from the ring, and holds the fd's
 * closing until the guest is out of a write.
 */
export function bridgeHostSocket(
  socket: HostSocket,
  end: WireEnd,
  hub: BridgeHub,
  outlet?: HostOutlet,
): Bridge {
  const fromGuest = new SabPipe(end.rx);
  const toGuest = new SabPipe(end.tx);
  const peer = new SabDoorbell(end.peerBell);
  const guestWantsSpace = new SpaceWant(end.rxWant);
  const weWantSpace = new SpaceWant(end.txWant);
  let closed = false;
  let pending: Uint8Array[] = [];
  let hostEnded = false;
  let writing = false;
  let ended = false;
  /** Chunks given to the socket and not yet flushed to the OS (only counted with an outlet). */
  let inFlight = 0;
  /** The socket's close, waiting for the guest to finish a direct write. */
  let pendingClose: (() => void) | undefined;

  const finishInbound = () => {
    if (!toGuest.writerClosed) {
      toGuest.closeWriter();
      peer.ring();
    }
  };

  /** Host bytes waiting for room in the guest's ring; resumes the socket once all are in. */
  const inbound = () => {
    if (toGuest.readerClosed) pending = [];
    let progressed = false;
    while (pending.length > 0) {
      const chunk = pending[0]!;
      const n = toGuest.write(chunk);
      if (n === 0) {
        // Say we wait, then look once more (the guest may have read before it saw the flag).
        weWantSpace.raise();
        if (toGuest.space() > 0) continue;
        break;
      }
      progressed = true;
      if (n === chunk.length) pending.shift();
      else pending[0] = chunk.subarray(n);
    }
    if (progressed) peer.ringThreads();
    if (pending.length > 0) return;
    if (hostEnded) finishInbound();
    else socket.resume();
  };

  /** Nothing held by the engine any more: the guest may write directly again. */
  const release = () => {
    if (!writing && inFlight === 0 && fromGuest.available() === 0) outlet!.release();
  };
  const flushed = () => {
    inFlight--;
    release();
  };

  const outbound = () => {
    while (!writing) {
      // Closed is read before the fill level: bytes written just before the close are seen.
      const writerClosed = fromGuest.writerClosed;
      if (fromGuest.available() === 0) {
        if (writerClosed && !ended) {
          ended = true;
          socket.end();
        } else if (outlet?.engineHolds) release();
        return;
      }
      outlet?.claim();
      const chunk = fromGuest.readChunk()!;
      if (guestWantsSpace.take()) peer.ringThreads();
      if (outlet) inFlight++;
      if (!socket.write(chunk, outlet && flushed)) {
        writing = true;
        void socket.drained().then(() => {
          writing = false;
          if (!closed) hub.bell.ring();
        });
      }
    }
  };

  const pump: Pump = () => {
    if (pendingClose && outlet!.closable) {
      const proceed = pendingClose;
      pendingClose = undefined;
      proceed();
    }
    if (closed) return;
    if (pending.length > 0) inbound();
    outbound();
  };

  // `chunk` is lent for the call only (a shared read buffer): what waits is copied.
  socket.onData((chunk) => {
    if (closed) return;
    if (pending.length === 0) {
      const n = toGuest.write(chunk);
      if (n > 0) hub.ringSoon(peer);
      if (n === chunk.length) return;
      pending.push(chunk.slice(n));
    } else pending.push(chunk.slice());
    socket.pause();
    inbound();
  });
  socket.onEnd(() => {
    hostEnded = true;
    if (pending.length === 0) finishInbound();
  });

  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const shutdown = () => {
    if (closed) return;
    closed = true;
    hub.remove(pump);
    pending = [];
    finishInbound();
    if (!fromGuest.readerClosed) fromGuest.closeReader();
    peer.ring();
    resolveDone();
  };
  socket.onClose(shutdown);
  if (outlet) {
    socket.holdClose((proceed) => {
      if (outlet.close()) proceed();
      else pendingClose = proceed; // the guest rings the hub when its write is over
    });
  }
  hub.add(pump);
  return {
    done,
    // Only once the guest's worker is gone (ContainerNet.close): nobody is inside a write.
    abort: () => {
      outlet?.forceClose();
      if (pendingClose) {
        // A close waited for a write the terminated guest never finished.
        const proceed = pendingClose;
        pendingClose = undefined;
        proceed();
      }
      socket.destroy();
      shutdown();
    },
  };
}

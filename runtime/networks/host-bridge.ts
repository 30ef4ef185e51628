// Joins a real host socket to the engine's end of a guest connection. Back-pressure both ways:
// bytes from the host go into the guest's ring only as far as it has room, and the host socket
// is paused until the guest reads; bytes from the guest are taken out of its ring only once the
// host socket has drained the previous chunk. So neither a guest that never reads nor a slow
// host client makes memory grow beyond the ring and one socket buffer.

import { SabDoorbell } from '../../shims/process/doorbell.ts';
import { SabPipe } from '../../shims/process/sab-pipe.ts';
import type { WireEnd } from '../../shims/net/net-protocol.ts';
import { SpaceWant } from '../../shims/net/wire.ts';
import type { HostSocket } from './host-tcp.ts';

export interface Bridge {
  /** Resolves when both directions are finished. */
  readonly done: Promise<void>;
  /** Tears the connection down at once (the container stopped). */
  abort(): void;
}

export function bridgeHostSocket(socket: HostSocket, end: WireEnd, bell: SabDoorbell): Bridge {
  const fromGuest = new SabPipe(end.rx);
  const toGuest = new SabPipe(end.tx);
  const peer = new SabDoorbell(end.peerBell);
  const guestWantsSpace = new SpaceWant(end.rxWant);
  const weWantSpace = new SpaceWant(end.txWant);
  let closed = false;
  let pending: Uint8Array[] = [];
  let hostEnded = false;
  let inboundRunning = false;

  const finishInbound = () => {
    if (!toGuest.writerClosed) {
      toGuest.closeWriter();
      peer.ring();
    }
  };

  const inbound = async (): Promise<void> => {
    if (inboundRunning) return;
    inboundRunning = true;
    try {
      while (pending.length > 0 && !closed) {
        const seq = bell.seq();
        if (toGuest.readerClosed) {
          pending = [];
          break;
        }
        let progressed = false;
        while (pending.length > 0) {
          const chunk = pending[0]!;
          const n = toGuest.write(chunk);
          if (n === 0) break;
          progressed = true;
          if (n === chunk.length) pending.shift();
          else pending[0] = chunk.subarray(n);
        }
        if (progressed) peer.ring();
        if (pending.length > 0) {
          weWantSpace.raise();
          if (toGuest.space() === 0) await bell.waitAsync(seq);
        }
      }
    } finally {
      inboundRunning = false;
    }
    if (closed) return;
    if (hostEnded) finishInbound();
    else socket.resume();
  };

  socket.onData((chunk) => {
    if (closed) return;
    if (pending.length === 0) {
      const n = toGuest.write(chunk);
      if (n > 0) peer.ring();
      if (n === chunk.length) return;
      pending.push(chunk.subarray(n));
    } else pending.push(chunk);
    socket.pause();
    void inbound();
  });
  socket.onEnd(() => {
    hostEnded = true;
    if (pending.length === 0 && !inboundRunning) finishInbound();
  });

  const outbound = async (): Promise<void> => {
    while (!closed) {
      const seq = bell.seq();
      const chunk = fromGuest.readChunk();
      if (chunk) {
        if (guestWantsSpace.take()) peer.ring();
        if (!socket.write(chunk)) await socket.drained();
        continue;
      }
      if (fromGuest.writerClosed) {
        socket.end();
        return;
      }
      await bell.waitAsync(seq);
    }
  };

  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const shutdown = () => {
    if (closed) return;
    closed = true;
    finishInbound();
    if (!fromGuest.readerClosed) fromGuest.closeReader();
    peer.ring();
    bell.ring(); // wakes our own loops so they see `closed`
    resolveDone();
  };
  socket.onClose(shutdown);
  void outbound();
  return {
    done,
    abort: () => {
      socket.destroy();
      shutdown();
    },
  };
}

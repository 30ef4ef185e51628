// TCP sockets as file descriptors in the guest's worker. A socket starts `fresh` (WASIX
// sock_open), becomes `bound` and `listening` (or arrives listening: LISTEN_FDS), or
// `connected` (sock_connect, or accepted). A connected socket reads and writes its two SabPipes
// directly — no thread crossing per byte — and rings the peer's doorbell after each change; the
// peer is another container's process (container to container) or the engine (host traffic).

import { SabDoorbell } from '../process/doorbell.ts';
import { SabPipe } from '../process/sab-pipe.ts';
import {
  type Doorbell,
  ERRNO_AGAIN,
  ERRNO_SUCCESS,
  Fd,
  Filetype,
  type Readiness,
  type Result,
} from '../wasi/fd.ts';
import type { GuestNet } from './guest-net.ts';
import { HostOutlet } from './host-outlet.ts';
import { SpaceWant } from './wire.ts';
import {
  ERRNO_INVAL,
  ERRNO_ISCONN,
  ERRNO_NOTCONN,
  ERRNO_NOTSUP,
  ERRNO_PIPE,
  type SocketAddress,
  type WireEnd,
} from './net-protocol.ts';

const FDFLAG_NONBLOCK = 4;
const RIFLAG_PEEK = 1;
const SHUT_RD = 1;
const SHUT_WR = 2;

type State = 'fresh' | 'bound' | 'listening' | 'connected' | 'closed';

/** Closes an end nobody will use (a connection queued for a listener that went away). */
export function refuseEnd(end: WireEnd): void {
  const rx = new SabPipe(end.rx);
  const tx = new SabPipe(end.tx);
  rx.closeReader();
  tx.closeWriter();
  new SabDoorbell(end.peerBell).ring();
}

export class SocketFd extends Fd {
  readonly filetype = Filetype.SOCKET_STREAM;
  private state: State = 'fresh';
  local: SocketAddress | undefined;
  peer: SocketAddress | undefined;
  private listener = -1;
  private rx: SabPipe | undefined;
  private tx: SabPipe | undefined;
  private peerBell: SabDoorbell | undefined;
  private rxWant: SpaceWant | undefined;
  private txWant: SpaceWant | undefined;
  /** Set when the peer is a host socket the guest may write to itself (host-outlet.ts). */
  private outlet: HostOutlet | undefined;
  private outletFd = -1;
  private shutRd = false;
  private shutWr = false;
  /** readiness()'s answer, refilled on every call (poll_oneoff reads it at once). */
  private readonly ready: Readiness = { readable: false, nbytes: 0, writable: false, hangup: false };
  /** Socket options the guest set (WASIX sock_set_opt_*), echoed back by the getters. */
  readonly options = new Map<number, bigint>();

  constructor(
    private readonly net: GuestNet,
    private readonly bell: Doorbell,
  ) {
    super();
  }

  /** A listener the engine opened before the process started. */
  static listening(net: GuestNet, listener: number, local: SocketAddress): SocketFd {
    const fd = new SocketFd(net, net.bell);
    fd.state = 'listening';
    fd.listener = listener;
    fd.local = local;
    return fd;
  }

  static connected(net: GuestNet, end: WireEnd): SocketFd {
    const fd = new SocketFd(net, net.bell);
    fd.attach(end);
    return fd;
  }

  get isListening(): boolean {
    return this.state === 'listening';
  }

  private attach(end: WireEnd): void {
    this.state = 'connected';
    this.rx = new SabPipe(end.rx);
    this.tx = new SabPipe(end.tx);
    this.peerBell = new SabDoorbell(end.peerBell);
    this.rxWant = new SpaceWant(end.rxWant);
    this.txWant = new SpaceWant(end.txWant);
    if (end.outlet && this.net.writeSocket) {
      this.outlet = new HostOutlet(end.outlet.cell);
      this.outletFd = end.outlet.fd;
    }
    this.local = end.local;
    this.peer = end.peer;
  }

  bind(address: SocketAddress): number {
    if (this.state !== 'fresh') return ERRNO_INVAL;
    const reply = this.net.request({ op: 'bind', local: address });
    if (reply.errno) return reply.errno;
    this.state = 'bound';
    this.listener = reply.listener!;
    this.local = reply.local!;
    return ERRNO_SUCCESS;
  }

  listen(backlog: number): number {
    if (this.state === 'listening') return ERRNO_SUCCESS;
    if (this.state === 'fresh') {
      // listen() without bind(): Linux picks a free port on every address.
      const errno = this.bind({ ip: '0.0.0.0', port: 0 });
      if (errno) return errno;
    }
    if (this.state !== 'bound') return ERRNO_INVAL;
    const reply = this.net.request({ op: 'listen', listener: this.listener, backlog });
    if (reply.errno) return reply.errno;
    this.state = 'listening';
    return ERRNO_SUCCESS;
  }

  connect(remote: SocketAddress): number {
    if (this.state === 'connected') return ERRNO_ISCONN;
    if (this.state === 'listening') return ERRNO_INVAL;
    const reply = this.net.request({ op: 'connect', remote });
    if (reply.errno) return reply.errno;
    if (this.state === 'bound') this.net.post({ op: 'close', listener: this.listener });
    this.attach(reply.end!);
    return ERRNO_SUCCESS;
  }

  override sockAccept(fdflags: number): Result<Fd> {
    if (this.state !== 'listening') return { errno: ERRNO_INVAL };
    for (;;) {
      const seq = this.bell.seq();
      const end = this.net.takeConnection(this.listener);
      if (end) {
        const fd = SocketFd.connected(this.net, end);
        fd.flags = fdflags & FDFLAG_NONBLOCK;
        return { errno: ERRNO_SUCCESS, value: fd };
      }
      if (this.flags & FDFLAG_NONBLOCK) return { errno: ERRNO_AGAIN };
      this.bell.wait(seq, Number.POSITIVE_INFINITY);
    }
  }

  override read(into: Uint8Array): Result<number> {
    const rx = this.rx;
    if (!rx) return { errno: ERRNO_NOTCONN };
    if (into.length === 0 || this.shutRd) return { errno: ERRNO_SUCCESS, value: 0 };
    for (;;) {
      const n = rx.read(into);
      if (n > 0) {
        if (this.rxWant!.take()) this.peerBell!.ring();
        return { errno: ERRNO_SUCCESS, value: n };
      }
      // Empty: now the careful order (seq, then closed, then the fill level) before waiting.
      const seq = this.bell.seq();
      const closed = rx.writerClosed;
      if (rx.available() > 0) continue;
      if (closed) return { errno: ERRNO_SUCCESS, value: 0 };
      if (this.flags & FDFLAG_NONBLOCK) return { errno: ERRNO_AGAIN };
      this.bell.wait(seq, Number.POSITIVE_INFINITY);
    }
  }

  override write(data: Uint8Array): Result<number> {
    const tx = this.tx;
    if (!tx) return { errno: ERRNO_NOTCONN };
    if (this.shutWr) return { errno: ERRNO_PIPE };
    let done = 0;
    // Straight into the host socket when nothing queued in the ring could be overtaken.
    const outlet = this.outlet;
    if (outlet && data.length > 0 && tx.available() === 0 && outlet.begin()) {
      const n = this.net.writeSocket!(this.outletFd, data);
      const rest = n < data.length;
      if (outlet.end(rest)) this.peerBell!.ring();
      if (!rest) return { errno: ERRNO_SUCCESS, value: n };
      // Full or failed: the rest goes through the ring, the engine writes it (and meets the error).
      if (n > 0) done = n;
    }
    while (done < data.length) {
      const seq = this.bell.seq();
      if (tx.readerClosed) return done > 0 ? { errno: ERRNO_SUCCESS, value: done } : { errno: ERRNO_PIPE };
      const n = tx.write(done === 0 ? data : data.subarray(done));
      if (n > 0) {
        done += n;
        this.peerBell!.ring();
        continue;
      }
      // Full: say so, then look once more (the reader may have taken bytes before it saw us).
      this.txWant!.raise();
      if (tx.space() > 0) continue;
      if (this.flags & FDFLAG_NONBLOCK)
        return done > 0 ? { errno: ERRNO_SUCCESS, value: done } : { errno: ERRNO_AGAIN };
      this.bell.wait(seq, Number.POSITIVE_INFINITY);
    }
    return { errno: ERRNO_SUCCESS, value: done };
  }

  override sockRecv(into: Uint8Array[], riFlags: number): Result<{ size: number; roFlags: number }> {
    if (!this.rx) return { errno: ERRNO_NOTCONN };
    // MSG_PEEK would need a look into the ring without taking; no guest of ours uses it.
    if (riFlags & RIFLAG_PEEK) return { errno: ERRNO_NOTSUP };
    let first = 0;
    while (first < into.length && into[first]!.length === 0) first++;
    if (first === into.length) return { errno: ERRNO_SUCCESS, value: { size: 0, roFlags: 0 } };
    const r = this.read(into[first]!);
    if (r.errno) return { errno: r.errno };
    let size = r.value!;
    // Fill the rest with what is already there, without blocking again.
    for (let i = first + 1; i < into.length && size > 0 && this.rx.available() > 0; i++) {
      const n = this.rx.read(into[i]!);
      if (n > 0 && this.rxWant!.take()) this.peerBell!.ring();
      size += n;
      if (n < into[i]!.length) break;
    }
    return { errno: ERRNO_SUCCESS, value: { size, roFlags: 0 } };
  }

  override sockSend(data: Uint8Array[], _siFlags: number): Result<number> {
    let total = 0;
    for (const chunk of data) {
      if (chunk.length === 0) continue;
      const r = this.write(chunk);
      if (r.errno) return total > 0 ? { errno: ERRNO_SUCCESS, value: total } : r;
      total += r.value!;
      if (r.value! < chunk.length) break;
    }
    return { errno: ERRNO_SUCCESS, value: total };
  }

  override sockShutdown(how: number): number {
    if (how < 1 || how > 3) return ERRNO_INVAL;
    if (this.state !== 'connected') return ERRNO_NOTCONN;
    if (how & SHUT_WR && !this.shutWr) {
      this.shutWr = true;
      this.tx!.closeWriter();
    }
    if (how & SHUT_RD && !this.shutRd) {
      this.shutRd = true;
      this.rx!.closeReader();
    }
    this.peerBell!.ring();
    return ERRNO_SUCCESS;
  }

  override readiness(): Readiness {
    if (this.state === 'listening') {
      const n = this.net.pending(this.listener);
      return { readable: n > 0, nbytes: n, writable: false, hangup: false };
    }
    const rx = this.rx;
    const tx = this.tx;
    if (!rx || !tx) return { readable: false, nbytes: 0, writable: false, hangup: this.state === 'closed' };
    const eof = rx.writerClosed || this.shutRd;
    const nbytes = rx.available();
    let space = tx.space();
    if (space === 0) {
      // poll_oneoff waits after this: the reader must ring us when it makes room.
      this.txWant!.raise();
      space = tx.space();
    }
    const r = this.ready;
    r.readable = nbytes > 0 || eof;
    r.nbytes = nbytes > 0 ? nbytes : space;
    r.writable = space > 0 || tx.readerClosed;
    r.hangup = eof && nbytes === 0 && (tx.readerClosed || this.shutWr);
    return r;
  }

  override close(): void {
    const state = this.state;
    this.state = 'closed';
    if (state === 'listening' || state === 'bound') {
      for (const end of this.net.forget(this.listener)) refuseEnd(end);
      this.net.post({ op: 'close', listener: this.listener });
    } else if (state === 'connected') {
      if (!this.shutWr) this.tx!.closeWriter();
      if (!this.shutRd) this.rx!.closeReader();
      this.peerBell!.ring();
    }
  }
}

// What crosses between a guest's worker and the engine's network stack. Bytes never do: each
// connection is two SabPipes (one per direction) that both ends read and write directly, and
// every change rings the other end's doorbell. Messages only set things up: a worker's request
// (bind, listen, connect, resolve) and its reply, and the engine's push of a new connection to
// the process that listens. They travel on one MessagePort per process; a worker blocked in a
// syscall takes them with a synchronous receive (Platform.receiveMessageSync).

import type { DoorbellTransfer } from '../process/doorbell.ts';
import type { PipeTransfer } from '../process/sab-pipe.ts';
import type { OutletTransfer } from './host-outlet.ts';

/** An IPv4 address as dotted text, and a port in host order. */
export interface SocketAddress {
  readonly ip: string;
  readonly port: number;
}

/**
 * One end of a connection: read `rx`, write `tx` and ring `peerBell` after writing. After
 * reading, ring it only when `rxWant` says the peer waits for space (a writer sets its `txWant`
 * cell before it waits on a full pipe): a wake-up per read would cost the peer a futex wake.
 */
export interface WireEnd {
  readonly rx: PipeTransfer;
  readonly tx: PipeTransfer;
  readonly peerBell: DoorbellTransfer;
  /** Int32 [1]: the writer of `rx` waits for space. */
  readonly rxWant: SharedArrayBuffer;
  /** Int32 [1]: we wait for space in `tx`. */
  readonly txWant: SharedArrayBuffer;
  readonly local: SocketAddress;
  readonly peer: SocketAddress;
  /** The peer is a host socket this end may write to directly (host-outlet.ts). */
  readonly outlet?: OutletTransfer;
}

/** A listening socket the engine opened before the process started (LISTEN_FDS). */
export interface PreopenedListener {
  readonly id: number;
  readonly local: SocketAddress;
}

/** What a process worker needs for networking (RunRequest.net). */
export interface NetSpec {
  /** The worker's end of the process's network MessagePort (transferred). */
  readonly port: MessagePort;
  /** Int32 [pushed]: how many messages the engine has posted (so the worker drains only then). */
  readonly inbox: SharedArrayBuffer;
  readonly listeners: readonly PreopenedListener[];
}

export type NetRequest =
  | { readonly op: 'bind'; readonly id: number; readonly local: SocketAddress }
  | { readonly op: 'listen'; readonly id: number; readonly listener: number; readonly backlog: number }
  | { readonly op: 'connect'; readonly id: number; readonly remote: SocketAddress }
  | { readonly op: 'resolve'; readonly id: number; readonly name: string }
  /** Fire and forget: the guest closed a listening (or bound) socket. */
  | { readonly op: 'close'; readonly id: number; readonly listener: number };

/** Engine -> worker: the answer to request `id` (errno 0 or a WASI errno). */
export interface NetReply {
  readonly type: 'reply';
  readonly id: number;
  readonly errno: number;
  /** bind: the engine's listener id and the address it holds (port 0 chose a free one). */
  readonly listener?: number;
  readonly local?: SocketAddress;
  /** connect: the caller's end of the new connection. */
  readonly end?: WireEnd;
  /** resolve: IPv4 addresses. */
  readonly addresses?: readonly string[];
}

/** Engine -> worker: a connection for listener `listener`. */
export interface NetPush {
  readonly type: 'accept';
  readonly listener: number;
  readonly end: WireEnd;
}

export type NetMessage = NetReply | NetPush;

/** Takes one message off a port without blocking (Node: worker_threads.receiveMessageOnPort). */
export type ReceiveSync = (port: MessagePort) => { message: unknown } | undefined;

// WASI errno numbers the network uses.
export const ERRNO_ADDRINUSE = 3;
export const ERRNO_ADDRNOTAVAIL = 4;
export const ERRNO_AFNOSUPPORT = 5;
export const ERRNO_AGAIN = 6;
export const ERRNO_ALREADY = 7;
export const ERRNO_CONNREFUSED = 14;
export const ERRNO_CONNRESET = 15;
export const ERRNO_HOSTUNREACH = 23;
export const ERRNO_INVAL = 28;
export const ERRNO_ISCONN = 30;
export const ERRNO_NETUNREACH = 40;
export const ERRNO_NOENT = 44;
export const ERRNO_NOPROTOOPT = 50;
export const ERRNO_NOTCONN = 53;
export const ERRNO_NOTSUP = 58;
export const ERRNO_PIPE = 64;
export const ERRNO_TIMEDOUT = 73;

/**
 * The engine's side of one container's network, as the process layer sees it: `open` is called
 * once when the container's main process starts (with its doorbell) and returns what the worker
 * needs plus the environment that announces pre-opened listeners (LISTEN_FDS, LISTEN_FDNAMES);
 * `close` when that process has exited.
 */
export interface ProcessNetwork {
  open(bell: DoorbellTransfer): { spec: NetSpec; env: string[] };
  close(): void;
}

/**
 * The first pre-opened listener's fd: 0-2 are stdio, 3 is the root preopen ('/'), so listeners
 * are 4, 5, … in LISTEN_FDNAMES order (systemd's SD_LISTEN_FDS_START is 3; WASI's preopens
 * come first).
 */
export const LISTEN_FDS_START = 4;

// The base of every file descriptor kind. Each operation defaults to ENOTSUP (as WASI's
// `notsup`); a kind overrides what it supports. Kinds: regular files and directories (over the
// overlay Vfs, in shims/wasi), pipes and stdio (shims/process, over SabPipe), sockets (later).
// Results are numbers of WASI errno (shims/wasi/defs.ts) or values; nothing here throws on the
// hot path.

import type { Stat } from '../../overlay/types.ts';

export const ERRNO_SUCCESS = 0;
export const ERRNO_AGAIN = 6;
export const ERRNO_BADF = 8;
export const ERRNO_NOTSUP = 58;
export const ERRNO_NOTSOCK = 57;

/** WASI filetype numbers. */
export enum Filetype {
  UNKNOWN = 0,
  BLOCK_DEVICE = 1,
  CHARACTER_DEVICE = 2,
  DIRECTORY = 3,
  REGULAR_FILE = 4,
  SOCKET_DGRAM = 5,
  SOCKET_STREAM = 6,
  SYMBOLIC_LINK = 7,
}

/** What poll_oneoff asks of an fd. */
export interface Readiness {
  /** Bytes available to read now (0 with `hangup` means EOF). */
  readable: boolean;
  nbytes: number;
  writable: boolean;
  hangup: boolean;
}

/** Result of an operation: an errno (number) or a value. */
export type Result<T> = { errno: number; value?: undefined } | { errno: 0; value: T };

export interface FdStat {
  filetype: Filetype;
  /** WASI fdflags bits (APPEND=1, DSYNC=2, NONBLOCK=4, RSYNC=8, SYNC=16). */
  flags: number;
  rightsBase: bigint;
  rightsInheriting: bigint;
}

/**
 * Blocking calls (read of an empty pipe, write to a full one, poll_oneoff) wait on the process's
 * doorbell: read `seq()`, check readiness, and if nothing is ready `wait(seq, timeoutMs)` with
 * Atomics.wait. Anything that may change readiness rings the doorbell. No busy-waiting.
 */
export interface Doorbell {
  seq(): number;
  /** Blocks until the doorbell rings after `seq` was read, or the timeout (ms; Infinity) passes. */
  wait(seq: number, timeoutMs: number): void;
  ring(): void;
}

export abstract class Fd {
  abstract readonly filetype: Filetype;
  /** fdflags; fd_fdstat_set_flags changes it where the kind allows. */
  flags = 0;
  rightsBase = 0xffff_ffff_ffff_ffffn;
  rightsInheriting = 0xffff_ffff_ffff_ffffn;

  /** Sequential read (fd_read). Blocking kinds wait unless NONBLOCK is set (then ERRNO_AGAIN). */
  read(_into: Uint8Array): Result<number> {
    return { errno: ERRNO_NOTSUP };
  }
  /** Sequential write (fd_write). */
  write(_data: Uint8Array): Result<number> {
    return { errno: ERRNO_NOTSUP };
  }
  pread(_into: Uint8Array, _offset: number): Result<number> {
    return { errno: ERRNO_NOTSUP };
  }
  pwrite(_data: Uint8Array, _offset: number): Result<number> {
    return { errno: ERRNO_NOTSUP };
  }
  /** whence: 0 SET, 1 CUR, 2 END. */
  seek(_offset: bigint, _whence: number): Result<bigint> {
    return { errno: ERRNO_NOTSUP };
  }
  stat(): Result<Stat> {
    return { errno: ERRNO_NOTSUP };
  }
  readiness(): Readiness {
    return { readable: true, nbytes: 0, writable: true, hangup: false };
  }
  /** Called once when the last reference in the fd table goes away. */
  close(): void {}

  /** Slots of fd tables holding this Fd; FdTable counts them and calls close() at zero. */
  tableRefs = 0;

  /** fd_fdstat_set_flags (flags already validated). */
  setFlags(flags: number): number {
    this.flags = flags;
    return ERRNO_SUCCESS;
  }
  /** fd_filestat_set_size. */
  setSize(_size: number): number {
    return ERRNO_NOTSUP;
  }
  /** fd_filestat_set_times: null leaves a time, 'now' takes the clock. */
  setTimes(_atimeNs: bigint | null | 'now', _mtimeNs: bigint | null | 'now'): number {
    return ERRNO_NOTSUP;
  }
  /** fd_sync / fd_datasync. */
  sync(_dataOnly: boolean): number {
    return ERRNO_NOTSUP;
  }
  /** fd_allocate (offset, len already validated). */
  allocate(_offset: number, _len: number): number {
    return ERRNO_NOTSUP;
  }
  /** fd_advise (advice already validated). */
  advise(_offset: number, _len: number, _advice: number): number {
    return ERRNO_SUCCESS;
  }

  // Sockets override these; everything else is not a socket.
  /** sock_accept: the accepted connection's Fd. */
  sockAccept(_fdflags: number): Result<Fd> {
    return { errno: ERRNO_NOTSOCK };
  }
  /** sock_recv into the buffers in order; value.size bytes, value.roFlags (roflags). */
  sockRecv(_into: Uint8Array[], _riFlags: number): Result<{ size: number; roFlags: number }> {
    return { errno: ERRNO_NOTSOCK };
  }
  /** sock_send of the buffers in order. */
  sockSend(_data: Uint8Array[], _siFlags: number): Result<number> {
    return { errno: ERRNO_NOTSOCK };
  }
  /** sock_shutdown; how = sdflags (RD=1, WR=2). */
  sockShutdown(_how: number): number {
    return ERRNO_NOTSOCK;
  }
}

// File descriptors over SabPipe (stdio and pipes between processes) and the two trivial stdio
// kinds: an always-EOF stdin and a discarding stdout. Pipes report filetype UNKNOWN without the
// seek/tell rights, so wasi-libc's isatty() says no and stdout is fully buffered (as for a pipe
// on Linux). The stdio of a `-t` container says CHARACTER_DEVICE instead (asTerminal): isatty()
// then says yes, as on the pty Docker would give it, and a shell is interactive.

import type { Stat } from '../../overlay/types.ts';
import {
  type Doorbell,
  ERRNO_AGAIN,
  ERRNO_BADF,
  ERRNO_SUCCESS,
  Fd,
  Filetype,
  type Readiness,
  type Result,
} from '../wasi/fd.ts';
import type { SabPipe } from './sab-pipe.ts';

export const ERRNO_PIPE = 64;
const FDFLAG_NONBLOCK = 4;
const RIGHT_FD_SEEK = 1n << 2n;
const RIGHT_FD_TELL = 1n << 5n;
const PIPE_RIGHTS = 0xffff_ffff_ffff_ffffn & ~(RIGHT_FD_SEEK | RIGHT_FD_TELL);

const pipeStat = (): Stat => ({
  ino: 0,
  dev: 0,
  type: 'fifo',
  mode: 0o600,
  nlink: 1,
  uid: 0,
  gid: 0,
  size: 0,
  atimeNs: 0n,
  mtimeNs: 0n,
  ctimeNs: 0n,
});

abstract class StreamFd extends Fd {
  filetype: Filetype = Filetype.UNKNOWN;
  override rightsBase = PIPE_RIGHTS;
  override rightsInheriting = PIPE_RIGHTS;
  override stat(): Result<Stat> {
    return { errno: ERRNO_SUCCESS, value: pipeStat() };
  }
}

/** The read end of a pipe: blocks on the doorbell until data or EOF. */
export class PipeReadFd extends StreamFd {
  constructor(
    private readonly pipe: SabPipe,
    private readonly bell: Doorbell,
  ) {
    super();
  }

  override read(into: Uint8Array): Result<number> {
    if (into.length === 0) return { errno: ERRNO_SUCCESS, value: 0 };
    for (;;) {
      const seq = this.bell.seq();
      const closed = this.pipe.writerClosed;
      const n = this.pipe.read(into);
      if (n > 0) {
        this.bell.ring();
        return { errno: ERRNO_SUCCESS, value: n };
      }
      if (closed) return { errno: ERRNO_SUCCESS, value: 0 };
      if (this.flags & FDFLAG_NONBLOCK) return { errno: ERRNO_AGAIN };
      this.bell.wait(seq, Number.POSITIVE_INFINITY);
    }
  }

  override readiness(): Readiness {
    const closed = this.pipe.writerClosed;
    const nbytes = this.pipe.available();
    return { readable: nbytes > 0 || closed, nbytes, writable: false, hangup: closed && nbytes === 0 };
  }

  private closed = false;
  override close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pipe.closeReader();
    this.bell.ring();
  }

  /** The pipe, for handing this end to a child process. */
  get sabPipe(): SabPipe {
    return this.pipe;
  }
}

/** The write end of a pipe: a blocking write returns once every byte is in (POSIX pipes). */
export class PipeWriteFd extends StreamFd {
  constructor(
    private readonly pipe: SabPipe,
    private readonly bell: Doorbell,
  ) {
    super();
  }

  override write(data: Uint8Array): Result<number> {
    let done = 0;
    while (done < data.length) {
      const seq = this.bell.seq();
      if (this.pipe.readerClosed)
        return done > 0 ? { errno: ERRNO_SUCCESS, value: done } : { errno: ERRNO_PIPE };
      const n = this.pipe.write(done === 0 ? data : data.subarray(done));
      if (n > 0) {
        done += n;
        this.bell.ring();
        continue;
      }
      if (this.flags & FDFLAG_NONBLOCK)
        return done > 0 ? { errno: ERRNO_SUCCESS, value: done } : { errno: ERRNO_AGAIN };
      this.bell.wait(seq, Number.POSITIVE_INFINITY);
    }
    return { errno: ERRNO_SUCCESS, value: done };
  }

  override readiness(): Readiness {
    const closed = this.pipe.readerClosed;
    const space = this.pipe.space();
    return { readable: false, nbytes: space, writable: space > 0 || closed, hangup: closed };
  }

  private closed = false;
  override close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pipe.closeWriter();
    this.bell.ring();
  }

  get sabPipe(): SabPipe {
    return this.pipe;
  }
}

/** stdin with nothing behind it: every read is EOF. */
export class EofFd extends StreamFd {
  override read(_into: Uint8Array): Result<number> {
    return { errno: ERRNO_SUCCESS, value: 0 };
  }
  override write(_data: Uint8Array): Result<number> {
    return { errno: ERRNO_BADF };
  }
  override readiness(): Readiness {
    return { readable: true, nbytes: 0, writable: false, hangup: true };
  }
}

/** stdout/stderr of a guest on the host's own thread: every write reaches the sink at once. */
export class SinkFd extends StreamFd {
  constructor(private readonly sink: (chunk: Uint8Array) => void) {
    super();
  }
  override write(data: Uint8Array): Result<number> {
    if (data.length > 0) this.sink(data.slice());
    return { errno: ERRNO_SUCCESS, value: data.length };
  }
  override read(_into: Uint8Array): Result<number> {
    return { errno: ERRNO_BADF };
  }
  override readiness(): Readiness {
    return { readable: false, nbytes: 0, writable: true, hangup: false };
  }
}

/** stdout/stderr nobody reads: accepts and drops everything (like /dev/null). */
export class DiscardFd extends StreamFd {
  override write(data: Uint8Array): Result<number> {
    return { errno: ERRNO_SUCCESS, value: data.length };
  }
  override read(_into: Uint8Array): Result<number> {
    return { errno: ERRNO_BADF };
  }
  override readiness(): Readiness {
    return { readable: false, nbytes: 0, writable: true, hangup: false };
  }
}

/** Marks a stdio fd as the container's terminal (`-t`): a character device with no seek/tell. */
export function asTerminal<T extends Fd>(fd: T): T {
  if (fd instanceof StreamFd) fd.filetype = Filetype.CHARACTER_DEVICE;
  return fd;
}

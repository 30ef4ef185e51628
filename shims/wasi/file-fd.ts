// A regular file opened through the Vfs: a FileHandle plus this descriptor's position.

import type { FileHandle, Stat } from '../../overlay/types.ts';
import { FDFLAGS_APPEND, ERRNO_INVAL, ERRNO_SUCCESS, WHENCE_CUR, WHENCE_END, WHENCE_SET } from './defs.ts';
import { wasiErrno } from './errno.ts';
import { Fd, Filetype, type Readiness, type Result } from './fd.ts';
import type { TimeSpec } from './guest-fs.ts';

const MAX_OFFSET = 2n ** 63n - 1n;

export class FileFd extends Fd {
  readonly filetype = Filetype.REGULAR_FILE;
  position = 0;

  constructor(
    readonly handle: FileHandle,
    flags: number,
    rightsBase: bigint,
    rightsInheriting: bigint,
  ) {
    super();
    this.flags = flags;
    this.rightsBase = rightsBase;
    this.rightsInheriting = rightsInheriting;
  }

  /** Reads at the position; returns bytes read or -errno (no Result object on the hot path). */
  readNow(into: Uint8Array): number {
    const n = this.handle.read(into, this.position);
    if (typeof n !== 'number') return -wasiErrno(n);
    this.position += n;
    return n;
  }

  /** Writes at the position (at the end with APPEND); bytes written or -errno. */
  writeNow(data: Uint8Array): number {
    if (this.flags & FDFLAGS_APPEND) this.position = this.handle.stat().size;
    const n = this.handle.write(data, this.position);
    if (typeof n !== 'number') return -wasiErrno(n);
    this.position += n;
    return n;
  }

  override read(into: Uint8Array): Result<number> {
    const n = this.readNow(into);
    return n < 0 ? { errno: -n } : { errno: ERRNO_SUCCESS, value: n };
  }
  override write(data: Uint8Array): Result<number> {
    const n = this.writeNow(data);
    return n < 0 ? { errno: -n } : { errno: ERRNO_SUCCESS, value: n };
  }
  override pread(into: Uint8Array, offset: number): Result<number> {
    const n = this.handle.read(into, offset);
    return typeof n === 'number' ? { errno: ERRNO_SUCCESS, value: n } : { errno: wasiErrno(n) };
  }
  override pwrite(data: Uint8Array, offset: number): Result<number> {
    const n = this.handle.write(data, offset);
    return typeof n === 'number' ? { errno: ERRNO_SUCCESS, value: n } : { errno: wasiErrno(n) };
  }

  override seek(offset: bigint, whence: number): Result<bigint> {
    let base: number;
    if (whence === WHENCE_SET) base = 0;
    else if (whence === WHENCE_CUR) base = this.position;
    else if (whence === WHENCE_END) base = this.handle.stat().size;
    else return { errno: ERRNO_INVAL };
    const to = BigInt(base) + offset;
    if (to < 0n || to > MAX_OFFSET) return { errno: ERRNO_INVAL };
    this.position = Number(to);
    return { errno: ERRNO_SUCCESS, value: to };
  }

  override stat(): Result<Stat> {
    return { errno: ERRNO_SUCCESS, value: this.handle.stat() };
  }

  override readiness(): Readiness {
    const left = this.handle.stat().size - this.position;
    return { readable: true, nbytes: Math.max(0, left), writable: true, hangup: false };
  }

  override setSize(size: number): number {
    const e = this.handle.truncate(size);
    return e ? wasiErrno(e) : ERRNO_SUCCESS;
  }

  override setTimes(atimeNs: TimeSpec, mtimeNs: TimeSpec): number {
    const e = this.handle.utimes(atimeNs, mtimeNs);
    return e ? wasiErrno(e) : ERRNO_SUCCESS;
  }

  override sync(_dataOnly: boolean): number {
    const e = this.handle.sync();
    return e ? wasiErrno(e) : ERRNO_SUCCESS;
  }

  /** posix_fallocate: grows the file to offset+len; never shrinks. */
  override allocate(offset: number, len: number): number {
    const end = offset + len;
    if (end <= this.handle.stat().size) return ERRNO_SUCCESS;
    const e = this.handle.truncate(end);
    return e ? wasiErrno(e) : ERRNO_SUCCESS;
  }

  override close(): void {
    this.handle.close();
  }
}

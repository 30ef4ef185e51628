// fd_* calls. Rights are checked first (ENOTCAPABLE, as uvwasi), then the Fd kind acts. Regular
// files take an allocation-free path (FileFd.readNow/writeNow); other kinds get one read or write
// per call, gathering several iovecs into a scratch buffer so a pipe never blocks between two.

import { type WasiContext, hasRights } from '../context.ts';
import * as d from '../defs.ts';
import { DirFd } from '../dir-fd.ts';
import { type Fd, Filetype } from '../fd.ts';
import { FileFd } from '../file-fd.ts';
import type { GuestMemory } from '../memory.ts';
import { dirent, fdstat, filestat, prestat } from '../structs.ts';
import type { TimeSpec } from '../guest-fs.ts';

const ZERO_STAT = {
  ino: 0,
  dev: 0,
  type: 'chardev' as const,
  mode: 0,
  nlink: 1,
  uid: 0,
  gid: 0,
  size: 0,
  atimeNs: 0n,
  mtimeNs: 0n,
  ctimeNs: 0n,
};

/** Checks the iovec array and every buffer it names; returns the total length or -1. */
const iovecsTotal = (mem: GuestMemory, iovs: number, count: number): number => {
  if (!mem.ok(iovs, count * 8)) return -1;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const ptr = mem.u32(iovs + i * 8);
    const len = mem.u32(iovs + i * 8 + 4);
    if (!mem.ok(ptr, len)) return -1;
    total += len;
  }
  return total;
};

/** Validates fstflags and turns them into Vfs time specs; undefined when invalid. */
export const timeSpecs = (atim: bigint, mtim: bigint, fst: number): [TimeSpec, TimeSpec] | undefined => {
  if (fst & ~15) return undefined;
  if (fst & d.FSTFLAGS_ATIM && fst & d.FSTFLAGS_ATIM_NOW) return undefined;
  if (fst & d.FSTFLAGS_MTIM && fst & d.FSTFLAGS_MTIM_NOW) return undefined;
  const a: TimeSpec = fst & d.FSTFLAGS_ATIM_NOW ? 'now' : fst & d.FSTFLAGS_ATIM ? atim : null;
  const m: TimeSpec = fst & d.FSTFLAGS_MTIM_NOW ? 'now' : fst & d.FSTFLAGS_MTIM ? mtim : null;
  return [a, m];
};

/**
 * A name's UTF-8 form for fd_readdir without allocating: ASCII names (nearly all) are copied
 * char by char; others go through TextEncoder.
 */
class Utf8Name {
  private name = '';
  private bytes: Uint8Array | undefined;
  length = 0;
  set(name: string): this {
    this.name = name;
    this.bytes = undefined;
    let ascii = true;
    for (let i = 0; i < name.length; i++) {
      if (name.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) this.length = name.length;
    else {
      this.bytes = encoder.encode(name);
      this.length = this.bytes.length;
    }
    return this;
  }
  /** Copies the first `n` bytes to `into` at `at`. */
  copyTo(into: Uint8Array, at: number, n: number): void {
    if (this.bytes) {
      into.set(this.bytes.subarray(0, n), at);
      return;
    }
    const name = this.name;
    for (let i = 0; i < n; i++) into[at + i] = name.charCodeAt(i);
  }
}

const encoder = new TextEncoder();

export const fdSyscalls = (ctx: WasiContext) => {
  const nameBytes = new Utf8Name();
  const utf8 = (name: string): Utf8Name => nameBytes.set(name);
  const { mem, fds } = ctx;
  let scratch = new Uint8Array(4096);
  const direntScratch = new DataView(new ArrayBuffer(dirent.size));
  const scratchOf = (n: number): Uint8Array => {
    if (scratch.length < n) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
    return scratch.subarray(0, n);
  };

  /** The fd if it exists and holds `rights`, else an errno. */
  const lookup = (n: number, rights: number): Fd | number => {
    const fd = fds.get(n);
    if (fd === undefined) return d.ERRNO_BADF;
    return hasRights(fd.rightsBase, rights) ? fd : d.ERRNO_NOTCAPABLE;
  };

  /** Shared by fd_read and fd_pread (offset < 0: sequential). */
  const readInto = (fd: Fd, iovs: number, count: number, offset: number, nreadPtr: number): number => {
    if (!mem.ok(nreadPtr, 4)) return d.ERRNO_FAULT;
    const total = iovecsTotal(mem, iovs, count);
    if (total < 0) return d.ERRNO_FAULT;
    let done = 0;
    if (count === 1 || fd instanceof FileFd) {
      for (let i = 0; i < count; i++) {
        const ptr = mem.u32(iovs + i * 8);
        const len = mem.u32(iovs + i * 8 + 4);
        if (len === 0) continue;
        const into = mem.u8.subarray(ptr, ptr + len);
        let n: number;
        if (offset >= 0) {
          const r = fd.pread(into, offset + done);
          n = r.errno ? -r.errno : r.value!;
        } else if (fd instanceof FileFd) n = fd.readNow(into);
        else {
          const r = fd.read(into);
          n = r.errno ? -r.errno : r.value!;
        }
        if (n < 0) {
          if (done === 0) return -n;
          break;
        }
        done += n;
        if (n < len) break;
      }
    } else if (total > 0) {
      const buf = scratchOf(total);
      const r = offset >= 0 ? fd.pread(buf, offset) : fd.read(buf);
      if (r.errno) return r.errno;
      done = r.value!;
      mem.refresh(); // another thread may have grown a shared memory while this one blocked
      for (let i = 0, at = 0; i < count && at < done; i++) {
        const ptr = mem.u32(iovs + i * 8);
        const len = Math.min(mem.u32(iovs + i * 8 + 4), done - at);
        mem.u8.set(buf.subarray(at, at + len), ptr);
        at += len;
      }
    }
    mem.setU32(nreadPtr, done);
    return d.ERRNO_SUCCESS;
  };

  const writeFrom = (fd: Fd, iovs: number, count: number, offset: number, nwrittenPtr: number): number => {
    if (!mem.ok(nwrittenPtr, 4)) return d.ERRNO_FAULT;
    const total = iovecsTotal(mem, iovs, count);
    if (total < 0) return d.ERRNO_FAULT;
    let done = 0;
    if (count === 1 || fd instanceof FileFd) {
      for (let i = 0; i < count; i++) {
        const ptr = mem.u32(iovs + i * 8);
        const len = mem.u32(iovs + i * 8 + 4);
        if (len === 0) continue;
        const data = mem.u8.subarray(ptr, ptr + len);
        let n: number;
        if (offset >= 0) {
          const r = fd.pwrite(data, offset + done);
          n = r.errno ? -r.errno : r.value!;
        } else if (fd instanceof FileFd) n = fd.writeNow(data);
        else {
          const r = fd.write(data);
          n = r.errno ? -r.errno : r.value!;
        }
        if (n < 0) {
          if (done === 0) return -n;
          break;
        }
        done += n;
        if (n < len) break;
      }
    } else if (total > 0) {
      const buf = scratchOf(total);
      for (let i = 0, at = 0; i < count; i++) {
        const ptr = mem.u32(iovs + i * 8);
        const len = mem.u32(iovs + i * 8 + 4);
        buf.set(mem.u8.subarray(ptr, ptr + len), at);
        at += len;
      }
      const r = offset >= 0 ? fd.pwrite(buf, offset) : fd.write(buf);
      if (r.errno) return r.errno;
      done = r.value!;
    }
    mem.setU32(nwrittenPtr, done);
    return d.ERRNO_SUCCESS;
  };

  return {
    fd_read(n: number, iovs: number, count: number, nreadPtr: number): number {
      mem.refresh();
      const fd = lookup(n, d.RIGHT_FD_READ);
      if (typeof fd === 'number') return fd;
      return readInto(fd, iovs >>> 0, count >>> 0, -1, nreadPtr >>> 0);
    },
    fd_pread(n: number, iovs: number, count: number, offset: bigint, nreadPtr: number): number {
      mem.refresh();
      const fd = lookup(n, d.RIGHT_FD_READ | d.RIGHT_FD_SEEK);
      if (typeof fd === 'number') return fd;
      if (offset < 0n || offset > BigInt(Number.MAX_SAFE_INTEGER)) return d.ERRNO_INVAL;
      return readInto(fd, iovs >>> 0, count >>> 0, Number(offset), nreadPtr >>> 0);
    },
    fd_write(n: number, iovs: number, count: number, nwrittenPtr: number): number {
      mem.refresh();
      const fd = lookup(n, d.RIGHT_FD_WRITE);
      if (typeof fd === 'number') return fd;
      return writeFrom(fd, iovs >>> 0, count >>> 0, -1, nwrittenPtr >>> 0);
    },
    fd_pwrite(n: number, iovs: number, count: number, offset: bigint, nwrittenPtr: number): number {
      mem.refresh();
      const fd = lookup(n, d.RIGHT_FD_WRITE | d.RIGHT_FD_SEEK);
      if (typeof fd === 'number') return fd;
      if (offset < 0n || offset > BigInt(Number.MAX_SAFE_INTEGER)) return d.ERRNO_INVAL;
      return writeFrom(fd, iovs >>> 0, count >>> 0, Number(offset), nwrittenPtr >>> 0);
    },

    fd_seek(n: number, offset: bigint, whence: number, newOffsetPtr: number): number {
      mem.refresh();
      newOffsetPtr >>>= 0;
      const tellOnly = offset === 0n && whence === d.WHENCE_CUR;
      const fd = lookup(n, tellOnly ? d.RIGHT_FD_TELL : d.RIGHT_FD_SEEK);
      if (typeof fd === 'number') return fd;
      if (!mem.ok(newOffsetPtr, 8)) return d.ERRNO_FAULT;
      const r = fd.seek(offset, whence);
      if (r.errno) return r.errno;
      mem.setBigU64(newOffsetPtr, r.value!);
      return d.ERRNO_SUCCESS;
    },
    fd_tell(n: number, offsetPtr: number): number {
      mem.refresh();
      offsetPtr >>>= 0;
      const fd = lookup(n, d.RIGHT_FD_TELL);
      if (typeof fd === 'number') return fd;
      if (!mem.ok(offsetPtr, 8)) return d.ERRNO_FAULT;
      const r = fd.seek(0n, d.WHENCE_CUR);
      if (r.errno) return r.errno;
      mem.setBigU64(offsetPtr, r.value!);
      return d.ERRNO_SUCCESS;
    },

    fd_close(n: number): number {
      return fds.close(n);
    },
    fd_renumber(from: number, to: number): number {
      return fds.renumber(from, to);
    },
    fd_sync(n: number): number {
      const fd = lookup(n, d.RIGHT_FD_SYNC);
      return typeof fd === 'number' ? fd : fd.sync(false);
    },
    fd_datasync(n: number): number {
      const fd = lookup(n, d.RIGHT_FD_DATASYNC);
      return typeof fd === 'number' ? fd : fd.sync(true);
    },
    fd_advise(n: number, offset: bigint, len: bigint, advice: number): number {
      const fd = lookup(n, d.RIGHT_FD_ADVISE);
      if (typeof fd === 'number') return fd;
      if (advice < 0 || advice > d.ADVICE_NOREUSE || offset < 0n || len < 0n) return d.ERRNO_INVAL;
      return fd.advise(Number(offset), Number(len), advice);
    },
    fd_allocate(n: number, offset: bigint, len: bigint): number {
      const fd = lookup(n, d.RIGHT_FD_ALLOCATE);
      if (typeof fd === 'number') return fd;
      if (offset < 0n || len <= 0n) return d.ERRNO_INVAL;
      if (offset + len > BigInt(Number.MAX_SAFE_INTEGER)) return d.ERRNO_FBIG;
      return fd.allocate(Number(offset), Number(len));
    },

    fd_fdstat_get(n: number, ptr: number): number {
      mem.refresh();
      ptr >>>= 0;
      const fd = fds.get(n);
      if (fd === undefined) return d.ERRNO_BADF;
      if (!mem.ok(ptr, fdstat.size)) return d.ERRNO_FAULT;
      fdstat.write(mem.view, ptr, fd.filetype, fd.flags, fd.rightsBase, fd.rightsInheriting);
      return d.ERRNO_SUCCESS;
    },
    fd_fdstat_set_flags(n: number, flags: number): number {
      const fd = lookup(n, d.RIGHT_FD_FDSTAT_SET_FLAGS);
      if (typeof fd === 'number') return fd;
      if (flags & ~d.FDFLAGS_ALL) return d.ERRNO_INVAL;
      return fd.setFlags(flags);
    },
    fd_fdstat_set_rights(n: number, base: bigint, inheriting: bigint): number {
      const fd = fds.get(n);
      if (fd === undefined) return d.ERRNO_BADF;
      // Rights only ever shrink.
      if ((base & ~fd.rightsBase) !== 0n || (inheriting & ~fd.rightsInheriting) !== 0n) {
        return d.ERRNO_NOTCAPABLE;
      }
      fd.rightsBase = base;
      fd.rightsInheriting = inheriting;
      return d.ERRNO_SUCCESS;
    },

    fd_filestat_get(n: number, ptr: number): number {
      mem.refresh();
      ptr >>>= 0;
      const fd = lookup(n, d.RIGHT_FD_FILESTAT_GET);
      if (typeof fd === 'number') return fd;
      if (!mem.ok(ptr, filestat.size)) return d.ERRNO_FAULT;
      const r = fd.stat();
      // Kinds without an inode (stdio, pipes) still answer fstat, as a Linux tty or pipe does.
      if (r.errno === d.ERRNO_NOTSUP) filestat.write(mem.view, ptr, ZERO_STAT, fd.filetype);
      else if (r.errno) return r.errno;
      else filestat.write(mem.view, ptr, r.value!, fd.filetype);
      return d.ERRNO_SUCCESS;
    },
    fd_filestat_set_size(n: number, size: bigint): number {
      const fd = lookup(n, d.RIGHT_FD_FILESTAT_SET_SIZE);
      if (typeof fd === 'number') return fd;
      if (size < 0n) return d.ERRNO_INVAL;
      if (size > BigInt(Number.MAX_SAFE_INTEGER)) return d.ERRNO_FBIG;
      return fd.setSize(Number(size));
    },
    fd_filestat_set_times(n: number, atim: bigint, mtim: bigint, fst: number): number {
      const fd = lookup(n, d.RIGHT_FD_FILESTAT_SET_TIMES);
      if (typeof fd === 'number') return fd;
      const times = timeSpecs(atim, mtim, fst);
      return times ? fd.setTimes(times[0], times[1]) : d.ERRNO_INVAL;
    },

    fd_prestat_get(n: number, ptr: number): number {
      mem.refresh();
      ptr >>>= 0;
      const fd = fds.get(n);
      if (!(fd instanceof DirFd) || !fd.preopenName) return d.ERRNO_BADF;
      if (!mem.ok(ptr, prestat.size)) return d.ERRNO_FAULT;
      prestat.write(mem.view, ptr, fd.preopenName.length);
      return d.ERRNO_SUCCESS;
    },
    fd_prestat_dir_name(n: number, ptr: number, len: number): number {
      mem.refresh();
      ptr >>>= 0;
      len >>>= 0;
      const fd = fds.get(n);
      if (!(fd instanceof DirFd) || !fd.preopenName) return d.ERRNO_BADF;
      const name = fd.preopenName;
      if (len < name.length) return d.ERRNO_NAMETOOLONG;
      if (!mem.ok(ptr, name.length)) return d.ERRNO_FAULT;
      mem.u8.set(name, ptr);
      return d.ERRNO_SUCCESS;
    },

    fd_readdir(n: number, buf: number, bufLen: number, cookie: bigint, bufusedPtr: number): number {
      mem.refresh();
      buf >>>= 0;
      bufLen >>>= 0;
      bufusedPtr >>>= 0;
      const fd = lookup(n, d.RIGHT_FD_READDIR);
      if (typeof fd === 'number') return fd;
      if (!(fd instanceof DirFd)) return fd.filetype === Filetype.DIRECTORY ? d.ERRNO_NOTSUP : d.ERRNO_NOTDIR;
      if (!mem.ok(buf, bufLen) || !mem.ok(bufusedPtr, 4)) return d.ERRNO_FAULT;
      const start = cookie > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(cookie);
      const list = fd.listing(start);
      if (typeof list === 'number') return list;
      const { names, inos, types } = list;
      const view = mem.view;
      const u8 = mem.u8;
      let used = 0;
      for (let i = start; i < names.length; i++) {
        const name = utf8(names[i]!);
        const room = bufLen - used;
        if (room >= dirent.size + name.length) {
          dirent.write(view, buf + used, i + 1, inos[i]!, name.length, types[i]!);
          name.copyTo(u8, buf + used + dirent.size, name.length);
          used += dirent.size + name.length;
          continue;
        }
        // The last entry goes in as far as it fits; the caller retries with a bigger buffer.
        dirent.write(direntScratch, 0, i + 1, inos[i]!, name.length, types[i]!);
        const head = new Uint8Array(direntScratch.buffer);
        u8.set(head.subarray(0, Math.min(room, dirent.size)), buf + used);
        if (room > dirent.size) name.copyTo(u8, buf + used + dirent.size, room - dirent.size);
        used = bufLen;
        break;
      }
      mem.setU32(bufusedPtr, used);
      return d.ERRNO_SUCCESS;
    },
  };
};

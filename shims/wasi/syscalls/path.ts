// path_* calls. A path is relative to a directory fd: absolute paths and '..' that climb above
// that directory are ENOTCAPABLE (as uvwasi and wasmtime); the Vfs then resolves the joined
// guest path, symlinks included, inside the container root.

import type { FsError } from '../../../overlay/types.ts';
import { type WasiContext, hasRights } from '../context.ts';
import * as d from '../defs.ts';
import { DirFd } from '../dir-fd.ts';
import { wasiErrno } from '../errno.ts';
import { FileFd } from '../file-fd.ts';
import { filestat } from '../structs.ts';
import { timeSpecs } from './fd.ts';

const encoder = new TextEncoder();
const FD_READ = BigInt(d.RIGHT_FD_READ);
const FD_WRITE = BigInt(d.RIGHT_FD_WRITE);
/** Rights that make path_open open for reading / for writing (as uvwasi decides). */
const READ_RIGHTS = BigInt(d.RIGHT_FD_READ | d.RIGHT_FD_READDIR);
const WRITE_RIGHTS = BigInt(
  d.RIGHT_FD_DATASYNC | d.RIGHT_FD_WRITE | d.RIGHT_FD_ALLOCATE | d.RIGHT_FD_FILESTAT_SET_SIZE,
);

/** 0 when `rel` stays inside its directory, else an errno. */
const confine = (rel: string): number => {
  const len = rel.length;
  if (len === 0) return d.ERRNO_NOENT;
  if (rel.charCodeAt(0) === 47) return d.ERRNO_NOTCAPABLE;
  let depth = 0;
  for (let i = 0; i < len; ) {
    let j = rel.indexOf('/', i);
    if (j < 0) j = len;
    const n = j - i;
    if (n === 2 && rel.charCodeAt(i) === 46 && rel.charCodeAt(i + 1) === 46) {
      if (--depth < 0) return d.ERRNO_NOTCAPABLE;
    } else if (n > 1 || (n === 1 && rel.charCodeAt(i) !== 46)) {
      depth++;
    }
    i = j + 1;
  }
  return rel.indexOf('\0') >= 0 ? d.ERRNO_INVAL : 0;
};

export const pathSyscalls = (ctx: WasiContext) => {
  const { mem, fds, vfs } = ctx;
  /** Set by resolve(): the guest path ended in '/', which demands a directory. */
  let trailingSlash = false;

  /** The absolute guest path for (dir fd, path), or an errno. */
  const resolve = (dirN: number, ptr: number, len: number, rights: number): string | number => {
    const dir = fds.get(dirN);
    if (dir === undefined) return d.ERRNO_BADF;
    if (!hasRights(dir.rightsBase, rights)) return d.ERRNO_NOTCAPABLE;
    if (!(dir instanceof DirFd)) return d.ERRNO_NOTDIR;
    ptr >>>= 0;
    len >>>= 0;
    if (!mem.ok(ptr, len)) return d.ERRNO_FAULT;
    const rel = mem.path(ptr, len);
    if (rel === undefined) return d.ERRNO_ILSEQ;
    const e = confine(rel);
    if (e) return e;
    trailingSlash = rel.charCodeAt(len - 1) === 47;
    return dir.path === '/' ? '/' + rel : dir.path + '/' + rel;
  };

  /** For calls on a non-directory: 'file/' is ENOTDIR as on Linux. */
  const slashCheck = (path: string): number => {
    if (!trailingSlash) return 0;
    const st = vfs.stat(path, true);
    if (st instanceof Error) return wasiErrno(st);
    return st.type === 'dir' ? 0 : d.ERRNO_NOTDIR;
  };

  const done = (e: FsError | undefined): number => (e ? wasiErrno(e) : d.ERRNO_SUCCESS);

  return {
    path_open(
      dirN: number,
      lookupFlags: number,
      pathPtr: number,
      pathLen: number,
      oflags: number,
      rightsBase: bigint,
      rightsInheriting: bigint,
      fdflags: number,
      fdPtr: number,
    ): number {
      mem.refresh();
      fdPtr >>>= 0;
      let need = d.RIGHT_PATH_OPEN;
      if (oflags & d.OFLAGS_CREAT) need |= d.RIGHT_PATH_CREATE_FILE;
      if (oflags & d.OFLAGS_TRUNC) need |= d.RIGHT_PATH_FILESTAT_SET_SIZE;
      const path = resolve(dirN, pathPtr, pathLen, need);
      if (typeof path === 'number') return path;
      const dir = fds.get(dirN)!;
      // Requested rights must be inheritable; bits that apply to no file or directory are ignored.
      if (((rightsBase | rightsInheriting) & d.RIGHTS_DIRECTORY_INHERITING & ~dir.rightsInheriting) !== 0n) {
        return d.ERRNO_NOTCAPABLE;
      }
      if (oflags & ~15 || fdflags & ~d.FDFLAGS_ALL) return d.ERRNO_INVAL;
      if (!mem.ok(fdPtr, 4)) return d.ERRNO_FAULT;
      const wantsRead = (rightsBase & READ_RIGHTS) !== 0n;
      const write = (rightsBase & WRITE_RIGHTS) !== 0n;
      const handle = vfs.open(path, {
        read: wantsRead || !write,
        write,
        create: (oflags & d.OFLAGS_CREAT) !== 0,
        exclusive: (oflags & d.OFLAGS_EXCL) !== 0,
        truncate: (oflags & d.OFLAGS_TRUNC) !== 0,
        directory: (oflags & d.OFLAGS_DIRECTORY) !== 0 || trailingSlash,
        mode: 0o666,
        follow: (lookupFlags & d.LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0 || trailingSlash,
      });
      if (handle instanceof Error) return wasiErrno(handle);
      const st = handle.stat();
      let fd: FileFd | DirFd;
      if (st.type === 'dir') {
        if (write) {
          handle.close();
          return d.ERRNO_ISDIR;
        }
        // The path as opened (not realpath'd: one Vfs walk less per opendir); it names the same
        // directory for as long as nobody renames a component, as a canonical path would.
        fd = new DirFd(
          vfs,
          path,
          handle,
          fdflags,
          rightsBase & d.RIGHTS_DIRECTORY_BASE,
          rightsInheriting & d.RIGHTS_DIRECTORY_INHERITING,
        );
      } else {
        if (oflags & d.OFLAGS_DIRECTORY || trailingSlash) {
          handle.close();
          return d.ERRNO_NOTDIR;
        }
        let max = d.RIGHTS_REGULAR_FILE_BASE;
        if (!write) max &= ~FD_WRITE;
        if (!wantsRead && write) max &= ~FD_READ;
        fd = new FileFd(
          handle,
          fdflags,
          rightsBase & max,
          rightsInheriting & d.RIGHTS_REGULAR_FILE_INHERITING,
        );
      }
      mem.setU32(fdPtr, fds.add(fd));
      return d.ERRNO_SUCCESS;
    },

    path_filestat_get(
      dirN: number,
      lookupFlags: number,
      pathPtr: number,
      pathLen: number,
      buf: number,
    ): number {
      mem.refresh();
      buf >>>= 0;
      const path = resolve(dirN, pathPtr, pathLen, d.RIGHT_PATH_FILESTAT_GET);
      if (typeof path === 'number') return path;
      if (!mem.ok(buf, filestat.size)) return d.ERRNO_FAULT;
      const st = vfs.stat(path, (lookupFlags & d.LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0 || trailingSlash);
      if (st instanceof Error) return wasiErrno(st);
      if (trailingSlash && st.type !== 'dir') return d.ERRNO_NOTDIR;
      filestat.write(mem.view, buf, st);
      return d.ERRNO_SUCCESS;
    },

    path_filestat_set_times(
      dirN: number,
      lookupFlags: number,
      pathPtr: number,
      pathLen: number,
      atim: bigint,
      mtim: bigint,
      fst: number,
    ): number {
      mem.refresh();
      const path = resolve(dirN, pathPtr, pathLen, d.RIGHT_PATH_FILESTAT_SET_TIMES);
      if (typeof path === 'number') return path;
      const times = timeSpecs(atim, mtim, fst);
      if (!times) return d.ERRNO_INVAL;
      const e = slashCheck(path);
      if (e) return e;
      const follow = (lookupFlags & d.LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0;
      return done(vfs.utimes(path, times[0], times[1], follow));
    },

    path_create_directory(dirN: number, pathPtr: number, pathLen: number): number {
      mem.refresh();
      const path = resolve(dirN, pathPtr, pathLen, d.RIGHT_PATH_CREATE_DIRECTORY);
      if (typeof path === 'number') return path;
      return done(vfs.mkdir(path, 0o777));
    },

    path_remove_directory(dirN: number, pathPtr: number, pathLen: number): number {
      mem.refresh();
      const path = resolve(dirN, pathPtr, pathLen, d.RIGHT_PATH_REMOVE_DIRECTORY);
      if (typeof path === 'number') return path;
      return done(vfs.rmdir(path));
    },

    path_unlink_file(dirN: number, pathPtr: number, pathLen: number): number {
      mem.refresh();
      const path = resolve(dirN, pathPtr, pathLen, d.RIGHT_PATH_UNLINK_FILE);
      if (typeof path === 'number') return path;
      if (trailingSlash) {
        const st = vfs.stat(path, true);
        if (st instanceof Error) return wasiErrno(st);
        return st.type === 'dir' ? d.ERRNO_ISDIR : d.ERRNO_NOTDIR;
      }
      return done(vfs.unlink(path));
    },

    path_rename(
      dirN: number,
      oldPtr: number,
      oldLen: number,
      newDirN: number,
      newPtr: number,
      newLen: number,
    ): number {
      mem.refresh();
      const from = resolve(dirN, oldPtr, oldLen, d.RIGHT_PATH_RENAME_SOURCE);
      if (typeof from === 'number') return from;
      const fromSlash = trailingSlash;
      const to = resolve(newDirN, newPtr, newLen, d.RIGHT_PATH_RENAME_TARGET);
      if (typeof to === 'number') return to;
      if (fromSlash || trailingSlash) {
        // rename("file/", x) or rename(x, "file/") on Linux: ENOTDIR unless the source is a dir.
        const st = vfs.stat(from, false);
        if (st instanceof Error) return wasiErrno(st);
        if (st.type !== 'dir') return d.ERRNO_NOTDIR;
      }
      return done(vfs.rename(from, to));
    },

    path_link(
      oldDirN: number,
      oldFlags: number,
      oldPtr: number,
      oldLen: number,
      newDirN: number,
      newPtr: number,
      newLen: number,
    ): number {
      mem.refresh();
      const from = resolve(oldDirN, oldPtr, oldLen, d.RIGHT_PATH_LINK_SOURCE);
      if (typeof from === 'number') return from;
      const to = resolve(newDirN, newPtr, newLen, d.RIGHT_PATH_LINK_TARGET);
      if (typeof to === 'number') return to;
      return done(vfs.link(from, to, (oldFlags & d.LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0));
    },

    path_symlink(
      targetPtr: number,
      targetLen: number,
      dirN: number,
      pathPtr: number,
      pathLen: number,
    ): number {
      mem.refresh();
      targetPtr >>>= 0;
      targetLen >>>= 0;
      if (!mem.ok(targetPtr, targetLen)) return d.ERRNO_FAULT;
      // The target is stored as given: the Vfs resolves it inside the container root when followed.
      const target = mem.path(targetPtr, targetLen);
      if (target === undefined) return d.ERRNO_ILSEQ;
      const path = resolve(dirN, pathPtr, pathLen, d.RIGHT_PATH_SYMLINK);
      if (typeof path === 'number') return path;
      if (target.length === 0) return d.ERRNO_NOENT;
      return done(vfs.symlink(target, path));
    },

    path_readlink(
      dirN: number,
      pathPtr: number,
      pathLen: number,
      buf: number,
      bufLen: number,
      bufusedPtr: number,
    ): number {
      mem.refresh();
      buf >>>= 0;
      bufLen >>>= 0;
      bufusedPtr >>>= 0;
      const path = resolve(dirN, pathPtr, pathLen, d.RIGHT_PATH_READLINK);
      if (typeof path === 'number') return path;
      if (!mem.ok(buf, bufLen) || !mem.ok(bufusedPtr, 4)) return d.ERRNO_FAULT;
      const target = vfs.readlink(path);
      if (typeof target !== 'string') return wasiErrno(target);
      // Truncates silently, as readlink(2) does.
      const bytes = encoder.encode(target);
      const n = Math.min(bytes.length, bufLen);
      mem.u8.set(bytes.subarray(0, n), buf);
      mem.setU32(bufusedPtr, n);
      return d.ERRNO_SUCCESS;
    },
  };
};

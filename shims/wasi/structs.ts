// Encoders of the preview1 structs (layouts from typenames.witx, wasm32), each `write(view, ptr)`.
// Bounds are checked by the caller with `size`.

import type { FileType, Stat } from '../../overlay/types.ts';
import { Filetype } from './fd.ts';

const setU64 = (view: DataView, ptr: number, v: number): void => {
  view.setUint32(ptr, v >>> 0, true);
  view.setUint32(ptr + 4, Math.floor(v / 0x1_0000_0000), true);
};

export const filetypeOf = (type: FileType): Filetype => {
  switch (type) {
    case 'file':
      return Filetype.REGULAR_FILE;
    case 'dir':
      return Filetype.DIRECTORY;
    case 'symlink':
      return Filetype.SYMBOLIC_LINK;
    case 'chardev':
      return Filetype.CHARACTER_DEVICE;
    case 'blockdev':
      return Filetype.BLOCK_DEVICE;
    case 'socket':
      return Filetype.SOCKET_STREAM;
    default:
      return Filetype.UNKNOWN;
  }
};

/** filestat: dev u64, ino u64, filetype u8 @16, nlink u64 @24, size @32, atim @40, mtim @48, ctim @56. */
export const filestat = {
  size: 64,
  write(view: DataView, ptr: number, st: Stat, filetype: Filetype = filetypeOf(st.type)): void {
    setU64(view, ptr, st.dev);
    setU64(view, ptr + 8, st.ino);
    view.setBigUint64(ptr + 16, 0n, true);
    view.setUint8(ptr + 16, filetype);
    setU64(view, ptr + 24, st.nlink);
    setU64(view, ptr + 32, st.size);
    view.setBigUint64(ptr + 40, st.atimeNs, true);
    view.setBigUint64(ptr + 48, st.mtimeNs, true);
    view.setBigUint64(ptr + 56, st.ctimeNs, true);
  },
};

/** fdstat: fs_filetype u8, fs_flags u16 @2, fs_rights_base u64 @8, fs_rights_inheriting u64 @16. */
export const fdstat = {
  size: 24,
  write(
    view: DataView,
    ptr: number,
    filetype: number,
    flags: number,
    base: bigint,
    inheriting: bigint,
  ): void {
    view.setUint32(ptr, 0, true);
    view.setUint32(ptr + 4, 0, true);
    view.setUint8(ptr, filetype);
    view.setUint16(ptr + 2, flags, true);
    view.setBigUint64(ptr + 8, base, true);
    view.setBigUint64(ptr + 16, inheriting, true);
  },
};

/** prestat: tag u8 (0 = dir), pr_name_len u32 @4. */
export const prestat = {
  size: 8,
  write(view: DataView, ptr: number, nameLen: number): void {
    view.setUint32(ptr, 0, true);
    view.setUint32(ptr + 4, nameLen, true);
  },
};

/** dirent header: d_next u64, d_ino u64 @8, d_namlen u32 @16, d_type u8 @20; the name follows. */
export const dirent = {
  size: 24,
  write(view: DataView, ptr: number, next: number, ino: number, namlen: number, type: number): void {
    setU64(view, ptr, next);
    setU64(view, ptr + 8, ino);
    view.setUint32(ptr + 16, namlen, true);
    view.setUint32(ptr + 20, 0, true);
    view.setUint8(ptr + 20, type);
  },
};

/** event: userdata u64, error u16 @8, type u8 @10, fd_readwrite { nbytes u64 @16, flags u16 @24 }. */
export const event = {
  size: 32,
  write(
    view: DataView,
    ptr: number,
    userdata: bigint,
    error: number,
    type: number,
    nbytes: number,
    flags: number,
  ): void {
    view.setBigUint64(ptr, userdata, true);
    view.setUint32(ptr + 8, 0, true);
    view.setUint32(ptr + 12, 0, true);
    view.setUint16(ptr + 8, error, true);
    view.setUint8(ptr + 10, type);
    setU64(view, ptr + 16, nbytes);
    view.setBigUint64(ptr + 24, 0n, true);
    view.setUint16(ptr + 24, flags, true);
  },
};

/**
 * subscription: userdata u64, tag u8 @8, then @16 either clock { id u32, timeout u64 @24,
 * precision u64 @32, flags u16 @40 } or fd_readwrite { fd u32 @16 }.
 */
export const subscription = {
  size: 48,
  userdata: (view: DataView, ptr: number): bigint => view.getBigUint64(ptr, true),
  tag: (view: DataView, ptr: number): number => view.getUint8(ptr + 8),
  clockId: (view: DataView, ptr: number): number => view.getUint32(ptr + 16, true),
  clockTimeout: (view: DataView, ptr: number): bigint => view.getBigUint64(ptr + 24, true),
  clockFlags: (view: DataView, ptr: number): number => view.getUint16(ptr + 40, true),
  fd: (view: DataView, ptr: number): number => view.getUint32(ptr + 16, true),
};

/** iovec / ciovec: buf u32, buf_len u32. */
export const IOVEC_SIZE = 8;

// The part of overlay's Vfs (overlay/vfs.ts) the WASI layer calls: absolute guest paths, symlinks
// resolved inside the guest root. Declared structurally so shims/wasi depends on the agreed API,
// not on the class.

import type { DirEntry, FileHandle, FsError, OpenOptions, Stat } from '../../overlay/types.ts';

export type TimeSpec = bigint | null | 'now';

export interface GuestFs {
  stat(path: string, follow: boolean): Stat | FsError;
  open(path: string, options: OpenOptions & { follow?: boolean }): FileHandle | FsError;
  readdir(path: string): DirEntry[] | FsError;
  mkdir(path: string, mode: number): FsError | undefined;
  rmdir(path: string): FsError | undefined;
  unlink(path: string): FsError | undefined;
  rename(from: string, to: string): FsError | undefined;
  symlink(target: string, path: string): FsError | undefined;
  link(existing: string, path: string, follow: boolean): FsError | undefined;
  readlink(path: string): string | FsError;
  utimes(path: string, atimeNs: TimeSpec, mtimeNs: TimeSpec, follow: boolean): FsError | undefined;
  realpath(path: string): string | FsError;
}

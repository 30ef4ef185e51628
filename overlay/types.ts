// The filesystem model every layer of berth talks through. overlay/ implements it (Layer,
// UpperLayer, UnionFs, Vfs with mounts); shims/ serves WASI calls with it; a host directory mount
// (shims/platform/node) implements it over the real disk. Nothing here knows of WASI or workers.

/** POSIX error names; shims/ maps them to WASI errno numbers. */
export type Errno =
  | 'ENOENT'
  | 'EEXIST'
  | 'ENOTDIR'
  | 'EISDIR'
  | 'ENOTEMPTY'
  | 'EACCES'
  | 'EPERM'
  | 'EROFS'
  | 'ELOOP'
  | 'EINVAL'
  | 'EBADF'
  | 'EXDEV'
  | 'ENAMETOOLONG'
  | 'ENOSPC'
  | 'EBUSY'
  | 'ENOTSUP'
  | 'EIO'
  | 'EFBIG'
  | 'EMLINK'
  | 'ENXIO';

/** A failed filesystem operation. The hot path returns it instead of throwing. */
export class FsError extends Error {
  readonly code: Errno;
  readonly syscall: string;
  readonly path: string;
  constructor(code: Errno, syscall: string, path: string, options?: { cause?: unknown }) {
    super(`${code}: ${syscall} '${path}'`, options);
    this.code = code;
    this.syscall = syscall;
    this.path = path;
    this.name = 'FsError';
  }
}

export const isFsError = (v: unknown): v is FsError => v instanceof FsError;

export type FileType = 'file' | 'dir' | 'symlink' | 'chardev' | 'blockdev' | 'fifo' | 'socket';

export interface Stat {
  /** Stable within one filesystem instance; unique per inode (hardlinks share it). */
  readonly ino: number;
  /** Identifies the filesystem (each mount gets its own). */
  readonly dev: number;
  readonly type: FileType;
  /** Permission bits plus setuid/setgid/sticky (no type bits). */
  readonly mode: number;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** Nanoseconds since the epoch. */
  readonly atimeNs: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

export interface DirEntry {
  readonly name: string;
  readonly type: FileType;
  readonly ino: number;
}

export interface OpenOptions {
  read?: boolean;
  write?: boolean;
  create?: boolean;
  /** With create: fail with EEXIST when the path exists. */
  exclusive?: boolean;
  truncate?: boolean;
  /** Fail with ENOTDIR unless the path is a directory. */
  directory?: boolean;
  /** Mode for a newly created file (permission bits). */
  mode?: number;
}

/** An open file: keeps its inode even after unlink or rename. Positions are explicit (pread/pwrite). */
export interface FileHandle {
  stat(): Stat;
  read(into: Uint8Array, position: number): number | FsError;
  write(data: Uint8Array, position: number): number | FsError;
  truncate(size: number): FsError | undefined;
  /** Set times; null leaves a time as it is, 'now' uses the clock. */
  utimes(atimeNs: bigint | null | 'now', mtimeNs: bigint | null | 'now'): FsError | undefined;
  chmod(mode: number): FsError | undefined;
  sync(): FsError | undefined;
  close(): void;
}

/**
 * A filesystem addressed by canonical absolute paths ('/a/b', no '.', '..', empty parts or
 * trailing '/'). Callers (the Vfs) resolve symlinks in intermediate components themselves; a
 * FileSystem never follows a symlink on its own except where `follow` says so for the last
 * component, and then only by returning ELOOP-safe results through the Vfs. Implementations
 * therefore receive paths whose parents are real directories of their own tree.
 */
export interface FileSystem {
  readonly readonly: boolean;
  /** lstat: never follows the final symlink. */
  lstat(path: string): Stat | FsError;
  /** Optional fast lstat(path).type, for path walks that need no Stat (the Vfs uses it). */
  entryType?(path: string): FileType | FsError;
  /**
   * True when lstat of a whole path fails unless every parent is a real directory of this tree
   * (a symlink on the way is ENOTDIR, never followed): the Vfs may then try a clean path in one
   * lstat and walk component by component only when that fails or ends on a symlink.
   */
  readonly wholePathLstat?: boolean;
  /** Set when every Stat of this tree has this dev (the Vfs then need not stat a new handle). */
  readonly constantDev?: number;
  readlink(path: string): string | FsError;
  /** Opens a non-symlink final component (the Vfs has resolved it). */
  open(path: string, options: OpenOptions): FileHandle | FsError;
  /** Entries without '.' and '..', in a stable order. */
  readdir(path: string): DirEntry[] | FsError;
  mkdir(path: string, mode: number): FsError | undefined;
  rmdir(path: string): FsError | undefined;
  unlink(path: string): FsError | undefined;
  /** POSIX rename semantics within this filesystem (replace file, replace empty dir). */
  rename(from: string, to: string): FsError | undefined;
  symlink(target: string, path: string): FsError | undefined;
  link(existing: string, path: string): FsError | undefined;
  /** Acts on the entry itself (a symlink is not followed). */
  utimes(path: string, atimeNs: bigint | null | 'now', mtimeNs: bigint | null | 'now'): FsError | undefined;
  chmod(path: string, mode: number): FsError | undefined;
  chown(path: string, uid: number, gid: number): FsError | undefined;
}

// A host directory as a FileSystem (bind mounts, `-v /host/dir:/data`). The guest must never
// leave the directory: the Vfs resolves every path component itself through lstat/readlink here,
// and this class never follows a host symlink (lstat, lutimes, lchown, O_NOFOLLOW on open), so a
// symlink planted in the directory is only ever read as a link, never traversed by the host.
// Intermediate directories are never re-resolved by name on the host either: on Linux every call
// walks from the mount root one component at a time with O_DIRECTORY|O_NOFOLLOW through
// /proc/self/fd (an openat() emulation), so a guest (or anyone) swapping a directory for a symlink
// between the Vfs's check and the host call gets ELOOP, never the link's target
// (regression: tests/sandbox/mount-race.test.ts, the CVE-2018-15664 class).

import {
  type DirEntry,
  type Errno,
  type FileHandle,
  FsError,
  type FileSystem,
  type FileType,
  type OpenOptions,
  type Stat,
} from '../../../overlay/types.ts';
import type { BigIntStats, Dirent } from 'node:fs';
import { fs } from './node-fs.ts';

const KNOWN: ReadonlySet<string> = new Set<Errno>([
  'ENOENT',
  'EEXIST',
  'ENOTDIR',
  'EISDIR',
  'ENOTEMPTY',
  'EACCES',
  'EPERM',
  'EROFS',
  'ELOOP',
  'EINVAL',
  'EBADF',
  'EXDEV',
  'ENAMETOOLONG',
  'ENOSPC',
  'EBUSY',
  'ENOTSUP',
  'EIO',
  'EFBIG',
  'EMLINK',
  'ENXIO',
]);
const ALIASES: Record<string, Errno> = { EOPNOTSUPP: 'ENOTSUP', EDQUOT: 'ENOSPC', ETXTBSY: 'EBUSY' };

function fsError(error: unknown, syscall: string, path: string): FsError {
  const code = (error as { code?: string }).code ?? '';
  const errno = KNOWN.has(code) ? (code as Errno) : (ALIASES[code] ?? 'EIO');
  return new FsError(errno, syscall, path, { cause: error });
}

const C = fs.constants;
const NOFOLLOW = C.O_NOFOLLOW ?? 0;
const DIRECTORY = C.O_DIRECTORY ?? 0;
let nextDev = 0x4000;
/** openat() emulation needs /proc/self/fd (Linux). Elsewhere paths are joined as before. */
const PROC_FD = (() => {
  try {
    return fs.statSync('/proc/self/fd').isDirectory();
  } catch {
    return false;
  }
})();

function fileType(s: BigIntStats | Dirent): FileType {
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'dir';
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isCharacterDevice()) return 'chardev';
  if (s.isBlockDevice()) return 'blockdev';
  if (s.isFIFO()) return 'fifo';
  return 'socket';
}

function toStat(s: BigIntStats, dev: number): Stat {
  return {
    ino: Number(s.ino),
    dev,
    type: fileType(s),
    mode: Number(s.mode) & 0o7777,
    nlink: Number(s.nlink),
    uid: Number(s.uid),
    gid: Number(s.gid),
    size: Number(s.size),
    atimeNs: s.atimeNs,
    mtimeNs: s.mtimeNs,
    ctimeNs: s.ctimeNs,
  };
}

const seconds = (t: bigint | 'now', current: bigint): number =>
  t === 'now' ? Date.now() / 1000 : Number(t ?? current) / 1e9;

class HostFileHandle implements FileHandle {
  private closed = false;
  constructor(
    private readonly fd: number,
    private readonly dev: number,
    private readonly path: string,
    private readonly readonly: boolean,
  ) {}

  private attempt<T>(syscall: string, op: () => T): T | FsError {
    try {
      return op();
    } catch (error) {
      return fsError(error, syscall, this.path);
    }
  }
  private act(syscall: string, op: () => void): FsError | undefined {
    const refused = this.refuse(syscall);
    if (refused) return refused;
    const r = this.attempt(syscall, op);
    return r instanceof FsError ? r : undefined;
  }
  private refuse(syscall: string): FsError | undefined {
    return this.readonly ? new FsError('EROFS', syscall, this.path) : undefined;
  }

  stat(): Stat {
    return toStat(fs.fstatSync(this.fd, { bigint: true }), this.dev);
  }
  read(into: Uint8Array, position: number): number | FsError {
    return this.attempt('read', () => fs.readSync(this.fd, into, 0, into.length, position));
  }
  write(data: Uint8Array, position: number): number | FsError {
    return (
      this.refuse('write') ??
      this.attempt('write', () => fs.writeSync(this.fd, data, 0, data.length, position))
    );
  }
  truncate(size: number): FsError | undefined {
    return this.act('truncate', () => fs.ftruncateSync(this.fd, size));
  }
  utimes(atimeNs: bigint | null | 'now', mtimeNs: bigint | null | 'now'): FsError | undefined {
    return this.act('utimes', () => {
      const s = fs.fstatSync(this.fd, { bigint: true });
      fs.futimesSync(
        this.fd,
        seconds(atimeNs ?? s.atimeNs, s.atimeNs),
        seconds(mtimeNs ?? s.mtimeNs, s.mtimeNs),
      );
    });
  }
  chmod(mode: number): FsError | undefined {
    return this.act('chmod', () => fs.fchmodSync(this.fd, mode & 0o7777));
  }
  sync(): FsError | undefined {
    const r = this.attempt('sync', () => fs.fsyncSync(this.fd));
    return r instanceof FsError ? r : undefined;
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

export class HostDirectoryFs implements FileSystem {
  readonly dev = nextDev++;
  private readonly root: string;

  constructor(
    source: string,
    readonly readonly: boolean,
  ) {
    const st = fs.statSync(source);
    if (!st.isDirectory()) throw new FsError('ENOTDIR', 'mount', source);
    this.root = source.replace(/\/+$/, '') || '/';
  }

  private joined(path: string): string {
    return path === '/' ? this.root : this.root === '/' ? path : this.root + path;
  }
  /** An fd of directory `path`, reached component by component without following any symlink. */
  private openDir(path: string): number {
    let fd = fs.openSync(this.root, C.O_RDONLY | DIRECTORY);
    try {
      for (const name of path.split('/')) {
        if (!name) continue;
        const next = fs.openSync(`/proc/self/fd/${fd}/${name}`, C.O_RDONLY | DIRECTORY | NOFOLLOW);
        fs.closeSync(fd);
        fd = next;
      }
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
    return fd;
  }
  /** Runs `op` on a host path for `path` whose parent cannot be swapped under it. */
  private anchored<T>(path: string, op: (host: string) => T): T {
    if (!PROC_FD || path === '/') return op(this.joined(path));
    const slash = path.lastIndexOf('/');
    const dirFd = this.openDir(path.slice(0, slash));
    try {
      return op(`/proc/self/fd/${dirFd}/${path.slice(slash + 1)}`);
    } finally {
      fs.closeSync(dirFd);
    }
  }
  private attempt<T>(syscall: string, path: string, op: (host: string) => T): T | FsError {
    try {
      return this.anchored(path, op);
    } catch (error) {
      return fsError(error, syscall, path);
    }
  }
  private mutate(syscall: string, path: string, op: (host: string) => void): FsError | undefined {
    if (this.readonly) return new FsError('EROFS', syscall, path);
    const r = this.attempt(syscall, path, op);
    return r instanceof FsError ? r : undefined;
  }

  lstat(path: string): Stat | FsError {
    return this.attempt('lstat', path, (h) => toStat(fs.lstatSync(h, { bigint: true }), this.dev));
  }
  readlink(path: string): string | FsError {
    return this.attempt('readlink', path, (h) => fs.readlinkSync(h, 'utf8'));
  }
  open(path: string, options: OpenOptions): FileHandle | FsError {
    const writing = options.write || options.create || options.truncate;
    if (this.readonly && writing) {
      // Opening an existing file read-only-safely still reports what exists first.
      if (!options.create) {
        const s = this.lstat(path);
        if (s instanceof FsError) return s;
      }
      return new FsError('EROFS', 'open', path);
    }
    let flags = NOFOLLOW;
    flags |= options.write ? (options.read ? C.O_RDWR : C.O_WRONLY) : C.O_RDONLY;
    if (options.create) flags |= C.O_CREAT;
    if (options.create && options.exclusive) flags |= C.O_EXCL;
    if (options.truncate) flags |= C.O_TRUNC;
    if (options.directory) flags |= DIRECTORY;
    return this.attempt('open', path, (h) => {
      const fd = fs.openSync(h, flags, options.mode ?? 0o644);
      return new HostFileHandle(fd, this.dev, path, this.readonly);
    });
  }
  readdir(path: string): DirEntry[] | FsError {
    return this.attempt('readdir', path, (h) => {
      const list = (dir: string) => {
        const entries = fs.readdirSync(dir, { withFileTypes: true });
        entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        const base = dir === '/' ? '' : dir;
        return entries.map((e) => ({
          name: e.name,
          type: fileType(e),
          ino: Number(fs.lstatSync(`${base}/${e.name}`, { bigint: true }).ino),
        }));
      };
      if (!PROC_FD) return list(h);
      const fd = this.openDir(path);
      try {
        return list(`/proc/self/fd/${fd}`);
      } finally {
        fs.closeSync(fd);
      }
    });
  }
  mkdir(path: string, mode: number): FsError | undefined {
    return this.mutate('mkdir', path, (h) => fs.mkdirSync(h, { mode }));
  }
  rmdir(path: string): FsError | undefined {
    return this.mutate('rmdir', path, (h) => fs.rmdirSync(h));
  }
  unlink(path: string): FsError | undefined {
    return this.mutate('unlink', path, (h) => fs.unlinkSync(h));
  }
  rename(from: string, to: string): FsError | undefined {
    return this.mutate('rename', from, (h) => this.anchored(to, (t) => fs.renameSync(h, t)));
  }
  symlink(target: string, path: string): FsError | undefined {
    return this.mutate('symlink', path, (h) => fs.symlinkSync(target, h));
  }
  link(existing: string, path: string): FsError | undefined {
    // link(2) on Linux does not follow a symlink given as `existing`.
    return this.mutate('link', path, (h) => this.anchored(existing, (e) => fs.linkSync(e, h)));
  }
  utimes(path: string, atimeNs: bigint | null | 'now', mtimeNs: bigint | null | 'now'): FsError | undefined {
    return this.mutate('utimes', path, (h) => {
      const s = fs.lstatSync(h, { bigint: true });
      fs.lutimesSync(h, seconds(atimeNs ?? s.atimeNs, s.atimeNs), seconds(mtimeNs ?? s.mtimeNs, s.mtimeNs));
    });
  }
  chmod(path: string, mode: number): FsError | undefined {
    return this.mutate('chmod', path, (h) => {
      // Linux has no lchmod: a link's own mode cannot change, and chmod would follow it.
      if (fs.lstatSync(h).isSymbolicLink()) throw Object.assign(new Error('symlink'), { code: 'ENOTSUP' });
      fs.chmodSync(h, mode & 0o7777);
    });
  }
  chown(path: string, uid: number, gid: number): FsError | undefined {
    return this.mutate('chown', path, (h) => fs.lchownSync(h, uid, gid));
  }
}

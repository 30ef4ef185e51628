// The guest-visible namespace: FileSystems mounted at absolute paths (including '/'). Every
// path is resolved here, one component at a time, so '..' and symlinks can never leave the
// guest root or reach past a mount: '..' at '/' stays at '/', an absolute symlink target starts
// again at the guest '/', and more than 40 symlinks in one lookup give ELOOP.

import { baseName, childPath, parentPath, utf8Length } from './path.ts';
import {
  type DirEntry,
  type FileHandle,
  type FileSystem,
  FsError,
  type OpenOptions,
  type Stat,
} from './types.ts';

const MAX_SYMLINKS = 40;
/** Up to this many UTF-16 units no component can pass NAME_MAX bytes (3 bytes per unit at most). */
const SHORT_PATH = 85;
/** Absolute, and no empty, '.' or '..' component, nor a trailing '/'. */
const CLEAN_PATH = /^(?:\/(?!\.\.?(?:\/|$))[^/]+)+$/;
/** Linux PATH_MAX (with its NUL) and NAME_MAX, in bytes. */
const PATH_MAX = 4096;
const NAME_MAX = 255;

const tooLong = (s: string, max: number): boolean =>
  s.length > max || (s.length * 3 > max && utf8Length(s) > max);

interface Frame {
  readonly guestPath: string;
  readonly fs: FileSystem;
  readonly fsPath: string;
  readonly dev: number;
}

interface Resolved extends Frame {
  /** undefined: the final component does not exist (its parent does, and is a directory). */
  readonly stat: Stat | undefined;
}

interface Mount {
  readonly fs: FileSystem;
  readonly dev: number;
}

const resolved = (f: Frame, stat: Stat | undefined): Resolved => ({
  guestPath: f.guestPath,
  fs: f.fs,
  fsPath: f.fsPath,
  dev: f.dev,
  stat,
});

const withDev = (st: Stat, dev: number): Stat =>
  st.dev === dev
    ? st
    : {
        ino: st.ino,
        dev,
        type: st.type,
        mode: st.mode,
        nlink: st.nlink,
        uid: st.uid,
        gid: st.gid,
        size: st.size,
        atimeNs: st.atimeNs,
        mtimeNs: st.mtimeNs,
        ctimeNs: st.ctimeNs,
      };

const retag = (e: FsError, syscall: string, path: string): FsError =>
  e.syscall === syscall && e.path === path ? e : new FsError(e.code, syscall, path, { cause: e });

/** Lexically normalised absolute path (for mount targets). */
const normalize = (path: string): string => {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return '/' + parts.join('/');
};

export class Vfs {
  private readonly mounts = new Map<string, Mount>();
  private nextDev = 2;

  constructor(root: FileSystem) {
    this.mounts.set('/', { fs: root, dev: 1 });
  }

  mount(target: string, fs: FileSystem): void {
    const path = normalize(target);
    this.mounts.set(path, { fs, dev: this.nextDev++ });
  }

  private rootFrame(): Frame {
    const m = this.mounts.get('/')!;
    return { guestPath: '/', fs: m.fs, fsPath: '/', dev: m.dev };
  }

  /**
   * The root, when `path` may be looked up there in one go: only '/' is mounted, on a tree that
   * resolves whole paths itself (wholePathLstat), and the path is clean (absolute; no '.', '..',
   * '//' or trailing '/') and short enough that no component can pass NAME_MAX.
   */
  private wholePathRoot(path: string): Frame | undefined {
    if (this.mounts.size !== 1 || path.length <= 1 || path.length > SHORT_PATH || !CLEAN_PATH.test(path)) {
      return undefined;
    }
    const root = this.rootFrame();
    return root.fs.wholePathLstat ? root : undefined;
  }

  /** A handle `fs` opened, carrying the dev number of the mount it was opened through. */
  private mounted(
    handle: FileHandle | FsError,
    fs: FileSystem,
    dev: number,
    path: string,
  ): FileHandle | FsError {
    if (handle instanceof FsError) return retag(handle, 'open', path);
    return dev === (fs.constantDev ?? handle.stat().dev) ? handle : new MountedHandle(handle, dev);
  }

  private resolve(path: string, follow: boolean, syscall: string): Resolved | FsError {
    if (tooLong(path, PATH_MAX - 1)) return new FsError('ENAMETOOLONG', syscall, path);
    // A path lstat finds in one lookup, ending on no symlink to follow, is resolved.
    const root = this.wholePathRoot(path);
    if (root) {
      const st = root.fs.lstat(path);
      if (!(st instanceof FsError) && (st.type !== 'symlink' || !follow)) {
        return resolved({ guestPath: path, fs: root.fs, fsPath: path, dev: root.dev }, withDev(st, root.dev));
      }
    }
    const trailingSlash = path.length > 1 && path.endsWith('/');
    // Components in reverse, so pop() takes the next one and a symlink pushes its target's.
    const parts = path.split('/');
    const pending: string[] = [];
    for (let i = parts.length - 1; i >= 0; i--) if (parts[i] !== '') pending.push(parts[i]!);
    // With only '/' mounted (the common case) no component can be a mount point.
    const single = this.mounts.size === 1;
    let stack: Frame[] = [this.rootFrame()];
    let links = 0;
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (name === '.') continue;
      if (name === '..') {
        if (stack.length > 1) stack.pop();
        continue;
      }
      if (tooLong(name, NAME_MAX)) return new FsError('ENAMETOOLONG', syscall, path);
      const cur = stack[stack.length - 1]!;
      const guestPath = childPath(cur.guestPath, name);
      const m = single ? undefined : this.mounts.get(guestPath);
      const fsPath = cur.fsPath === cur.guestPath ? guestPath : childPath(cur.fsPath, name);
      const frame: Frame = m
        ? { guestPath, fs: m.fs, fsPath: '/', dev: m.dev }
        : { guestPath, fs: cur.fs, fsPath, dev: cur.dev };
      const isLast = pending.length === 0;
      // A directory on the way needs only its type, which can be had without building a Stat.
      const found =
        isLast || frame.fs.entryType === undefined
          ? frame.fs.lstat(frame.fsPath)
          : frame.fs.entryType(frame.fsPath);
      if (found instanceof FsError) {
        if (found.code === 'ENOENT' && isLast) return resolved(frame, undefined);
        return retag(found, syscall, path);
      }
      const type = typeof found === 'string' ? found : found.type;
      if (type === 'symlink' && (!isLast || follow || trailingSlash)) {
        if (++links > MAX_SYMLINKS) return new FsError('ELOOP', syscall, path);
        const target = frame.fs.readlink(frame.fsPath);
        if (target instanceof FsError) return retag(target, syscall, path);
        if (target === '') return new FsError('ENOENT', syscall, path);
        const parts = target.split('/').filter((p) => p !== '');
        for (let i = parts.length - 1; i >= 0; i--) pending.push(parts[i]!);
        if (target.startsWith('/')) stack = [this.rootFrame()];
        if (pending.length === 0) pending.push('.'); // target '/' : the root itself
        continue;
      }
      if (!isLast && type !== 'dir') return new FsError('ENOTDIR', syscall, path);
      if (isLast) {
        if (trailingSlash && type !== 'dir') return new FsError('ENOTDIR', syscall, path);
        return resolved(frame, withDev(found as Stat, frame.dev));
      }
      stack.push(frame);
    }
    // Ended on the root, '.' or '..': the frame on top exists and is a directory.
    const top = stack[stack.length - 1]!;
    const st = top.fs.lstat(top.fsPath);
    return st instanceof FsError ? retag(st, syscall, path) : resolved(top, withDev(st, top.dev));
  }

  /** For calls that act on the entry itself: a trailing slash does not follow it. */
  private resolveEntry(path: string, syscall: string): Resolved | FsError {
    const bare = path.replace(/\/+$/, '');
    if (bare === '') return this.resolve('/', false, syscall);
    const r = this.resolve(bare, false, syscall);
    if (r instanceof FsError || bare === path || r.stat === undefined) return r;
    if (r.stat.type === 'symlink') return this.resolve(path, true, syscall);
    return r.stat.type === 'dir' ? r : new FsError('ENOTDIR', syscall, path);
  }

  private isMountPoint(r: Frame): boolean {
    return r.fsPath === '/';
  }

  stat(path: string, follow: boolean): Stat | FsError {
    const r = this.resolve(path, follow, 'stat');
    if (r instanceof FsError) return r;
    return r.stat ?? new FsError('ENOENT', 'stat', path);
  }

  open(path: string, options: OpenOptions & { follow?: boolean }): FileHandle | FsError {
    const exclusive = options.create && options.exclusive;
    // The one-lookup path of resolve(), needing only the type: an existing non-symlink opens
    // without building a Stat (the tree itself checks directory / EISDIR).
    const root = exclusive ? undefined : this.wholePathRoot(path);
    const type = root?.fs.entryType?.(path);
    if (root && typeof type === 'string' && type !== 'symlink') {
      return this.mounted(root.fs.open(path, options), root.fs, root.dev, path);
    }
    const r = this.resolve(path, exclusive ? false : (options.follow ?? true), 'open');
    if (r instanceof FsError) return r;
    if (r.stat === undefined) {
      if (!options.create) return new FsError('ENOENT', 'open', path);
      if (path.endsWith('/')) return new FsError('EISDIR', 'open', path);
    } else {
      if (exclusive) return new FsError('EEXIST', 'open', path);
      if (r.stat.type === 'symlink') return new FsError('ELOOP', 'open', path);
      if (options.directory && r.stat.type !== 'dir') return new FsError('ENOTDIR', 'open', path);
    }
    // `follow` rides along: the Vfs has resolved the path, and a FileSystem ignores it.
    return this.mounted(r.fs.open(r.fsPath, options), r.fs, r.dev, path);
  }

  readdir(path: string): DirEntry[] | FsError {
    const r = this.resolve(path, true, 'readdir');
    if (r instanceof FsError) return r;
    if (r.stat === undefined) return new FsError('ENOENT', 'readdir', path);
    if (r.stat.type !== 'dir') return new FsError('ENOTDIR', 'readdir', path);
    const entries = r.fs.readdir(r.fsPath);
    if (entries instanceof FsError) return retag(entries, 'readdir', path);
    let out = entries;
    for (const [target, m] of this.mounts) {
      if (target === '/' || parentPath(target) !== r.guestPath) continue;
      const st = m.fs.lstat('/');
      if (st instanceof FsError) continue;
      const name = baseName(target);
      const entry: DirEntry = { name, type: st.type, ino: st.ino };
      if (out === entries) out = [...entries];
      const i = out.findIndex((e) => e.name === name);
      if (i >= 0) out[i] = entry;
      else out.push(entry);
    }
    return out;
  }

  mkdir(path: string, mode: number): FsError | undefined {
    const r = this.resolve(path.replace(/\/+$/, '') || '/', false, 'mkdir');
    if (r instanceof FsError) return r;
    if (r.stat !== undefined) return new FsError('EEXIST', 'mkdir', path);
    const e = r.fs.mkdir(r.fsPath, mode);
    return e && retag(e, 'mkdir', path);
  }

  private removal(path: string, syscall: 'rmdir' | 'unlink'): FsError | undefined {
    if (syscall === 'rmdir' && /(^|\/)\.\/*$/.test(path)) return new FsError('EINVAL', syscall, path);
    const r = this.resolveEntry(path, syscall);
    if (r instanceof FsError) return r;
    if (r.stat === undefined) return new FsError('ENOENT', syscall, path);
    if (this.isMountPoint(r)) return new FsError(syscall === 'unlink' ? 'EISDIR' : 'EBUSY', syscall, path);
    const e = syscall === 'rmdir' ? r.fs.rmdir(r.fsPath) : r.fs.unlink(r.fsPath);
    return e && retag(e, syscall, path);
  }

  rmdir(path: string): FsError | undefined {
    return this.removal(path, 'rmdir');
  }

  unlink(path: string): FsError | undefined {
    return this.removal(path, 'unlink');
  }

  rename(from: string, to: string): FsError | undefined {
    const src = this.resolveEntry(from, 'rename');
    if (src instanceof FsError) return src;
    if (src.stat === undefined) return new FsError('ENOENT', 'rename', from);
    const dst = this.resolveEntry(to, 'rename');
    if (dst instanceof FsError) return retag(dst, 'rename', to);
    if (this.isMountPoint(src) || (dst.stat !== undefined && this.isMountPoint(dst))) {
      return new FsError('EBUSY', 'rename', from);
    }
    if (src.dev !== dst.dev) return new FsError('EXDEV', 'rename', to);
    if (dst.guestPath.startsWith(src.guestPath + '/')) return new FsError('EINVAL', 'rename', to);
    const e = src.fs.rename(src.fsPath, dst.fsPath);
    return e && retag(e, 'rename', from);
  }

  symlink(target: string, path: string): FsError | undefined {
    if (target === '') return new FsError('ENOENT', 'symlink', path);
    const r = this.resolveEntry(path, 'symlink');
    if (r instanceof FsError) return r;
    if (r.stat !== undefined) return new FsError('EEXIST', 'symlink', path);
    const e = r.fs.symlink(target, r.fsPath);
    return e && retag(e, 'symlink', path);
  }

  link(existing: string, path: string, follow: boolean): FsError | undefined {
    const src = this.resolve(existing, follow, 'link');
    if (src instanceof FsError) return src;
    if (src.stat === undefined) return new FsError('ENOENT', 'link', existing);
    if (src.stat.type === 'dir') return new FsError('EPERM', 'link', existing);
    const dst = this.resolveEntry(path, 'link');
    if (dst instanceof FsError) return dst;
    if (dst.stat !== undefined) return new FsError('EEXIST', 'link', path);
    if (src.dev !== dst.dev) return new FsError('EXDEV', 'link', path);
    const e = src.fs.link(src.fsPath, dst.fsPath);
    return e && retag(e, 'link', path);
  }

  readlink(path: string): string | FsError {
    const r = this.resolveEntry(path, 'readlink');
    if (r instanceof FsError) return r;
    if (r.stat === undefined) return new FsError('ENOENT', 'readlink', path);
    if (r.stat.type !== 'symlink') return new FsError('EINVAL', 'readlink', path);
    const t = r.fs.readlink(r.fsPath);
    return t instanceof FsError ? retag(t, 'readlink', path) : t;
  }

  private existing(path: string, follow: boolean, syscall: string): Resolved | FsError {
    const r = this.resolve(path, follow, syscall);
    if (r instanceof FsError) return r;
    return r.stat === undefined ? new FsError('ENOENT', syscall, path) : r;
  }

  utimes(
    path: string,
    atimeNs: bigint | null | 'now',
    mtimeNs: bigint | null | 'now',
    follow: boolean,
  ): FsError | undefined {
    const r = this.existing(path, follow, 'utimes');
    if (r instanceof FsError) return r;
    const e = r.fs.utimes(r.fsPath, atimeNs, mtimeNs);
    return e && retag(e, 'utimes', path);
  }

  chmod(path: string, mode: number, follow: boolean): FsError | undefined {
    const r = this.existing(path, follow, 'chmod');
    if (r instanceof FsError) return r;
    // Linux has no mode on a symlink itself (fchmodat AT_SYMLINK_NOFOLLOW -> EOPNOTSUPP).
    if (r.stat!.type === 'symlink') return new FsError('ENOTSUP', 'chmod', path);
    const e = r.fs.chmod(r.fsPath, mode);
    return e && retag(e, 'chmod', path);
  }

  chown(path: string, uid: number, gid: number, follow: boolean): FsError | undefined {
    const r = this.existing(path, follow, 'chown');
    if (r instanceof FsError) return r;
    const e = r.fs.chown(r.fsPath, uid, gid);
    return e && retag(e, 'chown', path);
  }

  realpath(path: string): string | FsError {
    const r = this.existing(path, true, 'realpath');
    return r instanceof FsError ? r : r.guestPath;
  }
}

/** A handle whose stat() carries the dev number of the mount it was opened through. */
class MountedHandle implements FileHandle {
  constructor(
    private readonly inner: FileHandle,
    private readonly dev: number,
  ) {}
  stat(): Stat {
    return withDev(this.inner.stat(), this.dev);
  }
  read(into: Uint8Array, position: number): number | FsError {
    return this.inner.read(into, position);
  }
  write(data: Uint8Array, position: number): number | FsError {
    return this.inner.write(data, position);
  }
  truncate(size: number): FsError | undefined {
    return this.inner.truncate(size);
  }
  utimes(atimeNs: bigint | null | 'now', mtimeNs: bigint | null | 'now'): FsError | undefined {
    return this.inner.utimes(atimeNs, mtimeNs);
  }
  chmod(mode: number): FsError | undefined {
    return this.inner.chmod(mode);
  }
  sync(): FsError | undefined {
    return this.inner.sync();
  }
  close(): void {
    this.inner.close();
  }
}

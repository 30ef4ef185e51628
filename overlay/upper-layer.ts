// The writable in-memory tree: a container's upper layer, or alone a plain in-memory filesystem
// (tmpfs, browser volumes). Whiteout entries and opaque flags are kept for UnionFs and diffTar;
// on its own the tree simply does not show whiteouts.

import { nowNs } from './clock.ts';
import { baseName, parentPath, splitPath, utf8Length } from './path.ts';
import {
  type DirEntry,
  type FileHandle,
  type FileSystem,
  type FileType,
  FsError,
  type OpenOptions,
  type Stat,
} from './types.ts';
import { UPPER_WHITEOUT, UpperFileHandle, UpperInode } from './upper-inode.ts';

export class UpperLayer implements FileSystem {
  readonly readonly = false;
  readonly root: UpperInode;
  private nextIno = 2;
  /** Set once a UnionFs has given the root the attributes of the top lower root. */
  rootAdopted = false;

  constructor() {
    this.root = new UpperInode(1, 'dir', 0o755);
  }

  newInode(type: FileType, mode: number): UpperInode {
    return new UpperInode(this.nextIno++, type, mode);
  }

  /** The real (non-whiteout) node at a path. */
  lookup(path: string, syscall = 'lookup'): UpperInode | FsError {
    let node = this.root;
    for (const name of splitPath(path)) {
      if (node.children === null) return new FsError('ENOTDIR', syscall, path);
      const next = node.children.get(name);
      if (next === undefined || next === UPPER_WHITEOUT) return new FsError('ENOENT', syscall, path);
      node = next;
    }
    return node;
  }

  /** The directory that holds `path` and the entry name in it. */
  parentOf(path: string, syscall: string): { dir: UpperInode; name: string } | FsError {
    if (path === '/') return new FsError('EBUSY', syscall, path);
    const dir = this.lookup(parentPath(path), syscall);
    if (dir instanceof FsError) return dir;
    if (dir.children === null) return new FsError('ENOTDIR', syscall, path);
    return { dir, name: baseName(path) };
  }

  /** Puts `node` at `name`, replacing whatever entry (or whiteout) was there. */
  attach(dir: UpperInode, name: string, node: UpperInode): void {
    const old = dir.children!.get(name);
    if (old !== undefined && old !== UPPER_WHITEOUT) this.release(dir, old);
    dir.children!.set(name, node);
    if (node.type === 'dir') dir.subdirs++;
  }

  /** Removes the entry `name` (leaving `whiteout` in its place when asked). */
  detach(dir: UpperInode, name: string, whiteout = false): void {
    const old = dir.children!.get(name);
    if (old !== undefined && old !== UPPER_WHITEOUT) this.release(dir, old);
    if (whiteout) dir.children!.set(name, UPPER_WHITEOUT);
    else dir.children!.delete(name);
  }

  private release(dir: UpperInode, node: UpperInode): void {
    if (node.type === 'dir') dir.subdirs--;
    node.nlink--;
    node.ctimeNs = nowNs();
  }

  private create(path: string, syscall: string, type: FileType, mode: number): UpperInode | FsError {
    const at = this.parentOf(path, syscall);
    if (at instanceof FsError) return at;
    const existing = at.dir.children!.get(at.name);
    if (existing !== undefined && existing !== UPPER_WHITEOUT) return new FsError('EEXIST', syscall, path);
    const node = this.newInode(type, mode & 0o7777);
    this.attach(at.dir, at.name, node);
    at.dir.touchChanged();
    return node;
  }

  lstat(path: string): Stat | FsError {
    const node = this.lookup(path, 'lstat');
    return node instanceof FsError ? node : node.stat();
  }

  readlink(path: string): string | FsError {
    const node = this.lookup(path, 'readlink');
    if (node instanceof FsError) return node;
    return node.type === 'symlink' ? node.target : new FsError('EINVAL', 'readlink', path);
  }

  open(path: string, options: OpenOptions): FileHandle | FsError {
    let node = this.lookup(path, 'open');
    if (node instanceof FsError) {
      if (node.code !== 'ENOENT' || !options.create) return node;
      if (options.directory) return new FsError('EINVAL', 'open', path);
      node = this.create(path, 'open', 'file', options.mode ?? 0o644);
      if (node instanceof FsError) return node;
    } else {
      if (options.create && options.exclusive) return new FsError('EEXIST', 'open', path);
      if (node.type === 'symlink') return new FsError('ELOOP', 'open', path);
      if (options.directory && node.type !== 'dir') return new FsError('ENOTDIR', 'open', path);
      if (node.type === 'dir' && (options.write || options.truncate))
        return new FsError('EISDIR', 'open', path);
      if (node.type !== 'file' && node.type !== 'dir') {
        return new FsError(node.type === 'socket' ? 'ENXIO' : 'EACCES', 'open', path);
      }
      if (options.truncate && node.size > 0) node.resize(0);
    }
    return new UpperFileHandle(node, options.read ?? !options.write, options.write ?? false, path);
  }

  readdir(path: string): DirEntry[] | FsError {
    const dir = this.lookup(path, 'readdir');
    if (dir instanceof FsError) return dir;
    if (dir.children === null) return new FsError('ENOTDIR', 'readdir', path);
    const out: DirEntry[] = [];
    for (const [name, e] of dir.children)
      if (e !== UPPER_WHITEOUT) out.push({ name, type: e.type, ino: e.statIno });
    return out;
  }

  mkdir(path: string, mode: number): FsError | undefined {
    const r = this.create(path, 'mkdir', 'dir', mode);
    return r instanceof FsError ? r : undefined;
  }

  symlink(target: string, path: string): FsError | undefined {
    const node = this.create(path, 'symlink', 'symlink', 0o777);
    if (node instanceof FsError) return node;
    node.target = target;
    node.size = utf8Length(target);
    return undefined;
  }

  rmdir(path: string): FsError | undefined {
    const at = this.parentOf(path, 'rmdir');
    if (at instanceof FsError) return at;
    const node = this.lookup(path, 'rmdir');
    if (node instanceof FsError) return node;
    if (node.type !== 'dir') return new FsError('ENOTDIR', 'rmdir', path);
    if (node.hasVisibleChildren()) return new FsError('ENOTEMPTY', 'rmdir', path);
    this.detach(at.dir, at.name);
    at.dir.touchChanged();
    return undefined;
  }

  unlink(path: string): FsError | undefined {
    const at = this.parentOf(path, 'unlink');
    if (at instanceof FsError) return at.code === 'EBUSY' ? new FsError('EISDIR', 'unlink', path) : at;
    const node = this.lookup(path, 'unlink');
    if (node instanceof FsError) return node;
    if (node.type === 'dir') return new FsError('EISDIR', 'unlink', path);
    this.detach(at.dir, at.name);
    at.dir.touchChanged();
    return undefined;
  }

  link(existing: string, path: string): FsError | undefined {
    const node = this.lookup(existing, 'link');
    if (node instanceof FsError) return node;
    if (node.type === 'dir') return new FsError('EPERM', 'link', existing);
    const at = this.parentOf(path, 'link');
    if (at instanceof FsError) return at.code === 'EBUSY' ? new FsError('EEXIST', 'link', path) : at;
    const old = at.dir.children!.get(at.name);
    if (old !== undefined && old !== UPPER_WHITEOUT) return new FsError('EEXIST', 'link', path);
    this.attach(at.dir, at.name, node);
    node.nlink++;
    node.ctimeNs = nowNs();
    at.dir.touchChanged();
    return undefined;
  }

  rename(from: string, to: string): FsError | undefined {
    const src = this.parentOf(from, 'rename');
    if (src instanceof FsError) return src;
    const node = this.lookup(from, 'rename');
    if (node instanceof FsError) return node;
    const dst = this.parentOf(to, 'rename');
    if (dst instanceof FsError) return dst;
    const check = checkRename(from, to, node.stat(), this.lookup(to, 'rename'), (p) => {
      const n = this.lookup(p);
      return !(n instanceof FsError) && n.hasVisibleChildren();
    });
    if (check !== 'go') return check;
    node.nlink++; // keep it alive across detach
    this.detach(src.dir, src.name);
    this.attach(dst.dir, dst.name, node);
    node.ctimeNs = nowNs();
    src.dir.touchChanged();
    dst.dir.touchChanged();
    return undefined;
  }

  utimes(path: string, atimeNs: bigint | null | 'now', mtimeNs: bigint | null | 'now'): FsError | undefined {
    const node = this.lookup(path, 'utimes');
    if (node instanceof FsError) return node;
    node.setTimes(atimeNs, mtimeNs);
    return undefined;
  }

  chmod(path: string, mode: number): FsError | undefined {
    const node = this.lookup(path, 'chmod');
    if (node instanceof FsError) return node;
    node.mode = mode & 0o7777;
    node.ctimeNs = nowNs();
    return undefined;
  }

  chown(path: string, uid: number, gid: number): FsError | undefined {
    const node = this.lookup(path, 'chown');
    if (node instanceof FsError) return node;
    if (uid >= 0) node.uid = uid;
    if (gid >= 0) node.gid = gid;
    node.ctimeNs = nowNs();
    return undefined;
  }
}

/**
 * Linux rename(2) checks shared by UpperLayer and UnionFs: 'go' to proceed, 'same' when
 * nothing is to be done, or the error.
 */
export function checkRename(
  from: string,
  to: string,
  source: Stat,
  target: Stat | UpperInode | FsError,
  nonEmptyDir: (path: string) => boolean,
): 'go' | undefined | FsError {
  if (from === to) return undefined;
  if (to.startsWith(from + '/')) return new FsError('EINVAL', 'rename', to);
  if (target instanceof FsError) return target.code === 'ENOENT' ? 'go' : target;
  const t = target instanceof UpperInode ? target.stat() : target;
  if (t.ino === source.ino && t.type !== 'dir') return undefined;
  if (source.type === 'dir' && t.type !== 'dir') return new FsError('ENOTDIR', 'rename', to);
  if (source.type !== 'dir' && t.type === 'dir') return new FsError('EISDIR', 'rename', to);
  if (t.type === 'dir' && nonEmptyDir(to)) return new FsError('ENOTEMPTY', 'rename', to);
  return 'go';
}

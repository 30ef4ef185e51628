// The merged view of read-only Layers under one writable UpperLayer, with OCI whiteout and
// opaque-directory semantics. Creating one is O(1): nothing is copied until a write needs it,
// and then only the path being changed is copied up (file bytes stay shared until written).

import { nowNs } from './clock.ts';
import { CHILD_MISSING, CHILD_WHITEOUT, type Layer } from './layer.ts';
import { ENTRY_WHITEOUT } from './layer-index.ts';
import { baseName, childPath, parentPath, splitPath } from './path.ts';
import {
  type DirEntry,
  type FileHandle,
  type FileSystem,
  type FileType,
  FsError,
  type OpenOptions,
  type Stat,
} from './types.ts';
import { UPPER_WHITEOUT, type UpperInode } from './upper-inode.ts';
import { checkRename, type UpperLayer } from './upper-layer.ts';
import { UnionReadHandle } from './union-read-handle.ts';
import { isMarkerName } from './whiteout.ts';

interface LowerRef {
  readonly layer: number;
  readonly ino: number;
}

/** A path of the merged view: its topmost node and, for a directory, the lower dirs it merges. */
interface Merged {
  upper: UpperInode | undefined;
  readonly lower: LowerRef | undefined;
  readonly lowerDirs: readonly LowerRef[];
}

const LAYER_INO_SPAN = 2 ** 32;
const DIR_CACHE_LIMIT = 512;

export class UnionFs implements FileSystem {
  /** A symlink among the parents is ENOTDIR here (resolve checks isDir): see FileSystem. */
  readonly wholePathLstat = true;
  /** Layer and upper inodes all report dev 0; the Vfs gives each mount its own. */
  readonly constantDev = 0;
  readonly readonly = false;
  /** Merged directories by path, filled by lookups, emptied by any change. */
  private readonly dirs = new Map<string, Merged>();
  /** Merged readdir results; created on first use so an idle root stays small. */
  private listings: Map<string, DirEntry[]> | undefined;

  constructor(
    readonly lowers: readonly Layer[],
    readonly upper: UpperLayer,
  ) {
    // The root's attributes: from the topmost layer whose tar has an entry for it.
    const top = [...lowers].reverse().find((l) => !l.isImplicit(0)) ?? lowers[lowers.length - 1];
    if (top && !upper.rootAdopted) {
      const st = top.statOf(0);
      const root = upper.root;
      root.mode = st.mode;
      root.uid = st.uid;
      root.gid = st.gid;
      root.atimeNs = st.atimeNs;
      root.mtimeNs = st.mtimeNs;
      root.ctimeNs = st.ctimeNs;
    }
    upper.rootAdopted = true;
  }

  // --- lookup ---

  private lowerIno(ref: LowerRef): number {
    return (ref.layer + 1) * LAYER_INO_SPAN + ref.ino;
  }

  private root(): Merged {
    const lowerDirs: LowerRef[] = [];
    if (!this.upper.root.opaque) {
      for (let i = this.lowers.length - 1; i >= 0; i--) {
        lowerDirs.push({ layer: i, ino: 0 });
        if (this.lowers[i]!.isOpaque(0)) break;
      }
    }
    return { upper: this.upper.root, lower: undefined, lowerDirs };
  }

  private step(dir: Merged, name: string): Merged | undefined {
    const entry = dir.upper?.children?.get(name);
    if (entry === UPPER_WHITEOUT) return undefined;
    if (entry !== undefined && (entry.type !== 'dir' || entry.opaque)) {
      return { upper: entry, lower: undefined, lowerDirs: [] };
    }
    let lower: LowerRef | undefined;
    const lowerDirs: LowerRef[] = [];
    for (const d of dir.lowerDirs) {
      const layer = this.lowers[d.layer]!;
      const ino = layer.child(d.ino, name);
      if (ino === CHILD_WHITEOUT) break;
      if (ino === CHILD_MISSING) continue;
      const isDir = layer.typeOf(ino) === 'dir';
      if (entry === undefined && lower === undefined) lower = { layer: d.layer, ino };
      if (!isDir) break;
      lowerDirs.push({ layer: d.layer, ino });
      if (layer.isOpaque(ino)) break;
    }
    if (entry === undefined && lower === undefined) return undefined;
    if (lower !== undefined && this.lowers[lower.layer]!.isImplicit(lower.ino)) {
      lower = this.attributeSource(dir, name, lower);
    }
    return { upper: entry, lower, lowerDirs };
  }

  /**
   * A directory a layer only implies (entries under it, none for itself) keeps the attributes
   * of the same directory further down, even below an opaque marker: that hides children only.
   */
  private attributeSource(dir: Merged, name: string, implied: LowerRef): LowerRef {
    for (const d of dir.lowerDirs) {
      if (d.layer >= implied.layer) continue;
      const layer = this.lowers[d.layer]!;
      const ino = layer.child(d.ino, name);
      if (ino === CHILD_WHITEOUT) break;
      if (ino === CHILD_MISSING) continue;
      if (layer.typeOf(ino) !== 'dir') break;
      if (!layer.isImplicit(ino)) return { layer: d.layer, ino };
    }
    return implied;
  }

  private isDir(m: Merged): boolean {
    return m.upper ? m.upper.type === 'dir' : this.lowers[m.lower!.layer]!.typeOf(m.lower!.ino) === 'dir';
  }

  /** Resolves through cached directories: a lookup costs one step past its parent. */
  private resolve(path: string, syscall: string): Merged | FsError {
    if (path === '/') return this.root();
    const cached = this.dirs.get(path);
    if (cached !== undefined) return cached;
    const parent = this.resolve(parentPath(path), syscall);
    if (parent instanceof FsError)
      return parent.path === path ? parent : new FsError(parent.code, syscall, path);
    if (!this.isDir(parent)) return new FsError('ENOTDIR', syscall, path);
    const m = this.step(parent, baseName(path));
    if (m === undefined) return new FsError('ENOENT', syscall, path);
    if (this.isDir(m)) {
      if (this.dirs.size >= DIR_CACHE_LIMIT) this.dirs.clear(); // keeps an idle root small
      this.dirs.set(path, m);
    }
    return m;
  }

  /** Every change to the tree drops the directory and listing caches (rebuilt lazily). */
  private changed(): void {
    if (this.dirs.size > 0) this.dirs.clear();
    if (this.listings !== undefined && this.listings.size > 0) this.listings.clear();
  }

  private statOf(m: Merged): Stat {
    if (m.upper) return m.upper.stat();
    return this.lowers[m.lower!.layer]!.statOf(m.lower!.ino, this.lowerIno(m.lower!));
  }

  /** Does a lower layer show `name` in the merged directory `dir` (ignoring the upper)? */
  private lowerHas(dir: Merged, name: string): boolean {
    for (const d of dir.lowerDirs) {
      const ino = this.lowers[d.layer]!.child(d.ino, name);
      if (ino === CHILD_WHITEOUT) return false;
      if (ino !== CHILD_MISSING) return true;
    }
    return false;
  }

  // --- copy-up ---

  private cloneLower(ref: LowerRef): UpperInode {
    const layer = this.lowers[ref.layer]!;
    const st = layer.statOf(ref.ino);
    const node = this.upper.newInode(st.type, st.mode);
    node.uid = st.uid;
    node.gid = st.gid;
    node.atimeNs = st.atimeNs;
    node.mtimeNs = st.mtimeNs;
    node.ctimeNs = st.ctimeNs;
    // A copy of one of several hardlinks is a new inode: it must not share the number.
    if (st.type === 'dir' || st.nlink === 1) node.originIno = this.lowerIno(ref);
    if (st.type === 'file') {
      node.data = layer.fileBytes(ref.ino);
      node.size = st.size;
      node.dataShared = true;
    } else if (st.type === 'symlink') {
      node.target = layer.symlinkTarget(ref.ino);
      node.size = st.size;
    } else if (st.type === 'chardev' || st.type === 'blockdev') {
      const dev = layer.device(ref.ino);
      node.devmajor = dev.major;
      node.devminor = dev.minor;
    }
    return node;
  }

  /** Makes the entry at `path` (and its parents) real in the upper layer and returns it. */
  copyUp(path: string, syscall = 'copyup'): UpperInode | FsError {
    this.changed();
    let m = this.root();
    for (const name of splitPath(path)) {
      if (!this.isDir(m)) return new FsError('ENOTDIR', syscall, path);
      const next = this.step(m, name);
      if (next === undefined) return new FsError('ENOENT', syscall, path);
      if (next.upper === undefined) {
        next.upper = this.cloneLower(next.lower!);
        this.upper.attach(m.upper!, name, next.upper);
      }
      m = next;
    }
    return m.upper!;
  }

  /** Copies a directory with everything visible under it, then marks it opaque (for rename). */
  private copyUpTree(path: string): UpperInode | FsError {
    const node = this.copyUp(path);
    if (node instanceof FsError || node.type !== 'dir') return node;
    const m = this.resolve(path, 'rename');
    if (!(m instanceof FsError) && m.lowerDirs.length > 0) {
      const entries = this.readdir(path);
      if (entries instanceof FsError) return entries;
      for (const e of entries) {
        const r = this.copyUpTree(childPath(path, e.name));
        if (r instanceof FsError) return r;
      }
    }
    node.opaque = true;
    return node;
  }

  private copyUpDir(path: string, syscall: string): UpperInode | FsError {
    const dir = this.copyUp(path, syscall);
    if (dir instanceof FsError) return dir;
    return dir.type === 'dir' ? dir : new FsError('ENOTDIR', syscall, path);
  }

  // --- FileSystem ---

  lstat(path: string): Stat | FsError {
    const m = this.resolve(path, 'lstat');
    return m instanceof FsError ? m : this.statOf(m);
  }

  entryType(path: string): FileType | FsError {
    const m = this.resolve(path, 'lstat');
    if (m instanceof FsError) return m;
    return m.upper ? m.upper.type : this.lowers[m.lower!.layer]!.typeOf(m.lower!.ino);
  }

  readlink(path: string): string | FsError {
    const m = this.resolve(path, 'readlink');
    if (m instanceof FsError) return m;
    if (m.upper) return this.upper.readlink(path);
    const layer = this.lowers[m.lower!.layer]!;
    if (layer.typeOf(m.lower!.ino) !== 'symlink') return new FsError('EINVAL', 'readlink', path);
    return layer.symlinkTarget(m.lower!.ino);
  }

  open(path: string, options: OpenOptions): FileHandle | FsError {
    const m = this.resolve(path, 'open');
    if (m instanceof FsError) {
      if (m.code !== 'ENOENT' || !options.create) return m;
      if (isMarkerName(baseName(path))) return new FsError('EINVAL', 'open', path);
      const dir = this.copyUpDir(parentPath(path), 'open');
      const created = dir instanceof FsError ? dir : this.upper.open(path, options);
      this.changed();
      return created;
    }
    if (m.upper) return this.upper.open(path, options);
    const { layer, ino } = m.lower!;
    const type = this.lowers[layer]!.typeOf(ino);
    if (options.create && options.exclusive) return new FsError('EEXIST', 'open', path);
    if (options.directory && type !== 'dir') return new FsError('ENOTDIR', 'open', path);
    if (type === 'dir' && (options.write || options.truncate)) return new FsError('EISDIR', 'open', path);
    const lowerHandle = this.lowers[layer]!.openInode(ino, path, this.lowerIno(m.lower!));
    if (lowerHandle instanceof FsError || !(options.write || options.truncate)) {
      return lowerHandle instanceof FsError
        ? lowerHandle
        : new UnionReadHandle(lowerHandle, path, () => this.copyUp(path));
    }
    const node = this.copyUp(path, 'open');
    return node instanceof FsError ? node : this.upper.open(path, { ...options, create: false });
  }

  /**
   * Merged listings are cached until the tree changes (a listing of a directory shared by many
   * layers costs a merge and a sort). Callers must not modify the returned array.
   */
  readdir(path: string): DirEntry[] | FsError {
    const listings = (this.listings ??= new Map());
    const cached = listings.get(path);
    if (cached !== undefined) return cached;
    const entries = this.mergedReaddir(path);
    if (entries instanceof FsError) return entries;
    if (listings.size >= DIR_CACHE_LIMIT) listings.clear();
    listings.set(path, entries);
    return entries;
  }

  private mergedReaddir(path: string): DirEntry[] | FsError {
    const m = this.resolve(path, 'readdir');
    if (m instanceof FsError) return m;
    if (!this.isDir(m)) return new FsError('ENOTDIR', 'readdir', path);
    const out = new Map<string, DirEntry>();
    const hidden = new Set<string>();
    if (m.upper) {
      for (const [name, e] of m.upper.children!) {
        if (e === UPPER_WHITEOUT) hidden.add(name);
        else out.set(name, { name, type: e.type, ino: e.statIno });
      }
    }
    for (const d of m.lowerDirs) {
      const layer = this.lowers[d.layer]!;
      const whiteouts: string[] = [];
      for (const { name, ino } of layer.entriesOf(d.ino)) {
        if (out.has(name) || hidden.has(name)) continue;
        if (ino === ENTRY_WHITEOUT) whiteouts.push(name);
        else out.set(name, { name, type: layer.typeOf(ino), ino: this.lowerIno({ layer: d.layer, ino }) });
      }
      for (const name of whiteouts) hidden.add(name);
    }
    return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private create(path: string, syscall: string): { dir: UpperInode; hadWhiteout: boolean } | FsError {
    if (isMarkerName(baseName(path))) return new FsError('EINVAL', syscall, path);
    const m = this.resolve(path, syscall);
    if (!(m instanceof FsError)) return new FsError('EEXIST', syscall, path);
    if (m.code !== 'ENOENT') return m;
    const dir = this.copyUpDir(parentPath(path), syscall);
    if (dir instanceof FsError) return dir;
    return { dir, hadWhiteout: dir.children!.get(baseName(path)) === UPPER_WHITEOUT };
  }

  mkdir(path: string, mode: number): FsError | undefined {
    const at = this.create(path, 'mkdir');
    if (at instanceof FsError) return at;
    const r = this.upper.mkdir(path, mode);
    // A directory made where a lower one was deleted must not show the old children.
    if (r === undefined && at.hadWhiteout) (at.dir.children!.get(baseName(path)) as UpperInode).opaque = true;
    this.changed();
    return r;
  }

  symlink(target: string, path: string): FsError | undefined {
    const at = this.create(path, 'symlink');
    const r = at instanceof FsError ? at : this.upper.symlink(target, path);
    this.changed();
    return r;
  }

  private remove(path: string, syscall: 'unlink' | 'rmdir'): FsError | undefined {
    if (path === '/') return new FsError(syscall === 'rmdir' ? 'EBUSY' : 'EISDIR', syscall, path);
    const m = this.resolve(path, syscall);
    if (m instanceof FsError) return m;
    const isDir = this.isDir(m);
    if (syscall === 'unlink' && isDir) return new FsError('EISDIR', syscall, path);
    if (syscall === 'rmdir' && !isDir) return new FsError('ENOTDIR', syscall, path);
    if (isDir) {
      const entries = this.readdir(path);
      if (entries instanceof FsError) return entries;
      if (entries.length > 0) return new FsError('ENOTEMPTY', syscall, path);
    }
    const parent = this.resolve(parentPath(path), syscall) as Merged;
    const whiteout = this.lowerHas(parent, baseName(path));
    const dir = this.copyUpDir(parentPath(path), syscall);
    if (dir instanceof FsError) return dir;
    this.upper.detach(dir, baseName(path), whiteout);
    dir.touchChanged();
    this.changed();
    return undefined;
  }

  unlink(path: string): FsError | undefined {
    return this.remove(path, 'unlink');
  }

  rmdir(path: string): FsError | undefined {
    return this.remove(path, 'rmdir');
  }

  rename(from: string, to: string): FsError | undefined {
    if (from === '/' || to === '/') return new FsError('EBUSY', 'rename', from);
    const source = this.resolve(from, 'rename');
    if (source instanceof FsError) return source;
    const toParent = this.resolve(parentPath(to), 'rename');
    if (toParent instanceof FsError) return toParent;
    if (!this.isDir(toParent)) return new FsError('ENOTDIR', 'rename', to);
    if (isMarkerName(baseName(to))) return new FsError('EINVAL', 'rename', to);
    const target = this.resolve(to, 'rename');
    const check = checkRename(
      from,
      to,
      this.statOf(source),
      target instanceof FsError ? target : this.statOf(target),
      (p) => {
        const entries = this.readdir(p);
        return !(entries instanceof FsError) && entries.length > 0;
      },
    );
    if (check !== 'go') return check;
    const whiteout = this.lowerHas(this.resolve(parentPath(from), 'rename') as Merged, baseName(from));
    const node = this.isDir(source) ? this.copyUpTree(from) : this.copyUp(from, 'rename');
    if (node instanceof FsError) return node;
    const dstDir = this.copyUpDir(parentPath(to), 'rename');
    if (dstDir instanceof FsError) return dstDir;
    const srcDir = this.copyUpDir(parentPath(from), 'rename');
    if (srcDir instanceof FsError) return srcDir;
    node.nlink++; // alive across detach
    this.upper.detach(srcDir, baseName(from), whiteout);
    this.upper.attach(dstDir, baseName(to), node);
    node.ctimeNs = nowNs();
    srcDir.touchChanged();
    dstDir.touchChanged();
    this.changed();
    return undefined;
  }

  link(existing: string, path: string): FsError | undefined {
    const source = this.resolve(existing, 'link');
    if (source instanceof FsError) return source;
    if (this.isDir(source)) return new FsError('EPERM', 'link', existing);
    const at = this.create(path, 'link');
    if (at instanceof FsError) return at;
    const node = this.copyUp(existing, 'link');
    if (node instanceof FsError) return node;
    this.upper.attach(at.dir, baseName(path), node);
    node.nlink++;
    node.ctimeNs = nowNs();
    at.dir.touchChanged();
    this.changed();
    return undefined;
  }

  private change(path: string, syscall: string, apply: (node: UpperInode) => void): FsError | undefined {
    const node = this.copyUp(path, syscall);
    if (node instanceof FsError) return node;
    apply(node);
    return undefined;
  }

  utimes(path: string, atimeNs: bigint | null | 'now', mtimeNs: bigint | null | 'now'): FsError | undefined {
    return this.change(path, 'utimes', (n) => n.setTimes(atimeNs, mtimeNs));
  }

  chmod(path: string, mode: number): FsError | undefined {
    return this.change(path, 'chmod', (n) => {
      n.mode = mode & 0o7777;
      n.ctimeNs = nowNs();
    });
  }

  chown(path: string, uid: number, gid: number): FsError | undefined {
    return this.change(path, 'chown', (n) => {
      if (uid >= 0) n.uid = uid;
      if (gid >= 0) n.gid = gid;
      n.ctimeNs = nowNs();
    });
  }
}

// One OCI layer, immutable and shared: by every container that uses it, and (through
// transfer()) by workers, which get the same buffers without copying. As a FileSystem it shows
// the layer's own files; whiteouts and opaque markers are kept for UnionFs.

import { buildLayer } from './layer-build.ts';
import {
  decodeStrings,
  ENTRY_I32,
  ENTRY_WHITEOUT,
  FLAG_IMPLICIT,
  FLAG_OPAQUE,
  I_CHILD_COUNT,
  I_CHILD_START,
  I_DEVMAJOR,
  I_DEVMINOR,
  I_FLAGS,
  I_GID,
  I_MODE,
  I_NLINK,
  I_TEXT_LENGTH,
  I_TEXT_START,
  I_TYPE,
  I_UID,
  type IndexViews,
  INODE_I32,
  openIndex,
  TYPE_CODES,
} from './layer-index.ts';
import { splitPath } from './path.ts';
import { readTar } from './tar-read.ts';
import {
  type DirEntry,
  type FileHandle,
  type FileSystem,
  type FileType,
  FsError,
  type OpenOptions,
  type Stat,
} from './types.ts';

/** Structured-cloneable; both buffers are SharedArrayBuffers where the platform has them. */
export interface LayerTransfer {
  readonly index: ArrayBufferLike;
  readonly bytes: ArrayBufferLike;
}

/** Result of Layer.child(): an inode number, or one of these. */
export const CHILD_MISSING = -2;
export const CHILD_WHITEOUT = -1;

export class Layer implements FileSystem {
  readonly readonly = true;
  private readonly idx: IndexViews;
  private readonly data: Uint8Array;
  private text: string | undefined;
  private readonly dirMaps = new Map<number, Map<string, number>>();

  private constructor(private readonly transferred: LayerTransfer) {
    this.idx = openIndex(transferred.index);
    this.data = new Uint8Array(transferred.bytes);
  }

  static async fromTar(tar: Uint8Array): Promise<Layer> {
    return new Layer(buildLayer(await readTar(tar)));
  }

  static fromTransfer(t: LayerTransfer): Layer {
    return new Layer(t);
  }

  transfer(): LayerTransfer {
    return { index: this.transferred.index, bytes: this.transferred.bytes };
  }

  get inodeCount(): number {
    return this.idx.inodeCount;
  }

  // --- inode-level access (UnionFs, diff, export) ---

  private strings(): string {
    this.text ??= decodeStrings(this.idx.strings);
    return this.text;
  }

  private int(ino: number, field: number): number {
    return this.idx.ints[ino * INODE_I32 + field]!;
  }

  typeOf(ino: number): FileType {
    return TYPE_CODES[this.int(ino, I_TYPE)]!;
  }

  /** A directory with no tar entry of its own: its attributes come from below it. */
  isImplicit(ino: number): boolean {
    return (this.int(ino, I_FLAGS) & FLAG_IMPLICIT) !== 0;
  }

  isOpaque(ino: number): boolean {
    return (this.int(ino, I_FLAGS) & FLAG_OPAQUE) !== 0;
  }

  private dirMap(dir: number): Map<string, number> {
    let map = this.dirMaps.get(dir);
    if (map === undefined) {
      map = new Map();
      const text = this.strings();
      const { entries } = this.idx;
      const start = this.int(dir, I_CHILD_START);
      const end = start + this.int(dir, I_CHILD_COUNT);
      for (let i = start; i < end; i++) {
        const e = i * ENTRY_I32;
        map.set(text.substr(entries[e]!, entries[e + 1]!), entries[e + 2]!);
      }
      this.dirMaps.set(dir, map);
    }
    return map;
  }

  /** The child `name` of directory inode `dir`: its inode, CHILD_WHITEOUT or CHILD_MISSING. */
  child(dir: number, name: string): number {
    if (this.int(dir, I_TYPE) !== 1) return CHILD_MISSING;
    return this.dirMap(dir).get(name) ?? CHILD_MISSING;
  }

  /** Entries of a directory inode in name order, whiteouts included (inode ENTRY_WHITEOUT). */
  *entriesOf(dir: number): IterableIterator<{ name: string; ino: number }> {
    const text = this.strings();
    const { entries } = this.idx;
    const start = this.int(dir, I_CHILD_START);
    const end = start + this.int(dir, I_CHILD_COUNT);
    for (let i = start; i < end; i++) {
      const e = i * ENTRY_I32;
      yield { name: text.substr(entries[e]!, entries[e + 1]!), ino: entries[e + 2]! };
    }
  }

  /** Inode at a canonical path, not following symlinks (ENOENT when absent or whited out). */
  inodeAt(path: string): number | FsError {
    let ino = 0;
    for (const name of splitPath(path)) {
      if (this.int(ino, I_TYPE) !== 1) return new FsError('ENOTDIR', 'lookup', path);
      const next = this.child(ino, name);
      if (next < 0) return new FsError('ENOENT', 'lookup', path);
      ino = next;
    }
    return ino;
  }

  statOf(ino: number, reportIno = ino): Stat {
    const o = ino * INODE_I32;
    const { ints, floats, times } = this.idx;
    const mtimeNs = times[ino * 2]!;
    return {
      ino: reportIno,
      dev: 0,
      type: TYPE_CODES[ints[o + I_TYPE]!]!,
      mode: ints[o + I_MODE]!,
      nlink: ints[o + I_NLINK]!,
      uid: ints[o + I_UID]! >>> 0,
      gid: ints[o + I_GID]! >>> 0,
      size: floats[ino * 2]!,
      atimeNs: times[ino * 2 + 1]!,
      mtimeNs,
      ctimeNs: mtimeNs,
    };
  }

  symlinkTarget(ino: number): string {
    return this.strings().substr(this.int(ino, I_TEXT_START), this.int(ino, I_TEXT_LENGTH));
  }

  device(ino: number): { major: number; minor: number } {
    return { major: this.int(ino, I_DEVMAJOR), minor: this.int(ino, I_DEVMINOR) };
  }

  /** A view of a file's bytes inside the shared buffer (never write to it). */
  fileBytes(ino: number): Uint8Array {
    const offset = this.idx.floats[ino * 2 + 1]!;
    return this.data.subarray(offset, offset + this.idx.floats[ino * 2]!);
  }

  /** A read-only handle on an inode; device nodes, fifos and sockets of an image give nothing. */
  openInode(ino: number, path: string, reportIno = ino): FileHandle | FsError {
    const type = this.typeOf(ino);
    if (type === 'symlink') return new FsError('ELOOP', 'open', path);
    if (type !== 'file' && type !== 'dir')
      return new FsError(type === 'socket' ? 'ENXIO' : 'EACCES', 'open', path);
    return new LayerFileHandle(this, ino, reportIno, path);
  }

  // --- FileSystem ---

  lstat(path: string): Stat | FsError {
    const ino = this.inodeAt(path);
    return typeof ino === 'number' ? this.statOf(ino) : ino;
  }

  readlink(path: string): string | FsError {
    const ino = this.inodeAt(path);
    if (typeof ino !== 'number') return ino;
    return this.typeOf(ino) === 'symlink' ? this.symlinkTarget(ino) : new FsError('EINVAL', 'readlink', path);
  }

  open(path: string, options: OpenOptions): FileHandle | FsError {
    const ino = this.inodeAt(path);
    if (typeof ino !== 'number') {
      return ino.code === 'ENOENT' && options.create ? new FsError('EROFS', 'open', path) : ino;
    }
    if (options.create && options.exclusive) return new FsError('EEXIST', 'open', path);
    const type = this.typeOf(ino);
    if (options.directory && type !== 'dir') return new FsError('ENOTDIR', 'open', path);
    if (type === 'dir' && (options.write || options.truncate)) return new FsError('EISDIR', 'open', path);
    if (options.write || options.truncate) return new FsError('EROFS', 'open', path);
    return this.openInode(ino, path);
  }

  readdir(path: string): DirEntry[] | FsError {
    const dir = this.inodeAt(path);
    if (typeof dir !== 'number') return dir;
    if (this.typeOf(dir) !== 'dir') return new FsError('ENOTDIR', 'readdir', path);
    const out: DirEntry[] = [];
    for (const { name, ino } of this.entriesOf(dir)) {
      if (ino !== ENTRY_WHITEOUT) out.push({ name, type: this.typeOf(ino), ino });
    }
    return out;
  }

  mkdir(path: string, _mode: number): FsError | undefined {
    return new FsError('EROFS', 'mkdir', path);
  }
  rmdir(path: string): FsError | undefined {
    return new FsError('EROFS', 'rmdir', path);
  }
  unlink(path: string): FsError | undefined {
    return new FsError('EROFS', 'unlink', path);
  }
  rename(from: string, _to: string): FsError | undefined {
    return new FsError('EROFS', 'rename', from);
  }
  symlink(_target: string, path: string): FsError | undefined {
    return new FsError('EROFS', 'symlink', path);
  }
  link(_existing: string, path: string): FsError | undefined {
    return new FsError('EROFS', 'link', path);
  }
  utimes(
    path: string,
    _atimeNs: bigint | null | 'now',
    _mtimeNs: bigint | null | 'now',
  ): FsError | undefined {
    return new FsError('EROFS', 'utimes', path);
  }
  chmod(path: string, _mode: number): FsError | undefined {
    return new FsError('EROFS', 'chmod', path);
  }
  chown(path: string, _uid: number, _gid: number): FsError | undefined {
    return new FsError('EROFS', 'chown', path);
  }
}

class LayerFileHandle implements FileHandle {
  constructor(
    private readonly layer: Layer,
    private readonly ino: number,
    private readonly reportIno: number,
    private readonly path: string,
  ) {}
  stat(): Stat {
    return this.layer.statOf(this.ino, this.reportIno);
  }
  read(into: Uint8Array, position: number): number | FsError {
    if (this.layer.typeOf(this.ino) === 'dir') return new FsError('EISDIR', 'read', this.path);
    const bytes = this.layer.fileBytes(this.ino);
    if (position >= bytes.byteLength) return 0;
    const chunk = bytes.subarray(position, position + into.byteLength);
    into.set(chunk);
    return chunk.byteLength;
  }
  write(): number | FsError {
    return new FsError('EBADF', 'write', this.path);
  }
  truncate(): FsError | undefined {
    return new FsError('EROFS', 'truncate', this.path);
  }
  utimes(): FsError | undefined {
    return new FsError('EROFS', 'utimes', this.path);
  }
  chmod(): FsError | undefined {
    return new FsError('EROFS', 'chmod', this.path);
  }
  sync(): FsError | undefined {
    return undefined;
  }
  close(): void {}
}

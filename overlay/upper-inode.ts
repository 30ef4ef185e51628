// The inode of an UpperLayer and the open-file handle over it. A handle keeps its inode, so it
// survives unlink and rename. File bytes copied up from a Layer stay a view of the shared
// buffer until the first change (copy-on-write), which makes copy-up of a big file cheap.

import { nowNs } from './clock.ts';
import { type FileHandle, type FileType, FsError, type Stat } from './types.ts';

export const UPPER_WHITEOUT: unique symbol = Symbol('whiteout');
export type UpperEntry = UpperInode | typeof UPPER_WHITEOUT;

const EMPTY = new Uint8Array(0);
const MAX_FILE_SIZE = 2 ** 31;

export class UpperInode {
  nlink = 1;
  mode: number;
  uid = 0;
  gid = 0;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  /** Capacity may exceed `size`; `dataShared` marks a view into a Layer's buffer. */
  data: Uint8Array = EMPTY;
  size = 0;
  dataShared = false;
  target = '';
  devmajor = 0;
  devminor = 0;
  opaque = false;
  /** The merged-view inode number this node was copied up from (keeps st_ino stable). */
  originIno = 0;
  subdirs = 0;
  readonly children: Map<string, UpperEntry> | null;

  constructor(
    readonly ino: number,
    readonly type: FileType,
    mode: number,
  ) {
    this.mode = mode;
    this.children = type === 'dir' ? new Map() : null;
    this.atimeNs = this.mtimeNs = this.ctimeNs = nowNs();
  }

  get statIno(): number {
    return this.originIno || this.ino;
  }

  stat(): Stat {
    return {
      ino: this.statIno,
      dev: 0,
      type: this.type,
      mode: this.mode,
      nlink: this.type === 'dir' ? 2 + this.subdirs : this.nlink,
      uid: this.uid,
      gid: this.gid,
      size: this.type === 'dir' ? 4096 : this.size,
      atimeNs: this.atimeNs,
      mtimeNs: this.mtimeNs,
      ctimeNs: this.ctimeNs,
    };
  }

  /** True when the directory has an entry that is not a whiteout. */
  hasVisibleChildren(): boolean {
    for (const e of this.children!.values()) if (e !== UPPER_WHITEOUT) return true;
    return false;
  }

  setTimes(atimeNs: bigint | null | 'now', mtimeNs: bigint | null | 'now'): void {
    const now = nowNs();
    if (atimeNs !== null) this.atimeNs = atimeNs === 'now' ? now : atimeNs;
    if (mtimeNs !== null) this.mtimeNs = mtimeNs === 'now' ? now : mtimeNs;
    this.ctimeNs = now;
  }

  touchChanged(): void {
    this.mtimeNs = this.ctimeNs = nowNs();
  }

  private ensureOwnCapacity(size: number): void {
    if (!this.dataShared && this.data.byteLength >= size) return;
    const cap = Math.max(size, this.dataShared ? 0 : Math.min(this.data.byteLength * 2, size + (1 << 20)));
    const next = new Uint8Array(cap);
    next.set(this.data.subarray(0, Math.min(this.size, size)));
    this.data = next;
    this.dataShared = false;
  }

  resize(size: number): FsError | undefined {
    if (size < 0) return new FsError('EINVAL', 'truncate', '');
    if (size > MAX_FILE_SIZE) return new FsError('EFBIG', 'truncate', '');
    if (size > this.size) {
      this.ensureOwnCapacity(size);
      this.data.fill(0, this.size, size);
    } else if (size < this.size && !this.dataShared) {
      this.data.fill(0, size, this.size);
    } else if (size < this.size) {
      this.data = this.data.subarray(0, size);
    }
    this.size = size;
    this.touchChanged();
    return undefined;
  }

  writeAt(src: Uint8Array, position: number): number | FsError {
    const end = position + src.byteLength;
    if (end > MAX_FILE_SIZE) return new FsError('EFBIG', 'write', '');
    this.ensureOwnCapacity(Math.max(end, this.size));
    if (position > this.size) this.data.fill(0, this.size, position);
    this.data.set(src, position);
    if (end > this.size) this.size = end;
    this.touchChanged();
    return src.byteLength;
  }

  readAt(into: Uint8Array, position: number): number {
    if (position >= this.size) return 0;
    const chunk = this.data.subarray(position, Math.min(this.size, position + into.byteLength));
    into.set(chunk);
    return chunk.byteLength;
  }
}

export class UpperFileHandle implements FileHandle {
  constructor(
    readonly node: UpperInode,
    private readonly readable: boolean,
    private readonly writable: boolean,
    private readonly path: string,
  ) {}
  stat(): Stat {
    return this.node.stat();
  }
  read(into: Uint8Array, position: number): number | FsError {
    if (this.node.type === 'dir') return new FsError('EISDIR', 'read', this.path);
    if (!this.readable) return new FsError('EBADF', 'read', this.path);
    return this.node.readAt(into, position);
  }
  write(data: Uint8Array, position: number): number | FsError {
    if (!this.writable) return new FsError('EBADF', 'write', this.path);
    const r = this.node.writeAt(data, position);
    return r instanceof FsError ? new FsError(r.code, 'write', this.path) : r;
  }
  truncate(size: number): FsError | undefined {
    if (!this.writable)
      return new FsError(this.node.type === 'dir' ? 'EISDIR' : 'EINVAL', 'truncate', this.path);
    const r = this.node.resize(size);
    return r && new FsError(r.code, 'truncate', this.path);
  }
  utimes(atimeNs: bigint | null | 'now', mtimeNs: bigint | null | 'now'): FsError | undefined {
    this.node.setTimes(atimeNs, mtimeNs);
    return undefined;
  }
  chmod(mode: number): FsError | undefined {
    this.node.mode = mode & 0o7777;
    this.node.ctimeNs = nowNs();
    return undefined;
  }
  sync(): FsError | undefined {
    return undefined;
  }
  close(): void {}
}

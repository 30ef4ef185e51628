// A read-only handle on a file of a lower Layer, as UnionFs hands it out. fchmod and futimes
// are allowed on a read-only fd, so they copy the file up first and continue on the copy.

import { type FileHandle, FsError, type Stat } from './types.ts';
import { UpperFileHandle, type UpperInode } from './upper-inode.ts';

export class UnionReadHandle implements FileHandle {
  constructor(
    private inner: FileHandle,
    private readonly path: string,
    private readonly copyUp: () => UpperInode | FsError,
  ) {}
  private upperHandle(): UpperFileHandle | FsError {
    if (this.inner instanceof UpperFileHandle) return this.inner;
    const node = this.copyUp();
    if (node instanceof FsError) return node;
    const handle = new UpperFileHandle(node, true, false, this.path);
    this.inner = handle;
    return handle;
  }
  stat(): Stat {
    return this.inner.stat();
  }
  read(into: Uint8Array, position: number): number | FsError {
    return this.inner.read(into, position);
  }
  write(): number | FsError {
    return new FsError('EBADF', 'write', this.path);
  }
  truncate(): FsError | undefined {
    return new FsError('EINVAL', 'truncate', this.path);
  }
  utimes(atimeNs: bigint | null | 'now', mtimeNs: bigint | null | 'now'): FsError | undefined {
    const h = this.upperHandle();
    return h instanceof FsError ? h : h.utimes(atimeNs, mtimeNs);
  }
  chmod(mode: number): FsError | undefined {
    const h = this.upperHandle();
    return h instanceof FsError ? h : h.chmod(mode);
  }
  sync(): FsError | undefined {
    return undefined;
  }
  close(): void {}
}

// A directory opened through the Vfs (also every preopen). Path syscalls resolve relative to
// `path`, the absolute guest path it was opened by. fd_readdir lists '.' and '..' first, then the
// Vfs entries; cookie n means "continue at entry n" within a snapshot taken at cookie 0, so
// cookies stay valid across calls (telldir/seekdir) while the directory changes underneath.

import type { FileHandle, Stat } from '../../overlay/types.ts';
import { ERRNO_SUCCESS } from './defs.ts';
import { wasiErrno } from './errno.ts';
import { Fd, Filetype, type Result } from './fd.ts';
import type { GuestFs, TimeSpec } from './guest-fs.ts';
import { filetypeOf } from './structs.ts';

/** One listing of a directory. */
export interface DirSnapshot {
  readonly names: string[];
  readonly inos: number[];
  readonly types: number[];
}

export class DirFd extends Fd {
  readonly filetype = Filetype.DIRECTORY;
  private snapshot: DirSnapshot | undefined;

  constructor(
    private readonly vfs: GuestFs,
    /** Absolute guest path (may hold '..' or symlinks; the Vfs resolves it). */
    readonly path: string,
    private readonly handle: FileHandle | undefined,
    flags: number,
    rightsBase: bigint,
    rightsInheriting: bigint,
    /** The name fd_prestat_dir_name reports; set for preopens only. */
    readonly preopenName?: Uint8Array,
  ) {
    super();
    this.flags = flags;
    this.rightsBase = rightsBase;
    this.rightsInheriting = rightsInheriting;
  }

  override stat(): Result<Stat> {
    if (this.handle) return { errno: ERRNO_SUCCESS, value: this.handle.stat() };
    const st = this.vfs.stat(this.path, true);
    return st instanceof Error ? { errno: wasiErrno(st) } : { errno: ERRNO_SUCCESS, value: st };
  }

  /** The listing to serve `cookie` from: a fresh one at cookie 0, else the kept one. */
  listing(cookie: number): DirSnapshot | number {
    if (cookie !== 0 && this.snapshot) return this.snapshot;
    const entries = this.vfs.readdir(this.path);
    if (entries instanceof Error) return wasiErrno(entries);
    const self = this.stat();
    const parent = this.path === '/' ? self.value : this.vfs.stat(`${this.path}/..`, true);
    const selfIno = self.value ? self.value.ino : 0;
    const parentIno = parent && !(parent instanceof Error) ? parent.ino : 0;
    const names = ['.', '..'];
    const inos = [selfIno, parentIno];
    const types: number[] = [Filetype.DIRECTORY, Filetype.DIRECTORY];
    for (const e of entries) {
      names.push(e.name);
      inos.push(e.ino);
      types.push(filetypeOf(e.type));
    }
    this.snapshot = { names, inos, types };
    return this.snapshot;
  }

  override setTimes(atimeNs: TimeSpec, mtimeNs: TimeSpec): number {
    const e = this.handle
      ? this.handle.utimes(atimeNs, mtimeNs)
      : this.vfs.utimes(this.path, atimeNs, mtimeNs, true);
    return e ? wasiErrno(e) : ERRNO_SUCCESS;
  }

  override sync(_dataOnly: boolean): number {
    return ERRNO_SUCCESS;
  }

  override close(): void {
    this.handle?.close();
  }
}

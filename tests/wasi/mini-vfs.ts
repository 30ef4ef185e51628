// A stand-in for overlay's Vfs (overlay/vfs.ts is not written yet): one FileSystem at '/', paths
// resolved component by component, symlinks inside the guest root, 40 hops -> ELOOP. Replace with
// `new Vfs(fs)` once overlay has it.

import type { GuestFs } from '../../shims/wasi/guest-fs.ts';
import { type FileSystem, FsError, type OpenOptions } from '../../overlay/types.ts';

export class MiniVfs implements GuestFs {
  constructor(private readonly fs: FileSystem) {}

  /** Canonical path of `path`; the last component need not exist. */
  private resolve(path: string, followLast: boolean, syscall: string): string | FsError {
    let todo = path.split('/').filter((p) => p !== '' && p !== '.');
    let done: string[] = [];
    let hops = 0;
    while (todo.length > 0) {
      const name = todo.shift()!;
      if (name === '.') continue;
      if (name === '..') {
        done.pop();
        continue;
      }
      const candidate = '/' + [...done, name].join('/');
      const st = this.fs.lstat(candidate);
      const last = todo.length === 0;
      if (st instanceof FsError) {
        if (last && st.code === 'ENOENT') return candidate;
        return st;
      }
      if (st.type === 'symlink' && (!last || followLast)) {
        if (++hops > 40) return new FsError('ELOOP', syscall, path);
        const target = this.fs.readlink(candidate) as string;
        if (target.startsWith('/')) done = [];
        todo = [...target.split('/').filter((p) => p !== '' && p !== '.'), ...todo];
        continue;
      }
      if (!last && st.type !== 'dir') return new FsError('ENOTDIR', syscall, path);
      done.push(name);
    }
    return '/' + done.join('/');
  }

  stat(path: string, follow: boolean) {
    const p = this.resolve(path, follow, 'stat');
    return p instanceof FsError ? p : this.fs.lstat(p);
  }
  open(path: string, options: OpenOptions & { follow?: boolean }) {
    const p = this.resolve(path, options.follow ?? true, 'open');
    if (p instanceof FsError) return p;
    return this.fs.open(p, options);
  }
  readdir(path: string) {
    const p = this.resolve(path, true, 'readdir');
    return p instanceof FsError ? p : this.fs.readdir(p);
  }
  mkdir(path: string, mode: number) {
    const p = this.resolve(path, false, 'mkdir');
    return p instanceof FsError ? p : this.fs.mkdir(p, mode);
  }
  rmdir(path: string) {
    const p = this.resolve(path, false, 'rmdir');
    return p instanceof FsError ? p : this.fs.rmdir(p);
  }
  unlink(path: string) {
    const p = this.resolve(path, false, 'unlink');
    return p instanceof FsError ? p : this.fs.unlink(p);
  }
  rename(from: string, to: string) {
    const a = this.resolve(from, false, 'rename');
    if (a instanceof FsError) return a;
    const b = this.resolve(to, false, 'rename');
    return b instanceof FsError ? b : this.fs.rename(a, b);
  }
  symlink(target: string, path: string) {
    const p = this.resolve(path, false, 'symlink');
    return p instanceof FsError ? p : this.fs.symlink(target, p);
  }
  link(existing: string, path: string, follow: boolean) {
    const a = this.resolve(existing, follow, 'link');
    if (a instanceof FsError) return a;
    const b = this.resolve(path, false, 'link');
    return b instanceof FsError ? b : this.fs.link(a, b);
  }
  readlink(path: string) {
    const p = this.resolve(path, false, 'readlink');
    return p instanceof FsError ? p : this.fs.readlink(p);
  }
  utimes(path: string, a: bigint | null | 'now', m: bigint | null | 'now', follow: boolean) {
    const p = this.resolve(path, follow, 'utimes');
    return p instanceof FsError ? p : this.fs.utimes(p, a, m);
  }
  realpath(path: string) {
    const p = this.resolve(path, true, 'realpath');
    if (p instanceof FsError) return p;
    const st = this.fs.lstat(p);
    return st instanceof FsError ? st : p;
  }
}

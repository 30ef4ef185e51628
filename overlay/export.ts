// A flattened tar of a whole tree as its users see it (docker export): no whiteouts, mounts of
// a Vfs included, hardlinks kept as hardlinks.

import { childPath } from './path.ts';
import { type TarWriteEntry, writeTar } from './tar-write.ts';
import { type DirEntry, type FileHandle, type FileSystem, FsError, type Stat } from './types.ts';
import { Vfs } from './vfs.ts';

interface TreeReader {
  lstat(path: string): Stat | FsError;
  readdir(path: string): DirEntry[] | FsError;
  readlink(path: string): string | FsError;
  open(path: string): FileHandle | FsError;
}

const readerOf = (fs: Vfs | FileSystem): TreeReader =>
  fs instanceof Vfs
    ? {
        lstat: (p) => fs.stat(p, false),
        readdir: (p) => fs.readdir(p),
        readlink: (p) => fs.readlink(p),
        open: (p) => fs.open(p, { read: true, follow: false }),
      }
    : {
        lstat: (p) => fs.lstat(p),
        readdir: (p) => fs.readdir(p),
        readlink: (p) => fs.readlink(p),
        open: (p) => fs.open(p, { read: true }),
      };

const unwrap = <T>(v: T | FsError): T => {
  if (v instanceof FsError) throw v;
  return v;
};

function readAll(handle: FileHandle, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  while (at < size) {
    const n = unwrap(handle.read(out.subarray(at), at));
    if (n === 0) break;
    at += n;
  }
  handle.close();
  return out.subarray(0, at);
}

export function* treeEntries(fs: Vfs | FileSystem): Generator<TarWriteEntry> {
  const reader = readerOf(fs);
  const linked = new Map<string, string>();
  function* walk(path: string): Generator<TarWriteEntry> {
    const entries = [...unwrap(reader.readdir(path))].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const { name } of entries) {
      const p = childPath(path, name);
      const st = unwrap(reader.lstat(p));
      const base = { name: p.slice(1), mode: st.mode, uid: st.uid, gid: st.gid, mtimeNs: st.mtimeNs };
      if (st.type === 'dir') {
        yield { ...base, type: 'dir' };
        yield* walk(p);
        continue;
      }
      if (st.type === 'socket') continue;
      const key = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 ? linked.get(key) : undefined;
      if (first !== undefined) {
        yield { ...base, type: 'hardlink', linkname: first };
        continue;
      }
      if (st.nlink > 1) linked.set(key, base.name);
      if (st.type === 'file') yield { ...base, type: 'file', data: readAll(unwrap(reader.open(p)), st.size) };
      else if (st.type === 'symlink')
        yield { ...base, type: 'symlink', linkname: unwrap(reader.readlink(p)) };
      else yield { ...base, type: st.type };
    }
  }
  const root = unwrap(reader.lstat('/'));
  yield { name: '.', type: 'dir', mode: root.mode, uid: root.uid, gid: root.gid, mtimeNs: root.mtimeNs };
  yield* walk('/');
}

export async function exportTar(fs: Vfs | FileSystem): Promise<Uint8Array> {
  return writeTar(treeEntries(fs));
}

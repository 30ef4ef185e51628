// Test fixtures: JSON trees and entry lists built into tiny tars, and whole-tree snapshots to
// compare. Tars are written with tar-stream, or block by block where a test needs a header
// tar-stream would not produce (GNU long names).

import { pack } from 'tar-stream';
import { FsError, type FileSystem } from '../../overlay/types.ts';
import { Vfs } from '../../overlay/vfs.ts';

export interface RawEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  content?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
  linkname?: string;
  pax?: Record<string, string>;
}

/** A JSON tree: string = file content, object = directory, { '->': t } = symlink. */
export type Tree = { [name: string]: string | Tree | { '->': string } };

export function treeEntries(tree: Tree, prefix = ''): RawEntry[] {
  const out: RawEntry[] = [];
  for (const [name, v] of Object.entries(tree)) {
    const path = prefix + name;
    if (typeof v === 'string') out.push({ name: path, content: v });
    else if (typeof v['->'] === 'string') out.push({ name: path, type: 'symlink', linkname: v['->'] });
    else {
      out.push({ name: path, type: 'directory' });
      out.push(...treeEntries(v as Tree, path + '/'));
    }
  }
  return out;
}

export async function makeTar(entries: RawEntry[]): Promise<Uint8Array> {
  const p = pack();
  const chunks: Uint8Array[] = [];
  const done = (async () => {
    for await (const c of p as AsyncIterable<Uint8Array>) chunks.push(c);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const data = new TextEncoder().encode(e.content ?? '');
    await new Promise<void>((resolve, reject) =>
      p.entry(
        {
          name: e.name,
          type,
          mode: e.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
          uid: e.uid ?? 0,
          gid: e.gid ?? 0,
          mtime: e.mtime ?? new Date(1_700_000_000_000),
          linkname: e.linkname,
          size: type === 'file' ? data.byteLength : 0,
          pax: e.pax,
        },
        type === 'file' ? data : new Uint8Array(0),
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }
  p.finalize();
  await done;
  return concat(chunks);
}

export const tarOf = (tree: Tree): Promise<Uint8Array> => makeTar(treeEntries(tree));

export function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** One raw 512-byte ustar/GNU header block (for headers tar-stream does not write). */
export function rawHeader(name: string, typeflag: string, size: number, linkname = ''): Uint8Array {
  const b = new Uint8Array(512);
  const put = (s: string, at: number, len: number) => b.set(new TextEncoder().encode(s).subarray(0, len), at);
  const oct = (n: number, len: number) => n.toString(8).padStart(len - 1, '0');
  put(name, 0, 100);
  put(oct(0o644, 8), 100, 8);
  put(oct(0, 8), 108, 8);
  put(oct(0, 8), 116, 8);
  put(oct(size, 12), 124, 12);
  put(oct(1_700_000_000, 12), 136, 12);
  put(typeflag, 156, 1);
  put(linkname, 157, 100);
  put('ustar  \0', 257, 8); // GNU magic
  put('        ', 148, 8);
  const sum = b.reduce((n, x) => n + x, 0);
  put(oct(sum, 7) + '\0', 148, 8);
  return b;
}

export const padBlock = (data: Uint8Array): Uint8Array => {
  const out = new Uint8Array(Math.ceil(data.byteLength / 512) * 512);
  out.set(data);
  return out;
};

/** The whole visible tree as path -> description, for whole-tree comparisons. */
export function snapshot(fs: FileSystem | Vfs, withMeta = true): Record<string, string> {
  const lstat = (p: string) => (fs instanceof Vfs ? fs.stat(p, false) : fs.lstat(p));
  const must = <T>(v: T | FsError): T => {
    if (v instanceof FsError) throw v;
    return v;
  };
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of must(fs.readdir(dir))) {
      const p = dir === '/' ? '/' + e.name : dir + '/' + e.name;
      const st = must(lstat(p));
      const meta = withMeta ? ` ${st.mode.toString(8)} ${st.uid}:${st.gid}` : '';
      if (st.type === 'dir') {
        out[p] = 'dir' + meta;
        walk(p);
      } else if (st.type === 'symlink') out[p] = `symlink -> ${must(fs.readlink(p))}`;
      else if (st.type === 'file') {
        const h = must(fs.open(p, { read: true }));
        const buf = new Uint8Array(st.size);
        must(h.read(buf, 0));
        out[p] = `file${meta} ${JSON.stringify(new TextDecoder().decode(buf))}`;
      } else out[p] = st.type + meta;
    }
  };
  walk('/');
  return out;
}

export const code = (v: unknown): string | undefined => (v instanceof FsError ? v.code : undefined);

// Writes a tar with tar-stream. Nanosecond mtimes, long names and big ids go into PAX headers.

import type { FileType } from './types.ts';

export interface TarWriteEntry {
  /** Relative archive name without leading '/' (directories without trailing '/'). */
  name: string;
  type: FileType | 'hardlink';
  mode: number;
  uid: number;
  gid: number;
  mtimeNs: bigint;
  linkname?: string;
  data?: Uint8Array;
  devmajor?: number;
  devminor?: number;
}

const TYPE_NAMES = {
  file: 'file',
  hardlink: 'link',
  symlink: 'symlink',
  dir: 'directory',
  chardev: 'character-device',
  blockdev: 'block-device',
  fifo: 'fifo',
} as const;

const MAX_OCTAL_ID = 0o7777777;

export const formatPaxTime = (ns: bigint): string => {
  const neg = ns < 0n;
  const abs = neg ? -ns : ns;
  const frac = (abs % 1_000_000_000n).toString().padStart(9, '0');
  return `${neg ? '-' : ''}${abs / 1_000_000_000n}.${frac}`;
};

export async function writeTar(entries: Iterable<TarWriteEntry>): Promise<Uint8Array> {
  // Loaded with the first tar written (a commit, a build, a built-in image's first use).
  const { pack } = await import('tar-stream');
  const p = pack();
  const chunks: Uint8Array[] = [];
  const done = (async () => {
    for await (const chunk of p as AsyncIterable<Uint8Array>) chunks.push(chunk);
  })();
  for (const e of entries) {
    if (e.type === 'socket') continue; // tar has no socket type
    const data = e.type === 'file' ? (e.data ?? new Uint8Array(0)) : undefined;
    const pax: Record<string, string> = {};
    if (e.mtimeNs % 1_000_000_000n !== 0n || e.mtimeNs < 0n) pax.mtime = formatPaxTime(e.mtimeNs);
    if (e.uid > MAX_OCTAL_ID) pax.uid = String(e.uid);
    if (e.gid > MAX_OCTAL_ID) pax.gid = String(e.gid);
    const header = {
      name: e.type === 'dir' ? e.name + '/' : e.name,
      type: TYPE_NAMES[e.type],
      // tar-stream replaces a mode of 0 by a default; a type bit keeps it truthy and is masked off
      mode: e.mode | 0o100000,
      uid: e.uid > MAX_OCTAL_ID ? 0 : e.uid,
      gid: e.gid > MAX_OCTAL_ID ? 0 : e.gid,
      mtime: new Date(Number(e.mtimeNs / 1_000_000n)),
      size: data?.byteLength ?? 0,
      linkname: e.linkname,
      devmajor: e.devmajor,
      devminor: e.devminor,
      pax: Object.keys(pax).length > 0 ? pax : undefined,
    };
    await new Promise<void>((resolve, reject) => {
      p.entry(header, data ?? new Uint8Array(0), (err) => (err ? reject(err) : resolve()));
    });
  }
  p.finalize();
  await done;
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

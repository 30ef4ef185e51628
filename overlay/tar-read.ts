// Reads an uncompressed (OCI layer) tar with tar-stream: ustar, GNU long names and PAX headers.
// Names are normalised inside the root here; meaning (whiteouts, links) is the caller's.

import type { FileType } from './types.ts';
import { normalizeArchiveName } from './path.ts';

export class LayerTarError extends Error {
  readonly code = 'BERTH_LAYER_TAR' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LayerTarError';
  }
}

export interface TarEntry {
  /** Normalised components inside the root ([] is the root itself). */
  readonly parts: string[];
  readonly rawName: string;
  readonly type: FileType | 'hardlink';
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtimeNs: bigint;
  readonly atimeNs: bigint;
  /** Symlink target (verbatim) or hardlink target (raw archive name). */
  readonly linkname: string;
  readonly data: Uint8Array;
  readonly devmajor: number;
  readonly devminor: number;
}

const TYPES: Record<string, FileType | 'hardlink' | undefined> = {
  file: 'file',
  'contiguous-file': 'file',
  link: 'hardlink',
  symlink: 'symlink',
  directory: 'dir',
  'character-device': 'chardev',
  'block-device': 'blockdev',
  fifo: 'fifo',
};

const EMPTY = new Uint8Array(0);

/** PAX times are decimal seconds with an optional fraction ("1700000000.123456789"). */
export function parsePaxTime(value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(value.trim());
  if (!m) return undefined;
  const ns = BigInt(m[2]!) * 1_000_000_000n + BigInt(((m[3] ?? '') + '000000000').slice(0, 9));
  return m[1] ? -ns : ns;
}

const paxInt = (pax: Record<string, string> | null, key: string, fallback: number): number => {
  const v = pax?.[key];
  const n = v === undefined ? Number.NaN : Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : fallback;
};

export async function readTar(bytes: Uint8Array): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  // Loaded with the first tar read: a run whose layers come parsed from the cache needs none of it.
  const { extract } = await import('tar-stream');
  const ex = extract();
  ex.end(bytes);
  try {
    for await (const stream of ex) {
      const h = stream.header;
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of stream as AsyncIterable<Uint8Array>) {
        chunks.push(chunk);
        size += chunk.byteLength;
      }
      const type = TYPES[h.type];
      if (type === undefined) continue; // sockets cannot be archived; unknown kinds carry nothing usable
      let data: Uint8Array = EMPTY;
      if (chunks.length === 1) data = chunks[0]!;
      else if (chunks.length > 1) {
        data = new Uint8Array(size);
        let at = 0;
        for (const c of chunks) {
          data.set(c, at);
          at += c.byteLength;
        }
      }
      const pax = (h.pax ?? null) as Record<string, string> | null;
      const mtimeNs = parsePaxTime(pax?.mtime) ?? BigInt(h.mtime?.getTime() ?? 0) * 1_000_000n;
      entries.push({
        parts: normalizeArchiveName(h.name).parts,
        rawName: h.name,
        type,
        mode: h.mode ?? 0,
        uid: paxInt(pax, 'uid', h.uid ?? 0),
        gid: paxInt(pax, 'gid', h.gid ?? 0),
        mtimeNs,
        atimeNs: parsePaxTime(pax?.atime) ?? mtimeNs,
        linkname: h.linkname ?? '',
        data,
        devmajor: h.devmajor ?? 0,
        devminor: h.devminor ?? 0,
      });
    }
  } catch (cause) {
    throw new LayerTarError(`invalid layer tar: ${(cause as Error).message}`, { cause });
  }
  return entries;
}

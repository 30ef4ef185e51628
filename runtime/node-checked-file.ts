// Small derived files kept between processes (parsed layers, rewritten modules): a magic, then
// for each part its length and sha256, then the parts. Written to a temp file and renamed into
// place (no fsync: a torn or damaged file fails a hash and the caller derives it again).
//   header  magic (8 bytes), then per part: length (u32 LE) + sha256 (32 bytes)

import { join } from 'node:path';
import { fs } from '../shims/platform/node/node-fs.ts';
import { sha256Hex } from './oci/digest.ts';

const PART = 4 + 32;

const hexBytes = (hex: string): Uint8Array =>
  Uint8Array.from(hex.match(/../g)!, (h) => Number.parseInt(h, 16));

let temps = 0;

/** Writes `parts` under `magic` (8 ASCII characters) to `path`, through a temp file in `dir`. */
export function writeCheckedFile(
  dir: string,
  path: string,
  magic: string,
  parts: readonly Uint8Array[],
): void {
  const header = new Uint8Array(8 + PART * parts.length);
  header.set(new TextEncoder().encode(magic), 0);
  const view = new DataView(header.buffer);
  parts.forEach((p, i) => {
    view.setUint32(8 + PART * i, p.length, true);
    header.set(hexBytes(sha256Hex(p)), 8 + PART * i + 4);
  });
  const out = new Uint8Array(header.length + parts.reduce((n, p) => n + p.length, 0));
  out.set(header, 0);
  let at = header.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  const tmp = join(dir, `.tmp-${process.pid}-${temps++}`);
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(tmp, out);
    fs.renameSync(tmp, path);
  } catch {
    fs.rmSync(tmp, { force: true }); // best effort: the caller derives it again next time
  }
}

/**
 * The `count` parts of `path` if it is there, intact and under `magic`; each part is read into a
 * buffer `alloc` makes (default: an ArrayBuffer).
 */
export function readCheckedFile(
  path: string,
  magic: string,
  count: number,
  alloc: (size: number) => ArrayBufferLike = (size) => new ArrayBuffer(size),
): Uint8Array[] | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const header = new Uint8Array(8 + PART * count);
    if (fs.readSync(fd, header, 0, header.length, 0) !== header.length) return undefined;
    // The magic is ASCII: no TextDecoder (its first use costs a cold process about a millisecond).
    if (String.fromCharCode(...header.subarray(0, 8)) !== magic) return undefined;
    const view = new DataView(header.buffer);
    const parts: Uint8Array[] = [];
    let at = header.length;
    for (let i = 0; i < count; i++) {
      const length = view.getUint32(8 + PART * i, true);
      const part = new Uint8Array(alloc(length));
      if (fs.readSync(fd, part, 0, length, at) !== length) return undefined;
      const sum = hexBytes(sha256Hex(part));
      if (!sum.every((b, j) => b === header[8 + PART * i + 4 + j])) return undefined;
      parts.push(part);
      at += length;
    }
    return parts;
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

// The binary index of a Layer: fixed-size inode and entry records plus one UTF-16 string table,
// all in one (shared) buffer, so a worker rebuilds a Layer from it without parsing or copying.
//
//   header    Int32 x 4      magic, inodeCount, entryCount, stringUnits
//   inodes    Int32 x 12 each (fields I_*), Float64 x 2 each (size, dataOffset),
//             BigInt64 x 2 each (mtimeNs, atimeNs)
//   entries   Int32 x 3 each: nameStart, nameLength, inode (-1: whiteout); a directory's
//             entries are contiguous and sorted by name
//   strings   Uint16: names and symlink targets

export const INDEX_MAGIC = 0x4c594931; // 'LYI1'

export const I_TYPE = 0;
export const I_MODE = 1;
export const I_UID = 2;
export const I_GID = 3;
export const I_NLINK = 4;
export const I_CHILD_START = 5;
export const I_CHILD_COUNT = 6;
export const I_TEXT_START = 7;
export const I_TEXT_LENGTH = 8;
export const I_FLAGS = 9;
export const I_DEVMAJOR = 10;
export const I_DEVMINOR = 11;
export const INODE_I32 = 12;
export const ENTRY_I32 = 3;

export const FLAG_OPAQUE = 1;
/** A directory made only because entries lie under it (no entry of its own in the tar). */
export const FLAG_IMPLICIT = 2;
export const ENTRY_WHITEOUT = -1;

export const TYPE_CODES = ['file', 'dir', 'symlink', 'chardev', 'blockdev', 'fifo', 'socket'] as const;

const align8 = (n: number): number => (n + 7) & ~7;

export interface IndexViews {
  inodeCount: number;
  entryCount: number;
  ints: Int32Array;
  floats: Float64Array;
  times: BigInt64Array;
  entries: Int32Array;
  strings: Uint16Array;
}

function layout(inodeCount: number, entryCount: number, stringUnits: number) {
  const ints = 16;
  const floats = align8(ints + inodeCount * INODE_I32 * 4);
  const times = floats + inodeCount * 2 * 8;
  const entries = times + inodeCount * 2 * 8;
  const strings = align8(entries + entryCount * ENTRY_I32 * 4);
  return { ints, floats, times, entries, strings, total: align8(strings + stringUnits * 2) };
}

export const allocBuffer = (size: number): ArrayBufferLike =>
  typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(size) : new ArrayBuffer(size);

function views(
  buf: ArrayBufferLike,
  inodeCount: number,
  entryCount: number,
  stringUnits: number,
): IndexViews {
  const at = layout(inodeCount, entryCount, stringUnits);
  return {
    inodeCount,
    entryCount,
    ints: new Int32Array(buf, at.ints, inodeCount * INODE_I32),
    floats: new Float64Array(buf, at.floats, inodeCount * 2),
    times: new BigInt64Array(buf, at.times, inodeCount * 2),
    entries: new Int32Array(buf, at.entries, entryCount * ENTRY_I32),
    strings: new Uint16Array(buf, at.strings, stringUnits),
  };
}

export function createIndex(
  inodeCount: number,
  entryCount: number,
  stringUnits: number,
): { buffer: ArrayBufferLike; views: IndexViews } {
  const buffer = allocBuffer(layout(inodeCount, entryCount, stringUnits).total);
  const header = new Int32Array(buffer, 0, 4);
  header.set([INDEX_MAGIC, inodeCount, entryCount, stringUnits]);
  return { buffer, views: views(buffer, inodeCount, entryCount, stringUnits) };
}

export function openIndex(buffer: ArrayBufferLike): IndexViews {
  const header = new Int32Array(buffer, 0, 4);
  if (header[0] !== INDEX_MAGIC) throw new Error('not a berth layer index');
  return views(buffer, header[1]!, header[2]!, header[3]!);
}

/** Decodes the string table (copied out first: TextDecoder refuses shared views in browsers). */
export function decodeStrings(strings: Uint16Array): string {
  const copy = new Uint16Array(strings.length);
  copy.set(strings);
  return new TextDecoder('utf-16le', { ignoreBOM: true }).decode(copy);
}

// Enforces a memory limit the way the engine cannot bypass: it rewrites the module's memory
// limits (the memory section, or the memory import's) so `memory.grow` past the limit returns -1
// and malloc fails inside the guest. Only sections 2 (import) and 5 (memory) are re-encoded;
// every other byte is copied as it is.

import { leb, WasmBytes } from './wasm-bytes.ts';

export const WASM_PAGE = 65536;

export class MemoryLimitError extends Error {
  readonly code = 'BERTH_MEMORY_LIMIT' as const;
  constructor(message: string) {
    super(message);
    this.name = 'MemoryLimitError';
  }
}

export class WasmFormatError extends Error {
  readonly code = 'BERTH_WASM_FORMAT' as const;
  constructor(message: string) {
    super(`invalid wasm module: ${message}`);
    this.name = 'WasmFormatError';
  }
}

/** A memory declared by the module, after limiting. */
export interface MemoryDecl {
  /** Set when the memory is imported (the host must provide it with these limits). */
  readonly import?: { module: string; name: string };
  readonly initial: number;
  readonly maximum: number | undefined;
  readonly shared: boolean;
}

class Reader extends WasmBytes {
  constructor(bytes: Uint8Array) {
    super(bytes, (message) => new WasmFormatError(message));
  }
}

interface Limits {
  flags: number;
  min: number;
  max: number | undefined;
}

function readLimits(r: Reader): Limits {
  const flags = r.byte();
  if (flags > 0x07) throw new WasmFormatError(`limits flag ${flags}`);
  const min = r.u32();
  const max = flags & 1 ? r.u32() : undefined;
  return { flags, min, max };
}

/** Encodes memory limits capped at `maxPages` (undefined: unchanged). */
function memoryLimits(l: Limits, maxPages: number | undefined, out: number[]): MemoryDecl {
  if (l.flags & 4) throw new MemoryLimitError('memory64 modules are not supported');
  const shared = (l.flags & 2) !== 0;
  let max = l.max;
  if (maxPages !== undefined) {
    if (l.min > maxPages) {
      throw new MemoryLimitError(
        `the module needs ${l.min * (WASM_PAGE / 1024)} KiB of memory at start, over the limit of ${
          maxPages * (WASM_PAGE / 1024)
        } KiB`,
      );
    }
    max = Math.min(max ?? 65536, maxPages);
  }
  out.push(max === undefined ? l.flags : l.flags | 1);
  leb(l.min, out);
  if (max !== undefined) leb(max, out);
  return { initial: l.min, maximum: max, shared };
}

function skipValtype(r: Reader): void {
  const t = r.byte();
  // Typed function references (0x63/0x64) carry a heap type.
  if (t === 0x63 || t === 0x64) r.skipLeb();
}

/**
 * Caps every memory of `bytes` at `maxBytes` (rounded down to pages; undefined: only reads the
 * declarations). Returns the new module bytes and the memories it declares.
 */
export function limitMemory(
  bytes: Uint8Array,
  maxBytes?: number,
): { bytes: Uint8Array; memories: MemoryDecl[] } {
  const maxPages = maxBytes === undefined ? undefined : Math.floor(maxBytes / WASM_PAGE);
  const r = new Reader(bytes);
  const magic = bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
  if (!magic || bytes[4] !== 1) throw new WasmFormatError('not a wasm core module (magic/version)');
  r.pos = 8;
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  const memories: MemoryDecl[] = [];
  while (r.pos < bytes.length) {
    const start = r.pos;
    const id = r.byte();
    const size = r.u32();
    const bodyStart = r.pos;
    const end = bodyStart + size;
    if (end > bytes.length) throw new WasmFormatError('section runs past the end');
    if (id !== 2 && id !== 5) {
      parts.push(bytes.subarray(start, end));
      r.pos = end;
      continue;
    }
    const body: number[] = [];
    const count = r.u32();
    leb(count, body);
    for (let i = 0; i < count; i++) {
      if (id === 5) {
        memories.push(memoryLimits(readLimits(r), maxPages, body));
        continue;
      }
      const entryStart = r.pos;
      const module = r.name();
      const name = r.name();
      const kind = r.byte();
      if (kind === 2) {
        for (let p = entryStart; p < r.pos; p++) body.push(bytes[p]!);
        memories.push({ ...memoryLimits(readLimits(r), maxPages, body), import: { module, name } });
        continue;
      }
      if (kind === 0) r.skipLeb();
      else if (kind === 1) {
        skipValtype(r);
        readLimits(r);
      } else if (kind === 3) {
        skipValtype(r);
        r.byte();
      } else if (kind === 4) {
        r.byte();
        r.skipLeb();
      } else throw new WasmFormatError(`import kind ${kind}`);
      for (let p = entryStart; p < r.pos; p++) body.push(bytes[p]!);
    }
    if (r.pos !== end) throw new WasmFormatError(`section ${id} size mismatch`);
    const head: number[] = [id];
    leb(body.length, head);
    parts.push(Uint8Array.from(head), Uint8Array.from(body));
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return { bytes: out, memories };
}

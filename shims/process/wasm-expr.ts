// Reads and re-encodes WebAssembly instruction sequences (function bodies, constant
// expressions) for pause-points.ts: copies every instruction byte for byte, renumbers function
// indices past an inserted import, and can insert code after each `loop` header. Knows the core
// opcodes plus the bulk-memory, SIMD, threads, tail-call, typed-reference and exception prefixes;
// anything else throws Unsupported and the caller leaves the module alone.

import { leb, WasmBytes } from './wasm-bytes.ts';

export class Unsupported extends Error {}

export class Bytes extends WasmBytes {
  constructor(b: Uint8Array) {
    super(b, (message) => new Unsupported(message));
  }
}

export { leb };

export function sleb(value: number, out: number[]): void {
  for (;;) {
    const b = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (b & 0x40) === 0) || (value === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

export const copy = (r: Bytes, from: number, out: number[]): void => {
  for (let p = from; p < r.pos; p++) out.push(r.b[p]!);
};

export function skipBlockType(r: Bytes): void {
  const t = r.b[r.pos]!;
  if (t === 0x40 || (t >= 0x6f && t <= 0x7f)) r.pos++;
  else if (t === 0x63 || t === 0x64) {
    r.pos++;
    r.skipLeb();
  } else r.skipLeb();
}

export function skipMemarg(r: Bytes): void {
  const align = r.u32();
  if (align & 0x40) r.skipLeb();
  r.skipLeb();
}

export interface Rewrite {
  /** First index of the defined functions before the rewrite: indices >= it shift by one. */
  readonly shiftFrom: number;
  /** Null for constant expressions (no loops there). */
  readonly check: { readonly func: number; readonly global: number } | null;
}

export const fn = (idx: number, rw: Rewrite): number => (idx >= rw.shiftFrom ? idx + 1 : idx);

/** Copies instructions until the `end` that closes depth 0, renumbering and instrumenting. */
export function rewriteExpr(r: Bytes, out: number[], rw: Rewrite): void {
  let depth = 0;
  for (;;) {
    const start = r.pos;
    const op = r.byte();
    switch (op) {
      case 0x02:
      case 0x04:
      case 0x06:
        skipBlockType(r);
        depth++;
        break;
      case 0x03:
        skipBlockType(r);
        depth++;
        copy(r, start, out);
        if (rw.check) {
          const { global: g, func: c } = rw.check;
          out.push(0x23);
          leb(g, out);
          out.push(0x41, 0x01, 0x6b, 0x24);
          leb(g, out);
          out.push(0x23);
          leb(g, out);
          out.push(0x45, 0x04, 0x40, 0x10);
          leb(c, out);
          out.push(0x24);
          leb(g, out);
          out.push(0x0b);
        }
        continue;
      case 0x1f: {
        skipBlockType(r);
        const n = r.u32();
        for (let i = 0; i < n; i++) {
          const kind = r.byte();
          if (kind < 2) r.skipLeb();
          r.skipLeb();
        }
        depth++;
        break;
      }
      case 0x0b:
        copy(r, start, out);
        if (depth === 0) return;
        depth--;
        continue;
      case 0x10:
      case 0x12:
      case 0xd2:
        out.push(op);
        leb(fn(r.u32(), rw), out);
        continue;
      case 0x18:
        // `delegate` closes a legacy try block, like `end`.
        r.skipLeb();
        copy(r, start, out);
        depth--;
        continue;
      case 0x07:
      case 0x08:
      case 0x09:
      case 0x0c:
      case 0x0d:
      case 0x14:
      case 0x15:
      case 0xd5:
      case 0xd6:
      case 0x20:
      case 0x21:
      case 0x22:
      case 0x23:
      case 0x24:
      case 0x25:
      case 0x26:
      case 0x3f:
      case 0x40:
      case 0x41:
      case 0x42:
        r.skipLeb();
        break;
      case 0x0e: {
        const n = r.u32();
        for (let i = 0; i <= n; i++) r.skipLeb();
        break;
      }
      case 0x11:
      case 0x13:
        r.skipLeb();
        r.skipLeb();
        break;
      case 0x1c: {
        const n = r.u32();
        for (let i = 0; i < n; i++) skipBlockType(r);
        break;
      }
      case 0x43:
        r.skip(4);
        break;
      case 0x44:
        r.skip(8);
        break;
      case 0xd0:
        skipBlockType(r);
        break;
      case 0xfc:
        skipPrefixFc(r);
        break;
      case 0xfd:
        skipPrefixFd(r);
        break;
      case 0xfe:
        skipPrefixFe(r);
        break;
      default:
        if (op >= 0x28 && op <= 0x3e) skipMemarg(r);
        else if (
          !(
            (op >= 0x45 && op <= 0xc4) ||
            op <= 0x01 ||
            op === 0x05 ||
            op === 0x0a ||
            op === 0x0f ||
            op === 0x19 ||
            op === 0x1a ||
            op === 0x1b ||
            op === 0xd1 ||
            op === 0xd3 ||
            op === 0xd4
          )
        ) {
          throw new Unsupported(`opcode 0x${op.toString(16)}`);
        }
    }
    copy(r, start, out);
  }
}

function skipPrefixFc(r: Bytes): void {
  const sub = r.u32();
  if (sub <= 7) return;
  if (sub === 8 || sub === 10 || sub === 12 || sub === 14) {
    r.skipLeb();
    r.skipLeb();
  } else if (sub <= 17) r.skipLeb();
  else throw new Unsupported(`0xfc ${sub}`);
}

function skipPrefixFd(r: Bytes): void {
  const sub = r.u32();
  if (sub <= 11 || sub === 92 || sub === 93) skipMemarg(r);
  else if (sub === 12 || sub === 13) r.skip(16);
  else if (sub >= 21 && sub <= 34) r.skip(1);
  else if (sub >= 84 && sub <= 91) {
    skipMemarg(r);
    r.skip(1);
  } else if (sub > 0x113) throw new Unsupported(`0xfd ${sub}`);
}

function skipPrefixFe(r: Bytes): void {
  const sub = r.u32();
  if (sub === 3) r.skip(1);
  else if (sub <= 2 || (sub >= 0x10 && sub <= 0x4e)) skipMemarg(r);
  else throw new Unsupported(`0xfe ${sub}`);
}

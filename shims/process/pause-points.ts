// Pause points for compute-bound guests. JavaScript cannot suspend another thread, so the
// module is instrumented when it is compiled: every loop header counts down an injected mutable
// global and, once every PAUSE_CHECK_INTERVAL iterations, calls the injected import
// `berth_instrument.check`, which blocks while the process is paused and returns the next
// budget. Cost: six instructions per loop iteration, one JS call per interval.
//
// The rewrite adds one function import (shifting every defined function's index: calls,
// ref.func, exports, start, element segments and global initialisers are renumbered), one type
// `() -> i32` and one global. Anything this decoder does not know (the GC proposal, rec groups)
// leaves the module as it was: such guests still pause at their next syscall.

import {
  Bytes,
  copy,
  fn,
  leb,
  type Rewrite,
  rewriteExpr,
  skipBlockType,
  sleb,
  Unsupported,
} from './wasm-expr.ts';

export const PAUSE_IMPORT_MODULE = 'berth_instrument';
export const PAUSE_IMPORT_NAME = 'check';
export const PAUSE_CHECK_INTERVAL = 65536;

function vec(r: Bytes, out: number[], each: () => void): void {
  const n = r.u32();
  leb(n, out);
  for (let i = 0; i < n; i++) each();
}

/** Returns the instrumented module, or undefined when it cannot (or need not) be instrumented. */
export function addPausePoints(bytes: Uint8Array): Uint8Array | undefined {
  try {
    return instrument(bytes);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

interface Section {
  id: number;
  body: Uint8Array;
}

function instrument(bytes: Uint8Array): Uint8Array | undefined {
  const r = new Bytes(bytes);
  r.pos = 8;
  const sections: Section[] = [];
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    sections.push({ id, body: bytes.subarray(r.pos, r.pos + size) });
    r.pos += size;
  }
  const find = (id: number) => sections.find((s) => s.id === id);
  if (!find(10)) return undefined;

  // Types: append () -> i32.
  let typeCount = 0;
  const typeOut: number[] = [];
  const types = find(1);
  if (types) {
    const t = new Bytes(types.body);
    typeCount = t.u32();
    const from = t.pos;
    for (let i = 0; i < typeCount; i++) {
      if (t.byte() !== 0x60) throw new Unsupported('non-function type');
      t.skip(t.u32());
      t.skip(t.u32());
    }
    typeOut.push(...types.body.subarray(from, t.pos));
  }
  const typeBody: number[] = [];
  leb(typeCount + 1, typeBody);
  typeBody.push(...typeOut, 0x60, 0x00, 0x01, 0x7f);

  // Imports: count functions and globals, append the check function.
  let importedFuncs = 0;
  let importedGlobals = 0;
  const importBody: number[] = [];
  const imports = find(2);
  let importCount = 0;
  const importEntries: number[] = [];
  if (imports) {
    const m = new Bytes(imports.body);
    importCount = m.u32();
    const from = m.pos;
    for (let i = 0; i < importCount; i++) {
      m.skip(m.u32());
      m.skip(m.u32());
      const kind = m.byte();
      if (kind === 0) {
        importedFuncs++;
        m.skipLeb();
      } else if (kind === 1) {
        skipBlockType(m);
        const flags = m.byte();
        m.skipLeb();
        if (flags & 1) m.skipLeb();
      } else if (kind === 2) {
        const flags = m.byte();
        m.skipLeb();
        if (flags & 1) m.skipLeb();
      } else if (kind === 3) {
        importedGlobals++;
        skipBlockType(m);
        m.byte();
      } else if (kind === 4) {
        m.byte();
        m.skipLeb();
      } else throw new Unsupported(`import kind ${kind}`);
    }
    importEntries.push(...imports.body.subarray(from, m.pos));
  }
  leb(importCount + 1, importBody);
  importBody.push(...importEntries);
  const name = (s: string) => {
    const b = new TextEncoder().encode(s);
    leb(b.length, importBody);
    importBody.push(...b);
  };
  name(PAUSE_IMPORT_MODULE);
  name(PAUSE_IMPORT_NAME);
  importBody.push(0x00);
  leb(typeCount, importBody);

  const checkFunc = importedFuncs;
  const constRw: Rewrite = { shiftFrom: importedFuncs, check: null };

  // Globals: renumber initialisers, append the countdown.
  const globalBody: number[] = [];
  const globals = find(6);
  let definedGlobals = 0;
  const globalEntries: number[] = [];
  if (globals) {
    const g = new Bytes(globals.body);
    definedGlobals = g.u32();
    for (let i = 0; i < definedGlobals; i++) {
      const from = g.pos;
      skipBlockType(g);
      g.byte();
      copy(g, from, globalEntries);
      rewriteExpr(g, globalEntries, constRw);
    }
  }
  leb(definedGlobals + 1, globalBody);
  globalBody.push(...globalEntries, 0x7f, 0x01, 0x41);
  sleb(PAUSE_CHECK_INTERVAL, globalBody);
  globalBody.push(0x0b);
  const rw: Rewrite = {
    shiftFrom: importedFuncs,
    check: { func: checkFunc, global: importedGlobals + definedGlobals },
  };

  const rebuilt = new Map<number, number[]>([
    [1, typeBody],
    [2, importBody],
    [6, globalBody],
  ]);
  for (const s of sections) {
    const b = new Bytes(s.body);
    const out: number[] = [];
    if (s.id === 7) {
      vec(b, out, () => {
        const from = b.pos;
        b.skip(b.u32());
        const kind = b.byte();
        copy(b, from, out);
        const idx = b.u32();
        leb(kind === 0 ? fn(idx, rw) : idx, out);
      });
    } else if (s.id === 8) {
      leb(fn(b.u32(), rw), out);
    } else if (s.id === 9) {
      vec(b, out, () => rewriteElement(b, out, constRw));
    } else if (s.id === 10) {
      vec(b, out, () => {
        const size = b.u32();
        const end = b.pos + size;
        const body: number[] = [];
        const from = b.pos;
        const locals = b.u32();
        for (let i = 0; i < locals; i++) {
          b.skipLeb();
          skipBlockType(b);
        }
        copy(b, from, body);
        rewriteExpr(b, body, rw);
        if (b.pos !== end) throw new Unsupported('function body size');
        leb(body.length, out);
        out.push(...body);
      });
    } else continue;
    rebuilt.set(s.id, out);
  }

  // Reassemble in the standard order, inserting the sections the module lacked.
  const order = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];
  const rank = (id: number) => order.indexOf(id);
  const parts: number[][] = [[...bytes.subarray(0, 8)]];
  const emitted = new Set<number>();
  const emit = (id: number, body: ArrayLike<number>) => {
    const head: number[] = [id];
    leb(body.length, head);
    parts.push(head, Array.from(body));
    emitted.add(id);
  };
  const emitMissingBefore = (id: number) => {
    for (const missing of [1, 2, 6]) {
      if (!emitted.has(missing) && !find(missing) && (id < 0 || rank(missing) < rank(id))) {
        emit(missing, rebuilt.get(missing)!);
      }
    }
  };
  for (const s of sections) {
    if (s.id === 0) {
      // Function names no longer match after renumbering; other custom sections stay.
      const c = new Bytes(s.body);
      const n = c.u32();
      if (new TextDecoder().decode(s.body.subarray(c.pos, c.pos + n)) === 'name') continue;
      parts.push([0, ...lebBytes(s.body.length)], Array.from(s.body));
      continue;
    }
    emitMissingBefore(s.id);
    emit(s.id, rebuilt.get(s.id) ?? s.body);
  }
  emitMissingBefore(-1);
  const total = parts.reduce((n, p) => n + p.length, 0);
  const result = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    result.set(p, at);
    at += p.length;
  }
  return result;
}

function rewriteElement(b: Bytes, out: number[], rw: Rewrite): void {
  const flags = b.u32();
  leb(flags, out);
  if (flags === 2 || flags === 6) leb(b.u32(), out);
  if ((flags & 1) === 0) rewriteExpr(b, out, rw);
  const exprs = (flags & 4) !== 0;
  if (flags & 3) {
    const from = b.pos;
    if (exprs) skipBlockType(b);
    else b.byte();
    copy(b, from, out);
  }
  vec(b, out, () => {
    if (exprs) rewriteExpr(b, out, rw);
    else leb(fn(b.u32(), rw), out);
  });
}

function lebBytes(n: number): number[] {
  const out: number[] = [];
  leb(n, out);
  return out;
}

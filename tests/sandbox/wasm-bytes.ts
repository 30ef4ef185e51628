// Builds tiny WebAssembly modules byte by byte, for the bad-input tests: just enough of the
// binary format (types, imports, functions, memory, exports, start, code) to make each case.

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};

const name = (s: string): number[] => {
  const bytes = [...new TextEncoder().encode(s)];
  return [...leb(bytes.length), ...bytes];
};

const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];

export const op = {
  unreachable: 0x00,
  loop: 0x03,
  br: 0x0c,
  call: 0x10,
  end: 0x0b,
  void: 0x40,
} as const;

export interface ModuleSpec {
  /** Imported functions, all of type () -> (). */
  imports?: [module: string, field: string][];
  /** Bodies of defined functions (type () -> ()), as instruction bytes without the final `end`. */
  functions?: number[][];
  /** Memory pages (min); omitted: no memory. */
  memoryPages?: number;
  /** Exported functions by index (imports first). */
  exports?: [name: string, funcIndex: number][];
  exportMemory?: boolean;
  /** A function run at instantiation. */
  start?: number;
}

export function wasmModule(spec: ModuleSpec): Uint8Array {
  const imports = spec.imports ?? [];
  const functions = spec.functions ?? [];
  const bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  bytes.push(...section(1, vec([[0x60, 0x00, 0x00]])));
  if (imports.length > 0)
    bytes.push(...section(2, vec(imports.map(([m, f]) => [...name(m), ...name(f), 0x00, 0x00]))));
  if (functions.length > 0) bytes.push(...section(3, vec(functions.map(() => [0x00]))));
  if (spec.memoryPages !== undefined) bytes.push(...section(5, vec([[0x00, ...leb(spec.memoryPages)]])));
  const exports = (spec.exports ?? []).map(([n, i]) => [...name(n), 0x00, ...leb(i)]);
  if (spec.exportMemory) exports.push([...name('memory'), 0x02, 0x00]);
  if (exports.length > 0) bytes.push(...section(7, vec(exports)));
  if (spec.start !== undefined) bytes.push(...section(8, leb(spec.start)));
  if (functions.length > 0) {
    const bodies = functions.map((code) => {
      const body = [0x00, ...code, op.end];
      return [...leb(body.length), ...body];
    });
    bytes.push(...section(10, vec(bodies)));
  }
  return new Uint8Array(bytes);
}

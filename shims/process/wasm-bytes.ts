// Reading and writing the wasm binary format's basics (bytes, LEB128, names), shared by the two
// module rewriters: memory-limit.ts and pause-points.ts (through wasm-expr.ts). Each passes the
// error its callers expect for a module it cannot read.

let utf8: TextDecoder | undefined;

export class WasmBytes {
  pos = 0;
  constructor(
    readonly b: Uint8Array,
    private readonly fail: (message: string) => Error,
  ) {}
  byte(): number {
    if (this.pos >= this.b.length) throw this.fail('unexpected end');
    return this.b[this.pos++]!;
  }
  /** Unsigned LEB128, at most 5 bytes (u32). */
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const v = this.byte();
      result += (v & 0x7f) * 2 ** shift;
      if ((v & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw this.fail('LEB128 too long');
    }
  }
  skipLeb(): void {
    while (this.byte() & 0x80) {}
  }
  skip(n: number): void {
    this.pos += n;
  }
  name(): string {
    const n = this.u32();
    const bytes = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    // Import and export names are ASCII almost always: no decoder for those.
    let ascii = '';
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i]!;
      if (c >= 0x80) return (utf8 ??= new TextDecoder()).decode(bytes);
      ascii += String.fromCharCode(c);
    }
    return ascii;
  }
}

/** Appends `value` as unsigned LEB128. */
export function leb(value: number, out: number[]): void {
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
}

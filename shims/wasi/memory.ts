// Bounds-checked access to the guest's linear memory. Views are rebuilt only when memory.grow
// has replaced the buffer: a grown non-shared memory detaches the old one (its views read length
// 0), and a grown shared memory is noticed when a bounds check fails. So a syscall costs one
// length check, not a `memory.buffer` call. Pointers arrive as signed i32; callers `>>> 0` them.

const decoder = new TextDecoder('utf-8', { fatal: false });
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

export class GuestMemory {
  private memory: WebAssembly.Memory | undefined;
  private buffer: ArrayBufferLike | undefined;
  view = new DataView(new ArrayBuffer(0));
  u8 = new Uint8Array(0);

  attach(memory: WebAssembly.Memory): void {
    this.memory = memory;
    this.buffer = undefined;
    this.rebuild();
  }

  /** Call at the start of every syscall that touches memory. */
  refresh(): void {
    if (this.u8.length === 0) this.rebuild();
  }

  private rebuild(): void {
    const buffer = this.memory!.buffer;
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.view = new DataView(buffer);
      this.u8 = new Uint8Array(buffer);
    }
  }

  /** True when [ptr, ptr+len) lies inside memory. */
  ok(ptr: number, len: number): boolean {
    if (ptr + len <= this.u8.length) return true;
    this.rebuild();
    return ptr + len <= this.u8.length;
  }

  /** UTF-8 string at [ptr, ptr+len); the caller has checked bounds. Short ASCII skips TextDecoder. */
  string(ptr: number, len: number): string {
    const u8 = this.u8;
    if (len <= 64) {
      let s = '';
      for (let i = ptr, end = ptr + len; i < end; i++) {
        const c = u8[i]!;
        if (c >= 0x80) return this.decode(ptr, len)!;
        s += String.fromCharCode(c);
      }
      return s;
    }
    return this.decode(ptr, len)!;
  }

  /** Like string(), but undefined for bytes that are not UTF-8 (paths: ERRNO_ILSEQ). */
  path(ptr: number, len: number): string | undefined {
    const u8 = this.u8;
    for (let i = ptr, end = ptr + len; i < end; i++) if (u8[i]! >= 0x80) return this.decode(ptr, len, true);
    return this.string(ptr, len);
  }

  private decode(ptr: number, len: number, strict = false): string | undefined {
    const bytes = this.u8.subarray(ptr, ptr + len);
    // TextDecoder refuses views of a SharedArrayBuffer (shared memories): copy those.
    const plain = this.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
    if (!strict) return decoder.decode(plain);
    try {
      return strictDecoder.decode(plain);
    } catch {
      return undefined;
    }
  }

  u32(ptr: number): number {
    return this.view.getUint32(ptr, true);
  }
  setU32(ptr: number, v: number): void {
    this.view.setUint32(ptr, v, true);
  }
  /** u64 from a non-negative JS number (sizes, inodes) without a BigInt. */
  setU64(ptr: number, v: number): void {
    this.view.setUint32(ptr, v >>> 0, true);
    this.view.setUint32(ptr + 4, Math.floor(v / 0x1_0000_0000), true);
  }
  setBigU64(ptr: number, v: bigint): void {
    this.view.setBigUint64(ptr, v, true);
  }
}

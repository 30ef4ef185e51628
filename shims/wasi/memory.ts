// Bounds-checked access to the guest's linear memory. Views are rebuilt only when the memory's
// buffer changed (memory.grow detaches the old one), so a syscall costs one identity check.
// Pointers arrive as signed i32; callers pass them through `>>> 0` first.

const decoder = new TextDecoder('utf-8', { fatal: false });

export class GuestMemory {
  private memory: WebAssembly.Memory | undefined;
  private buffer: ArrayBufferLike | undefined;
  view = new DataView(new ArrayBuffer(0));
  u8 = new Uint8Array(0);

  attach(memory: WebAssembly.Memory): void {
    this.memory = memory;
    this.buffer = undefined;
    this.refresh();
  }

  /** Call at the start of every syscall that touches memory. */
  refresh(): void {
    const buffer = this.memory!.buffer;
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.view = new DataView(buffer);
      this.u8 = new Uint8Array(buffer);
    }
  }

  /** True when [ptr, ptr+len) lies inside memory. */
  ok(ptr: number, len: number): boolean {
    return ptr + len <= this.u8.length;
  }

  /** UTF-8 string at [ptr, ptr+len); the caller has checked bounds. Short ASCII skips TextDecoder. */
  string(ptr: number, len: number): string {
    const u8 = this.u8;
    if (len <= 64) {
      let s = '';
      for (let i = ptr, end = ptr + len; i < end; i++) {
        const c = u8[i]!;
        if (c >= 0x80) return this.decode(ptr, len);
        s += String.fromCharCode(c);
      }
      return s;
    }
    return this.decode(ptr, len);
  }

  private decode(ptr: number, len: number): string {
    const bytes = this.u8.subarray(ptr, ptr + len);
    // TextDecoder refuses views of a SharedArrayBuffer (shared memories): copy those.
    return decoder.decode(this.buffer instanceof ArrayBuffer ? bytes : bytes.slice());
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

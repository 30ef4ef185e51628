import { describe, expect, it } from 'vitest';
import { limitMemory, MemoryLimitError, WasmFormatError } from '../../shims/process/memory-limit.ts';
import { guest } from './guest.ts';

// (module (import "env" "f" (func)) (import "env" "memory" (memory 2)) (memory? no) ...) by hand:
const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const typeSection = [0x01, 0x04, 0x01, 0x60, 0x00, 0x00];
// imports: env.f (func type 0), env.memory (memory min 2, no max)
const importSection = [
  0x02, 0x17, 0x02, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x66, 0x00, 0x00, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65,
  0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x02,
];
const customSection = [0x00, 0x04, 0x01, 0x78, 0xaa, 0xbb];

describe('limitMemory', () => {
  it('caps a defined memory and leaves the module valid', () => {
    const wasm = guest('process-hello');
    const { bytes, memories } = limitMemory(wasm, 4 * 1024 * 1024);
    expect(memories).toEqual([{ initial: 2, maximum: 64, shared: false }]);
    expect(WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)).toBe(true);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {
      wasi_snapshot_preview1: new Proxy({}, { get: () => () => 0 }),
    });
    const memory = instance.exports.memory as WebAssembly.Memory;
    expect(() => memory.grow(62)).not.toThrow();
    expect(() => memory.grow(1)).toThrow(RangeError);
  });

  it('caps an imported memory, copying every other byte as it was', () => {
    const wasm = Uint8Array.from([...header, ...typeSection, ...importSection, ...customSection]);
    expect(WebAssembly.validate(wasm)).toBe(true);
    const { bytes, memories } = limitMemory(wasm, 10 * 65536);
    expect(memories).toEqual([
      { import: { module: 'env', name: 'memory' }, initial: 2, maximum: 10, shared: false },
    ]);
    expect(WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)).toBe(true);
    expect(Array.from(bytes.subarray(bytes.length - customSection.length))).toEqual(customSection);
    expect(WebAssembly.Module.imports(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>))).toHaveLength(
      2,
    );
    expect(limitMemory(wasm).memories[0]!.maximum).toBeUndefined();
  });

  it('refuses a limit below the initial memory and bad input', () => {
    expect(() => limitMemory(guest('process-hello'), 65536)).toThrow(MemoryLimitError);
    expect(() => limitMemory(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 65536)).toThrow(WasmFormatError);
  });
});

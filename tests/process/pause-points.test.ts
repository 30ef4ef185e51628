import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addPausePoints, PAUSE_CHECK_INTERVAL } from '../../shims/process/pause-points.ts';
import { guest, root } from './guest.ts';

function library(): Uint8Array {
  const out = join(mkdtempSync(join(tmpdir(), 'berth-spin-')), 'spin.wasm');
  execFileSync('clang', [
    '--target=wasm32-wasi',
    '-O2',
    '-nostdlib',
    '-Wl,--no-entry',
    '-Wl,--export=spin',
    '-Wl,--export=call_through_table',
    join(root, 'images/tests/process-spin.c'),
    '-o',
    out,
  ]);
  return new Uint8Array(readFileSync(out));
}

const u8 = (b: Uint8Array) => b as Uint8Array<ArrayBuffer>;

describe('addPausePoints', () => {
  it('keeps a module valid, its exports and imports, and adds the check import', () => {
    for (const wasm of [guest('process-probe'), guest('process-hello'), library()]) {
      const before = new WebAssembly.Module(u8(wasm));
      const rewritten = addPausePoints(wasm)!;
      expect(WebAssembly.validate(u8(rewritten))).toBe(true);
      const after = new WebAssembly.Module(u8(rewritten));
      expect(WebAssembly.Module.exports(after)).toEqual(WebAssembly.Module.exports(before));
      expect(WebAssembly.Module.imports(after)).toEqual([
        ...WebAssembly.Module.imports(before),
        { module: 'berth_instrument', name: 'check', kind: 'function' },
      ]);
    }
  });

  it('calls the check once per interval of loop iterations, and calls stay correct', () => {
    let checks = 0;
    const notes: number[] = [];
    const instance = new WebAssembly.Instance(new WebAssembly.Module(u8(addPausePoints(library())!)), {
      env: { note: (n: number) => notes.push(n) },
      berth_instrument: {
        check: () => {
          checks++;
          return PAUSE_CHECK_INTERVAL;
        },
      },
    });
    const { spin, call_through_table } = instance.exports as Record<string, (...a: number[]) => number>;
    // clang unrolls the loop (up to 8x here), so the checks count loop-header passes.
    expect(spin!(64 * PAUSE_CHECK_INTERVAL)).toBe(64 * PAUSE_CHECK_INTERVAL);
    expect(checks).toBeGreaterThanOrEqual(4);
    expect(checks).toBeLessThanOrEqual(65);
    const first = checks;
    spin(640 * PAUSE_CHECK_INTERVAL);
    expect(checks - first).toBeGreaterThanOrEqual(first * 8);
    expect(call_through_table!(0, 5)).toBe(5);
    expect(call_through_table!(1, 5)).toBe(10);
    expect(notes).toEqual([0, 1]);
  });

  it('leaves a module it cannot decode alone', () => {
    const garbage = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 10, 4, 1, 2, 0, 0xff]);
    expect(addPausePoints(garbage)).toBeUndefined();
  });
});

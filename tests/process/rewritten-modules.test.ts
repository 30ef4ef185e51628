// Rewritten modules kept between processes for inline runs (runtime/engine/node-rewritten-modules.ts):
// what comes back is what was kept, per original and memory limit; a damaged file is not used.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeRewrittenModules } from '../../runtime/engine/node-rewritten-modules.ts';
import { limitMemory } from '../../shims/process/memory-limit.ts';
import { addPausePoints } from '../../shims/process/pause-points.ts';

const root = mkdtempSync(join(tmpdir(), 'berth-rewritten-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const hello = new Uint8Array(
  readFileSync(join(import.meta.dirname, '..', '..', 'images', 'hello-world', 'hello-world.wasm')),
);

function rewrite(limit?: number) {
  const limited = limitMemory(hello, limit);
  return { bytes: addPausePoints(limited.bytes)!, memories: limited.memories };
}

describe('rewritten modules kept on disk', () => {
  it('gives back the bytes and memory declarations kept for that original and limit', () => {
    const store = new NodeRewrittenModules(root);
    expect(store.get(hello, undefined)).toBeUndefined();
    const plain = rewrite();
    const limited = rewrite(16 * 65536);
    store.put(hello, undefined, plain);
    store.put(hello, 16 * 65536, limited);
    const again = new NodeRewrittenModules(root);
    expect(again.get(hello, undefined)).toEqual({ bytes: plain.bytes, memories: plain.memories });
    expect(again.get(hello, 16 * 65536)).toEqual({ bytes: limited.bytes, memories: limited.memories });
    expect(again.get(hello, 32 * 65536)).toBeUndefined();
    const other = hello.slice();
    other[other.length - 1] ^= 1;
    expect(again.get(other, undefined)).toBeUndefined();
    expect(
      () => new WebAssembly.Module(again.get(hello, undefined)!.bytes as Uint8Array<ArrayBuffer>),
    ).not.toThrow();
  });

  it('a damaged or truncated file is not used', () => {
    const store = new NodeRewrittenModules(root);
    store.put(hello, undefined, rewrite());
    const [name] = readdirSync(join(root, 'modules')).filter((n) => n.endsWith('-none.wasm'));
    const file = join(root, 'modules', name!);
    const good = readFileSync(file);
    const bad = Buffer.from(good);
    bad[bad.length - 5] ^= 0xff;
    writeFileSync(file, bad);
    expect(store.get(hello, undefined)).toBeUndefined();
    writeFileSync(file, good.subarray(0, good.length - 7));
    expect(store.get(hello, undefined)).toBeUndefined();
    writeFileSync(file, good);
    expect(store.get(hello, undefined)?.bytes).toEqual(rewrite().bytes);
  });
});

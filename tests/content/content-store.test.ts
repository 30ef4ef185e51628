// One contract, run against both implementations (the disk store and the in-memory one).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContentStore } from '../../runtime/content/content-store.ts';
import { MemoryContentStore } from '../../runtime/content/memory-content-store.ts';
import { NodeContentStore } from '../../runtime/content/node-content-store.ts';
import { DigestMismatchError, InvalidStateError, NotFoundError } from '../../runtime/errors.ts';
import { digestOf } from '../../runtime/oci/digest.ts';

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const implementations: [string, () => ContentStore][] = [
  [
    'NodeContentStore',
    () => {
      const d = mkdtempSync(join(tmpdir(), 'berth-content-'));
      dirs.push(d);
      return new NodeContentStore(d);
    },
  ],
  ['MemoryContentStore', () => new MemoryContentStore()],
];

const bytes = (s: string) => new TextEncoder().encode(s);

describe.each(implementations)('%s', (_name, make) => {
  it('stores by digest and reads back verified', async () => {
    const store = make();
    const data = bytes('hello blob');
    const d = await store.put(data);
    expect(d).toBe(digestOf(data));
    expect(await store.has(d)).toBe(true);
    expect(await store.size(d)).toBe(data.byteLength);
    expect(same(await store.get(d), data)).toBe(true);
    expect(await store.put(data, d)).toBe(d); // idempotent
    expect(await store.list()).toEqual([d]);
    await store.delete(d);
    expect(await store.has(d)).toBe(false);
    await store.delete(d); // deleting twice is fine
  });

  it('refuses a put whose bytes do not match the expected digest, storing nothing', async () => {
    const store = make();
    const expected = digestOf(bytes('right'));
    await expect(store.put(bytes('wrong'), expected)).rejects.toThrow(DigestMismatchError);
    await expect(store.put(bytes('wrong'), expected)).rejects.toThrow(expected);
    expect(await store.list()).toEqual([]);
  });

  it('a missing blob is NotFoundError naming the digest', async () => {
    const store = make();
    const d = digestOf(bytes('absent'));
    await expect(store.get(d)).rejects.toThrow(NotFoundError);
    await expect(store.get(d)).rejects.toThrow(`content digest ${d}: not found`);
    expect(await store.size(d)).toBeUndefined();
  });

  it('streams a write, verifying digest and size at commit', async () => {
    const store = make();
    const data = new Uint8Array(200_000).map((_, i) => i * 31);
    const d = digestOf(data);
    const w = await store.writer(d, data.byteLength);
    expect(w.offset).toBe(0);
    for (let i = 0; i < data.length; i += 65_536) await w.write(data.subarray(i, i + 65_536));
    expect(await w.commit()).toBe(d);
    expect(same(await store.get(d), data)).toBe(true);

    const other = bytes('other content');
    const bad = await store.writer(digestOf(other));
    await bad.write(bytes('other contenT'));
    await expect(bad.commit()).rejects.toThrow(DigestMismatchError);
    expect(await store.has(digestOf(other))).toBe(false);

    const short = await store.writer(digestOf(other), other.byteLength + 1);
    await short.write(other);
    await expect(short.commit()).rejects.toThrow(InvalidStateError);
  });

  it('resumes an interrupted write from its offset', async () => {
    const store = make();
    const data = new Uint8Array(50_000).map((_, i) => i);
    const d = digestOf(data);
    const first = await store.writer(d, data.byteLength);
    await first.write(data.subarray(0, 20_000));
    await first.close(); // keep the partial
    const second = await store.writer(d, data.byteLength);
    expect(second.offset).toBe(20_000);
    await second.write(data.subarray(20_000));
    await second.commit();
    expect(same(await store.get(d), data)).toBe(true);

    const third = await store.writer(digestOf(bytes('x')), 1);
    await third.write(new Uint8Array([1]));
    await third.abort(); // discards
    expect((await store.writer(digestOf(bytes('x')), 1)).offset).toBe(0);
  });
});

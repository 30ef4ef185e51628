// Big blob writes (>= 1 MiB) in the disk store: they are hashed on this thread or on a helper
// thread (node-ingest-workers.ts); either way the digest is of the bytes on disk, a bad blob is
// never stored, and an interrupted write resumes.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeContentStore } from '../../runtime/content/node-content-store.ts';
import { DigestMismatchError, InvalidStateError } from '../../runtime/errors.ts';
import { digestOf } from '../../runtime/oci/digest.ts';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const fresh = () => new NodeContentStore((dir = mkdtempSync(join(tmpdir(), 'berth-ingest-'))));

/** Network-like pieces: each chunk owns its whole ArrayBuffer, as a socket read does. */
function pieces(bytes: Uint8Array, size = 64 * 1024): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength; at += size) out.push(new Uint8Array(bytes.subarray(at, at + size)));
  return out;
}

describe('big blob writes', () => {
  it('several at once (spread over threads) are each stored exactly, owned chunks moved not copied', async () => {
    const store = fresh();
    store.prepareWrites(20 * 1024 * 1024);
    const blobs = Array.from({ length: 4 }, (_, i) => randomBytes(3 * 1024 * 1024 + i * 4099));
    const owned: Uint8Array[] = [];
    await Promise.all(
      blobs.map(async (b) => {
        const d = digestOf(b);
        const w = await store.writer(d, b.byteLength);
        for (const c of pieces(b)) {
          owned.push(c);
          await w.write(c, true);
        }
        expect(await w.commit()).toBe(d);
      }),
    );
    for (const b of blobs) expect(Buffer.from(await store.get(digestOf(b))).equals(b)).toBe(true);
    // With a second core, blobs went to a helper thread, whose chunks were moved (detached here).
    if (availableParallelism() > 1) expect(owned.some((c) => c.byteLength === 0)).toBe(true);
    expect(readdirSync(join(dir, 'ingest')).filter((n) => !n.endsWith('.lock'))).toEqual([]);
  });

  it('a chunk not handed over is left intact', async () => {
    const store = fresh();
    const b = randomBytes(2 * 1024 * 1024);
    const chunks = pieces(b);
    const writers = await Promise.all([
      store.writer(digestOf(b), b.byteLength),
      store.writer(digestOf(b), b.byteLength),
    ]);
    for (const w of writers) for (const c of chunks) await w.write(c);
    await Promise.all(writers.map((w) => w.commit()));
    expect(chunks.every((c) => c.byteLength === 64 * 1024)).toBe(true);
    expect(Buffer.from(await store.get(digestOf(b))).equals(b)).toBe(true);
  });

  it('refuses wrong bytes and a wrong size, storing nothing', async () => {
    const store = fresh();
    const b = randomBytes(2 * 1024 * 1024);
    const d = digestOf(b);
    const bad = Buffer.from(b);
    bad[123_456]! ^= 1;
    for (let i = 0; i < 2; i++) {
      // Two at once, so one of them runs on a helper thread.
      const writers = await Promise.all([store.writer(d, b.byteLength), store.writer(d, b.byteLength)]);
      for (const w of writers) for (const c of pieces(bad)) await w.write(c, true);
      for (const w of writers) await expect(w.commit()).rejects.toThrow(DigestMismatchError);
    }
    const short = await store.writer(d, b.byteLength);
    await short.write(b.subarray(0, 1024 * 1024));
    await expect(short.commit()).rejects.toThrow(InvalidStateError);
    expect(await store.has(d)).toBe(false);
    expect(existsSync(join(dir, 'ingest', d.slice(7)))).toBe(false);
  });

  it('an interrupted write keeps its prefix and the next writer resumes it, on either thread', async () => {
    const store = fresh();
    const b = randomBytes(6 * 1024 * 1024 + 17);
    const d = digestOf(b);
    const cuts = [0, 2 * 1024 * 1024 + 5, 4 * 1024 * 1024 + 9, b.byteLength];
    const other = randomBytes(2 * 1024 * 1024);
    // Nothing else in hand: a helper thread takes the first part.
    const first = await store.writer(d, b.byteLength);
    for (const c of pieces(b.subarray(0, cuts[1]))) await first.write(c, true);
    await first.close();
    expect(readFileSync(join(dir, 'ingest', d.slice(7))).byteLength).toBe(cuts[1]);
    // The helper busy with another blob: this thread resumes the second part.
    const busy = await store.writer(digestOf(other), other.byteLength);
    const second = await store.writer(d, b.byteLength);
    expect(second.offset).toBe(cuts[1]);
    for (const c of pieces(b.subarray(cuts[1], cuts[2]))) await second.write(c, true);
    await second.close();
    for (const c of pieces(other)) await busy.write(c, true);
    expect(await busy.commit()).toBe(digestOf(other));
    // And a helper (which hashes the prefix from the file) finishes it.
    const third = await store.writer(d, b.byteLength);
    expect(third.offset).toBe(cuts[2]);
    for (const c of pieces(b.subarray(cuts[2]))) await third.write(c, true);
    expect(await third.commit()).toBe(d);
    expect(Buffer.from(await store.get(d)).equals(b)).toBe(true);
  });

  it('abort drops the partial', async () => {
    const store = fresh();
    const b = randomBytes(2 * 1024 * 1024);
    const d = digestOf(b);
    const w = await store.writer(d, b.byteLength);
    await w.write(b.subarray(0, 1024 * 1024 + 1));
    await w.abort();
    expect(existsSync(join(dir, 'ingest', d.slice(7)))).toBe(false);
    await expect(w.write(b)).rejects.toThrow(InvalidStateError);
  });
});

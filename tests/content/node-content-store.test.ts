import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeContentStore } from '../../runtime/content/node-content-store.ts';
import { berthRoot } from '../../runtime/content/node-store-root.ts';
import { DigestMismatchError } from '../../runtime/errors.ts';
import { digestOf } from '../../runtime/oci/digest.ts';

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const fresh = () => new NodeContentStore((dir = mkdtempSync(join(tmpdir(), 'berth-disk-'))));

describe('NodeContentStore on disk', () => {
  it('finds its root from BERTH_ROOT, XDG_DATA_HOME, then HOME', () => {
    expect(berthRoot({ BERTH_ROOT: '/r', XDG_DATA_HOME: '/x', HOME: '/h' })).toBe('/r');
    expect(berthRoot({ XDG_DATA_HOME: '/x', HOME: '/h' })).toBe('/x/berth');
    expect(berthRoot({ HOME: '/h' })).toBe('/h/.local/share/berth');
  });

  it('lays blobs out by digest and detects a corrupted file on read', async () => {
    const store = fresh();
    const data = new TextEncoder().encode('{"config":true}');
    const d = await store.put(data);
    const path = join(dir, 'blobs', 'sha256', d.slice(7));
    expect(existsSync(path)).toBe(true);
    writeFileSync(path, '{"config":fals}');
    const err = await store.get(d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DigestMismatchError);
    expect((err as Error).message).toContain(d);
    // A put of the right bytes repairs a file of the wrong size.
    writeFileSync(path, 'short');
    await store.put(data);
    expect(same(await store.get(d), data)).toBe(true);
  });

  it('stagePut writes ahead but stores only at commit; discard leaves nothing', async () => {
    const store = fresh();
    const data = new TextEncoder().encode('{"manifest":1}');
    const d = digestOf(data);
    const staged = await store.stagePut(data, d);
    expect(await store.has(d)).toBe(false);
    expect(await staged.commit()).toBe(d);
    expect(same(await store.get(d), data)).toBe(true);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);

    const other = new TextEncoder().encode('{"manifest":2}');
    const dropped = await store.stagePut(other);
    dropped.discard();
    expect(await store.has(digestOf(other))).toBe(false);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);

    const refused = await store.stagePut(other, d).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DigestMismatchError);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });

  it('opening does no I/O: nothing is created until the first write', async () => {
    const store = fresh();
    await store.has(digestOf(new Uint8Array(1)));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('two writers of the same digest at once do not corrupt each other', async () => {
    const store = fresh();
    const data = new Uint8Array(100_000).map((_, i) => i * 3);
    const d = digestOf(data);
    const a = await store.writer(d, data.length);
    const b = await store.writer(d, data.length);
    for (let i = 0; i < data.length; i += 10_000) {
      await a.write(data.subarray(i, i + 10_000));
      await b.write(data.subarray(i, i + 10_000));
    }
    await Promise.all([a.commit(), b.commit()]);
    expect(same(await store.get(d), data)).toBe(true);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });

  it('a writer killed mid-write (kill -9) leaves no blob, and the next writer resumes its partial', async () => {
    const store = fresh();
    const data = new Uint8Array(3_000_000).map((_, i) => (i * 7) & 0xff);
    const d = digestOf(data);
    // A child process writes the first 1 MB into the ingest file, then is killed.
    const script = `
      const fs = require('node:fs');
      fs.mkdirSync(${JSON.stringify(join(dir, 'ingest'))}, { recursive: true });
      fs.writeFileSync(${JSON.stringify(join(dir, 'ingest', `${d.slice(7)}.lock`))},
        JSON.stringify({ pid: process.pid, host: require('node:os').hostname(), token: 't', time: Date.now() }));
      const fd = fs.openSync(${JSON.stringify(join(dir, 'ingest', d.slice(7)))}, 'a');
      fs.writeSync(fd, Buffer.alloc(1_000_000, 0).map((_, i) => (i * 7) & 0xff));
      process.stdout.write('written\\n');
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((r) => child.stdout.once('data', () => r()));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(await store.has(d)).toBe(false);
    const w = await store.writer(d, data.length);
    expect(w.offset).toBe(1_000_000); // the dead writer's lock was stale and broken
    await w.write(data.subarray(w.offset));
    await w.commit();
    expect(same(await store.get(d), data)).toBe(true);
  });
});

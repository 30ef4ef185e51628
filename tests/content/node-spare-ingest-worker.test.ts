// A helper thread booted ahead of time (bin/berth.cjs starts one for `pull`, so its boot overlaps
// the CLI's loading) is the one the store's big writes use: it runs INGEST_WORKER_BOOT and gets
// the ingest code as its first message. Each test loads the store afresh: helper threads are
// per module instance.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SpareIngestWorker } from '../../runtime/content/node-ingest-workers.ts';
import { digestOf } from '../../runtime/oci/digest.ts';

const dir = mkdtempSync(join(tmpdir(), 'berth-spare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => vi.resetModules());

async function fresh() {
  const workers = await import('../../runtime/content/node-ingest-workers.ts');
  const { NodeContentStore } = await import('../../runtime/content/node-content-store.ts');
  const g = globalThis as { [key: symbol]: SpareIngestWorker | undefined };
  const leave = (alive: boolean): SpareIngestWorker => {
    const worker = new Worker(workers.INGEST_WORKER_BOOT, { eval: true, execArgv: [] });
    worker.unref();
    const spare: SpareIngestWorker = { worker, online: false, alive };
    worker.once('online', () => {
      spare.online = true;
    });
    g[workers.SPARE_WORKER] = spare;
    return spare;
  };
  return {
    store: new NodeContentStore(mkdtempSync(join(dir, 's-'))),
    leave,
    left: () => g[workers.SPARE_WORKER],
    // Until its thread runs, a big blob is written on this one instead (see pickIngestWorker).
    online: () => workers.ingestWorkerOnline(),
    threads: () => workers.ingestWorkerThreadIds(),
  };
}

/** A big blob written in owned network-like chunks; true when they were moved to a helper thread. */
async function writeBig(store: {
  writer: (
    d: `sha256:${string}`,
    n: number,
  ) => Promise<import('../../runtime/content/content-store.ts').ContentWriter>;
}) {
  const bytes = randomBytes(3 * 1024 * 1024 + 7);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength; at += 64 * 1024)
    chunks.push(new Uint8Array(bytes.subarray(at, at + 64 * 1024)));
  const w = await store.writer(digestOf(bytes), bytes.byteLength);
  for (const c of chunks) await w.write(c, true);
  expect(await w.commit()).toBe(digestOf(bytes));
  return chunks.some((c) => c.byteLength === 0);
}

describe.runIf(availableParallelism() > 1)('a helper thread started ahead', () => {
  it('is taken by the first big write, which it stores', async () => {
    const { store, leave, left, online, threads } = await fresh();
    const spare = leave(true);
    store.prepareWrites();
    expect(left()).toBeUndefined();
    await online();
    expect(await writeBig(store)).toBe(true);
    // It is the store's helper now: it stays alive and serves the next blob too.
    expect(await writeBig(store)).toBe(true);
    expect(threads()).toEqual([spare.worker.threadId]);
    await spare.worker.terminate();
  });

  it('finishWrites ends idle helpers (and an unused spare); the next big write starts one again', async () => {
    const { store, leave, left, online, threads } = await fresh();
    const unused = leave(true);
    store.finishWrites();
    expect(left()).toBeUndefined();
    await new Promise((resolve) => unused.worker.once('exit', resolve));
    await online();
    const first = threads();
    expect(await writeBig(store)).toBe(true);
    store.finishWrites();
    expect(threads()).toEqual([]);
    await online();
    expect(threads()).toHaveLength(1);
    expect(threads()).not.toEqual(first);
    expect(await writeBig(store)).toBe(true);
  });

  it('one that died is not used: the store starts its own', async () => {
    const { store, leave, left, online, threads } = await fresh();
    const dead = leave(false);
    await dead.worker.terminate();
    await online();
    expect(await writeBig(store)).toBe(true);
    expect(left()).toBeUndefined();
    expect(threads()).toHaveLength(1);
    expect(threads()).not.toContain(dead.worker.threadId);
  });
});

describe('bin/berth.cjs', () => {
  it('starts its spare thread with the store’s own boot script', async () => {
    const { readFileSync } = await import('node:fs');
    const { INGEST_WORKER_BOOT } = await import('../../runtime/content/node-ingest-workers.ts');
    const launcher = readFileSync(join(import.meta.dirname, '..', '..', 'bin', 'berth.cjs'), 'utf8');
    expect(launcher).toContain(JSON.stringify(INGEST_WORKER_BOOT));
  });
});

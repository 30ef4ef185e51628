import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runWasm } from '../../runtime/run-wasm.ts';
import { collector, guest, processRuntime } from './guest.ts';

const runtime = processRuntime();
const probe = guest('process-probe');
afterAll(() => runtime.pool.close());

const MiB = 1024 * 1024;

describe('limits', () => {
  it('a memory limit makes malloc fail past it', async () => {
    const counts: number[] = [];
    for (const limit of [16 * MiB, 64 * MiB]) {
      const out = collector();
      const exit = await runWasm(probe, {
        runtime,
        args: ['p', 'malloc'],
        memoryLimit: limit,
        stdout: out.sink,
      });
      expect(exit.exitCode).toBe(0);
      const count = Number(/allocated (\d+) MiB/.exec(out.text())?.[1]);
      expect(count).toBeGreaterThan(limit / MiB - 4);
      expect(count).toBeLessThan(limit / MiB);
      counts.push(count);
    }
    expect(counts[1]).toBeGreaterThan(counts[0]!);
  });

  it('a limit below the module’s initial memory cannot execute (126)', async () => {
    const exit = await runWasm(probe, { runtime, args: ['p', 'exit'], memoryLimit: 64 * 1024 });
    expect(exit.exitCode).toBe(126);
    expect(exit.error).toMatch(/over the limit/);
  });

  it('1 GiB to a slow stdout blocks the guest instead of growing memory', async () => {
    let received = 0;
    let chunks = 0;
    let peakRss = 0;
    const baseline = process.memoryUsage().rss;
    const slow = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _enc, done) {
        received += chunk.length;
        chunks++;
        if (chunks % 64 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
        // The first 300 chunks trickle in (slow reader), the rest go as fast as they come.
        if (chunks < 300) setTimeout(done, 2);
        else setImmediate(done);
      },
    });
    const exit = await runWasm(probe, { runtime, args: ['p', 'flood', '1024'], stdout: slow });
    expect(exit.exitCode).toBe(0);
    expect(received).toBe(1024 * MiB);
    expect(peakRss - baseline).toBeLessThan(150 * MiB);
  }, 120_000);
});

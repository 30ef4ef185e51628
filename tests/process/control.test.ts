import { afterAll, describe, expect, it } from 'vitest';
import { spawnWasm } from '../../runtime/run-wasm.ts';
import { collector, guest, processRuntime } from './guest.ts';

const runtime = processRuntime();
const probe = guest('process-probe');
afterAll(() => runtime.pool.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('process control', () => {
  it('kills an endless loop', async () => {
    const p = spawnWasm(probe, { runtime, args: ['p', 'loop'] });
    await sleep(200);
    expect(p.state).toBe('running');
    p.kill();
    const exit = await p.exited;
    expect(exit).toEqual({ exitCode: 137, signal: 'SIGKILL' });
    expect(p.state).toBe('exited');
  });

  it('kills with the signal asked for', async () => {
    const p = spawnWasm(probe, { runtime, args: ['p', 'loop'] });
    await sleep(50);
    p.kill('SIGTERM');
    expect(await p.exited).toEqual({ exitCode: 143, signal: 'SIGTERM' });
  });

  it('kills through an AbortSignal', async () => {
    const ac = new AbortController();
    const p = spawnWasm(probe, { runtime, args: ['p', 'loop'], signal: ac.signal });
    await sleep(50);
    ac.abort();
    expect((await p.exited).exitCode).toBe(137);
  });

  it('keeps output written before a kill', async () => {
    const out = collector();
    const p = spawnWasm(probe, { runtime, args: ['p', 'ticks', '1000', '10'], stdout: out.sink });
    await sleep(300);
    p.kill();
    await p.exited;
    expect(out.text()).toMatch(/^tick 0\ntick 1\n/);
  });

  it('stop: a process that exits within the grace period keeps its exit code', async () => {
    const p = spawnWasm(probe, { runtime, args: ['p', 'cat'], stdin: 'pipe' });
    p.stdinWrite('some input\n');
    await sleep(100);
    const started = Date.now();
    const exit = await p.stop(5_000);
    expect(exit.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('stop: a process that ignores it is killed after the grace period', async () => {
    const p = spawnWasm(probe, { runtime, args: ['p', 'loop'] });
    await sleep(50);
    const started = Date.now();
    const exit = await p.stop(300);
    const took = Date.now() - started;
    expect(exit).toEqual({ exitCode: 137, signal: 'SIGKILL' });
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(3_000);
  });

  it('pause freezes a process and unpause resumes it', async () => {
    const out = collector();
    const p = spawnWasm(probe, { runtime, args: ['p', 'ticks', '40', '5'], stdout: out.sink });
    await sleep(60);
    p.pause();
    expect(p.state).toBe('paused');
    await sleep(50);
    const frozen = out.text();
    await sleep(300);
    expect(out.text()).toBe(frozen);
    p.unpause();
    expect(p.state).toBe('running');
    const exit = await p.exited;
    expect(exit.exitCode).toBe(0);
    expect(out.text().split('\n').length - 1).toBe(40);
  });

  it('a killed worker is replaced and later runs still work', async () => {
    for (let i = 0; i < 3; i++) {
      const p = spawnWasm(probe, { runtime, args: ['p', 'loop'] });
      await sleep(20);
      p.kill();
      await p.exited;
    }
    const out = collector();
    const exit = await spawnWasm(probe, { runtime, args: ['p', 'exit', '7'], stdout: out.sink }).exited;
    expect(exit.exitCode).toBe(7);
  });
});

describe('pausing a compute-bound guest', () => {
  // CPU time of this whole process over a window: the guest's worker thread is part of it.
  async function cpuMsOver(ms: number): Promise<number> {
    const before = process.cpuUsage();
    await sleep(ms);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000;
  }

  // CPU time is shared with every other job on the machine: retried when it was starved.
  it('freezes an endless loop that makes no syscalls, and unpause resumes it', { retry: 2 }, async () => {
    const p = spawnWasm(probe, { runtime, args: ['p', 'loop'] });
    await sleep(100);
    // Relative thresholds: the machine is shared, so a running loop may get well under one core.
    const running = await cpuMsOver(500);
    p.pause();
    await sleep(50);
    const paused = await cpuMsOver(500);
    p.unpause();
    const resumed = await cpuMsOver(500);
    expect(running).toBeGreaterThan(40);
    expect(resumed).toBeGreaterThan(40);
    expect(paused).toBeLessThan(Math.min(running, resumed) / 3);
    p.kill();
    expect((await p.exited).exitCode).toBe(137);
  });

  it('kills a paused process', async () => {
    const p = spawnWasm(probe, { runtime, args: ['p', 'loop'] });
    await sleep(50);
    p.pause();
    await sleep(50);
    p.kill();
    expect((await p.exited).signal).toBe('SIGKILL');
  });
});

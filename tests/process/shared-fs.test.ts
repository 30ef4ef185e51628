// A process started with shareFs serves its own filesystem to processes added later (exec) and to
// the engine thread (openFs), whatever it is doing: blocked in a syscall, computing in a loop, or
// paused. Nothing is set up until the first one asks, and a killed leader still hands back its
// writable layer.

import { afterAll, describe, expect, it } from 'vitest';
import { Layer } from '../../overlay/layer.ts';
import { writeTar } from '../../overlay/tar-write.ts';
import { type Mount, type WasmProcess, spawnWasm } from '../../runtime/run-wasm.ts';
import { collector, guest, processRuntime } from './guest.ts';

const runtime = processRuntime(3);
const probe = guest('process-probe');
afterAll(() => runtime.pool.close());

const dir = (name: string) => ({ name, type: 'dir' as const, mode: 0o755, uid: 0, gid: 0, mtimeNs: 0n });

async function image(): Promise<Mount> {
  const tar = await writeTar([
    dir('tmp'),
    { ...dir('hello.txt'), type: 'file', mode: 0o644, data: new TextEncoder().encode('from the image') },
  ]);
  return { type: 'layers', target: '/', layers: [await Layer.fromTar(tar)] };
}

async function leader(command: string[]): Promise<WasmProcess> {
  const proc = spawnWasm(probe, {
    runtime,
    args: ['probe', ...command],
    mounts: [await image()],
    stdin: 'pipe',
    captureUpper: true,
    shareFs: true,
  });
  await new Promise((r) => setTimeout(r, 200)); // let it reach its loop or its read
  expect(proc.state).toBe('running');
  return proc;
}

async function exec(main: WasmProcess, args: string[]): Promise<{ code: number; out: string }> {
  const out = collector();
  const child = main.execProcess(probe, { args: ['probe', ...args], stdout: out.sink });
  return { code: (await child.exited).exitCode, out: out.text() };
}

describe('a filesystem shared on demand (shareFs)', () => {
  it('serves exec while the main process is blocked in a read', async () => {
    const main = await leader(['cat']);
    expect(await exec(main, ['read', '/hello.txt'])).toEqual({ code: 0, out: 'from the image' });
    expect(await exec(main, ['write', '/tmp/a', 'one'])).toEqual({ code: 0, out: 'wrote /tmp/a\n' });
    expect(await exec(main, ['read', '/tmp/a'])).toEqual({ code: 0, out: 'one' });
    main.closeStdin();
    const exit = await main.exited;
    expect(exit.exitCode).toBe(0);
    expect(new TextDecoder().decode(exit.upper)).toContain('one');
  });

  it('serves exec while the main process computes in an endless loop', async () => {
    const main = await leader(['loop']);
    expect(await exec(main, ['write', '/tmp/b', 'two'])).toEqual({ code: 0, out: 'wrote /tmp/b\n' });
    expect(await exec(main, ['read', '/tmp/b'])).toEqual({ code: 0, out: 'two' });
    main.kill();
    expect((await main.exited).exitCode).toBe(137);
  });

  it('serves the engine thread (openFs) while the main process is paused', async () => {
    const main = await leader(['cat']);
    main.pause();
    const live = main.openFs();
    expect(live).toBeDefined();
    try {
      const st = live!.fs.stat('/hello.txt', true);
      expect(st).not.toBeInstanceOf(Error);
      expect((st as { size: number }).size).toBe('from the image'.length);
    } finally {
      live!.close();
    }
    main.unpause();
    main.closeStdin();
    expect((await main.exited).exitCode).toBe(0);
  });

  it('a killed main process still hands back its writable layer, exec writes included', async () => {
    const main = await leader(['loop']);
    expect((await exec(main, ['write', '/tmp/kept', 'survives the kill'])).code).toBe(0);
    main.kill('SIGKILL');
    const exit = await main.exited;
    expect(exit.exitCode).toBe(137);
    expect(exit.signal).toBe('SIGKILL');
    expect(new TextDecoder().decode(exit.upper)).toContain('survives the kill');
  });

  it('a process without shareFs cannot be joined', async () => {
    const proc = spawnWasm(probe, { runtime, args: ['probe', 'cat'], stdin: 'pipe' });
    await new Promise((r) => setTimeout(r, 100));
    expect(proc.openFs()).toBeUndefined();
    expect(() => proc.execProcess(probe, { args: ['probe', 'exit'] })).toThrow(/shareFs/);
    proc.closeStdin();
    expect((await proc.exited).exitCode).toBe(0);
  });
});

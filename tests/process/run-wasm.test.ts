import { afterAll, describe, expect, it } from 'vitest';
import { runWasm } from '../../runtime/run-wasm.ts';
import { collector, guest, processRuntime } from './guest.ts';

const runtime = processRuntime();
const hello = guest('process-hello');
const probe = guest('process-probe');
afterAll(() => runtime.pool.close());

describe('runWasm', () => {
  it('runs hello to exit 0 with its stdout delivered', async () => {
    const out = collector();
    const exit = await runWasm(hello, { runtime, args: ['hello'], stdout: out.sink });
    expect(exit.exitCode).toBe(0);
    expect(out.text()).toBe('hello from berth\n');
  });

  it('accepts a compiled WebAssembly.Module', async () => {
    const out = collector();
    const module = await WebAssembly.compile(hello as Uint8Array<ArrayBuffer>);
    const exit = await runWasm(module, { runtime, stdout: out.sink });
    expect(exit.exitCode).toBe(0);
    expect(out.text()).toBe('hello from berth\n');
  });

  it.each([0, 1, 3, 42, 255])('returns main’s status and proc_exit’s code (%i)', async (code) => {
    expect((await runWasm(probe, { runtime, args: ['p', 'exit', String(code)] })).exitCode).toBe(code);
    expect((await runWasm(probe, { runtime, args: ['p', 'exit-call', String(code)] })).exitCode).toBe(code);
  });

  it('reports a trap with a non-zero code and a clear message on stderr', async () => {
    const err = collector();
    const exit = await runWasm(probe, { runtime, args: ['p', 'trap'], stderr: err.sink });
    expect(exit.exitCode).toBe(134);
    expect(exit.trap).toMatch(/RuntimeError: unreachable/);
    expect(err.text()).toMatch(/^berth: wasm trap: RuntimeError: unreachable/);
  });

  it('refuses a module that is not wasm with exit 126', async () => {
    const err = collector();
    const exit = await runWasm(new TextEncoder().encode('#!/bin/sh\necho hi\n'), {
      runtime,
      stderr: err.sink,
    });
    expect(exit.exitCode).toBe(126);
    expect(exit.error).toMatch(/wasm/);
  });

  it('passes argv and exactly the given env', async () => {
    const out = collector();
    const exit = await runWasm(probe, {
      runtime,
      args: ['/bin/probe', 'args', 'two words'],
      env: { A: '1', PATH: '/bin' },
      mounts: [{ type: 'tmpfs', target: '/work' }],
      cwd: '/work',
      stdout: out.sink,
    });
    expect(exit.exitCode).toBe(0);
    // (The cwd line is what wasi-libc makes of the preopens; the wasi shim owns that.)
    expect(out.text()).toMatch(/^arg \/bin\/probe\narg args\narg two words\nenv A=1\nenv PATH=\/bin\ncwd /);
    const list = collector();
    await runWasm(probe, { runtime, args: ['p', 'args'], env: ['X=y=z'], stdout: list.sink });
    expect(list.text()).toContain('env X=y=z\n');
    expect(list.text()).not.toContain('env A=1');
  });

  it('pipes stdin from a string, bytes, a web stream and an async iterable', async () => {
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => 97 + (i % 26));
    const sources = [
      'line one\nline two\n',
      big,
      new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode('web '));
          c.enqueue(new TextEncoder().encode('stream'));
          c.close();
        },
      }),
      (async function* () {
        yield new TextEncoder().encode('iter');
        yield new TextEncoder().encode('able');
      })(),
    ];
    const expected = ['line one\nline two\n', Buffer.from(big).toString(), 'web stream', 'iterable'];
    for (const [i, stdin] of sources.entries()) {
      const out = collector();
      const exit = await runWasm(probe, { runtime, args: ['p', 'cat'], stdin, stdout: out.sink });
      expect(exit.exitCode).toBe(0);
      expect(out.text()).toBe(expected[i]);
    }
  });

  it('gives EOF on stdin when none is given', async () => {
    const err = collector();
    const exit = await runWasm(probe, { runtime, args: ['p', 'cat'], stderr: err.sink });
    expect(exit.exitCode).toBe(0);
    expect(err.text()).toBe('cat: 0 bytes\n');
  });

  it('shows the guest only its stdio and its preopen', async () => {
    const out = collector();
    await runWasm(probe, { runtime, args: ['p', 'fds'], stdout: out.sink });
    expect(out.text()).toBe('fd 0 type 0\nfd 1 type 0\nfd 2 type 0\nfd 3 type 3\n');
  });

  it('runs processes in parallel on separate workers', async () => {
    const outs = Array.from({ length: 6 }, () => collector());
    const exits = await Promise.all(
      outs.map((o, i) =>
        runWasm(probe, { runtime, args: ['p', 'ticks', '3', '5'], stdout: o.sink, env: [`N=${i}`] }),
      ),
    );
    expect(exits.map((e) => e.exitCode)).toEqual([0, 0, 0, 0, 0, 0]);
    for (const o of outs) expect(o.text()).toBe('tick 0\ntick 1\ntick 2\n');
  });
});

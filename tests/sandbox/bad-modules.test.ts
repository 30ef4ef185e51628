// Bad input never crashes the host: malformed or non-WASI modules, no `_start`, unknown imports,
// traps (in `_start` and at instantiation), endless recursion, an endless loop, a module over the
// memory limit. Each gives Docker's exit code and a message a person can act on, on stderr as
// `berth: ...`; afterwards the same host still runs programs.

import { afterAll, describe, expect, it } from 'vitest';
import { closeProcessPool } from '../../runtime/index.ts';
import { type GuestRun, runGuest, runModule } from './run-guest.ts';
import { op, wasmModule } from './wasm-bytes.ts';

const wasiModule = (spec: Parameters<typeof wasmModule>[0]): Uint8Array =>
  wasmModule({ memoryPages: 1, exportMemory: true, ...spec });

function expectCannotExecute(run: GuestRun, message: RegExp): void {
  expect(run.exitCode).toBe(126);
  expect(run.error).toMatch(message);
  expect(run.stderr).toMatch(/^berth: cannot execute: /);
  expect(run.stderr).toMatch(message);
  // One clear line, not a stack trace.
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe('bad modules get a clear error and the host survives', () => {
  afterAll(closeProcessPool);

  it('bytes that are not WebAssembly', async () => {
    const run = await runModule(new TextEncoder().encode('#!/bin/sh\necho not wasm\n'), { args: ['script'] });
    expectCannotExecute(run, /not a WebAssembly module|invalid wasm|magic/i);
  });

  it('an empty file', async () => {
    expectCannotExecute(
      await runModule(new Uint8Array(0)),
      /empty|not a WebAssembly module|invalid wasm|magic/i,
    );
  });

  it('a truncated module', async () => {
    const whole = wasiModule({ functions: [[]], exports: [['_start', 0]] });
    expectCannotExecute(
      await runModule(whole.subarray(0, whole.length - 3)),
      /invalid wasm|truncat|unexpected end|expected/i,
    );
  });

  it('a library module with no _start', async () => {
    expectCannotExecute(await runModule(wasiModule({})), /_start/);
  });

  it('an import no WASI provides (names the module and the function)', async () => {
    const run = await runModule(
      wasiModule({ imports: [['env', 'nop']], functions: [[op.call, 0]], exports: [['_start', 1]] }),
    );
    expectCannotExecute(run, /env.*nop/);
  });

  it('an unknown wasi_snapshot_preview1 function', async () => {
    const run = await runModule(
      wasiModule({
        imports: [['wasi_snapshot_preview1', 'not_a_syscall']],
        functions: [[op.call, 0]],
        exports: [['_start', 1]],
      }),
    );
    // Either refused up front (126) or ENOSYS at call time; never a host crash.
    if (run.exitCode === 126) expect(run.error).toMatch(/not_a_syscall/);
    else expect(run.exitCode).not.toBe(0);
  });

  it('a trap in _start: exit 134 with the trap on stderr, output before it kept', async () => {
    const run = await runGuest('proof-sandbox', ['exit-later', 'trap']);
    expect(run.stdout).toBe('exit-later: unknown operation\n');
    const trapped = await runGuest('proof-sandbox', ['fdstat', '1', 'trap']);
    expect(trapped.exitCode).toBe(134);
    expect(trapped.trap).toMatch(/unreachable/);
    expect(trapped.stdout).toMatch(/^fdstat 1: ok filetype \d+\ntrap: $/);
    expect(trapped.stderr).toMatch(/^berth: wasm trap: .*unreachable/m);
  });

  it('a trap in the start function (at instantiation)', async () => {
    const run = await runModule(
      wasiModule({ functions: [[op.unreachable]], exports: [['_start', 0]], start: 0 }),
    );
    expect([126, 134]).toContain(run.exitCode);
    expect(run.stderr).toMatch(/^berth: .*unreachable/);
  });

  it('endless recursion: a trap, not a host stack overflow', async () => {
    const run = await runModule(wasiModule({ functions: [[op.call, 0]], exports: [['_start', 0]] }));
    expect(run.exitCode).toBe(134);
    expect(run.trap).toMatch(/call stack|stack overflow/i);
  });

  it('an endless loop ends when its AbortSignal fires (SIGKILL, 137)', async () => {
    const started = Date.now();
    const run = await runModule(
      wasiModule({ functions: [[op.loop, op.void, op.br, 0, op.end]], exports: [['_start', 0]] }),
      { signal: AbortSignal.timeout(300) },
    );
    expect(run.exitCode).toBe(137);
    expect(run.signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a module whose memory exceeds --memory', async () => {
    const run = await runModule(
      wasiModule({ memoryPages: 1024, functions: [[]], exports: [['_start', 0]] }),
      {
        memoryLimit: 16 * 1024 * 1024,
      },
    );
    expect(run.exitCode).toBe(126);
    expect(run.error).toMatch(/memory/i);
  });

  it('still runs a good program afterwards', async () => {
    const run = await runGuest('proof-hello', [], { env: { GREETING: 'still here' } });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('env GREETING=still here\n');
  });
});

// A foreground `berth run` whose module needs no event loop runs on the CLI's own thread
// (runtime/engine/inline-launcher.ts). Other berth processes must still control it — ps, pause,
// unpause, stop, kill — while it sleeps or spins without a syscall, and Ctrl-C must end it at once
// with Docker's exit code (130).

import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { berth, berthBackground, probeStore, removeRoot } from './cli-harness.ts';

let root: string;
beforeAll(async () => {
  root = await probeStore();
});
afterAll(() => removeRoot(root));

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a foreground run and resolves once the guest printed `ready`. */
async function foreground(args: string[], ready: string) {
  const child = berthBackground(root, args);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + 20_000;
  while (!out.includes(ready)) {
    if (Date.now() > deadline) throw new Error(`no "${ready}" (stderr: ${err})`);
    await wait(20);
  }
  return { child, exited, output: () => out, errors: () => err };
}

const state = async (name: string) =>
  (await berth(root, ['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', name])).stdout.trim();

describe('a foreground container on the CLI thread', () => {
  let running: ChildProcess | undefined;
  afterAll(() => running?.kill('SIGKILL'));

  test('hello-world prints its message and leaves nothing behind with --rm', async () => {
    const r = await berth(root, ['run', '--rm', 'hello-world']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Hello from berth!');
    expect((await berth(root, ['ps', '-a', '-q'])).stdout).toBe('');
  });

  test('a sleeping guest: ps, pause and unpause from another CLI, then stop', async () => {
    const fg = await foreground(['run', '--name', 'sleeper', 'probe', 'loop'], 'looping');
    running = fg.child;
    expect((await berth(root, ['ps', '--format', '{{.Names}} {{.State}}'])).stdout).toBe('sleeper running\n');
    expect((await berth(root, ['pause', 'sleeper'])).code).toBe(0);
    expect(await state('sleeper')).toBe('paused 0');
    expect((await berth(root, ['unpause', 'sleeper'])).code).toBe(0);
    expect(await state('sleeper')).toBe('running 0');
    const stop = await berth(root, ['stop', '-t', '1', 'sleeper']);
    expect(stop).toMatchObject({ code: 0, stdout: 'sleeper\n' });
    // The guest cannot catch SIGTERM (WASI has no signals): killed after the grace period.
    expect(await fg.exited).toEqual({ code: 137, signal: null });
    expect(await state('sleeper')).toBe('exited 137');
    expect((await berth(root, ['rm', 'sleeper'])).code).toBe(0);
  });

  test('a guest spinning without a syscall is paused and killed through its pause points', async () => {
    const fg = await foreground(['run', '--name', 'spinner', 'probe', 'spin'], 'spinning');
    running = fg.child;
    expect((await berth(root, ['pause', 'spinner'])).code).toBe(0);
    expect(await state('spinner')).toBe('paused 0');
    // Paused means not computing: the host process uses (almost) no CPU meanwhile.
    const ticks = () => {
      const f = readFileSync(`/proc/${fg.child.pid}/stat`, 'utf8');
      const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
      return Number(parts[11]) + Number(parts[12]); // utime + stime
    };
    const before = ticks();
    await wait(500);
    expect(ticks() - before).toBeLessThan(20); // spinning would be ~50 ticks
    expect((await berth(root, ['unpause', 'spinner'])).code).toBe(0);
    expect((await berth(root, ['kill', 'spinner'])).code).toBe(0);
    expect(await fg.exited).toEqual({ code: 137, signal: null });
    expect(await state('spinner')).toBe('exited 137');
    expect((await berth(root, ['rm', 'spinner'])).code).toBe(0);
  });

  test('deep recursion: the CLI thread has the smaller stack, BERTH_INLINE=0 gives a worker', async () => {
    const inline = await berth(root, ['run', '--rm', 'probe', 'recurse', '60000']);
    expect(inline.code).toBe(134);
    expect(inline.stderr).toContain('Maximum call stack size exceeded');
    expect(inline.stderr).toContain('BERTH_INLINE=0');
    const worker = await berth(root, ['run', '--rm', 'probe', 'recurse', '60000'], {
      env: { BERTH_INLINE: '0' },
    });
    expect(worker).toMatchObject({ code: 0, stdout: expect.stringMatching(/^depth [01]\n$/) });
  });

  test('--rm with kill -s INT from another CLI: exit 130 and the container is gone', async () => {
    const fg = await foreground(['run', '--rm', '--name', 'gone', 'probe', 'loop'], 'looping');
    running = fg.child;
    expect((await berth(root, ['kill', '-s', 'INT', 'gone'])).code).toBe(0);
    expect(await fg.exited).toEqual({ code: 130, signal: null });
    expect((await berth(root, ['ps', '-a', '-q'])).stdout).toBe('');
  });

  test('Ctrl-C (SIGINT to the CLI) ends a spinning guest at once: exit 130, its --rm record goes', async () => {
    const fg = await foreground(['run', '--rm', '--name', 'interrupted', 'probe', 'spin'], 'spinning');
    running = fg.child;
    const sent = Date.now();
    fg.child.kill('SIGINT');
    // Docker's answer for a process ended by SIGINT: 128 + 2, from the CLI that ran it.
    expect(await fg.exited).toEqual({ code: 130, signal: null });
    expect(Date.now() - sent).toBeLessThan(5_000);
    expect((await berth(root, ['ps', '-a', '--format', '{{.Names}}'])).stdout).toBe('');
    const inspect = await berth(root, ['inspect', 'interrupted']);
    expect(inspect.code).not.toBe(0);
    expect(inspect.stderr).toContain('No such object: interrupted');
  });

  test('Ctrl-C of a sleeping guest without --rm: the container is recorded as Exited (130)', async () => {
    const fg = await foreground(['run', '--name', 'ctrl-c', 'probe', 'loop'], 'looping');
    running = fg.child;
    fg.child.kill('SIGINT');
    expect(await fg.exited).toEqual({ code: 130, signal: null });
    expect(await state('ctrl-c')).toBe('exited 130');
    expect((await berth(root, ['ps', '-a', '--format', '{{.Names}} {{.Status}}'])).stdout).toMatch(
      /^ctrl-c Exited \(130\) /,
    );
    expect((await berth(root, ['rm', 'ctrl-c'])).code).toBe(0);
  });
});

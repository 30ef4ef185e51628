// run -d, ps from other processes, logs, stop, kill, --rm -d, attach: the real CLI, one engine.

import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, cleanup, cli, engineFile, ensureBuilt, inspect, newRoot, waitFor } from './detach-harness.ts';

let root: string;
beforeAll(async () => {
  await ensureBuilt();
  root = newRoot();
});
afterAll(async () => {
  await cleanup(root);
});

describe('detached containers', () => {
  it('run -d returns at once and ps in another process sees the container', async () => {
    const started = Date.now();
    const r = await cli(root, ['run', '-d', '--name', 'sleeper', 'berthbox', 'sleep', '30']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.now() - started).toBeLessThan(10_000); // the CLI did not wait 30 s
    const ps = await cli(root, ['ps']);
    expect(ps.stdout).toContain(r.stdout.trim().slice(0, 12));
    expect(ps.stdout).toMatch(/Up /);
    const rec = await inspect(root, 'sleeper');
    const engine = engineFile(root)!;
    expect(rec.State.Status).toBe('running');
    expect(rec.State.Pid).toBe(engine.pid); // hosted by the engine, not by the CLI that ran it
    expect(statSync(engine.socket).mode & 0o777).toBe(0o600);
  });

  it('a second run -d uses the same engine', async () => {
    const first = engineFile(root)!.pid;
    const r = await cli(root, ['run', '-d', '--name', 'second', 'berthbox', 'sleep', '30']);
    expect(r.code).toBe(0);
    expect((await inspect(root, 'second')).State.Pid).toBe(first);
    expect(engineFile(root)!.pid).toBe(first);
  });

  it('stop ends a container after the grace period and ps shows it exited', async () => {
    const r = await cli(root, ['stop', '-t', '1', 'sleeper']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('sleeper');
    const rec = await inspect(root, 'sleeper');
    expect(rec.State.Status).toBe('exited');
    expect((await cli(root, ['ps', '-q'])).stdout).not.toContain(rec.Id.slice(0, 12));
  });

  it('kill ends a container with 137', async () => {
    const r = await cli(root, ['kill', 'second']);
    expect(r.code).toBe(0);
    const rec = await inspect(root, 'second');
    expect(rec.State.Status).toBe('exited');
    expect(rec.State.ExitCode).toBe(137);
  });

  it('logs: persisted output, --tail, --since, and -f until the container ends', async () => {
    const r = await cli(root, [
      'run',
      '-d',
      '--name',
      'talker',
      'berthbox',
      'sh',
      '-c',
      'echo one; echo two; echo oops >&2; sleep 1; echo three',
    ]);
    expect(r.code).toBe(0);
    const follow = await cli(root, ['logs', '-f', 'talker']);
    expect(follow.stdout).toBe('one\ntwo\nthree\n');
    expect(follow.stderr).toBe('oops\n');
    const tail = await cli(root, ['logs', '--tail', '1', 'talker']);
    expect(tail.stdout).toBe('three\n');
    const future = await cli(root, ['logs', '--since', '2100-01-01T00:00:00Z', 'talker']);
    expect(future.stdout).toBe('');
    const recent = await cli(root, ['logs', '--since', '10m', 'talker']);
    expect(recent.stdout).toBe('one\ntwo\nthree\n');
    const ts = await cli(root, ['logs', '-t', '--tail', '1', 'talker']);
    expect(ts.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z three\n$/);
  });

  it('--rm with -d removes the container when it exits', async () => {
    const r = await cli(root, ['run', '-d', '--rm', 'berthbox', 'sh', '-c', 'echo bye']);
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    await waitFor(async () =>
      (await cli(root, ['ps', '-a', '-q', '--no-trunc'])).stdout.includes(id) ? undefined : true,
    );
  });

  it('attach streams a running container’s output until it exits', async () => {
    const r = await cli(root, [
      'run',
      '-d',
      '--name',
      'ticker',
      'berthbox',
      'sh',
      '-c',
      'sleep 3; echo attached-line; exit 4',
    ]);
    expect(r.code).toBe(0);
    const a = await cli(root, ['attach', 'ticker']);
    expect(a.stdout).toContain('attached-line');
    expect(a.code).toBe(4);
    const stopped = await cli(root, ['attach', 'ticker']);
    expect(stopped.code).not.toBe(0);
    expect(stopped.stderr).toMatch(/cannot attach to a stopped container/);
  });

  it('a failing start reports the error and its exit code', async () => {
    const r = await cli(root, ['run', '-d', 'berthbox', '/no/such/program']);
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/no such file|not found/i);
  });

  it('the engine exits after its idle period with nothing running', async () => {
    const pid = engineFile(root)?.pid;
    expect(pid).toBeDefined();
    await cli(root, ['rm', '-f', 'sleeper', 'second', 'talker', 'ticker']);
    await waitFor(() => (!alive(pid!) ? true : undefined), 20_000);
    expect(engineFile(root)).toBeUndefined();
  });
});

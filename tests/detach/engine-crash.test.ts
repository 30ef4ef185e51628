// The engine killed with SIGKILL: ps tells the truth, the store is intact, the next command
// starts a new engine, which brings back containers whose restart policy asks for it. And a store
// deleted under a running engine (rm -rf of a BERTH_ROOT, as test suites do): the engine stops its
// containers and exits instead of serving a store that no longer exists.

import { rmSync } from 'node:fs';
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

describe('engine killed with kill -9', () => {
  it('shows its containers exited, keeps the store, and a new engine honours restart policies', async () => {
    expect(
      (await cli(root, ['run', '-d', '--name', 'plain', 'berthbox', 'sh', '-c', 'echo kept; sleep 60'])).code,
    ).toBe(0);
    expect(
      (await cli(root, ['run', '-d', '--name', 'keeper', '--restart', 'always', 'berthbox', 'sleep', '60']))
        .code,
    ).toBe(0);
    await waitFor(async () => ((await cli(root, ['logs', 'plain'])).stdout === 'kept\n' ? true : undefined));
    const old = engineFile(root)!;
    process.kill(old.pid, 'SIGKILL');
    await waitFor(() => (!alive(old.pid) ? true : undefined));

    const ps = await cli(root, ['ps', '-a']);
    expect(ps.code).toBe(0);
    expect(ps.stdout).toMatch(/Exited \(255\)/);
    expect(ps.stdout).not.toMatch(/Up /);
    const plain = await inspect(root, 'plain');
    expect(plain.State.Status).toBe('exited');
    expect(plain.State.ExitCode).toBe(255);
    expect(plain.State.Error).toMatch(/exited/);
    expect((await cli(root, ['logs', 'plain'])).stdout).toBe('kept\n');

    // The next command that needs the engine starts a new one; it restarts `keeper` (always).
    const next = await cli(root, ['run', '-d', '--name', 'after', 'berthbox', 'sleep', '60']);
    expect(next.code).toBe(0);
    const fresh = engineFile(root)!;
    expect(fresh.pid).not.toBe(old.pid);
    const keeper = await waitFor(async () => {
      const x = await inspect(root, 'keeper');
      return x.State.Status === 'running' ? x : undefined;
    });
    expect(keeper.State.Pid).toBe(fresh.pid);
    expect((await inspect(root, 'plain')).State.Status).toBe('exited'); // policy no: stays down
  });
});

describe('engine whose store is removed', () => {
  it('exits, even while it hosts a container', async () => {
    const doomed = newRoot();
    try {
      const run = await cli(doomed, ['run', '-d', 'berthbox', 'sleep', '300'], {
        BERTH_ENGINE_IDLE_MS: '600000',
      });
      expect(run.code, run.stderr).toBe(0);
      const engine = engineFile(doomed)!;
      expect(alive(engine.pid)).toBe(true);
      rmSync(doomed, { recursive: true, force: true });
      await waitFor(() => (!alive(engine.pid) ? true : undefined), 10_000);
      expect(alive(engine.pid)).toBe(false);
    } finally {
      await cleanup(doomed);
    }
  });
});

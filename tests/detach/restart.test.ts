// Restart policies, applied by the engine when a container's process ends.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, cli, ensureBuilt, inspect, newRoot, waitFor } from './detach-harness.ts';

let root: string;
beforeAll(async () => {
  await ensureBuilt();
  root = newRoot();
});
afterAll(async () => {
  await cleanup(root);
});

describe('restart policies', () => {
  it('on-failure:2 restarts a failing container twice, counting restarts', async () => {
    const r = await cli(root, [
      'run',
      '-d',
      '--name',
      'flaky',
      '--restart',
      'on-failure:2',
      'berthbox',
      'sh',
      '-c',
      'echo attempt; exit 3',
    ]);
    expect(r.code).toBe(0);
    const rec = await waitFor(async () => {
      const x = await inspect(root, 'flaky');
      return x.RestartCount === 2 && x.State.Status === 'exited' ? x : undefined;
    });
    expect(rec.State.ExitCode).toBe(3);
    expect(rec.HostConfig.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 2 });
    await new Promise((res) => setTimeout(res, 800)); // no third attempt comes
    expect((await inspect(root, 'flaky')).RestartCount).toBe(2);
    expect((await cli(root, ['logs', 'flaky'])).stdout).toBe('attempt\nattempt\nattempt\n');
  });

  it('on-failure does not restart a clean exit', async () => {
    await cli(root, [
      'run',
      '-d',
      '--name',
      'clean',
      '--restart',
      'on-failure',
      'berthbox',
      'sh',
      '-c',
      'exit 0',
    ]);
    await waitFor(async () => ((await inspect(root, 'clean')).State.Status === 'exited' ? true : undefined));
    await new Promise((res) => setTimeout(res, 500));
    const rec = await inspect(root, 'clean');
    expect(rec.RestartCount).toBe(0);
    expect(rec.State.Status).toBe('exited');
  });

  it('always restarts until stopped; stop is not undone by the policy', async () => {
    await cli(root, [
      'run',
      '-d',
      '--name',
      'loop',
      '--restart',
      'always',
      'berthbox',
      'sh',
      '-c',
      'sleep 0.2',
    ]);
    await waitFor(async () => ((await inspect(root, 'loop')).RestartCount >= 2 ? true : undefined));
    const stop = await cli(root, ['stop', '-t', '1', 'loop']);
    expect(stop.code).toBe(0);
    const after = await waitFor(async () => {
      const x = await inspect(root, 'loop');
      return x.State.Status === 'exited' ? x : undefined;
    });
    await new Promise((res) => setTimeout(res, 1000));
    const later = await inspect(root, 'loop');
    expect(later.State.Status).toBe('exited');
    expect(later.RestartCount).toBe(after.RestartCount);
  });

  it('rejects bad policies and --rm with a policy', async () => {
    const bad = await cli(root, ['run', '-d', '--restart', 'sometimes', 'berthbox', 'true']);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toMatch(/invalid restart policy/);
    const rm = await cli(root, ['run', '-d', '--rm', '--restart', 'always', 'berthbox', 'true']);
    expect(rm.code).toBe(125);
    expect(rm.stderr).toMatch(/Conflicting options: --restart and --rm/);
  });
});

// A store deleted under a running engine (rm -rf of a BERTH_ROOT, as test suites do): the engine
// stops its containers and exits instead of serving a store that no longer exists.

import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, cleanup, cli, engineFile, ensureBuilt, newRoot, waitFor } from './detach-harness.ts';

let root: string;
beforeAll(async () => {
  await ensureBuilt();
  root = newRoot();
});
afterAll(async () => {
  await cleanup(root);
});

describe('engine whose store is removed', () => {
  it('exits, even while it hosts a container', async () => {
    const run = await cli(root, ['run', '-d', 'berthbox', 'sleep', '300'], {
      BERTH_ENGINE_IDLE_MS: '600000',
    });
    expect(run.code, run.stderr).toBe(0);
    const engine = engineFile(root)!;
    expect(alive(engine.pid)).toBe(true);
    rmSync(root, { recursive: true, force: true });
    await waitFor(() => (!alive(engine.pid) ? true : undefined), 10_000);
    expect(alive(engine.pid)).toBe(false);
  });
});

// Two guests sharing a host mount race a path lookup: one keeps swapping a directory with a
// symlink (whose target is a host path), the other keeps opening a file through that directory.
// If the host ever follows the swapped-in symlink between berth's lstat and its open, the reader
// sees the secret next to the mount (the class of bug of CVE-2018-15664 in `docker cp`).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeProcessPool } from '../../runtime/index.ts';
import { results, runGuest } from './run-guest.ts';

const SECRET = `RACE-SECRET-${process.pid}`;
const ROUNDS = '10000';

describe('a symlink swapped in by another guest', () => {
  const host = mkdtempSync(join(tmpdir(), 'berth-race-'));
  const shared = join(host, 'shared');
  afterAll(async () => {
    rmSync(host, { recursive: true, force: true });
    await closeProcessPool();
  });

  it('never lets a lookup through the mount reach the host', async () => {
    writeFileSync(join(host, 'secret.txt'), SECRET);
    mkdirSync(join(shared, 'd'), { recursive: true });
    writeFileSync(join(shared, 'd/secret.txt'), 'decoy');
    const mounts = [{ source: shared, target: '/data' }];
    // The guest plants a symlink whose target is the host dir holding the secret.
    const setup = await runGuest('proof-sandbox', ['ln', host, '/data/d_link'], { mounts });
    expect(setup.stderr).toBe('');
    expect(results(setup.stdout).get(`ln ${host} /data/d_link`)).toBe('ok');

    const [swapper, reader] = await Promise.all([
      runGuest('proof-sandbox', ['swap', '/data/d', '/data/d_link', ROUNDS], { mounts }),
      runGuest('proof-sandbox', ['reads', '/data/d/secret.txt', ROUNDS], { mounts }),
    ]);
    const swaps = results(swapper.stdout).get(`swap /data/d /data/d_link ${ROUNDS}`);
    const seen = results(reader.stdout).get(`reads /data/d/secret.txt ${ROUNDS}`)!;
    expect(swaps).toMatch(/^\d+ swaps$/);
    // The race really ran: the reader saw the decoy at least once.
    expect(seen).toContain('decoy x');
    expect(seen).not.toContain(SECRET);
  }, 120_000);
});

// -w / WORKDIR: WASI has no working directory, so berth creates the directory (as Docker does) and
// passes it as PWD; berthbox (images/include/berth_cwd.h) starts there.

import { afterAll, beforeAll, expect, test } from 'vitest';
import { berth, ensureBuilt, newRoot, removeRoot } from './cli-harness.ts';

let root: string;
beforeAll(() => {
  ensureBuilt();
  root = newRoot();
});
afterAll(() => removeRoot(root));

test('run -w creates the directory and the process starts in it', async () => {
  const r = await berth(root, [
    'run',
    '--rm',
    '-w',
    '/srv/app',
    'berthbox',
    'sh',
    '-c',
    'pwd; echo x > rel; cat /srv/app/rel',
  ]);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('/srv/app\nx\n');
  expect(r.code).toBe(0);
});

test('without -w the process starts in /', async () => {
  const r = await berth(root, ['run', '--rm', 'berthbox', 'sh', '-c', 'pwd; printenv PWD || echo none']);
  expect(r.stdout).toBe('/\n/\n');
});

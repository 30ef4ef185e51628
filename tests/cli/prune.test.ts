// `system prune` takes what Docker's takes (stopped containers, unused networks, dangling images,
// the build cache, and with --volumes unused volumes) and prints one total; `builder prune` and
// `network prune` on their own.

import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { berth, newRoot, removeRoot, repo } from './cli-harness.ts';

let root: string;
beforeAll(() => {
  root = newRoot();
});
afterAll(() => removeRoot(root));

test('system prune --volumes: containers, networks, volumes and build cache go, one total', async () => {
  expect((await berth(root, ['build', '-q', '-t', 'fh', join(repo, 'examples', 'friendlyhello')])).code).toBe(
    0,
  );
  await berth(root, ['network', 'create', 'spare']);
  await berth(root, ['volume', 'create', 'loose']);
  const ran = await berth(root, ['run', '--name', 'done', 'berthbox', 'true']);
  expect(ran.code).toBe(0);
  const r = await berth(root, ['system', 'prune', '-f', '--volumes']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(
    /^Deleted Containers:\n[0-9a-f]{64}\n\nDeleted Networks:\nspare\n\nDeleted Volumes:\nloose\n\n/,
  );
  expect(r.stdout).toMatch(
    /Deleted build cache objects:\n([0-9a-f]{64}\n)+\nTotal reclaimed space: [\d.]+k?B\n$/,
  );
  expect(r.stdout.match(/Total reclaimed space/g)).toHaveLength(1);
  expect((await berth(root, ['ps', '-a', '-q'])).stdout).toBe('');
  expect((await berth(root, ['network', 'ls', '--format', '{{.Name}}'])).stdout).toBe('bridge\nnone\n');
  // The tagged image stays (not dangling); the cache is empty now.
  expect((await berth(root, ['image', 'ls', '-q', 'fh'])).stdout).not.toBe('');
  expect((await berth(root, ['builder', 'prune', '-f'])).stdout).toBe('Total reclaimed space: 0B\n');
});

test('network prune keeps a network a container is on', async () => {
  await berth(root, ['network', 'create', 'used']);
  await berth(root, ['network', 'create', 'idle']);
  await berth(root, ['create', '--name', 'member', '--network', 'used', 'berthbox', 'true']);
  expect((await berth(root, ['network', 'prune', '-f'])).stdout).toBe('Deleted Networks:\nidle\n\n');
  expect((await berth(root, ['network', 'ls', '--format', '{{.Name}}'])).stdout).toContain('used\n');
  await berth(root, ['rm', 'member']);
});

// Two berth CLIs at once against one store: run / rm / rmi must never corrupt it.

import { afterAll, beforeAll, expect, test } from 'vitest';
import { berth, ensureBuilt, newRoot, removeRoot } from './cli-harness.ts';

let root: string;
beforeAll(() => {
  ensureBuilt();
  root = newRoot();
});
afterAll(() => removeRoot(root));

test('two CLIs running, removing containers and images in parallel', async () => {
  const worker = async (n: number) => {
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const run = await berth(root, ['run', '--name', `c${n}-${i}`, 'hello-world']);
      codes.push(run.code);
      expect(run.stdout).toContain('Hello from berth!');
      codes.push((await berth(root, ['rm', `c${n}-${i}`])).code);
    }
    await berth(root, ['tag', 'hello-world', `copy${n}:v1`]);
    codes.push((await berth(root, ['rmi', `copy${n}:v1`])).code);
    return codes;
  };
  const [a, b] = await Promise.all([worker(1), worker(2)]);
  expect([...a!, ...b!].every((c) => c === 0)).toBe(true);
  expect((await berth(root, ['ps', '-a', '-q'])).stdout).toBe('');
  const images = await berth(root, ['images', '--format', '{{.Repository}}:{{.Tag}}']);
  expect(images.stdout).toBe('hello-world:latest\n');
  const final = await berth(root, ['run', '--rm', 'hello-world']);
  expect(final.code).toBe(0);
});

// The seed tutorial's docker commands, with `berth` in place of `docker`, run as real processes.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { berth, probeStore, removeRoot } from './cli-harness.ts';

let root: string;
beforeAll(async () => {
  root = await probeStore();
});
afterAll(() => removeRoot(root));

const lines = (s: string) => s.split('\n').filter(Boolean);

describe('seed cheat sheet', () => {
  test('berth run hello-world', async () => {
    const r = await berth(root, ['run', 'hello-world']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Hello from berth!');
  });

  test('berth, berth container --help, berth --version, version, info', async () => {
    const help = await berth(root, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: berth \[OPTIONS\] COMMAND/);
    const ch = await berth(root, ['container', '--help']);
    expect(ch.stdout).toMatch(/\bls\b.*List containers/);
    expect((await berth(root, ['--version'])).stdout).toMatch(/^berth version \d+\.\d+\.\d+/);
    expect((await berth(root, ['version'])).stdout).toMatch(/Client:\n Version:/);
    const info = await berth(root, ['info']);
    expect(info.stdout).toContain(`Berth Root Dir: ${root}`);
    expect(info.stdout).toMatch(/Images: 2/);
    expect(info.stdout).toMatch(/Backends: wasm/);
  });

  test('container ls / ls -a / ls -a -q with Docker columns', async () => {
    const ls = await berth(root, ['container', 'ls']);
    expect(lines(ls.stdout)).toEqual([
      'CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES',
    ]);
    const all = await berth(root, ['container', 'ls', '-a']);
    const [header, row] = lines(all.stdout);
    expect(header).toMatch(/^CONTAINER ID {3}IMAGE {9}COMMAND {15}CREATED +STATUS +PORTS +NAMES$/);
    expect(row).toMatch(
      /^[0-9a-f]{12} {3}hello-world {3}"\/hello-world\.wasm" {3}.+ago +Exited \(0\) .+ago +\w+_\w+$/,
    );
    const q = await berth(root, ['container', 'ls', '-a', '-q']);
    expect(lines(q.stdout)).toHaveLength(1);
    expect(q.stdout).toMatch(/^[0-9a-f]{12}\n$/);
  });

  test('container stop / kill a running container hosted by another berth process', async () => {
    const id = (await berth(root, ['run', '-d', 'probe', 'loop'])).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect((await berth(root, ['container', 'ls', '-q'])).stdout).toBe(`${id.slice(0, 12)}\n`);
    const stop = await berth(root, ['container', 'stop', '-t', '0', id.slice(0, 12)]);
    expect(stop).toMatchObject({ code: 0, stdout: `${id.slice(0, 12)}\n` });
    expect((await berth(root, ['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', id])).stdout).toBe(
      'exited 137\n',
    );
    const id2 = (await berth(root, ['run', '-d', 'probe', 'loop'])).stdout.trim();
    expect((await berth(root, ['container', 'kill', id2])).code).toBe(0);
    expect((await berth(root, ['container', 'ls', '-q'])).stdout).toBe('');
    expect((await berth(root, ['wait', id2])).stdout).toBe('137\n');
  });

  test('tag, image ls -a, run by the new name', async () => {
    expect((await berth(root, ['tag', 'hello-world', 'username/repository:tag'])).code).toBe(0);
    const ls = await berth(root, ['image', 'ls', '-a']);
    const [header, ...rows] = lines(ls.stdout);
    expect(header).toMatch(/^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$/);
    expect(rows.some((r) => /^username\/repository +tag +[0-9a-f]{12} /.test(r))).toBe(true);
    const run = await berth(root, ['run', 'username/repository:tag']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Hello from berth!');
  });

  test('container rm $(container ls -a -q), then image rm $(image ls -a -q)', async () => {
    const ids = lines((await berth(root, ['container', 'ls', '-a', '-q'])).stdout);
    expect(ids.length).toBeGreaterThanOrEqual(4);
    const rm = await berth(root, ['container', 'rm', ...ids]);
    expect(rm.code).toBe(0);
    expect((await berth(root, ['container', 'ls', '-a', '-q'])).stdout).toBe('');
    const images = lines((await berth(root, ['image', 'ls', '-a', '-q'])).stdout);
    const rmi = await berth(root, ['image', 'rm', ...images]);
    expect(rmi.code).toBe(0);
    expect(rmi.stdout).toMatch(/Deleted: sha256:/);
    expect((await berth(root, ['image', 'ls', '-q'])).stdout).toBe('');
  });
});

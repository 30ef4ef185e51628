// Guests whose output must be byte-identical under berth (in-memory filesystem) and node:wasi
// (a real temporary directory).

import { describe, expect, it } from 'vitest';
import { guest, runBerth, runNode } from './harness.ts';

describe('args and environment', () => {
  const args = ['prog', 'a b', 'ünï ✓', '', '--x=y'];
  const env = ['A=1', 'EMPTY=', 'EQ=a=b=c', 'UNI=ü', 'EXIT_CODE=7'];
  const expected =
    `argc=${args.length}\n` +
    args.map((a, i) => `arg[${i}]=[${a}]\n`).join('') +
    env.map((e, i) => `env[${i}]=[${e}]\n`).join('');

  it('reaches the guest exactly as given', () => {
    const run = runBerth(guest('args-env'), { args, env });
    expect(run.stdout).toBe(expected);
    expect(run.code).toBe(7);
  });

  it('matches node:wasi', () => {
    const envObject = Object.fromEntries(
      env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
    );
    const node = runNode(guest('args-env'), { args, env: envObject });
    const run = runBerth(guest('args-env'), { args, env });
    expect(run.stdout).toBe(node.stdout);
    expect(run.code).toBe(node.code);
  });

  it('handles no arguments and no environment', () => {
    const run = runBerth(guest('args-env'), { args: [], env: [] });
    expect(run.stdout).toBe('argc=0\n');
  });
});

describe('POSIX file operations', () => {
  it('print the same as under node:wasi', () => {
    const node = runNode(guest('fs-posix'));
    const run = runBerth(guest('fs-posix'));
    expect(node.stdout).toContain('ls /work: a.txt link');
    expect(run.stdout).toBe(node.stdout);
    // 300 long names need several fd_readdir calls; telldir/seekdir use the cookies.
    expect(run.stdout).toContain('big count=300\nseekdir same=1\n');
    expect(run.code).toBe(node.code);
  });

  it('leave the files in the in-memory filesystem', () => {
    const run = runBerth(guest('fs-posix'));
    const st = run.vfs.stat('/work/a.txt', true);
    expect(st).not.toBeInstanceOf(Error);
    expect(st instanceof Error ? -1 : st.size).toBe(3);
    expect(run.vfs.readlink('/work/link')).toBe('a.txt');
  });
});

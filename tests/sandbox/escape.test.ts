// No path leaves the guest's root or a mount: '..', absolute paths and symlinks (absolute,
// relative, chains, loops) all resolve inside the guest namespace. A host directory holds a
// secret file NEXT TO the mounted directory; no route may read it, write next to it, or list it.

import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeProcessPool } from '../../runtime/index.ts';
import { results, runGuest } from './run-guest.ts';

const SECRET = `TOP-SECRET-${process.pid}-${Date.now()}`;
// Results that show a lookup stayed inside the sandbox: not found in the guest's namespace,
// refused as outside the capability, or a loop.
const CONFINED = /^(ENOENT|ENOTCAPABLE|EPERM|EACCES|ELOOP|ENOTDIR)$/;

describe('paths and symlinks never leave the root or a mount', () => {
  const host = mkdtempSync(join(tmpdir(), 'berth-escape-'));
  const shared = join(host, 'shared');
  let out: Map<string, string>;
  let stdout: string;

  beforeAll(async () => {
    writeFileSync(join(host, 'secret.txt'), SECRET);
    mkdirSync(shared);
    writeFileSync(join(shared, 'inside.txt'), 'inside the mount');
    // Symlinks a hostile image or a host user could leave in a mounted dir.
    symlinkSync('../secret.txt', join(shared, 'rel-out'));
    symlinkSync(join(host, 'secret.txt'), join(shared, 'abs-out'));
    symlinkSync('../../../../../../../../secret.txt', join(shared, 'deep-out'));
    symlinkSync('..', join(shared, 'parent'));
    symlinkSync(host, join(shared, 'host-dir'));
    symlinkSync('inside.txt', join(shared, 'ok-link'));
    const longChain: string[] = [];
    for (let i = 0; i < 50; i++) longChain.push('ln', `/long${i}`, `/long${i + 1}`);
    const shortChain: string[] = [];
    for (let i = 0; i < 20; i++) shortChain.push('ln', `/short${i}`, `/short${i + 1}`);
    const run = await runGuest(
      'proof-sandbox',
      [
        // Positive controls: the mount works and in-mount links resolve.
        ...['cat', '/data/inside.txt', 'cat', '/data/ok-link'],
        // '..' from the root and from the mount.
        ...['cat', '/../secret.txt', 'cat', '/../../../../../../secret.txt', 'cat', '/data/../secret.txt'],
        ...['cat', '/data/../../secret.txt', 'cat', '/data/../../../../../../../secret.txt'],
        ...['ls', '/', 'ls', '/..', 'ls', '/data/..', 'ls', '/data/../..'],
        // Absolute host paths mean guest paths.
        ...['cat', `${host}/secret.txt`, 'ls', host],
        // Symlinks inside the host-mounted dir that point outside it.
        ...['cat', '/data/rel-out', 'cat', '/data/abs-out', 'cat', '/data/deep-out'],
        ...['cat', '/data/parent/secret.txt', 'ls', '/data/parent', 'cat', '/data/host-dir/secret.txt'],
        ...['readlink', '/data/rel-out'],
        // Symlinks the guest makes: relative, absolute, through '..', chains, loops.
        ...['ln', '../../../secret.txt', '/rel-link', 'cat', '/rel-link'],
        ...['ln', `${host}/secret.txt`, '/abs-link', 'cat', '/abs-link'],
        ...['ln', '/..', '/dotdot-link', 'cat', '/dotdot-link/secret.txt', 'ls', '/dotdot-link'],
        ...['ln', '../../secret.txt', '/data/guest-out', 'cat', '/data/guest-out'],
        ...['ln', '/data/inside.txt', '/short0'],
        ...shortChain,
        ...['cat', '/short20'],
        ...['ln', '/data/inside.txt', '/long0'],
        ...longChain,
        ...['cat', '/long50'],
        ...['ln', '/loop-b', '/loop-a', 'ln', '/loop-a', '/loop-b', 'cat', '/loop-a', 'stat', '/loop-b'],
        ...['ln', '/self', '/self', 'cat', '/self', 'write', '/self', 'x'],
        // Raw path_open: the path reaches the runtime exactly as written, from the root preopen
        // and from a directory fd inside the mount (wasi-libc would normalise these).
        ...['rawcat', '3', '../secret.txt', 'rawcat', '3', '../../../../secret.txt'],
        ...['rawcat', '3', 'data/../../../secret.txt', 'rawcat', '3', `${host.slice(1)}/secret.txt`],
        ...['dirfd', '/data', 'rawcat', '4', '../secret.txt', 'rawcat', '4', '../../../secret.txt'],
        ...['rawcat', '4', 'rel-out', 'rawcat', '4', 'parent/secret.txt', 'rawcat', '4', 'inside.txt'],
        ...['rawln', '4', '../../../secret.txt', 'raw-out', 'rawcat', '4', 'raw-out'],
      ],
      { mounts: [{ source: shared, target: '/data' }] },
    );
    stdout = run.stdout;
    out = results(run.stdout);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
  });

  afterAll(async () => {
    rmSync(host, { recursive: true, force: true });
    await closeProcessPool();
  });

  it('reads inside the mount (the controls work)', () => {
    expect(out.get('cat /data/inside.txt')).toBe('inside the mount');
    expect(out.get('cat /data/ok-link')).toBe('inside the mount');
    expect(out.get('rawcat 4 inside.txt')).toBe('inside the mount');
    expect(out.get('dirfd /data')).toBe('fd 4');
  });

  it('never shows the secret, by any route', () => {
    expect(stdout).not.toContain(SECRET);
  });

  it("confines '..' to the root and absolute host paths to the guest namespace", () => {
    for (const op of [
      'cat /../secret.txt',
      'cat /../../../../../../secret.txt',
      'cat /data/../secret.txt',
      'cat /data/../../secret.txt',
      'cat /data/../../../../../../../secret.txt',
      `cat ${host}/secret.txt`,
      `ls ${host}`,
    ]) {
      expect(out.get(op), op).toMatch(CONFINED);
    }
    // '..' at the root either stays at the root (Linux) or is refused (WASI capability rule).
    expect(out.get('ls /')).toBe('data');
    for (const op of ['ls /..', 'ls /data/..', 'ls /data/../..']) {
      expect([out.get('ls /'), 'ENOTCAPABLE'], op).toContain(out.get(op));
    }
    expect(out.get('ls /data/..')).toBe('data');
  });

  it('resolves symlinks in a host-mounted dir inside the guest, never on the host', () => {
    expect(out.get('readlink /data/rel-out')).toBe('../secret.txt');
    for (const op of [
      'cat /data/rel-out',
      'cat /data/abs-out',
      'cat /data/deep-out',
      'cat /data/parent/secret.txt',
      'cat /data/host-dir/secret.txt',
    ]) {
      expect(out.get(op), op).toMatch(CONFINED);
    }
    expect(out.get('ls /data/parent')).toBe('data');
  });

  it('resolves symlinks the guest makes inside the guest', () => {
    for (const op of [
      'cat /rel-link',
      'cat /abs-link',
      'cat /dotdot-link/secret.txt',
      'cat /data/guest-out',
      'rawcat 4 raw-out',
    ]) {
      expect(out.get(op), op).toMatch(CONFINED);
    }
    const viaLink = out.get('ls /dotdot-link')!.split(' ');
    expect(viaLink).toEqual(expect.arrayContaining(['data', 'dotdot-link']));
    expect(viaLink).not.toContain('secret.txt');
  });

  it('follows a 20-link chain, and gives ELOOP for loops and a 50-link chain', () => {
    expect(out.get('cat /short20')).toBe('inside the mount');
    expect(out.get('cat /long50')).toBe('ELOOP');
    expect(out.get('cat /loop-a')).toBe('ELOOP');
    expect(out.get('stat /loop-b')).toBe('ELOOP');
    expect(out.get('cat /self')).toBe('ELOOP');
    expect(out.get('write /self x')).toBe('ELOOP');
  });

  it('confines raw path_open from the root preopen and from a dir fd in the mount', () => {
    for (const op of [
      'rawcat 3 ../secret.txt',
      'rawcat 3 ../../../../secret.txt',
      'rawcat 3 data/../../../secret.txt',
      `rawcat 3 ${host.slice(1)}/secret.txt`,
      'rawcat 4 ../secret.txt',
      'rawcat 4 ../../../secret.txt',
      'rawcat 4 rel-out',
      'rawcat 4 parent/secret.txt',
    ]) {
      expect(out.get(op), op).toMatch(CONFINED);
    }
  });

  it('left the host dir outside the mount as it was', () => {
    expect(readdirSync(host).sort()).toEqual(['secret.txt', 'shared']);
    expect(readFileSync(join(host, 'secret.txt'), 'utf8')).toBe(SECRET);
  });
});

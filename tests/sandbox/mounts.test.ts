// A read-write mount writes only inside its source; a read-only mount refuses every write with
// EROFS and leaves the host untouched; a mount point whose parents the root lacks is still
// reachable (Docker creates mount points, so `-v dir:/mnt/data` works on any image).

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeProcessPool } from '../../runtime/index.ts';
import { results, runGuest } from './run-guest.ts';

/** Every path under `dir` with its content ('<dir>' for folders), for before/after comparisons. */
function snapshot(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const key = `${prefix}${name}`;
    if (statSync(path).isDirectory()) {
      out[key] = '<dir>';
      Object.assign(out, snapshot(path, `${key}/`));
    } else out[key] = readFileSync(path, 'utf8');
  }
  return out;
}

describe('read-write and read-only host mounts', () => {
  const host = mkdtempSync(join(tmpdir(), 'berth-mounts-'));
  const rw = join(host, 'rw');
  const ro = join(host, 'ro');
  let out: Map<string, string>;
  let before: Record<string, string>;

  beforeAll(async () => {
    mkdirSync(rw);
    mkdirSync(ro);
    mkdirSync(join(ro, 'sub'));
    writeFileSync(join(host, 'neighbour.txt'), 'next to the mounts');
    writeFileSync(join(rw, 'existing.txt'), 'old');
    writeFileSync(join(ro, 'file.txt'), 'read-only content');
    before = snapshot(host);
    const run = await runGuest(
      'proof-sandbox',
      [
        // rw: writes land in the source dir.
        ...['write', '/rw/new.txt', 'fresh', 'append', '/rw/existing.txt', '+more', 'mkdir', '/rw/made'],
        ...[
          'write',
          '/rw/made/deep.txt',
          'deep',
          'mv',
          '/rw/new.txt',
          '/rw/renamed.txt',
          'ln',
          'renamed.txt',
          '/rw/link',
        ],
        ...['cat', '/rw/link'],
        // rw: nothing lands outside it.
        ...['write', '/rw/../escaped.txt', 'no', 'write', '/rw/../../escaped2.txt', 'no'],
        ...['mv', '/rw/existing.txt', '/moved-out.txt', 'rawwrite', '3', 'rw/../../escaped3.txt', 'no'],
        ...['dirfd', '/rw', 'rawwrite', '4', '../escaped4.txt', 'no', 'rawwrite', '4', 'inner.txt', 'in'],
        // ro: every kind of write is refused, reads work.
        ...['cat', '/ro/file.txt', 'write', '/ro/file.txt', 'x', 'append', '/ro/file.txt', 'x'],
        ...['write', '/ro/new.txt', 'x', 'mkdir', '/ro/d', 'rmdir', '/ro/sub', 'rm', '/ro/file.txt'],
        ...[
          'mv',
          '/ro/file.txt',
          '/ro/f2.txt',
          'ln',
          'file.txt',
          '/ro/link',
          'write',
          '/ro/sub/new.txt',
          'x',
        ],
        ...['mv', '/ro/file.txt', '/rw/stolen.txt'],
        ...['ls', '/ro'],
      ],
      {
        mounts: [
          { source: rw, target: '/rw' },
          { source: ro, target: '/ro', readonly: true },
        ],
      },
    );
    out = results(run.stdout);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
  });

  afterAll(async () => {
    rmSync(host, { recursive: true, force: true });
    await closeProcessPool();
  });

  it('writes to a rw mount land in its source dir', () => {
    expect(out.get('write /rw/new.txt fresh')).toBe('ok 5');
    expect(out.get('append /rw/existing.txt +more')).toBe('ok 5');
    expect(out.get('mkdir /rw/made')).toBe('ok');
    expect(out.get('cat /rw/link')).toBe('fresh');
    expect(readFileSync(join(rw, 'renamed.txt'), 'utf8')).toBe('fresh');
    expect(readFileSync(join(rw, 'made/deep.txt'), 'utf8')).toBe('deep');
    expect(readFileSync(join(rw, 'inner.txt'), 'utf8')).toBe('in');
  });

  it('nothing a rw mount does reaches the host outside its source', () => {
    expect(out.get('mv /rw/existing.txt /moved-out.txt')).toBe('EXDEV');
    expect(out.get('rawwrite 4 ../escaped4.txt no')).toMatch(/^(ENOTCAPABLE|EPERM|EACCES)$/);
    const after = snapshot(host);
    const changedOutside = Object.keys({ ...before, ...after }).filter(
      (k) => !k.startsWith('rw/') && before[k] !== after[k],
    );
    expect(changedOutside).toEqual([]);
    expect(after['rw/existing.txt']).toBe('old+more');
  });

  it('a ro mount refuses every write with EROFS', () => {
    expect(out.get('cat /ro/file.txt')).toBe('read-only content');
    for (const op of [
      'write /ro/file.txt x',
      'append /ro/file.txt x',
      'write /ro/new.txt x',
      'mkdir /ro/d',
      'rmdir /ro/sub',
      'rm /ro/file.txt',
      'mv /ro/file.txt /ro/f2.txt',
      'ln file.txt /ro/link',
      'write /ro/sub/new.txt x',
    ]) {
      expect(out.get(op), op).toBe('EROFS');
    }
    // Moving out of a ro mount must fail too: across mounts (EXDEV) or read-only (EROFS).
    expect(out.get('mv /ro/file.txt /rw/stolen.txt')).toMatch(/^(EXDEV|EROFS)$/);
    expect(out.get('ls /ro')).toBe('file.txt sub');
    const after = snapshot(host);
    for (const k of Object.keys(before).filter((k) => k.startsWith('ro/')))
      expect(after[k], k).toBe(before[k]);
    expect(Object.keys(after).filter((k) => k.startsWith('ro/'))).toEqual(['ro/file.txt', 'ro/sub']);
  });
});

describe('mount points', () => {
  const host = mkdtempSync(join(tmpdir(), 'berth-mountpoint-'));
  afterAll(() => rmSync(host, { recursive: true, force: true }));

  it('a mount at /mnt/data works on a root that has no /mnt', async () => {
    writeFileSync(join(host, 'f.txt'), 'reachable');
    const run = await runGuest('proof-sandbox', ['cat', '/mnt/data/f.txt', 'ls', '/mnt', 'ls', '/'], {
      mounts: [{ source: host, target: '/mnt/data' }],
    });
    const out = results(run.stdout);
    expect(out.get('cat /mnt/data/f.txt')).toBe('reachable');
    expect(out.get('ls /mnt')).toBe('data');
    expect(out.get('ls /')).toBe('mnt');
  });
});

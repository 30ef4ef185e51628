import { describe, expect, it } from 'vitest';
import { FsError, type FileHandle, type Stat } from '../../overlay/types.ts';
import { UpperLayer } from '../../overlay/upper-layer.ts';
import { code, snapshot } from './fixture.ts';

const must = <T>(v: T | FsError | undefined): T => {
  if (v instanceof FsError) throw v;
  return v as T;
};
const st = (fs: UpperLayer, p: string) => must<Stat>(fs.lstat(p));

describe('UpperLayer as a plain in-memory filesystem', () => {
  it('creates, writes sparse and reads files; handles obey their access mode', () => {
    const fs = new UpperLayer();
    const h = must<FileHandle>(fs.open('/f', { write: true, create: true, mode: 0o640 }));
    expect(h.write(new TextEncoder().encode('end'), 5)).toBe(3);
    expect(st(fs, '/f')).toMatchObject({ size: 8, mode: 0o640, type: 'file', nlink: 1 });
    expect(code(h.read(new Uint8Array(8), 0))).toBe('EBADF');
    const r = must<FileHandle>(fs.open('/f', { read: true }));
    const buf = new Uint8Array(10);
    expect(r.read(buf, 0)).toBe(8);
    expect([...buf.subarray(0, 8)]).toEqual([0, 0, 0, 0, 0, 101, 110, 100]);
    expect(r.read(buf, 8)).toBe(0);
    expect(code(r.write(buf, 0))).toBe('EBADF');
    must(h.truncate(2));
    expect(st(fs, '/f').size).toBe(2);
    must(h.truncate(4));
    expect(r.read(buf, 0)).toBe(4);
    expect([...buf.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
    expect(code(h.truncate(-1))).toBe('EINVAL');
  });

  it('counts links: files by names, directories by 2 + subdirectories', () => {
    const fs = new UpperLayer();
    must(fs.mkdir('/d', 0o755));
    must(fs.mkdir('/d/a', 0o755));
    must(fs.mkdir('/d/b', 0o755));
    expect(st(fs, '/').nlink).toBe(3);
    expect(st(fs, '/d').nlink).toBe(4);
    must(fs.rmdir('/d/b'));
    expect(st(fs, '/d').nlink).toBe(3);
    must(fs.rename('/d/a', '/a'));
    expect(st(fs, '/d').nlink).toBe(2);
    expect(st(fs, '/').nlink).toBe(4);
    must(fs.open('/f', { write: true, create: true }));
    must(fs.link('/f', '/g'));
    must(fs.link('/g', '/d/h'));
    expect(st(fs, '/f').nlink).toBe(3);
    expect(st(fs, '/d/h').ino).toBe(st(fs, '/f').ino);
    must(fs.rename('/g', '/f')); // same inode: nothing happens
    expect(st(fs, '/g').nlink).toBe(3);
    must(fs.unlink('/g'));
    expect(st(fs, '/f').nlink).toBe(2);
  });

  it('keeps nanosecond times; utimes with null leaves a time, now uses the clock', () => {
    const fs = new UpperLayer();
    must(fs.open('/f', { write: true, create: true }));
    must(fs.utimes('/f', 1_000_000_001n, 2_000_000_002n));
    expect(st(fs, '/f')).toMatchObject({ atimeNs: 1_000_000_001n, mtimeNs: 2_000_000_002n });
    must(fs.utimes('/f', null, 'now'));
    const after = st(fs, '/f');
    expect(after.atimeNs).toBe(1_000_000_001n);
    expect(after.mtimeNs).toBeGreaterThan(BigInt(Date.now() - 60_000) * 1_000_000n);
    expect(after.ctimeNs).toBeGreaterThanOrEqual(after.mtimeNs);
  });

  it('changes the parent directory mtime on create and remove', () => {
    const fs = new UpperLayer();
    must(fs.mkdir('/d', 0o755));
    must(fs.utimes('/d', 0n, 0n));
    must(fs.mkdir('/d/x', 0o755));
    const t1 = st(fs, '/d').mtimeNs;
    expect(t1).toBeGreaterThan(0n);
    must(fs.utimes('/d', 0n, 0n));
    must(fs.rmdir('/d/x'));
    expect(st(fs, '/d').mtimeNs).toBeGreaterThan(0n);
  });

  it('returns the Linux error for each misuse', () => {
    const fs = new UpperLayer();
    must(fs.mkdir('/d', 0o755));
    must(fs.mkdir('/d/sub', 0o755));
    must(fs.mkdir('/e', 0o755));
    must(fs.open('/f', { write: true, create: true }));
    must(fs.symlink('f', '/l'));
    expect(code(fs.mkdir('/d', 0o755))).toBe('EEXIST');
    expect(code(fs.mkdir('/f/x', 0o755))).toBe('ENOTDIR');
    expect(code(fs.mkdir('/nope/x', 0o755))).toBe('ENOENT');
    expect(code(fs.rmdir('/d'))).toBe('ENOTEMPTY');
    expect(code(fs.rmdir('/f'))).toBe('ENOTDIR');
    expect(code(fs.rmdir('/'))).toBe('EBUSY');
    expect(code(fs.unlink('/d'))).toBe('EISDIR');
    expect(code(fs.unlink('/nope'))).toBe('ENOENT');
    expect(code(fs.open('/d', { write: true }))).toBe('EISDIR');
    expect(code(fs.open('/f', { directory: true }))).toBe('ENOTDIR');
    expect(code(fs.open('/l', { read: true }))).toBe('ELOOP');
    expect(code(fs.open('/f', { create: true, exclusive: true }))).toBe('EEXIST');
    expect(code(fs.readlink('/f'))).toBe('EINVAL');
    expect(fs.readlink('/l')).toBe('f');
    expect(st(fs, '/l')).toMatchObject({ type: 'symlink', size: 1 });
    expect(code(fs.link('/d', '/d2'))).toBe('EPERM');
    expect(code(fs.link('/f', '/l'))).toBe('EEXIST');
    expect(code(fs.rename('/d', '/d/sub/x'))).toBe('EINVAL');
    expect(code(fs.rename('/d', '/f'))).toBe('ENOTDIR');
    expect(code(fs.rename('/f', '/e'))).toBe('EISDIR');
    expect(code(fs.rename('/e', '/d'))).toBe('ENOTEMPTY');
    expect(code(fs.rename('/', '/x'))).toBe('EBUSY');
    must(fs.rename('/d', '/e')); // over an empty directory
    expect(snapshot(fs, false)).toEqual({
      '/e': 'dir',
      '/e/sub': 'dir',
      '/f': 'file ""',
      '/l': 'symlink -> f',
    });
  });

  it('copy-on-write data: a view of shared bytes is copied before the first change', () => {
    const fs = new UpperLayer();
    const shared = new Uint8Array([1, 2, 3, 4]);
    const node = fs.newInode('file', 0o644);
    node.data = shared;
    node.size = 4;
    node.dataShared = true;
    fs.attach(fs.root, 'f', node);
    const h = must<FileHandle>(fs.open('/f', { write: true, read: true }));
    must(h.write(new Uint8Array([9]), 1));
    must(h.truncate(2));
    expect([...shared]).toEqual([1, 2, 3, 4]);
    const buf = new Uint8Array(4);
    expect(h.read(buf, 0)).toBe(2);
    expect([...buf.subarray(0, 2)]).toEqual([1, 9]);
  });
});

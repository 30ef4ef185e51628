import { describe, expect, it } from 'vitest';
import { Layer } from '../../overlay/layer.ts';
import { FsError, type FileHandle, type Stat } from '../../overlay/types.ts';
import { UnionFs } from '../../overlay/union-fs.ts';
import { UpperLayer } from '../../overlay/upper-layer.ts';
import { code, makeTar, type RawEntry, snapshot, type Tree, tarOf } from './fixture.ts';

const must = <T>(v: T | FsError | undefined): T => {
  if (v instanceof FsError) throw v;
  return v as T;
};

async function union(...layers: (Tree | RawEntry[])[]): Promise<UnionFs> {
  const built = await Promise.all(
    layers.map(async (l) => Layer.fromTar(Array.isArray(l) ? await makeTar(l) : await tarOf(l))),
  );
  return new UnionFs(built, new UpperLayer());
}

const write = (
  fs: UnionFs | UpperLayer,
  path: string,
  text: string,
  opts = { create: true, truncate: true },
) => {
  const h = must<FileHandle>(fs.open(path, { write: true, ...opts }));
  must(h.write(new TextEncoder().encode(text), 0));
  h.close();
};

const names = (fs: UnionFs, path: string) => must(fs.readdir(path)).map((e) => e.name);

describe('UnionFs lookup and readdir', () => {
  it('looks up top-down and merges directories', async () => {
    const fs = await union(
      { etc: { a: 'lower-a', b: 'lower-b' }, bin: { sh: 'sh' } },
      { etc: { b: 'upper-b', c: 'c' } },
    );
    expect(snapshot(fs, false)).toEqual({
      '/bin': 'dir',
      '/bin/sh': 'file "sh"',
      '/etc': 'dir',
      '/etc/a': 'file "lower-a"',
      '/etc/b': 'file "upper-b"',
      '/etc/c': 'file "c"',
    });
  });

  it('a non-directory in a higher layer hides a lower directory, and vice versa', async () => {
    const fs = await union({ x: { inner: '1' }, y: 'file' }, { x: 'now a file', y: { z: 'dir now' } });
    expect(snapshot(fs, false)).toEqual({ '/x': 'file "now a file"', '/y': 'dir', '/y/z': 'file "dir now"' });
  });

  it('applies whiteouts to lower layers only (image-spec example)', async () => {
    // base: a/b/c/bar; next layer deletes a/b and recreates it with a/b/c/foo via an opaque a/
    const base: RawEntry[] = [
      { name: 'a/', type: 'directory' },
      { name: 'a/b/', type: 'directory' },
      { name: 'a/b/c/', type: 'directory' },
      { name: 'a/b/c/bar', content: 'bar' },
    ];
    const next: RawEntry[] = [
      { name: 'a/', type: 'directory' },
      { name: 'a/b/', type: 'directory' },
      { name: 'a/b/c/', type: 'directory' },
      { name: 'a/b/c/foo', content: 'foo' },
      { name: 'a/.wh..wh..opq' }, // after its siblings: still applied first
    ];
    const fs = await union(base, next);
    expect(snapshot(fs, false)).toEqual({
      '/a': 'dir',
      '/a/b': 'dir',
      '/a/b/c': 'dir',
      '/a/b/c/foo': 'file "foo"',
    });
  });

  it('opaque whiteout equals explicit whiteouts (image-spec example)', async () => {
    const base: Tree = {
      etc: { 'my-app-config': 'cfg' },
      bin: { 'my-app-binary': 'b', 'my-app-tools': 't', tools: { 'my-app-tool-one': '1' } },
    };
    const opaque = await union(base, [{ name: 'bin/', type: 'directory' }, { name: 'bin/.wh..wh..opq' }]);
    const explicit = await union(base, [
      { name: 'bin/', type: 'directory' },
      { name: 'bin/.wh.my-app-binary' },
      { name: 'bin/.wh.my-app-tools' },
      { name: 'bin/.wh.tools' },
    ]);
    const expected = { '/bin': 'dir', '/etc': 'dir', '/etc/my-app-config': 'file "cfg"' };
    expect(snapshot(opaque, false)).toEqual(expected);
    expect(snapshot(explicit, false)).toEqual(expected);
  });

  it('a whiteout does not hide an entry of its own layer, and markers are never listed', async () => {
    const fs = await union({ f: 'low', g: 'low-g' }, [
      { name: 'f', content: 'same layer' },
      { name: '.wh.f' },
      { name: '.wh.g' },
    ]);
    expect(snapshot(fs, false)).toEqual({ '/f': 'file "same layer"' });
    expect(code(fs.lstat('/.wh.g'))).toBe('ENOENT');
  });

  it('an opaque directory keeps its own layer children and hides lower ones at every depth', async () => {
    const fs = await union(
      { d: { old: '1', sub: { deep: '2' } } },
      [{ name: 'd/.wh..wh..opq' }, { name: 'd/new', content: 'n' }],
      {
        d: { top: 't' },
      },
    );
    expect(snapshot(fs, false)).toEqual({ '/d': 'dir', '/d/new': 'file "n"', '/d/top': 'file "t"' });
    expect(code(fs.lstat('/d/sub/deep'))).toBe('ENOENT');
  });

  it('gives stable inode numbers and sorted, stable readdir', async () => {
    const fs = await union({ b: '1', a: { x: '2' } }, { c: '3' });
    const st = must<Stat>(fs.lstat('/a/x'));
    expect(must<Stat>(fs.lstat('/a/x')).ino).toBe(st.ino);
    expect(names(fs, '/')).toEqual(['a', 'b', 'c']);
    const ids = must(fs.readdir('/')).map((e) => e.ino);
    expect(new Set(ids).size).toBe(3);
    expect(must(fs.readdir('/'))).toEqual(must(fs.readdir('/')));
    // copy-up by chmod keeps the number
    must(fs.chmod('/a/x', 0o600));
    expect(must<Stat>(fs.lstat('/a/x')).ino).toBe(st.ino);
    expect(must<Stat>(fs.lstat('/a/x')).mode).toBe(0o600);
  });
});

describe('UnionFs copy-up', () => {
  it('copies up on write and leaves the Layer untouched', async () => {
    const lower = await Layer.fromTar(await tarOf({ etc: { conf: 'old' } }));
    const fs = new UnionFs([lower], new UpperLayer());
    const other = new UnionFs([lower], new UpperLayer());
    write(fs, '/etc/conf', 'new', { create: false, truncate: true });
    expect(snapshot(fs, false)['/etc/conf']).toBe('file "new"');
    expect(snapshot(other, false)['/etc/conf']).toBe('file "old"');
    expect(snapshot(lower, false)['/etc/conf']).toBe('file "old"');
  });

  it('copies up on chmod, chown, utimes and truncate, keeping contents and times', async () => {
    const fs = await union([{ name: 'f', content: 'abcdef', pax: { mtime: '1700000000.000000001' } }]);
    must(fs.utimes('/f', 5n, null));
    expect(must<Stat>(fs.lstat('/f'))).toMatchObject({ atimeNs: 5n, mtimeNs: 1_700_000_000_000_000_001n });
    must(fs.chown('/f', 7, 8));
    expect(must<Stat>(fs.lstat('/f'))).toMatchObject({ uid: 7, gid: 8, size: 6 });
    const h = must<FileHandle>(fs.open('/f', { write: true }));
    must(h.truncate(3));
    expect(snapshot(fs, false)['/f']).toBe('file "abc"');
    expect(fs.lowers[0]!.fileBytes(must<number>(fs.lowers[0]!.inodeAt('/f'))).byteLength).toBe(6);
  });

  it('fchmod on a read-only handle of a lower file copies up', async () => {
    const fs = await union({ f: 'x' });
    const h = must<FileHandle>(fs.open('/f', { read: true }));
    expect(code(h.write(new Uint8Array(1), 0))).toBe('EBADF');
    must(h.chmod(0o640));
    expect(h.stat().mode).toBe(0o640);
    expect(must<Stat>(fs.lstat('/f')).mode).toBe(0o640);
  });

  it('unlink and rmdir of lower entries leave whiteouts; recreating a deleted dir makes it opaque', async () => {
    const fs = await union({ d: { a: '1', b: '2' }, f: 'x' });
    expect(code(fs.rmdir('/d'))).toBe('ENOTEMPTY');
    must(fs.unlink('/d/a'));
    must(fs.unlink('/d/b'));
    expect(names(fs, '/d')).toEqual([]);
    must(fs.rmdir('/d'));
    must(fs.unlink('/f'));
    expect(names(fs, '/')).toEqual([]);
    must(fs.mkdir('/d', 0o700));
    expect(names(fs, '/d')).toEqual([]);
    write(fs, '/f', 'again');
    expect(snapshot(fs)).toEqual({ '/d': 'dir 700 0:0', '/f': 'file 644 0:0 "again"' });
  });

  it('renames lower files and whole merged directories', async () => {
    const fs = await union({ src: { a: '1', sub: { b: '2' } }, file: 'f' }, { src: { c: '3' } });
    must(fs.rename('/file', '/renamed'));
    must(fs.rename('/src', '/dst'));
    expect(snapshot(fs, false)).toEqual({
      '/dst': 'dir',
      '/dst/a': 'file "1"',
      '/dst/c': 'file "3"',
      '/dst/sub': 'dir',
      '/dst/sub/b': 'file "2"',
      '/renamed': 'file "f"',
    });
    must(fs.mkdir('/src', 0o755));
    expect(names(fs, '/src')).toEqual([]);
  });

  it('rename over an existing empty lower directory hides its lower contents', async () => {
    const fs = await union({ a: { x: '1' }, b: { y: '2' } });
    must(fs.unlink('/b/y'));
    must(fs.rename('/a', '/b'));
    expect(snapshot(fs, false)).toEqual({ '/b': 'dir', '/b/x': 'file "1"' });
  });

  it('returns Linux errors for rename', async () => {
    const fs = await union({ d: { sub: {} }, e: { x: '1' }, f: 'x', g: 'y' });
    expect(code(fs.rename('/d', '/d/sub/in'))).toBe('EINVAL');
    expect(code(fs.rename('/d', '/f'))).toBe('ENOTDIR');
    expect(code(fs.rename('/f', '/d'))).toBe('EISDIR');
    expect(code(fs.rename('/d', '/e'))).toBe('ENOTEMPTY');
    expect(code(fs.rename('/nope', '/z'))).toBe('ENOENT');
    expect(code(fs.rename('/f', '/nope/z'))).toBe('ENOENT');
    expect(code(fs.rename('/f', '/g/z'))).toBe('ENOTDIR');
    expect(fs.rename('/f', '/f')).toBeUndefined();
    expect(fs.rename('/f', '/g')).toBeUndefined();
    expect(snapshot(fs, false)['/g']).toBe('file "x"');
  });

  it('hardlinks: link() of a lower file shares one inode and counts links', async () => {
    const fs = await union({ f: 'data' });
    must(fs.link('/f', '/g'));
    const f = must<Stat>(fs.lstat('/f'));
    const g = must<Stat>(fs.lstat('/g'));
    expect(g.ino).toBe(f.ino);
    expect(f.nlink).toBe(2);
    write(fs, '/g', 'changed', { create: false, truncate: true });
    expect(snapshot(fs, false)['/f']).toBe('file "changed"');
    must(fs.unlink('/g'));
    expect(must<Stat>(fs.lstat('/f')).nlink).toBe(1);
    expect(code(fs.link('/', '/x'))).toBe('EPERM');
    expect(code(fs.link('/f', '/f'))).toBe('EEXIST');
  });

  it('returns POSIX errors for the common mistakes', async () => {
    const fs = await union({ d: { x: '1' }, f: 'x', l: { '->': 'f' } });
    expect(code(fs.mkdir('/d', 0o755))).toBe('EEXIST');
    expect(code(fs.mkdir('/nope/d', 0o755))).toBe('ENOENT');
    expect(code(fs.mkdir('/f/d', 0o755))).toBe('ENOTDIR');
    expect(code(fs.unlink('/d'))).toBe('EISDIR');
    expect(code(fs.rmdir('/f'))).toBe('ENOTDIR');
    expect(code(fs.rmdir('/'))).toBe('EBUSY');
    expect(code(fs.open('/d', { write: true }))).toBe('EISDIR');
    expect(code(fs.open('/f', { read: true, directory: true }))).toBe('ENOTDIR');
    expect(code(fs.open('/f', { create: true, exclusive: true, write: true }))).toBe('EEXIST');
    expect(code(fs.open('/l', { read: true }))).toBe('ELOOP');
    expect(code(fs.readlink('/f'))).toBe('EINVAL');
    expect(code(fs.readdir('/f'))).toBe('ENOTDIR');
    expect(code(fs.symlink('x', '/f'))).toBe('EEXIST');
    expect(code(fs.lstat('/f/x'))).toBe('ENOTDIR');
  });

  it('refuses names a layer cannot hold (.wh. prefix), so a diff never changes meaning', async () => {
    const fs = await union({ f: 'x' });
    expect(code(fs.open('/.wh.f', { write: true, create: true }))).toBe('EINVAL');
    expect(code(fs.mkdir('/.wh..wh..opq', 0o755))).toBe('EINVAL');
    expect(code(fs.symlink('x', '/.wh.x'))).toBe('EINVAL');
    expect(code(fs.rename('/f', '/.wh.g'))).toBe('EINVAL');
    expect(code(fs.link('/f', '/.wh.h'))).toBe('EINVAL');
    expect(snapshot(fs, false)).toEqual({ '/f': 'file "x"' });
  });

  it('an open handle keeps its inode after unlink and rename', async () => {
    const fs = await union({});
    write(fs, '/tmp', 'kept');
    const h = must<FileHandle>(fs.open('/tmp', { read: true }));
    must(fs.rename('/tmp', '/tmp2'));
    must(fs.unlink('/tmp2'));
    const buf = new Uint8Array(4);
    expect(h.read(buf, 0)).toBe(4);
    expect(new TextDecoder().decode(buf)).toBe('kept');
    expect(h.stat().nlink).toBe(0);
  });

  it('creates a container root in O(1) over a 10,000-file image (measured)', async () => {
    const entries: RawEntry[] = [];
    for (let d = 0; d < 100; d++) {
      entries.push({ name: `usr/lib${d}/`, type: 'directory' });
      for (let f = 0; f < 100; f++) entries.push({ name: `usr/lib${d}/f${f}.so`, content: 'x'.repeat(64) });
    }
    const layers = [
      await Layer.fromTar(await makeTar(entries)),
      await Layer.fromTar(await tarOf({ etc: { hostname: 'h' } })),
    ];
    must(new UnionFs(layers, new UpperLayer()).lstat('/usr/lib1/f1.so')); // warm the JIT
    const n = 1000;
    const roots: UnionFs[] = [];
    globalThis.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) roots.push(new UnionFs(layers, new UpperLayer()));
    const perRootMs = (performance.now() - t0) / n;
    globalThis.gc?.();
    const perRootBytes = (process.memoryUsage().heapUsed - heap0) / n;
    expect(roots.length).toBe(n);
    expect(must<Stat>(roots[n - 1]!.lstat('/usr/lib99/f99.so')).size).toBe(64);
    const t1 = performance.now();
    for (let i = 0; i < 10_000; i++) must(roots[0]!.lstat(`/usr/lib${i % 100}/f${i % 97}.so`));
    const lookupUs = ((performance.now() - t1) / 10_000) * 1000;
    console.log(
      `[overlay] container root over 10k files: create ${(perRootMs * 1000).toFixed(2)} µs, ~${Math.round(perRootBytes)} bytes each before writes; lstat ${lookupUs.toFixed(2)} µs`,
    );
  });
});

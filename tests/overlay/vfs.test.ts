import { describe, expect, it } from 'vitest';
import { Layer } from '../../overlay/layer.ts';
import { FsError, type FileHandle, type Stat } from '../../overlay/types.ts';
import { UnionFs } from '../../overlay/union-fs.ts';
import { UpperLayer } from '../../overlay/upper-layer.ts';
import { Vfs } from '../../overlay/vfs.ts';
import { code, makeTar, snapshot, type Tree, tarOf } from './fixture.ts';

const must = <T>(v: T | FsError | undefined): T => {
  if (v instanceof FsError) throw v;
  return v as T;
};

async function vfsOf(tree: Tree): Promise<Vfs> {
  return new Vfs(new UnionFs([await Layer.fromTar(await tarOf(tree))], new UpperLayer()));
}

const read = (vfs: Vfs, path: string, follow = true): string => {
  const h = must<FileHandle>(vfs.open(path, { read: true, follow }));
  const buf = new Uint8Array(h.stat().size);
  must(h.read(buf, 0));
  return new TextDecoder().decode(buf);
};

describe('Vfs path resolution stays inside the root', () => {
  it('clamps .. at the root and normalises repeated slashes and dots', async () => {
    const vfs = await vfsOf({ etc: { passwd: 'guest' } });
    expect(read(vfs, '/../../../etc/passwd')).toBe('guest');
    expect(read(vfs, '//etc/./../etc//passwd')).toBe('guest');
    expect(vfs.realpath('/etc/../..')).toBe('/');
    expect(code(vfs.stat('/etc/passwd/..', true))).toBe('ENOTDIR');
  });

  it('resolves absolute symlink targets against the guest root', async () => {
    const vfs = await vfsOf({
      etc: { passwd: 'guest' },
      link: { '->': '/etc' },
      up: { '->': '../../../../etc/passwd' },
    });
    expect(read(vfs, '/link/passwd')).toBe('guest');
    expect(read(vfs, '/up')).toBe('guest');
    expect(vfs.realpath('/link/passwd')).toBe('/etc/passwd');
    expect(vfs.readlink('/link')).toBe('/etc');
  });

  it('one-lookup resolution of clean paths answers as the component walk does', async () => {
    const tree: Tree = {
      etc: { passwd: 'guest', sub: { deep: 'd' } },
      link: { '->': '/etc' },
      fin: { '->': 'etc/passwd' },
      dangling: { '->': '/nope' },
    };
    const fast = await vfsOf(tree);
    // A second mount turns the one-lookup path off: the walk alone answers.
    const walk = await vfsOf(tree);
    walk.mount('/mnt', new UnionFs([await Layer.fromTar(await tarOf({ x: 'x' }))], new UpperLayer()));
    const paths = [
      '/etc',
      '/etc/passwd',
      '/etc/sub/deep',
      '/link/passwd',
      '/link/sub/deep',
      '/fin',
      '/dangling',
    ];
    for (const p of [...paths, '/nope', '/etc/passwd/x', '/link/nope', '/fin/x']) {
      for (const follow of [true, false]) {
        const a = fast.stat(p, follow);
        const b = walk.stat(p, follow);
        if (a instanceof FsError || b instanceof FsError) expect(code(a), `${p} ${follow}`).toBe(code(b));
        else expect({ ...a, dev: 0 }, `${p} ${follow}`).toEqual({ ...b, dev: 0 });
      }
    }
  });

  it('follows relative symlinks and chains, and stops loops with ELOOP', async () => {
    const vfs = await vfsOf({
      a: { b: { target: 'T' } },
      rel: { '->': 'a/b' },
      chain1: { '->': 'chain2' },
      chain2: { '->': './rel/target' },
      loop1: { '->': 'loop2' },
      loop2: { '->': 'loop1' },
      self: { '->': 'self/x' },
      d: { up: { '->': '../a' } },
      dangling: { '->': 'nowhere' },
    });
    expect(read(vfs, '/rel/target')).toBe('T');
    expect(read(vfs, '/chain1')).toBe('T');
    expect(read(vfs, '/d/up/b/target')).toBe('T');
    expect(vfs.realpath('/d/up/b/../b/target')).toBe('/a/b/target');
    expect(code(vfs.stat('/loop1', true))).toBe('ELOOP');
    expect(code(vfs.open('/loop1/x', { read: true }))).toBe('ELOOP');
    expect(code(vfs.stat('/self', true))).toBe('ELOOP');
    expect(must<Stat>(vfs.stat('/loop1', false)).type).toBe('symlink');
    expect(code(vfs.stat('/dangling', true))).toBe('ENOENT');
    // O_NOFOLLOW on a final symlink; creating through a dangling symlink makes its target
    expect(code(vfs.open('/chain1', { read: true, follow: false }))).toBe('ELOOP');
    must(vfs.open('/dangling', { write: true, create: true }));
    expect(must<Stat>(vfs.stat('/nowhere', false)).type).toBe('file');
    expect(code(vfs.open('/chain1', { write: true, create: true, exclusive: true }))).toBe('EEXIST');
  });

  it('a chain of exactly 40 symlinks resolves; 41 is ELOOP', async () => {
    const tree: Tree = { f: 'end' };
    for (let i = 0; i < 41; i++) tree[`s${i}`] = { '->': i === 0 ? 'f' : `s${i - 1}` };
    const vfs = await vfsOf(tree);
    expect(read(vfs, '/s39')).toBe('end');
    expect(code(vfs.stat('/s40', true))).toBe('ELOOP');
  });

  it('symlinks never leave a mount: .. at a mount root goes to the mount point parent inside the guest', async () => {
    const vfs = await vfsOf({ data: {}, secret: 'root-secret' });
    const vol = new UpperLayer();
    must(vol.symlink('../../../secret', '/esc'));
    must(vol.symlink('/secret', '/abs'));
    vfs.mount('/data', vol);
    // both land on the guest's own /secret, never on anything outside the guest tree
    expect(read(vfs, '/data/esc')).toBe('root-secret');
    expect(read(vfs, '/data/abs')).toBe('root-secret');
    expect(vfs.realpath('/data/../secret')).toBe('/secret');
  });

  it('trailing slashes require directories', async () => {
    const vfs = await vfsOf({ f: 'x', d: {} });
    expect(code(vfs.stat('/f/', true))).toBe('ENOTDIR');
    expect(code(vfs.open('/f/', { read: true }))).toBe('ENOTDIR');
    expect(code(vfs.unlink('/f/'))).toBe('ENOTDIR');
    expect(must<Stat>(vfs.stat('/d/', true)).type).toBe('dir');
    must(vfs.mkdir('/n/', 0o755));
    must(vfs.rmdir('/n/'));
    expect(code(vfs.rmdir('/d/.'))).toBe('EINVAL');
  });
});

describe('Vfs limits and handles', () => {
  it('gives ENAMETOOLONG past NAME_MAX bytes per name and PATH_MAX per path', async () => {
    const vfs = await vfsOf({});
    must(vfs.mkdir(`/${'n'.repeat(255)}`, 0o755));
    expect(code(vfs.mkdir(`/${'n'.repeat(256)}`, 0o755))).toBe('ENAMETOOLONG');
    expect(code(vfs.mkdir(`/${'é'.repeat(128)}`, 0o755))).toBe('ENAMETOOLONG'); // 256 bytes in UTF-8
    expect(code(vfs.stat(`/${'a/'.repeat(2048)}`, true))).toBe('ENAMETOOLONG');
  });

  it('opens a directory for reading: the handle stats as the directory', async () => {
    const vfs = await vfsOf({ d: { f: 'x' } });
    const h = must<FileHandle>(vfs.open('/d', { read: true, directory: true }));
    expect(h.stat()).toMatchObject({ type: 'dir', ino: must<Stat>(vfs.stat('/d', true)).ino });
    expect(code(h.read(new Uint8Array(1), 0))).toBe('EISDIR');
    expect(code(vfs.open('/d/f', { read: true, directory: true }))).toBe('ENOTDIR');
  });

  it('device nodes from an image are listed but never open, even after copy-up', async () => {
    const layer = await Layer.fromTar(
      await makeTar([{ name: 'dev/null', type: 'character-device', mode: 0o666 }]),
    );
    const vfs = new Vfs(new UnionFs([layer], new UpperLayer()));
    expect(must(vfs.readdir('/dev'))).toMatchObject([{ name: 'null', type: 'chardev' }]);
    expect(code(vfs.open('/dev/null', { read: true }))).toBe('EACCES');
    expect(code(vfs.open('/dev/null', { write: true }))).toBe('EACCES');
    must(vfs.chmod('/dev/null', 0o600, true));
    expect(code(vfs.open('/dev/null', { read: true }))).toBe('EACCES');
  });
});

describe('Vfs mounts', () => {
  it('mounts at a missing path, lists mount points and gives each mount its own dev', async () => {
    const vfs = await vfsOf({ etc: { hosts: 'h' } });
    const tmp = new UpperLayer();
    vfs.mount('/tmp', tmp);
    vfs.mount('/mnt/deep/vol', new UpperLayer());
    must(vfs.open('/tmp/x', { write: true, create: true }));
    expect(
      must(vfs.readdir('/'))
        .map((e) => e.name)
        .sort(),
    ).toEqual(['etc', 'tmp']);
    expect(must<Stat>(tmp.lstat('/x')).type).toBe('file');
    const rootDev = must<Stat>(vfs.stat('/etc', true)).dev;
    const tmpDev = must<Stat>(vfs.stat('/tmp/x', true)).dev;
    expect(tmpDev).not.toBe(rootDev);
    const h = must<FileHandle>(vfs.open('/tmp/x', { read: true }));
    expect(h.stat().dev).toBe(tmpDev);
    expect(code(vfs.stat('/mnt', true))).toBe('ENOENT');
  });

  it('rename and link across mounts give EXDEV; mount points are busy', async () => {
    const vfs = await vfsOf({ f: 'x' });
    vfs.mount('/vol', new UpperLayer());
    expect(code(vfs.rename('/f', '/vol/f'))).toBe('EXDEV');
    expect(code(vfs.link('/f', '/vol/f', false))).toBe('EXDEV');
    expect(code(vfs.rmdir('/vol'))).toBe('EBUSY');
    expect(code(vfs.rename('/vol', '/vol2'))).toBe('EBUSY');
  });

  it('a read-only mount gives EROFS; a mount at / replaces the root', async () => {
    const layer = await Layer.fromTar(await tarOf({ ro: 'data' }));
    const vfs = new Vfs(new UpperLayer());
    vfs.mount('/', layer);
    expect(read(vfs, '/ro')).toBe('data');
    expect(code(vfs.open('/ro', { write: true }))).toBe('EROFS');
    expect(code(vfs.mkdir('/x', 0o755))).toBe('EROFS');
    expect(code(vfs.unlink('/ro'))).toBe('EROFS');
  });

  it('operates through symlinked parents and keeps whole trees consistent', async () => {
    const vfs = await vfsOf({ real: { a: '1' }, link: { '->': 'real' } });
    must(vfs.mkdir('/link/sub', 0o750));
    must(vfs.symlink('../a', '/link/sub/s'));
    must(vfs.rename('/link/a', '/link/sub/a2'));
    expect(code(vfs.link('/link/sub/s', '/real/h', true))).toBe('ENOENT'); // s -> /real/a is gone
    must(vfs.unlink('/link/sub/s'));
    must(vfs.symlink('a2', '/link/sub/s'));
    must(vfs.link('/link/sub/s', '/real/hard-to-target', true));
    must(vfs.chmod('/link/sub/s', 0o600, true));
    expect(code(vfs.chmod('/link/sub/s', 0o600, false))).toBe('ENOTSUP');
    expect(must<Stat>(vfs.stat('/real/hard-to-target', false)).nlink).toBe(2);
    expect(snapshot(vfs)).toEqual({
      '/link': 'symlink -> real',
      '/real': 'dir 755 0:0',
      '/real/hard-to-target': 'file 600 0:0 "1"',
      '/real/sub': 'dir 750 0:0',
      '/real/sub/a2': 'file 600 0:0 "1"',
      '/real/sub/s': 'symlink -> a2',
    });
  });
});

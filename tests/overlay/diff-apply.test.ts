import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyTar } from '../../overlay/apply.ts';
import { diffTar } from '../../overlay/diff.ts';
import { exportTar } from '../../overlay/export.ts';
import { Layer } from '../../overlay/layer.ts';
import { readTar } from '../../overlay/tar-read.ts';
import { FsError, type FileHandle, type FileSystem } from '../../overlay/types.ts';
import { UnionFs } from '../../overlay/union-fs.ts';
import { UpperLayer } from '../../overlay/upper-layer.ts';
import { Vfs } from '../../overlay/vfs.ts';
import { makeTar, type RawEntry, snapshot, type Tree, tarOf } from './fixture.ts';

const must = <T>(v: T | FsError | undefined): T => {
  if (v instanceof FsError) throw v;
  return v as T;
};

/** snapshot() plus mtimes, link counts of non-directories and which paths share an inode. */
function fullView(fs: FileSystem): Record<string, string> {
  const view = snapshot(fs);
  const groups = new Map<number, string[]>();
  for (const path of Object.keys(view)) {
    const st = must(fs.lstat(path));
    view[path] += ` mtime=${st.mtimeNs}`;
    if (st.type !== 'dir') {
      view[path] += ` nlink=${st.nlink}`;
      groups.set(st.ino, [...(groups.get(st.ino) ?? []), path]);
    }
  }
  for (const paths of groups.values())
    if (paths.length > 1) view[`links:${paths.sort().join(',')}`] = 'same inode';
  view['/'] = `root ${must(fs.lstat('/')).mode.toString(8)} mtime=${must(fs.lstat('/')).mtimeNs}`;
  return view;
}

const entryNames = async (tar: Uint8Array) => (await readTar(tar)).map((e) => `${e.type} ${e.rawName}`);

describe('diffTar', () => {
  it('writes the upper with whiteouts before siblings and opaque markers for recreated dirs', async () => {
    const lower = await Layer.fromTar(
      await tarOf({ etc: { 'my-app-config': 'c' }, bin: { 'my-app-tools': 'v1', x: '1' }, d: { old: 'o' } }),
    );
    const fs = new UnionFs([lower], new UpperLayer());
    must(fs.unlink('/etc/my-app-config'));
    must(fs.mkdir('/etc/my-app.d', 0o755));
    const h = must<FileHandle>(fs.open('/etc/my-app.d/default.cfg', { write: true, create: true }));
    must(h.write(new TextEncoder().encode('cfg'), 0));
    const t = must<FileHandle>(fs.open('/bin/my-app-tools', { write: true, truncate: true }));
    must(t.write(new TextEncoder().encode('v2'), 0));
    must(fs.unlink('/d/old'));
    must(fs.rmdir('/d'));
    must(fs.mkdir('/d', 0o755));
    expect(await entryNames(await diffTar(fs))).toEqual([
      'dir ./',
      'dir bin/',
      'file bin/my-app-tools',
      'dir d/',
      'file d/.wh..wh..opq',
      'dir etc/',
      'file etc/.wh.my-app-config',
      'dir etc/my-app.d/',
      'file etc/my-app.d/default.cfg',
    ]);
  });

  it('keeps hardlinks as hardlinks and nanosecond mtimes', async () => {
    const fs = new UnionFs([], new UpperLayer());
    const h = must<FileHandle>(fs.open('/a', { write: true, create: true }));
    must(h.write(new TextEncoder().encode('shared'), 0));
    must(fs.link('/a', '/b'));
    must(fs.utimes('/a', null, 1_234_567_890_123_456_789n));
    const tar = await diffTar(fs);
    const entries = await readTar(tar);
    expect(entries.find((e) => e.rawName === 'b')).toMatchObject({ type: 'hardlink', linkname: 'a' });
    expect(entries.find((e) => e.rawName === 'a')).toMatchObject({ mtimeNs: 1_234_567_890_123_456_789n });
    const layer = await Layer.fromTar(tar);
    expect(must(layer.lstat('/a')).ino).toBe(must(layer.lstat('/b')).ino);
    expect(must(layer.lstat('/b')).nlink).toBe(2);
  });
});

describe('applyTar', () => {
  it('applies changesets onto a tree: whiteouts delete, opaque clears, dirs merge attributes', async () => {
    const tree = new UpperLayer();
    await applyTar(await tarOf({ a: { b: { c: { bar: 'bar' } } }, keep: 'k', gone: { x: '1' } }), tree);
    await applyTar(
      await makeTar([
        { name: 'a/b/c/foo', content: 'foo' },
        { name: 'a/.wh..wh..opq' },
        { name: '.wh.gone' },
        { name: 'keep', content: 'k2', mode: 0o4755 },
      ]),
      tree,
    );
    expect(snapshot(tree)).toEqual({
      '/a': 'dir 755 0:0',
      '/a/b': 'dir 755 0:0',
      '/a/b/c': 'dir 755 0:0',
      '/a/b/c/foo': 'file 644 0:0 "foo"',
      '/keep': 'file 755 0:0 "k2"',
    });
  });

  it('refuses a hardlink that leaves the root', async () => {
    await expect(
      applyTar(await makeTar([{ name: 'x', type: 'link', linkname: '../../x' }]), new UpperLayer()),
    ).rejects.toMatchObject({
      code: 'BERTH_LAYER_TAR',
    });
  });
});

describe('exportTar', () => {
  it('flattens a Vfs (mounts included) into one tar', async () => {
    const lower = await Layer.fromTar(await tarOf({ etc: { hosts: 'h', gone: 'g' } }));
    const fs = new UnionFs([lower], new UpperLayer());
    must(fs.unlink('/etc/gone'));
    const vfs = new Vfs(fs);
    const vol = new UpperLayer();
    must(vol.mkdir('/in', 0o700));
    vfs.mount('/vol', vol);
    const flat = await Layer.fromTar(await exportTar(vfs));
    expect(snapshot(flat)).toEqual({
      '/etc': 'dir 755 0:0',
      '/etc/hosts': 'file 644 0:0 "h"',
      '/vol': 'dir 755 0:0',
      '/vol/in': 'dir 700 0:0',
    });
  });
});

// --- the property: diff(upper) applied to the lower layers reproduces the merged view ---

const name = fc.constantFrom('a', 'b', 'c', 'd');
const path = fc.array(name, { minLength: 1, maxLength: 3 }).map((p) => '/' + p.join('/'));
const content = fc.string({ maxLength: 6 });
const treeArb: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.dictionary(
    name,
    fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      content,
      fc.constantFrom('a', '../b', '/c/d').map((t) => ({ '->': t })),
      tie('tree'),
    ),
    { maxKeys: 4 },
  ),
})).tree;
const markerArb = fc.array(
  fc.tuple(
    fc.array(name, { maxLength: 2 }),
    fc.oneof(
      name.map((n) => `.wh.${n}`),
      fc.constant('.wh..wh..opq'),
    ),
  ),
  { maxLength: 3 },
);

type Op =
  | { op: 'write'; path: string; text: string; truncate: boolean }
  | { op: 'mkdir' | 'unlink' | 'rmdir' | 'rmrf'; path: string }
  | { op: 'rename' | 'link'; from: string; to: string }
  | { op: 'symlink'; path: string; target: string }
  | { op: 'chmod'; path: string; mode: number }
  | { op: 'utimes'; path: string; ns: bigint }
  | { op: 'truncate'; path: string; size: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('write' as const), path, text: content, truncate: fc.boolean() }),
  fc.record({
    op: fc.constantFrom('mkdir' as const, 'unlink' as const, 'rmdir' as const, 'rmrf' as const),
    path,
  }),
  fc.record({ op: fc.constantFrom('rename' as const, 'link' as const), from: path, to: path }),
  fc.record({ op: fc.constant('symlink' as const), path, target: fc.constantFrom('a', '/b', '../c') }),
  fc.record({ op: fc.constant('chmod' as const), path, mode: fc.integer({ min: 0, max: 0o777 }) }),
  fc.record({ op: fc.constant('utimes' as const), path, ns: fc.bigInt({ min: 0n, max: 2n ** 62n }) }),
  fc.record({ op: fc.constant('truncate' as const), path, size: fc.integer({ min: 0, max: 8 }) }),
);

function rmrf(fs: UnionFs | UpperLayer, p: string): void {
  const st = fs.lstat(p);
  if (st instanceof FsError) return;
  if (st.type === 'dir') {
    for (const e of must(fs.readdir(p))) rmrf(fs, `${p}/${e.name}`);
    must(fs.rmdir(p));
  } else must(fs.unlink(p));
}

function run(fs: UnionFs | UpperLayer, op: Op): string | undefined {
  const code = (r: unknown) => (r instanceof FsError ? r.code : undefined);
  switch (op.op) {
    case 'write': {
      const h = fs.open(op.path, { write: true, create: true, truncate: op.truncate });
      return code(h instanceof FsError ? h : h.write(new TextEncoder().encode(op.text), 0));
    }
    case 'mkdir':
      return code(fs.mkdir(op.path, 0o751));
    case 'unlink':
      return code(fs.unlink(op.path));
    case 'rmdir':
      return code(fs.rmdir(op.path));
    case 'rmrf':
      rmrf(fs, op.path);
      return undefined;
    case 'rename':
      return code(fs.rename(op.from, op.to));
    case 'link':
      return code(fs.link(op.from, op.to));
    case 'symlink':
      return code(fs.symlink(op.target, op.path));
    case 'chmod':
      return code(fs.chmod(op.path, op.mode));
    case 'utimes':
      return code(fs.utimes(op.path, null, op.ns));
    case 'truncate': {
      const h = fs.open(op.path, { write: true });
      return code(h instanceof FsError ? h : h.truncate(op.size));
    }
  }
}

describe('property: diff + apply reproduce the merged view', () => {
  it('for random lower layers and random changes', async () => {
    await fc.assert(
      fc.asyncProperty(
        treeArb,
        treeArb,
        markerArb,
        fc.array(opArb, { maxLength: 25 }),
        async (base, top, markers, ops) => {
          const baseTar = await tarOf(base);
          const middleTar = await tarOf(top);
          const topTar = await makeTar(
            markers.map(([dir, m]): RawEntry => ({ name: [...dir, m].join('/') })),
          );
          const layers = await Promise.all([baseTar, middleTar, topTar].map((t) => Layer.fromTar(t)));
          const union = new UnionFs(layers, new UpperLayer());
          for (const op of ops) run(union, op);
          const merged = fullView(union);
          const diff = await diffTar(union);

          // 1. the diff as one more layer on top of the same lowers
          const stacked = new UnionFs([...layers, await Layer.fromTar(diff)], new UpperLayer());
          expect(fullView(stacked)).toEqual(merged);
          // 2. the diff applied onto a plain tree made by applying the lower layers in order
          const flat = new UpperLayer();
          for (const tar of [baseTar, middleTar, topTar, diff]) await applyTar(tar, flat);
          expect(fullView(flat)).toEqual(merged);
          // 3. an upper restored from the diff, under the same lowers (container restart)
          const restored = new UpperLayer();
          await applyTar(diff, restored);
          expect(fullView(new UnionFs(layers, restored))).toEqual(merged);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('property: UnionFs behaves like one plain tree holding the flattened layers', () => {
  it('same results, same errors, same tree for random changes', async () => {
    await fc.assert(
      fc.asyncProperty(
        treeArb,
        treeArb,
        markerArb,
        fc.array(opArb, { maxLength: 25 }),
        async (base, top, markers, ops) => {
          const tars = [
            await tarOf(base),
            await tarOf(top),
            await makeTar(markers.map(([dir, m]): RawEntry => ({ name: [...dir, m].join('/') }))),
          ];
          const union = new UnionFs(await Promise.all(tars.map((t) => Layer.fromTar(t))), new UpperLayer());
          const plain = new UpperLayer();
          for (const t of tars) await applyTar(t, plain);
          for (const op of ops) expect([op, run(union, op)]).toEqual([op, run(plain, op)]);
          // times of new changes differ by when each ran; everything else must be equal
          const view = (fs: FileSystem) =>
            Object.fromEntries(
              Object.entries(fullView(fs)).map(([k, v]) => [k, v.replace(/ mtime=\d+/, '')]),
            );
          expect(view(union)).toEqual(view(plain));
        },
      ),
      { numRuns: 200 },
    );
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack } from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadImages } from '../../runtime/archive/load.ts';
import { importRootfs } from '../../runtime/archive/import-rootfs.ts';
import { saveImagesBytes } from '../../runtime/archive/save.ts';
import { collect, packArchiveBytes, readArchive } from '../../runtime/archive/tar-io.ts';
import { DigestMismatchError, NotFoundError } from '../../runtime/errors.ts';
import { digestOf } from '../../runtime/oci/digest.ts';
import { gzip } from '../../runtime/oci/gzip.ts';
import { encodeJson } from '../../runtime/oci/manifest.ts';
import { helloWasm, same, type TestStore, testStore } from './fixtures.ts';

const stores: TestStore[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.cleanup();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const newStore = () => {
  const s = testStore();
  stores.push(s);
  return s;
};
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'berth-archive-'));
  dirs.push(d);
  return d;
};
const enc = (s: string) => new TextEncoder().encode(s);

async function entriesOf(tar: Uint8Array): Promise<Map<string, Uint8Array>> {
  const m = new Map<string, Uint8Array>();
  for await (const e of readArchive(tar)) m.set(e.path + (e.type === 'directory' ? '/' : ''), e.data);
  return m;
}

function skopeo(...args: string[]): Record<string, unknown> {
  return JSON.parse(execFileSync('skopeo', args, { encoding: 'utf8' }));
}

describe.each(['docker', 'oci'] as const)('save/load (%s format)', (format) => {
  it('round-trips byte-identically and keeps the image id', async () => {
    const a = newStore();
    const img = await a.store.resolve('hello-world');
    await a.store.tag('me/hello:v2', 'hello-world');
    const saved = await saveImagesBytes(a.store, ['hello-world', 'me/hello:v2'], { format });
    expect(same(saved, await saveImagesBytes(a.store, ['hello-world', 'me/hello:v2'], { format }))).toBe(
      true,
    );

    const b = newStore();
    const loaded = await loadImages(b.store, saved);
    expect(loaded).toHaveLength(1);
    expect(loaded[0]!.id).toBe(img.id);
    expect(loaded[0]!.names).toEqual(['hello-world:latest', 'me/hello:v2']);
    const back = await b.store.resolve('me/hello:v2');
    expect(back.id).toBe(img.id);
    expect(back.config.config?.Entrypoint).toEqual(['/hello-world.wasm']);
    // hello-world's stored manifest already points at its uncompressed layer: both formats keep it.
    expect(back.manifestDigest).toBe(img.manifestDigest);
    expect(same(await saveImagesBytes(b.store, ['hello-world', 'me/hello:v2'], { format }), saved)).toBe(
      true,
    );
  });

  it('writes sorted entries with fixed times and owners', async () => {
    const a = newStore();
    await a.store.resolve('hello-world');
    const saved = await saveImagesBytes(a.store, ['hello-world'], { format });
    const names: string[] = [];
    const { extract } = await import('tar-stream');
    const ex = extract();
    ex.end(Buffer.from(saved));
    for await (const e of ex) {
      names.push(e.header.name);
      expect(e.header.mtime?.getTime()).toBe(0);
      expect(e.header.uid).toBe(0);
      expect(e.header.gid).toBe(0);
      e.resume();
    }
    expect(names).toEqual([...names].sort());
    const files = await entriesOf(saved);
    // Both formats are an OCI layout; `docker` (Docker 25's) is also Docker's archive.
    expect(JSON.parse(new TextDecoder().decode(files.get('oci-layout')))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
    const index = JSON.parse(new TextDecoder().decode(files.get('index.json')));
    expect(index.manifests[0].annotations['io.containerd.image.name']).toBe(
      'docker.io/library/hello-world:latest',
    );
    expect(index.manifests[0].annotations['org.opencontainers.image.ref.name']).toBe('latest');
    if (format === 'docker') {
      const manifest = JSON.parse(new TextDecoder().decode(files.get('manifest.json')));
      expect(manifest[0].RepoTags).toEqual(['hello-world:latest']);
      expect(JSON.parse(new TextDecoder().decode(files.get('repositories')))['hello-world'].latest).toMatch(
        /^[a-f0-9]{64}$/,
      );
    } else {
      expect(files.has('manifest.json')).toBe(false);
    }
  });

  it(`is readable by skopeo inspect ${format === 'oci' ? 'oci-archive' : 'oci-archive and docker-archive'}:`, async () => {
    const a = newStore();
    const img = await a.store.resolve('hello-world');
    const file = join(tmp(), `hello-${format}.tar`);
    writeFileSync(file, await saveImagesBytes(a.store, ['hello-world'], { format }));
    const transports = format === 'oci' ? ['oci-archive'] : ['oci-archive', 'docker-archive'];
    for (const transport of transports) {
      const info = skopeo('inspect', `${transport}:${file}`);
      expect(info.Os).toBe('wasi');
      expect(info.Architecture).toBe('wasm');
      expect(info.Layers).toHaveLength(1);
      if (transport === 'oci-archive') expect(info.Digest).toBe(img.manifestDigest);
      const config = skopeo('inspect', '--config', `${transport}:${file}`) as {
        config: { Entrypoint: string[] };
      };
      expect(config.config.Entrypoint).toEqual(['/hello-world.wasm']);
    }
  });
});

describe('save (default: Docker 25 combined layout) of an image with gzip layers', () => {
  /** An image whose stored manifest has two gzip layers, as a registry pull gives. */
  async function gzipImage(s: TestStore) {
    const l1 = await packArchiveBytes([
      { path: 'app', type: 'directory' },
      { path: 'app/a.wasm', type: 'file', mode: 0o755, data: helloWasm() },
    ]);
    const l2 = await packArchiveBytes([{ path: 'app/b.txt', type: 'file', data: enc('B'.repeat(5000)) }]);
    const layers = [];
    for (const tar of [l1, l2]) {
      const gz = await gzip(tar);
      layers.push({
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: await s.store.content.put(gz),
        size: gz.byteLength,
      });
    }
    const config = encodeJson({
      architecture: 'wasm',
      os: 'wasi',
      config: { Entrypoint: ['/app/a.wasm'] },
      rootfs: { type: 'layers', diff_ids: [digestOf(l1), digestOf(l2)] },
    });
    const manifest = encodeJson({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: await s.store.content.put(config),
        size: config.byteLength,
      },
      layers,
    });
    const digest = await s.store.content.put(manifest);
    await s.store.addImages([{ digest, names: ['gz/app:v1'] }]);
    return { id: digestOf(config), manifestDigest: digest, tars: [l1, l2] };
  }

  it('stores layers uncompressed, with an OCI manifest over them, and round-trips byte-identically', async () => {
    const a = newStore();
    const img = await gzipImage(a);
    const saved = await saveImagesBytes(a.store, ['gz/app:v1']);
    const files = await entriesOf(saved);
    const index = JSON.parse(new TextDecoder().decode(files.get('index.json')));
    expect(index.manifests).toHaveLength(1);
    const desc = index.manifests[0];
    expect(desc.annotations['io.containerd.image.name']).toBe('docker.io/gz/app:v1');
    expect(desc.digest).not.toBe(img.manifestDigest); // derived: its layers are the tars
    const mBytes = files.get(`blobs/sha256/${desc.digest.slice(7)}`)!;
    expect(digestOf(mBytes)).toBe(desc.digest);
    expect(mBytes.byteLength).toBe(desc.size);
    const manifest = JSON.parse(new TextDecoder().decode(mBytes));
    expect(manifest.config.digest).toBe(img.id);
    expect(manifest.layers).toEqual(
      img.tars.map((t) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: digestOf(t),
        size: t.byteLength,
      })),
    );
    for (const t of img.tars) expect(same(files.get(`blobs/sha256/${digestOf(t).slice(7)}`)!, t)).toBe(true);
    const docker = JSON.parse(new TextDecoder().decode(files.get('manifest.json')));
    expect(docker).toEqual([
      {
        Config: `blobs/sha256/${img.id.slice(7)}`,
        RepoTags: ['gz/app:v1'],
        Layers: img.tars.map((t) => `blobs/sha256/${digestOf(t).slice(7)}`),
      },
    ]);

    const b = newStore();
    const [loaded] = await loadImages(b.store, saved);
    expect(loaded!.id).toBe(img.id);
    expect(loaded!.names).toEqual(['gz/app:v1']);
    expect(loaded!.manifestDigest).toBe(desc.digest);
    expect(same(await saveImagesBytes(b.store, ['gz/app:v1']), saved)).toBe(true);
  });

  it('is read by skopeo (oci-archive, docker-archive, copy to oci:) and its layers by tar', async () => {
    const a = newStore();
    const img = await gzipImage(a);
    const dir = tmp();
    const file = join(dir, 'gz.tar');
    writeFileSync(file, await saveImagesBytes(a.store, ['gz/app:v1']));
    const diffIds = img.tars.map((t) => digestOf(t));
    for (const transport of ['oci-archive', 'docker-archive']) {
      const info = skopeo('inspect', `${transport}:${file}`);
      expect(info.Os).toBe('wasi');
      expect(info.Layers).toEqual(diffIds);
      const config = skopeo('inspect', '--config', `${transport}:${file}`) as {
        rootfs: { diff_ids: string[] };
      };
      expect(config.rootfs.diff_ids).toEqual(diffIds);
    }
    execFileSync('skopeo', [
      '--insecure-policy',
      'copy',
      '-q',
      `oci-archive:${file}`,
      `oci:${join(dir, 'layout')}`,
    ]);
    const copied = JSON.parse(execFileSync('cat', [join(dir, 'layout', 'index.json')], { encoding: 'utf8' }));
    expect(copied.manifests).toHaveLength(1);
    const x = join(dir, 'x');
    execFileSync('mkdir', [x]);
    execFileSync('tar', ['-xf', file, '-C', x]);
    const listed = execFileSync('tar', ['-tf', join(x, 'blobs', 'sha256', diffIds[0]!.slice(7))], {
      encoding: 'utf8',
    });
    expect(listed.split('\n')).toContain('app/a.wasm');
  });
});

describe('load', () => {
  it('loads what skopeo writes (oci-archive -> docker-archive conversion)', async () => {
    const a = newStore();
    const img = await a.store.resolve('hello-world');
    const dir = tmp();
    writeFileSync(join(dir, 'in.tar'), await saveImagesBytes(a.store, ['hello-world'], { format: 'oci' }));
    for (const [dest, name] of [
      [`docker-archive:${join(dir, 'd.tar')}:skopeo/hello:v1`, 'skopeo/hello:v1'],
      [`oci-archive:${join(dir, 'o.tar')}:localhost/skopeo/hello:v2`, 'localhost/skopeo/hello:v2'],
    ] as const) {
      execFileSync('skopeo', ['--insecure-policy', 'copy', '-q', `oci-archive:${join(dir, 'in.tar')}`, dest]);
      const b = newStore();
      const file = dest.split(':')[1]!;
      const loaded = await loadImages(b.store, new Uint8Array(execFileSync('cat', [file])));
      expect(loaded[0]!.id).toBe(img.id);
      expect(loaded[0]!.names).toEqual([name]);
      expect((await b.store.resolve(name)).config.config?.Entrypoint).toEqual(['/hello-world.wasm']);
    }
  });

  it('reads the classic docker-archive layout with <id>/layer.tar, symlinked layers and gzip', async () => {
    const l1 = await packArchiveBytes([{ path: 'a.txt', type: 'file', data: enc('A') }]);
    const config = encodeJson({
      architecture: 'wasm',
      os: 'wasi',
      config: { Entrypoint: ['/a.wasm'] },
      rootfs: { type: 'layers', diff_ids: [digestOf(l1), digestOf(l1)] },
    });
    const p = pack();
    const out = collect(p as AsyncIterable<Uint8Array>);
    const add = (name: string, data?: Uint8Array, extra: object = {}) =>
      new Promise<void>((r, j) =>
        data
          ? p.entry({ name, ...extra }, Buffer.from(data), (e) => (e ? j(e) : r()))
          : p.entry({ name, ...extra }, (e) => (e ? j(e) : r())),
      );
    await add('cfg.json', config);
    await add('l1/layer.tar', await gzip(l1));
    await add('l2/layer.tar', undefined, { type: 'symlink', linkname: '../l1/layer.tar' });
    await add(
      'manifest.json',
      encodeJson([{ Config: 'cfg.json', RepoTags: ['classic:1'], Layers: ['l1/layer.tar', 'l2/layer.tar'] }]),
    );
    p.finalize();
    const b = newStore();
    const [loaded] = await loadImages(b.store, await out);
    expect(loaded!.id).toBe(digestOf(config));
    const img = await b.store.resolve('classic:1');
    expect(img.config.rootfs.diff_ids).toEqual([digestOf(l1), digestOf(l1)]);
    expect(same(await b.store.content.get(img.manifest.layers[0]!.digest), l1)).toBe(true);
  });

  it('a corrupted archive fails with DigestMismatchError and adds no image', async () => {
    const a = newStore();
    const img = await a.store.resolve('hello-world');
    const saved = await saveImagesBytes(a.store, ['hello-world'], { format: 'oci' });
    const files = await entriesOf(saved);
    const bad = new Map(files);
    const hex = img.configDigest.slice(7);
    const cfg = files.get(`blobs/sha256/${hex}`)!;
    bad.set(`blobs/sha256/${hex}`, enc(new TextDecoder().decode(cfg).replace('wasi', 'wasx')));
    const tar = await packArchiveBytes(
      [...bad]
        .filter(([k]) => !k.endsWith('/'))
        .map(([path, data]) => ({ path, type: 'file' as const, data })),
    );
    const b = newStore();
    const err = await loadImages(b.store, tar).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DigestMismatchError);
    expect((err as Error).message).toContain(img.configDigest);
    expect(await b.store.list()).toEqual([]);
    await expect(b.store.resolve(img.id)).rejects.toThrow(NotFoundError);
  });

  it('refuses something that is no image archive', async () => {
    const b = newStore();
    const tar = await packArchiveBytes([{ path: 'hello.txt', type: 'file', data: enc('hi') }]);
    await expect(loadImages(b.store, tar)).rejects.toThrow('not an image archive');
  });
});

describe('import', () => {
  it('turns a rootfs tarball (plain or gzip) into a single-layer image', async () => {
    const s = newStore();
    const tar = await packArchiveBytes([
      { path: 'bin', type: 'directory' },
      { path: 'bin/app.wasm', type: 'file', mode: 0o755, data: enc('\0asm\x01\0\0\0') },
    ]);
    const img = await importRootfs(s.store, await gzip(tar), {
      names: ['imported:v1'],
      changes: { Entrypoint: ['/bin/app.wasm'] },
      message: 'from a tarball',
      created: '2024-05-06T07:08:09Z',
    });
    expect(img.repoTags).toEqual(['imported:v1']);
    expect(img.platform).toBe('wasi/wasm');
    expect(img.config.rootfs.diff_ids).toEqual([digestOf(tar)]);
    expect(img.config.config?.Entrypoint).toEqual(['/bin/app.wasm']);
    expect(img.config.history?.[0]?.comment).toBe('from a tarball');
    await expect(importRootfs(s.store, enc('not a tar at all, clearly not'))).rejects.toThrow(
      'import: not a tar archive',
    );
  });
});

describe('export', () => {
  it('flattens an image filesystem into a tar that import reads back', async () => {
    const { loadLayers } = await import('../../runtime/images/load-layers.ts');
    const { exportRootfs } = await import('../../runtime/archive/export-rootfs.ts');
    const s = newStore();
    const img = await s.store.resolve('hello-world');
    const [layer] = await loadLayers(s.store.content, img);
    const tar = await exportRootfs(layer!);
    const files = await entriesOf(tar);
    const { helloWasm } = await import('./fixtures.ts');
    expect(same(files.get('hello-world.wasm')!, helloWasm())).toBe(true);
    const imported = await importRootfs(s.store, tar, { names: ['exported'] });
    const [again] = await loadLayers(s.store.content, imported);
    expect(again!.lstat('/hello-world.wasm')).toMatchObject({ type: 'file', size: helloWasm().byteLength });
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { readArchive } from '../../runtime/archive/tar-io.ts';
import { ConflictError, DigestMismatchError, NotFoundError } from '../../runtime/errors.ts';
import { digestOf, shortId } from '../../runtime/oci/digest.ts';
import { BUILTIN_CREATED } from '../../runtime/images/builtin-images.ts';
import { same, type TestStore, testStore } from './fixtures.ts';

let t: TestStore;
afterEach(() => t?.cleanup());

describe('ImageStore', () => {
  it('creates hello-world on first use as a proper, deterministic wasm OCI image', async () => {
    t = testStore();
    const img = await t.store.resolve('hello-world');
    expect(img.repoTags).toEqual(['hello-world:latest']);
    expect(img.config.os).toBe('wasi');
    expect(img.config.architecture).toBe('wasm');
    expect(img.config.config?.Entrypoint).toEqual(['/hello-world.wasm']);
    expect(img.created).toBe(BUILTIN_CREATED);
    expect(img.wasm).toBe(true);
    expect(img.platform).toBe('wasi/wasm');
    expect(img.id).toBe(img.configDigest);
    expect(img.manifest.layers).toHaveLength(1);
    const layer = await t.store.content.get(img.manifest.layers[0]!.digest);
    expect(digestOf(layer)).toBe(img.config.rootfs.diff_ids[0]);
    const entries = [];
    for await (const e of readArchive(layer)) entries.push(e);
    expect(entries.map((e) => e.path)).toEqual(['hello-world.wasm']);
    expect(same(entries[0]!.data, (await import('./fixtures.ts')).helloWasm())).toBe(true);

    // Same .wasm, another store: same digests.
    const other = testStore();
    try {
      const again = await other.store.resolve('hello-world:latest');
      expect(again.id).toBe(img.id);
      expect(again.manifestDigest).toBe(img.manifestDigest);
    } finally {
      other.cleanup();
    }
  });

  it('resolves by name, canonical name, id, short id and manifest digest', async () => {
    t = testStore();
    const img = await t.store.resolve('hello-world');
    for (const input of [
      'hello-world:latest',
      'library/hello-world',
      'docker.io/library/hello-world:latest',
      img.id,
      img.manifestDigest,
      shortId(img.id),
      img.id.slice(7, 11),
    ]) {
      expect((await t.store.resolve(input)).id).toBe(img.id);
    }
  });

  it("says Docker's 'No such image' for unknown images", async () => {
    t = testStore();
    const err = await t.store.resolve('nothere').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toBe('No such image: nothere:latest');
    await expect(t.store.resolve('x:v2')).rejects.toThrow('No such image: x:v2');
    await expect(t.store.resolve(`sha256:${'1'.repeat(64)}`)).rejects.toThrow(
      `No such image: sha256:${'1'.repeat(64)}`,
    );
    expect(await t.store.find('hello-world:v9')).toBeUndefined(); // only :latest is built in
  });

  it('a corrupted blob is DigestMismatchError naming it, never silently used', async () => {
    t = testStore();
    const img = await t.store.resolve('hello-world');
    const path = t.store.content.blobPath(img.configDigest);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.replace('wasi', 'wasx'));
    const err = await t.store.resolve('hello-world').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DigestMismatchError);
    expect((err as Error).message).toContain(img.configDigest);
  });

  it('tags, untags and removes like docker tag / rmi', async () => {
    t = testStore();
    const img = await t.store.resolve('hello-world');
    const tagged = await t.store.tag('me/hello:v1', 'hello-world');
    expect(tagged.repoTags).toEqual(['hello-world:latest', 'me/hello:v1']);
    await t.store.tag('localhost:5000/hello', img.id);
    expect((await t.store.resolve('localhost:5000/hello:latest')).id).toBe(img.id);

    expect(await t.store.remove('me/hello:v1')).toEqual([{ Untagged: 'me/hello:v1' }]);
    expect(await t.store.untag('localhost:5000/hello')).toBe(img.manifestDigest);
    await expect(t.store.untag('localhost:5000/hello')).rejects.toThrow(
      'No such image: localhost:5000/hello:latest',
    );

    expect(await t.store.remove('hello-world')).toEqual([
      { Untagged: 'hello-world:latest' },
      { Deleted: img.id },
    ]);
    expect(await t.store.list()).toEqual([]);
    expect(await t.store.content.list()).toEqual([]); // its blobs went with it
  });

  it('refuses to delete by id an image named in several repositories unless forced', async () => {
    t = testStore();
    const img = await t.store.resolve('hello-world');
    await t.store.tag('other/name', 'hello-world');
    const err = await t.store.remove(shortId(img.id)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toBe(
      `conflict: unable to delete ${shortId(img.id)} (must be forced) - image is referenced in multiple repositories`,
    );
    const items = await t.store.remove(shortId(img.id), { force: true });
    expect(items).toEqual([
      { Untagged: 'hello-world:latest' },
      { Untagged: 'other/name:latest' },
      { Deleted: img.id },
    ]);
  });

  it('respects containers using an image', async () => {
    t = testStore();
    const img = await t.store.resolve('hello-world');
    const stopped = { usedBy: () => ({ containerId: 'c0ffee'.repeat(10), running: false }) };
    await expect(t.store.remove('hello-world', stopped)).rejects.toThrow(
      `conflict: unable to remove repository reference "hello-world" (must force) - container c0ffeec0ffee is using its referenced image ${shortId(img.id)}`,
    );
    await expect(t.store.remove(img.id, stopped)).rejects.toThrow(
      'image is being used by stopped container c0ffeec0ffee',
    );
    const running = { usedBy: () => ({ containerId: 'abc', running: true }), force: true };
    await expect(t.store.remove(img.id, running)).rejects.toThrow(
      '(cannot be forced) - image is being used by running container abc',
    );
    // Forced with a stopped user: the name goes, the image stays for its container.
    expect(await t.store.remove('hello-world', { ...stopped, force: true })).toEqual([
      { Untagged: 'hello-world:latest' },
    ]);
    expect((await t.store.resolve(img.id)).repoTags).toEqual([]);
  });

  it('gc deletes unreferenced blobs, sparing recent ones and referenced ones', async () => {
    t = testStore();
    const img = await t.store.resolve('hello-world');
    const stray = await t.store.content.put(new TextEncoder().encode('stray'));
    expect((await t.store.gc()).deleted).toEqual([]); // within the grace period
    const res = await t.store.gc({ graceMs: 0 });
    expect(res.deleted).toEqual([stray]);
    expect(res.reclaimedBytes).toBe(5);
    expect((await t.store.resolve('hello-world')).id).toBe(img.id);
  });

  it('lists from the index alone, fast with 1,000 images', async () => {
    t = testStore();
    const img = await t.store.resolve('hello-world');
    const indexPath = `${t.root}/images.json`;
    const data = JSON.parse(readFileSync(indexPath, 'utf8'));
    const base = data.images[img.manifestDigest];
    for (let i = 0; i < 1000; i++) {
      const md = digestOf(new TextEncoder().encode(`m${i}`));
      data.images[md] = { ...base, manifestDigest: md, id: digestOf(new TextEncoder().encode(`c${i}`)) };
      data.tags[`docker.io/library/app${i}:v${i % 7}`] = md;
    }
    writeFileSync(indexPath, JSON.stringify(data));
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const list = await testStore(t.root).store.list();
      times.push(performance.now() - started);
      expect(list).toHaveLength(1001);
      expect(list.find((s) => s.repoTags.includes('app42:v0'))).toBeDefined();
    }
    expect(Math.min(...times)).toBeLessThan(50); // the CLI's whole `images` budget is 150 ms
  });

  it('opens and resolves a cached image in a few ms', async () => {
    t = testStore();
    await t.store.resolve('hello-world');
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await testStore(t.root).store.resolve('hello-world');
      times.push(performance.now() - started);
    }
    expect(Math.min(...times)).toBeLessThan(10);
  });
});

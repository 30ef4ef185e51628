// Parsed small layers kept between processes (runtime/images/node-layer-cache.ts): a cached
// layer reads the same as a parsed one, a damaged cache file is parsed again, the tar is still
// verified on every load (a corrupt blob fails as before), and copies of removed layers go.
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Layer } from '../../overlay/layer.ts';
import { isFsError } from '../../overlay/types.ts';
import { writeTar } from '../../overlay/tar-write.ts';
import { forgetLayers, loadLayers } from '../../runtime/images/load-layers.ts';
import { NodeLayerCache } from '../../runtime/images/node-layer-cache.ts';
import { type Digest, digestHex, digestOf } from '../../runtime/oci/digest.ts';
import { encodeJson } from '../../runtime/oci/manifest.ts';
import { MediaType } from '../../runtime/oci/media-types.ts';
import { type TestStore, testStore } from './fixtures.ts';

let t: TestStore;
afterEach(() => {
  forgetLayers();
  t?.cleanup();
});
const enc = (s: string) => new TextEncoder().encode(s);

function text(layer: Layer, path: string): string {
  const h = layer.open(path, { read: true });
  if (isFsError(h)) throw h;
  const buf = new Uint8Array(4096);
  const n = h.read(buf, 0);
  h.close();
  if (isFsError(n)) throw n;
  return new TextDecoder().decode(buf.subarray(0, n));
}

async function image(t: TestStore, name: string, files: Record<string, string>) {
  const at = { mode: 0o644, uid: 0, gid: 0, mtimeNs: 1_700_000_000_000_000_000n };
  const tar = await writeTar([
    { ...at, name: 'etc', type: 'dir', mode: 0o755 },
    ...Object.entries(files).map(([name, data]) => ({ ...at, name, type: 'file' as const, data: enc(data) })),
    { ...at, name: 'etc/link', type: 'symlink', linkname: 'greeting' },
  ]);
  const diffId = await t.store.content.put(tar);
  const put = async (v: unknown) => {
    const b = encodeJson(v);
    return { digest: await t.store.content.put(b), size: b.byteLength };
  };
  const config = await put({
    architecture: 'wasm',
    os: 'wasi',
    rootfs: { type: 'layers', diff_ids: [diffId] },
  });
  const manifest = await put({
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, ...config },
    layers: [{ mediaType: MediaType.ociLayer, digest: diffId, size: tar.byteLength }],
  });
  await t.store.addImages([{ digest: manifest.digest, names: [name] }]);
  return { img: await t.store.resolve(name), diffId: diffId as Digest, tar };
}

describe('the layer cache', () => {
  it('keeps a parsed layer; the next process loads it without parsing, reading the same files', async () => {
    t = testStore();
    const cache = new NodeLayerCache(t.root);
    const { img, diffId } = await image(t, 'a:1', { 'etc/greeting': 'hello\n' });
    const [parsed] = await loadLayers(t.store.content, img, cache);
    const file = join(t.root, 'layers', `${digestHex(diffId)}.parsed`);
    expect(existsSync(file)).toBe(true);
    expect(cache.get(diffId)).toBeDefined();

    forgetLayers(); // a new process, as far as loadLayers knows
    const [cached] = await loadLayers(t.store.content, img, cache);
    expect(cached).not.toBe(parsed);
    expect(text(cached!, '/etc/greeting')).toBe('hello\n');
    expect(cached!.readlink('/etc/link')).toBe('greeting');
    expect(cached!.readdir('/etc')).toEqual(parsed!.readdir('/etc'));
  });

  it('a damaged or truncated cache file is parsed again and rewritten', async () => {
    t = testStore();
    const cache = new NodeLayerCache(t.root);
    const { img, diffId } = await image(t, 'a:1', { 'etc/greeting': 'hello\n' });
    await loadLayers(t.store.content, img, cache);
    const file = join(t.root, 'layers', `${digestHex(diffId)}.parsed`);
    const good = readFileSync(file);
    const bad = Buffer.from(good);
    bad[bad.length - 3] ^= 0xff; // inside the file bytes
    writeFileSync(file, bad);
    expect(cache.get(diffId)).toBeUndefined();
    writeFileSync(file, good.subarray(0, good.length - 10));
    expect(cache.get(diffId)).toBeUndefined();
    forgetLayers();
    const [layer] = await loadLayers(t.store.content, img, cache);
    expect(text(layer!, '/etc/greeting')).toBe('hello\n');
    expect(readFileSync(file).equals(good)).toBe(true);
  });

  it('the tar is still verified: a corrupt blob fails even with a good cached parse', async () => {
    t = testStore();
    const cache = new NodeLayerCache(t.root);
    const { img, diffId } = await image(t, 'a:1', { 'etc/greeting': 'hello\n' });
    await loadLayers(t.store.content, img, cache);
    forgetLayers();
    writeFileSync(join(t.root, 'blobs', 'sha256', digestHex(diffId)), 'garbage');
    await expect(loadLayers(t.store.content, img, cache)).rejects.toThrow(/corrupt|digest/i);
  });

  it('copies of layers whose tar was removed go when another is kept', async () => {
    t = testStore();
    const cache = new NodeLayerCache(t.root);
    const a = await image(t, 'a:1', { 'etc/greeting': 'a\n' });
    await loadLayers(t.store.content, a.img, cache);
    rmSync(join(t.root, 'blobs', 'sha256', digestHex(a.diffId)));
    const b = await image(t, 'b:1', { 'etc/greeting': 'b\n' });
    await loadLayers(t.store.content, b.img, cache);
    expect(readdirSync(join(t.root, 'layers'))).toEqual([`${digestHex(b.diffId)}.parsed`]);
    expect(digestOf(b.tar)).toBe(b.diffId);
  });
});

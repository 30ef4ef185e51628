import { afterEach, describe, expect, it } from 'vitest';
import { isFsError } from '../../overlay/types.ts';
import type { Layer } from '../../overlay/layer.ts';
import { packArchiveBytes } from '../../runtime/archive/tar-io.ts';
import { type Digest, digestOf } from '../../runtime/oci/digest.ts';
import { gzip } from '../../runtime/oci/gzip.ts';
import { encodeJson } from '../../runtime/oci/manifest.ts';
import { MediaType } from '../../runtime/oci/media-types.ts';
import { forgetLayers, loadLayers } from '../../runtime/images/load-layers.ts';
import { helloWasm, same, type TestStore, testStore } from './fixtures.ts';

let t: TestStore;
afterEach(() => t?.cleanup());
const enc = (s: string) => new TextEncoder().encode(s);

function readFile(layer: Layer, path: string): Uint8Array {
  const st = layer.lstat(path);
  if (isFsError(st)) throw st;
  const h = layer.open(path, { read: true });
  if (isFsError(h)) throw h;
  const buf = new Uint8Array(st.size);
  const n = h.read(buf, 0);
  h.close();
  if (isFsError(n)) throw n;
  return buf.subarray(0, n);
}

async function putJson(t: TestStore, v: unknown): Promise<{ digest: Digest; size: number }> {
  const b = encodeJson(v);
  return { digest: await t.store.content.put(b), size: b.byteLength };
}

describe('loadLayers', () => {
  it('gunzips a gzip layer once, keeps it by diffID, and shares the Layer', async () => {
    t = testStore();
    const tar = await packArchiveBytes([
      { path: 'etc', type: 'directory' },
      { path: 'etc/greeting', type: 'file', data: enc('hi from a gzip layer\n') },
    ]);
    const gz = await gzip(tar);
    const diffId = digestOf(tar);
    const layerDigest = await t.store.content.put(gz);
    const config = await putJson(t, {
      architecture: 'wasm',
      os: 'wasi',
      rootfs: { type: 'layers', diff_ids: [diffId] },
    });
    const manifest = await putJson(t, {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, ...config },
      layers: [{ mediaType: MediaType.ociLayerGzip, digest: layerDigest, size: gz.byteLength }],
    });
    await t.store.addImages([{ digest: manifest.digest, names: ['gz:1'] }]);
    const img = await t.store.resolve('gz:1');
    expect(await t.store.content.has(diffId)).toBe(false);

    const [layer] = await loadLayers(t.store.content, img);
    expect(new TextDecoder().decode(readFile(layer!, '/etc/greeting'))).toBe('hi from a gzip layer\n');
    expect(await t.store.content.has(diffId)).toBe(true); // unpacked once, kept
    expect((await loadLayers(t.store.content, img))[0]).toBe(layer); // same Layer in this process

    // A new process (no in-memory Layers) needs only the unpacked tar: no gunzip.
    forgetLayers();
    await t.store.content.delete(layerDigest);
    const [again] = await loadLayers(t.store.content, img);
    expect(again).not.toBe(layer);
    expect(new TextDecoder().decode(readFile(again!, '/etc/greeting'))).toBe('hi from a gzip layer\n');
  });

  it('runs the CNCF Wasm OCI artifact as an ordinary wasm image', async () => {
    t = testStore();
    const wasm = helloWasm();
    const wasmDigest = await t.store.content.put(wasm);
    const config = await putJson(t, {
      created: '2024-01-02T03:04:05Z',
      architecture: 'wasm',
      os: 'wasip1',
      layerDigests: [wasmDigest],
    });
    const manifest = await putJson(t, {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      artifactType: MediaType.wasmConfig,
      config: { mediaType: MediaType.wasmConfig, ...config },
      layers: [
        {
          mediaType: MediaType.wasmLayer,
          digest: wasmDigest,
          size: wasm.byteLength,
          annotations: { 'org.opencontainers.image.title': 'greeter.wasm' },
        },
      ],
    });
    await t.store.addImages([{ digest: manifest.digest, names: ['artifact'] }]);
    const img = await t.store.resolve('artifact');
    expect(img.id).toBe(config.digest);
    expect(img.configDigest).not.toBe(config.digest);
    expect(img.wasm).toBe(true);
    expect(img.platform).toBe('wasip1/wasm');
    expect(img.config.config?.Entrypoint).toEqual(['/greeter.wasm']);
    const [layer] = await loadLayers(t.store.content, img);
    expect(same(readFile(layer!, '/greeter.wasm'), wasm)).toBe(true);
  });

  it('picks the wasm manifest of a pulled index and records the repo digest', async () => {
    t = testStore();
    const hello = await t.store.resolve('hello-world');
    const index = await putJson(t, {
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: [
        {
          mediaType: MediaType.ociManifest,
          digest: digestOf(enc('absent')),
          size: 6,
          platform: { os: 'linux', architecture: 'amd64' },
        },
        {
          mediaType: MediaType.ociManifest,
          digest: hello.manifestDigest,
          size: (await t.store.content.size(hello.manifestDigest))!,
          platform: { os: 'wasip1', architecture: 'wasm' },
        },
      ],
    });
    const img = await t.store.tag('127.0.0.1:5000/hello:v1', index.digest, { pulled: true });
    expect(img.manifestDigest).toBe(hello.manifestDigest);
    expect(img.repoDigests).toEqual([`127.0.0.1:5000/hello@${index.digest}`]);
    expect((await t.store.resolve(`127.0.0.1:5000/hello@${index.digest}`)).id).toBe(hello.id);
  });
});

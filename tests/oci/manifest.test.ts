import { describe, expect, it } from 'vitest';
import { InvalidStateError, UnsupportedError } from '../../runtime/errors.ts';
import { gunzip, gzip, isGzip } from '../../runtime/oci/gzip.ts';
import { encodeJson, parseImageConfig, parseManifestDocument } from '../../runtime/oci/manifest.ts';
import { layerCompression, MediaType } from '../../runtime/oci/media-types.ts';

const D = `sha256:${'b'.repeat(64)}`;

describe('manifest documents', () => {
  it('tells an index from a manifest by media type or by shape', () => {
    const idx = encodeJson({
      schemaVersion: 2,
      manifests: [{ mediaType: MediaType.ociManifest, digest: D, size: 3 }],
    });
    expect(parseManifestDocument(idx).kind).toBe('index');
    const list = encodeJson({
      schemaVersion: 2,
      mediaType: MediaType.dockerManifestList,
      manifests: [{ mediaType: MediaType.dockerManifest, digest: D, size: 3 }],
    });
    expect(parseManifestDocument(list).kind).toBe('index');
    const man = encodeJson({
      schemaVersion: 2,
      mediaType: MediaType.dockerManifest,
      config: { mediaType: MediaType.dockerConfig, digest: D, size: 1 },
      layers: [{ mediaType: MediaType.dockerLayerGzip, digest: D, size: 2 }],
    });
    const doc = parseManifestDocument(man);
    expect(doc.kind).toBe('manifest');
    if (doc.kind === 'manifest') expect(doc.manifest.layers[0]!.size).toBe(2);
  });

  it('refuses schema1, bad descriptors and configs without rootfs', () => {
    expect(() =>
      parseManifestDocument(encodeJson({ schemaVersion: 1, mediaType: MediaType.dockerManifestV1Signed })),
    ).toThrow(UnsupportedError);
    expect(() =>
      parseManifestDocument(
        encodeJson({ schemaVersion: 2, config: { mediaType: 'x', digest: 'nope', size: 1 }, layers: [] }),
      ),
    ).toThrow('invalid digest format');
    expect(() => parseManifestDocument(new TextEncoder().encode('{'))).toThrow(InvalidStateError);
    expect(() => parseImageConfig(encodeJson({ os: 'wasi', architecture: 'wasm' }))).toThrow(
      'rootfs.diff_ids',
    );
  });

  it('classifies layer media types and refuses zstd clearly', () => {
    expect(layerCompression(MediaType.ociLayer)).toBe('none');
    expect(layerCompression(MediaType.dockerLayerGzip)).toBe('gzip');
    expect(layerCompression(MediaType.wasmLayer)).toBe('wasm');
    expect(() => layerCompression(MediaType.ociLayerZstd)).toThrow(
      /zstd-compressed layers are not supported/,
    );
  });

  it('gzips and gunzips through the platform streams', async () => {
    const data = new TextEncoder().encode('layer '.repeat(10_000));
    const z = await gzip(data);
    expect(isGzip(z)).toBe(true);
    expect(z.byteLength).toBeLessThan(data.byteLength / 10);
    expect(await gunzip(z)).toEqual(data);
  });
});

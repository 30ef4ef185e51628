// Builds tiny OCI images for registry tests (gzipped tar layers, config, manifest), and OCI image
// layouts on disk that skopeo can copy from.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Digest } from '../../runtime/oci/digest.ts';
import type { Descriptor, ImageIndex, ImageManifest, ImagePlatform } from '../../runtime/oci/manifest.ts';
import { MediaType } from '../../runtime/oci/media-types.ts';

export const sha = (b: Uint8Array): Digest => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const utf8 = (s: string) => new TextEncoder().encode(s);

/** A ustar archive of regular files (enough for layers; 512-byte headers, zero padding). */
export function tarOf(files: Record<string, Uint8Array | string>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = typeof content === 'string' ? utf8(content) : content;
    const h = new Uint8Array(512);
    const put = (s: string, off: number, len: number) => h.set(utf8(s).subarray(0, len), off);
    put(name, 0, 100);
    put('0000644\0', 100, 8);
    put('0000000\0', 108, 8);
    put('0000000\0', 116, 8);
    put(`${data.byteLength.toString(8).padStart(11, '0')}\0`, 124, 12);
    put('00000000000\0', 136, 12);
    put('        ', 148, 8);
    put('0', 156, 1);
    put('ustar\0', 257, 6);
    put('00', 263, 2);
    let sum = 0;
    for (const b of h) sum += b;
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
    parts.push(h, data, new Uint8Array((512 - (data.byteLength % 512)) % 512));
  }
  parts.push(new Uint8Array(1024));
  return Buffer.concat(parts);
}

export interface BuiltImage {
  readonly manifest: ImageManifest;
  readonly manifestBytes: Uint8Array;
  readonly manifestDigest: Digest;
  readonly configBytes: Uint8Array;
  /** Every blob (config and layers) by digest. */
  readonly blobs: Map<Digest, Uint8Array>;
  readonly platform: ImagePlatform;
}

export interface ImageSpec {
  platform?: ImagePlatform;
  /** One layer per entry; each a file map. */
  layers?: Record<string, Uint8Array | string>[];
  /** Adds a random-content file of this many bytes to each layer (incompressible). */
  randomBytesPerLayer?: number;
  docker?: boolean;
  cmd?: string[];
}

export function buildImage(spec: ImageSpec = {}): BuiltImage {
  const platform = spec.platform ?? { os: 'wasi', architecture: 'wasm' };
  const layerSpecs = spec.layers ?? [{ 'hello.txt': `hello ${randomBytes(4).toString('hex')}\n` }];
  const blobs = new Map<Digest, Uint8Array>();
  const layers: Descriptor[] = [];
  const diffIds: Digest[] = [];
  for (const files of layerSpecs) {
    const all = { ...files };
    if (spec.randomBytesPerLayer) all['random.bin'] = randomBytes(spec.randomBytesPerLayer);
    const tar = tarOf(all);
    const gz = new Uint8Array(gzipSync(tar, { level: 1 }));
    diffIds.push(sha(tar));
    blobs.set(sha(gz), gz);
    layers.push({
      mediaType: spec.docker ? MediaType.dockerLayerGzip : MediaType.ociLayerGzip,
      digest: sha(gz),
      size: gz.byteLength,
    });
  }
  const config = {
    created: '2024-01-01T00:00:00Z',
    architecture: platform.architecture,
    os: platform.os,
    config: { Cmd: spec.cmd ?? ['/hello.wasm'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
  };
  const configBytes = utf8(JSON.stringify(config));
  blobs.set(sha(configBytes), configBytes);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: spec.docker ? MediaType.dockerManifest : MediaType.ociManifest,
    config: {
      mediaType: spec.docker ? MediaType.dockerConfig : MediaType.ociConfig,
      digest: sha(configBytes),
      size: configBytes.byteLength,
    },
    layers,
  };
  const manifestBytes = utf8(JSON.stringify(manifest));
  return { manifest, manifestBytes, manifestDigest: sha(manifestBytes), configBytes, blobs, platform };
}

export function indexOf(images: BuiltImage[]): { index: ImageIndex; bytes: Uint8Array; digest: Digest } {
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: images.map((img) => ({
      mediaType: MediaType.ociManifest,
      digest: img.manifestDigest,
      size: img.manifestBytes.byteLength,
      platform: img.platform,
    })),
  };
  const bytes = utf8(JSON.stringify(index));
  return { index, bytes, digest: sha(bytes) };
}

/**
 * Writes an OCI image layout with one top-level entry tagged `tag`: either a single image or an
 * index over several (skopeo copies either with `oci:DIR:TAG`).
 */
export function writeOciLayout(
  dir: string,
  tag: string,
  images: BuiltImage[],
  asIndex = images.length > 1,
): void {
  const blobDir = join(dir, 'blobs', 'sha256');
  mkdirSync(blobDir, { recursive: true });
  const write = (b: Uint8Array) => writeFileSync(join(blobDir, sha(b).slice(7)), b);
  for (const img of images) {
    for (const b of img.blobs.values()) write(b);
    write(img.manifestBytes);
  }
  let top: Descriptor;
  if (asIndex) {
    const idx = indexOf(images);
    write(idx.bytes);
    top = { mediaType: MediaType.ociIndex, digest: idx.digest, size: idx.bytes.byteLength };
  } else {
    const img = images[0]!;
    top = {
      mediaType: MediaType.ociManifest,
      digest: img.manifestDigest,
      size: img.manifestBytes.byteLength,
    };
  }
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const entry = { ...top, annotations: { 'org.opencontainers.image.ref.name': tag } };
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [entry] }));
}

// A new image from layer tars and a config, on top of an optional base image: what `commit`,
// `build` and `import` produce. Layers are stored uncompressed (their digest is their diffID), so
// nothing is ever gunzipped to run them; `push` may compress.

import { encodeJson, type ImageConfig, type ImageManifest, type Descriptor } from '../oci/manifest.ts';
import { digestOf, type Digest } from '../oci/digest.ts';
import { MediaType } from '../oci/media-types.ts';
import type { ImageRecord } from './image-record.ts';
import type { ImageStore } from './image-store.ts';

export interface CreateImageOptions {
  base?: ImageRecord;
  /** Uncompressed layer tars to add on top of the base, bottom first. */
  layers: Uint8Array[];
  /** The new config; `rootfs` is computed (base diff_ids + the new layers'). */
  config: Omit<ImageConfig, 'rootfs'> & { rootfs?: ImageConfig['rootfs'] };
  /** Names to tag it with. */
  names?: string[];
}

const OCI_LAYER_TYPE: Record<string, string> = {
  [MediaType.dockerLayer]: MediaType.ociLayer,
  [MediaType.dockerLayerGzip]: MediaType.ociLayerGzip,
};

export async function createImage(store: ImageStore, options: CreateImageOptions): Promise<ImageRecord> {
  const layers: Descriptor[] = (options.base?.manifest.layers ?? []).map((l) => ({
    mediaType: OCI_LAYER_TYPE[l.mediaType] ?? l.mediaType,
    digest: l.digest,
    size: l.size,
  }));
  const diffIds: Digest[] = [...(options.base?.config.rootfs.diff_ids ?? [])];
  for (const tar of options.layers) {
    const digest = await store.content.put(tar);
    layers.push({ mediaType: MediaType.ociLayer, digest, size: tar.byteLength });
    diffIds.push(digest);
  }
  const { rootfs: _ignored, ...rest } = options.config;
  const config: ImageConfig = { ...rest, rootfs: { type: 'layers', diff_ids: diffIds } };
  const configBytes = encodeJson(config);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: digestOf(configBytes), size: configBytes.byteLength },
    layers,
  };
  const manifestBytes = encodeJson(manifest);
  await store.content.put(configBytes);
  const manifestDigest = await store.content.put(manifestBytes);
  await store.addImages([{ digest: manifestDigest, names: options.names ?? [] }]);
  return store.resolve(manifestDigest);
}

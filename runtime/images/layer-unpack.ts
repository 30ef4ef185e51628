// A layer as an uncompressed tar, stored once in the content store under its diffID and shared
// by every image that has it. A gzip layer is decompressed the first time only; later runs read
// the tar directly (one file read + hash, no gunzip on the hot path).

import type { ContentStore } from '../content/content-store.ts';
import { DigestMismatchError, NotFoundError } from '../errors.ts';
import { type Digest, digestOf } from '../oci/digest.ts';
import { gunzip } from '../oci/gzip.ts';
import type { Descriptor } from '../oci/manifest.ts';
import { layerCompression } from '../oci/media-types.ts';
import { wasmLayerTar } from './wasm-artifact-image.ts';

export async function uncompressedLayer(
  content: ContentStore,
  layer: Descriptor,
  diffId: Digest,
  position: number,
): Promise<Uint8Array> {
  try {
    return await content.get(diffId);
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
  }
  const kind = layerCompression(layer.mediaType);
  const blob = await content.get(layer.digest);
  const tar =
    kind === 'gzip' ? await gunzip(blob) : kind === 'wasm' ? await wasmLayerTar(layer, position, blob) : blob;
  const actual = digestOf(tar);
  if (actual !== diffId)
    throw new DigestMismatchError(diffId, actual, { what: `uncompressed layer ${layer.digest}` });
  if (kind !== 'none') await content.put(tar, diffId);
  return tar;
}

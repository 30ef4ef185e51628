// The manifest a Docker 25 archive carries: the archive holds every layer once, uncompressed, under
// its diffID (so Docker's manifest.json and the OCI layout share the blobs), so the OCI manifest
// in it must point at those tars. A stored manifest that already does is written as it is (its
// digest survives); one with gzip (or Wasm artifact) layers gets a derived manifest over the same
// config. Derivation is deterministic, so save -> load -> save gives the same bytes.

import { type Digest, digestOf } from '../oci/digest.ts';
import { type Descriptor, encodeJson, type ImageManifest } from '../oci/manifest.ts';
import { MediaType } from '../oci/media-types.ts';
import type { ImageRecord } from '../images/image-record.ts';
import type { ImageStore } from '../images/image-store.ts';
import { uncompressedLayer } from '../images/layer-unpack.ts';

export interface ArchiveManifest {
  descriptor: Descriptor;
  /** The manifest bytes (the stored blob when reused, else the derived document). */
  bytes: Uint8Array;
}

/** True when the stored manifest is OCI over exactly the uncompressed diffID tars and the config. */
function pointsAtUncompressedLayers(record: ImageRecord): boolean {
  const m = record.manifest;
  const diffIds = record.config.rootfs.diff_ids;
  return (
    (m.mediaType ?? MediaType.ociManifest) === MediaType.ociManifest &&
    m.config.digest === record.configDigest &&
    m.layers.length === diffIds.length &&
    m.layers.every((l, i) => l.mediaType === MediaType.ociLayer && l.digest === diffIds[i])
  );
}

/** Size of a layer's uncompressed tar; decompresses (and caches under the diffID) when needed. */
async function uncompressedSize(store: ImageStore, layer: Descriptor, diffId: Digest, i: number) {
  return (
    (await store.content.size(diffId)) ??
    (await uncompressedLayer(store.content, layer, diffId, i)).byteLength
  );
}

export async function archiveManifest(store: ImageStore, record: ImageRecord): Promise<ArchiveManifest> {
  if (pointsAtUncompressedLayers(record)) {
    const bytes = await store.content.get(record.manifestDigest);
    return {
      descriptor: { mediaType: MediaType.ociManifest, digest: record.manifestDigest, size: bytes.byteLength },
      bytes,
    };
  }
  const layers: Descriptor[] = [];
  for (const [i, diffId] of record.config.rootfs.diff_ids.entries()) {
    const size = await uncompressedSize(store, record.manifest.layers[i]!, diffId, i);
    layers.push({ mediaType: MediaType.ociLayer, digest: diffId, size });
  }
  const configSize =
    (await store.content.size(record.configDigest)) ??
    (await store.content.get(record.configDigest)).byteLength;
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: record.configDigest, size: configSize },
    layers,
  };
  if (record.manifest.annotations) manifest.annotations = record.manifest.annotations;
  const bytes = encodeJson(manifest);
  return {
    descriptor: { mediaType: MediaType.ociManifest, digest: digestOf(bytes), size: bytes.byteLength },
    bytes,
  };
}

// An image's layers as overlay Layers, built once per diffID per process and shared by every
// container of every image that has that layer.

import { Layer } from '../../overlay/layer.ts';
import type { ContentStore } from '../content/content-store.ts';
import type { Digest } from '../oci/digest.ts';
import type { ImageRecord } from './image-record.ts';
import { uncompressedLayer } from './layer-unpack.ts';

const built = new Map<Digest, Promise<Layer>>();

/** Bottom layer first, as UnionFs wants them. */
export function loadLayers(content: ContentStore, image: ImageRecord): Promise<Layer[]> {
  const diffIds = image.config.rootfs.diff_ids;
  return Promise.all(
    image.manifest.layers.map((layer, i) => {
      const diffId = diffIds[i]!;
      let layerPromise = built.get(diffId);
      if (!layerPromise) {
        layerPromise = uncompressedLayer(content, layer, diffId, i).then((tar) => Layer.fromTar(tar));
        layerPromise.catch(() => built.delete(diffId));
        built.set(diffId, layerPromise);
      }
      return layerPromise;
    }),
  );
}

/** Drops cached Layers (after rmi in a long-running engine). */
export function forgetLayers(diffIds?: Iterable<Digest>): void {
  if (!diffIds) built.clear();
  else for (const d of diffIds) built.delete(d);
}

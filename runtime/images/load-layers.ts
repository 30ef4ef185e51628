// An image's layers as overlay Layers, built once per diffID per process and shared by every
// container of every image that has that layer.

import { Layer } from '../../overlay/layer.ts';
import type { ContentStore } from '../content/content-store.ts';
import type { Digest } from '../oci/digest.ts';
import type { ImageRecord } from './image-record.ts';
import { LAYER_CACHE_MAX, type LayerCache } from './layer-cache.ts';
import { uncompressedLayer } from './layer-unpack.ts';

const built = new Map<Digest, Promise<Layer>>();

/**
 * Bottom layer first, as UnionFs wants them. The tar of each is read and verified every time;
 * a small one's parse comes from `cache` when it has it (runtime/images/layer-cache.ts).
 */
export function loadLayers(content: ContentStore, image: ImageRecord, cache?: LayerCache): Promise<Layer[]> {
  const diffIds = image.config.rootfs.diff_ids;
  return Promise.all(
    image.manifest.layers.map((layer, i) => {
      const diffId = diffIds[i]!;
      let layerPromise = built.get(diffId);
      if (!layerPromise) {
        layerPromise = uncompressedLayer(content, layer, diffId, i).then(async (tar) => {
          if (!cache || tar.length > LAYER_CACHE_MAX) return Layer.fromTar(tar);
          const kept = cache.get(diffId);
          if (kept) return Layer.fromTransfer(kept);
          const parsed = await Layer.fromTar(tar);
          cache.put(diffId, parsed.transfer());
          return parsed;
        });
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

// Parsed layers kept between processes. Parsing a layer tar (tar-stream, then the binary index of
// overlay/layer-build.ts) is most of what loading a small layer costs a cold `berth run`; the
// parsed form (index + file bytes, overlay's LayerTransfer) loads with two reads. The tar itself
// is still read and verified by its digest on every load (runtime/images/load-layers.ts): the
// cache only saves the parse, so a corrupt blob in the store is seen as before.

import type { LayerTransfer } from '../../overlay/layer.ts';
import type { Digest } from '../oci/digest.ts';

export interface LayerCache {
  /** The layer parsed from the tar whose digest is `diffId`, if kept and intact. */
  get(diffId: Digest): LayerTransfer | undefined;
  /** Keeps it (best effort: a cache that cannot be written is no error). */
  put(diffId: Digest, layer: LayerTransfer): void;
}

/** Layers up to this many tar bytes are cached: the copy on disk is a small price for them. */
export const LAYER_CACHE_MAX = 1024 * 1024;

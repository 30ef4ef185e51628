// The engine's view of the image store: records in Docker's terms (history, sizes) plus the
// operations containers need (layers to mount, commit). Blob layout stays in runtime/images.

import type { Layer } from '../../overlay/layer.ts';
import type { Digest } from '../oci/digest.ts';
import type { HistoryEntry, ImageConfig } from '../oci/manifest.ts';
import { createImage } from '../images/image-create.ts';
import type { ImageRecord } from '../images/image-record.ts';
import type { ImageDeleteItem, ImageStore, ImageUser } from '../images/image-store.ts';
import type { LayerCache } from '../images/layer-cache.ts';
import { loadLayers } from '../images/load-layers.ts';

export interface EngineImage {
  /** Config digest, `sha256:…` (Docker's image ID). */
  id: string;
  repoTags: string[];
  repoDigests: string[];
  config: ImageConfig;
  created: string;
  size: number;
  history: HistoryEntry[];
  /** Layer blob sizes, bottom first (for `history`). */
  layerSizes: number[];
  wasm: boolean;
  platform: string;
  record: ImageRecord;
}

const toEngineImage = (r: ImageRecord): EngineImage => ({
  id: r.id,
  repoTags: r.repoTags,
  repoDigests: r.repoDigests,
  config: r.config,
  created: r.created ?? r.config.created ?? '1970-01-01T00:00:00Z',
  size: r.size,
  history: r.config.history ?? [],
  layerSizes: r.manifest.layers.map((l) => l.size),
  wasm: r.wasm,
  platform: r.platform,
  record: r,
});

export class EngineImages {
  constructor(
    readonly store: ImageStore,
    /** Parsed small layers kept between processes (Node: <root>/layers). */
    private readonly layerCache?: LayerCache,
  ) {}

  async resolve(ref: string): Promise<EngineImage | undefined> {
    const r = await this.store.find(ref);
    return r ? toEngineImage(r) : undefined;
  }

  /** Summaries are enough for `images`; records are read only when asked. */
  list() {
    return this.store.list();
  }

  layers(image: EngineImage): Promise<Layer[]> {
    return loadLayers(this.store.content, image.record, this.layerCache);
  }

  async tag(target: string, source: string): Promise<void> {
    await this.store.tag(target, source);
  }

  remove(
    ref: string,
    force: boolean,
    usedBy: (id: Digest) => Promise<ImageUser | undefined>,
  ): Promise<ImageDeleteItem[]> {
    return this.store.remove(ref, { force, usedBy });
  }

  async create(
    base: EngineImage | undefined,
    layers: Uint8Array[],
    config: ImageConfig,
    tag: string | undefined,
  ): Promise<EngineImage> {
    const record = await createImage(this.store, {
      ...(base ? { base: base.record } : {}),
      layers,
      config,
      ...(tag ? { names: [tag] } : {}),
    });
    return toEngineImage(record);
  }
}

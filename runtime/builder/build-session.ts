// What every step of one build shares: the stores, the cache, the process launcher, vertex
// numbering for progress, and Layers built once per diffID (a step reads its parent's tree).

import { Layer } from '../../overlay/layer.ts';
import type { ProcessLauncher } from '../engine/process-launcher.ts';
import type { ImageRecord } from '../images/image-record.ts';
import type { ImageStore } from '../images/image-store.ts';
import { uncompressedLayer } from '../images/layer-unpack.ts';
import { type ContainerFs, openContainerFs } from '../containers/container-fs.ts';
import type { Digest } from '../oci/digest.ts';
import { gzip } from '../oci/gzip.ts';
import { digestOf } from '../oci/digest.ts';
import { MediaType } from '../oci/media-types.ts';
import type { BuildCache, BuildLayer } from './build-cache.ts';
import type { ProgressSink } from './progress.ts';

export interface BuildDeps {
  images: ImageStore;
  cache: BuildCache;
  launch: ProcessLauncher;
  /** Fetches a registry image for FROM (runtime/registry); absent: only local images. */
  pull?: (ref: string) => Promise<ImageRecord>;
  now(): number;
}

export class BuildSession {
  private vertex = 0;
  private readonly layerCache = new Map<Digest, Promise<Layer>>();
  cachedSteps = 0;
  executedSteps = 0;

  constructor(
    readonly deps: BuildDeps,
    readonly progress: ProgressSink,
    readonly noCache: boolean,
  ) {}

  nextVertex(): number {
    return ++this.vertex;
  }

  now(): number {
    return this.deps.now();
  }

  /** Runs `work` as a progress vertex: start, then done or error (rethrown). */
  async vertexed<T>(name: string, work: (id: number) => Promise<T>): Promise<T> {
    const id = this.nextVertex();
    this.progress({ type: 'start', id, name, at: this.now() });
    try {
      const out = await work(id);
      this.progress({ type: 'done', id, at: this.now() });
      return out;
    } catch (e) {
      this.progress({ type: 'error', id, at: this.now(), message: (e as Error).message });
      throw e;
    }
  }

  private async layerTar(l: BuildLayer, position: number): Promise<Uint8Array> {
    const { blobs } = this.deps.cache;
    if (await blobs.has(l.diffId)) return blobs.get(l.diffId);
    if (await blobs.has(l.digest)) {
      const { gunzip } = await import('../oci/gzip.ts');
      return gunzip(await blobs.get(l.digest));
    }
    return uncompressedLayer(
      this.deps.images.content,
      { mediaType: l.mediaType, digest: l.digest, size: l.size },
      l.diffId,
      position,
    );
  }

  layers(list: BuildLayer[]): Promise<Layer[]> {
    return Promise.all(
      list.map((l, i) => {
        let p = this.layerCache.get(l.diffId);
        if (!p) {
          p = this.layerTar(l, i).then((tar) => Layer.fromTar(tar));
          this.layerCache.set(l.diffId, p);
        }
        return p;
      }),
    );
  }

  async openFs(list: BuildLayer[]): Promise<ContainerFs> {
    return openContainerFs(await this.layers(list), undefined);
  }

  /** Stores a step's layer tar (and its gzip) in the build cache; returns its descriptor. */
  async storeLayer(tar: Uint8Array): Promise<BuildLayer> {
    const { blobs } = this.deps.cache;
    const diffId = await blobs.put(tar);
    const gz = await gzip(tar);
    const digest = await blobs.put(gz);
    this.layerCache.set(diffId, Layer.fromTar(tar));
    return {
      mediaType: MediaType.ociLayerGzip,
      digest,
      size: gz.byteLength,
      diffId: diffId ?? digestOf(tar),
    };
  }
}

// The image index: which images the store holds and which names point at them. It is one small
// JSON document so opening the store is one read; records carry what `images` lists, so listing
// never opens a manifest. Implementations persist it atomically (node-image-index.ts) or keep it
// in memory (MemoryImageIndex).

import type { Digest } from '../oci/digest.ts';

export interface StoredImage {
  /** Config digest of the image as distributed: Docker's image ID. */
  id: Digest;
  manifestDigest: Digest;
  manifestMediaType: string;
  /** Config to run: `id`, or berth's OCI rendering of a CNCF Wasm artifact's config. */
  configDigest: Digest;
  /** Layer blobs as in the manifest. */
  layers: Digest[];
  /** Uncompressed layer tars (also blobs): what containers mount. */
  diffIds: Digest[];
  /** Other blobs this image keeps alive (index it was pulled through, rendered config). */
  extraBlobs: Digest[];
  /** Canonical `registry/repo@digest` names from pulls. */
  repoDigests: string[];
  created?: string;
  /** Bytes of the layers, uncompressed where known. */
  size: number;
  /** `os/arch[/variant]` */
  platform: string;
  wasm: boolean;
}

export interface ImageIndexData {
  version: 1;
  /** By manifest digest. */
  images: Record<string, StoredImage>;
  /** Canonical `registry/repo:tag` -> manifest digest. */
  tags: Record<string, Digest>;
}

export function emptyIndex(): ImageIndexData {
  return { version: 1, images: {}, tags: {} };
}

export interface ImageIndexStorage {
  /** A snapshot (never half-written: writers replace it atomically). */
  read(): Promise<ImageIndexData>;
  /**
   * Read-modify-write under the store lock: `fn` mutates a fresh copy; the result is persisted in
   * one atomic write if it changed. `afterWrite` runs still holding the lock (blob deletion, which
   * must not race with another process adding an image that shares those blobs).
   */
  update<T>(
    fn: (data: ImageIndexData) => T | Promise<T>,
    afterWrite?: (result: T) => Promise<void>,
  ): Promise<T>;
}

/** Blobs an image needs: manifest, configs, layers, diff tars and extras. */
export function imageBlobs(img: StoredImage): Digest[] {
  return [img.manifestDigest, img.id, img.configDigest, ...img.layers, ...img.diffIds, ...img.extraBlobs];
}

export class MemoryImageIndex implements ImageIndexStorage {
  private text = JSON.stringify(emptyIndex());
  private queue: Promise<unknown> = Promise.resolve();

  async read(): Promise<ImageIndexData> {
    return JSON.parse(this.text) as ImageIndexData;
  }

  update<T>(
    fn: (data: ImageIndexData) => T | Promise<T>,
    afterWrite?: (result: T) => Promise<void>,
  ): Promise<T> {
    const run = async () => {
      const data = JSON.parse(this.text) as ImageIndexData;
      const result = await fn(data);
      this.text = JSON.stringify(data);
      await afterWrite?.(result);
      return result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return next;
  }
}

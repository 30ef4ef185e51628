// The build cache: every step's result (the image config and layer list after it) under a key
// made of its parent's key, the instruction as expanded, and the digest of the files it copies.
// An unchanged rebuild finds every key and reuses the configs byte for byte, so it produces the
// same image ID; a change misses from its step on. Layer blobs of build steps live in the cache's
// own blob store until an image is tagged, so a failed build leaves nothing in the image store.

import type { ContentStore } from '../content/content-store.ts';
import { createSha256, type Digest } from '../oci/digest.ts';
import type { ImageConfig } from '../oci/manifest.ts';

/** One layer of a build state: the gzip blob the manifest names and the tar it holds. */
export interface BuildLayer {
  mediaType: string;
  /** The blob's digest (gzip or, for base layers, whatever the base image has). */
  digest: Digest;
  size: number;
  diffId: Digest;
}

export interface CacheEntry {
  config: ImageConfig;
  layers: BuildLayer[];
}

export interface BuildCache {
  /** Blobs of build-step layers: gzip layer and uncompressed tar (by diffID). */
  readonly blobs: ContentStore;
  get(key: string): Promise<CacheEntry | undefined>;
  put(key: string, entry: CacheEntry): Promise<void>;
}

export function cacheKey(parts: readonly string[]): string {
  const h = createSha256();
  h.update(new TextEncoder().encode(JSON.stringify(parts)));
  return h.hex();
}

export class MemoryBuildCache implements BuildCache {
  private readonly entries = new Map<string, string>();
  constructor(readonly blobs: ContentStore) {}
  async get(key: string): Promise<CacheEntry | undefined> {
    const text = this.entries.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as CacheEntry);
  }
  async put(key: string, entry: CacheEntry): Promise<void> {
    this.entries.set(key, JSON.stringify(entry));
  }
}

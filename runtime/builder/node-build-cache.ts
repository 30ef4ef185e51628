// The build cache on disk, beside the image store: <root>/builder/blobs (a content store of
// build-step layers) and <root>/builder/cache/<key>.json (one result per step, written atomically).

import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../content/node-atomic-file.ts';
import { NodeContentStore } from '../content/node-content-store.ts';
import type { BuildCache, CacheEntry } from './build-cache.ts';

export class NodeBuildCache implements BuildCache {
  readonly blobs: NodeContentStore;
  private readonly dir: string;
  private ready: Promise<unknown> | undefined;

  constructor(berthRoot: string) {
    this.blobs = new NodeContentStore(join(berthRoot, 'builder'));
    this.dir = join(berthRoot, 'builder', 'cache');
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    try {
      // Sync: a cached rebuild reads one small file per step, and libuv's pool costs more.
      return JSON.parse(readFileSync(join(this.dir, `${key}.json`), 'utf8')) as CacheEntry;
    } catch {
      return undefined;
    }
  }

  async put(key: string, entry: CacheEntry): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true });
    await this.ready;
    await writeFileAtomic(
      join(this.dir, `${key}.json`),
      new TextEncoder().encode(JSON.stringify(entry)),
      this.dir,
      key,
    );
  }
}

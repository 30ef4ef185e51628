// The build cache on disk, beside the image store: <root>/builder/blobs (a content store of
// build-step layers) and <root>/builder/cache/<key>.json (one result per step, written atomically).

import { readFileSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
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

  /**
   * `builder prune`: every cached step, then the layers they kept (entries first, so no entry is
   * ever left naming a layer that is gone). Returns the step keys and the bytes freed.
   */
  async prune(): Promise<{ keys: string[]; bytes: number }> {
    const root = join(this.dir, '..');
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const keys = names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5));
    const bytes = await sizeOf(root);
    await rm(this.dir, { recursive: true, force: true });
    await rm(root, { recursive: true, force: true });
    this.ready = undefined;
    return { keys, bytes };
  }
}

async function sizeOf(path: string): Promise<number> {
  const st = await stat(path).catch(() => undefined);
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const name of await readdir(path)) total += await sizeOf(join(path, name));
  return total;
}

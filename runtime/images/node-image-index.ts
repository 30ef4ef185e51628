// The image index on disk: <root>/images.json, replaced atomically (temp + fsync + rename) under
// <root>/images.lock. Readers take no lock: rename guarantees they see a whole old or new file.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../content/node-atomic-file.ts';
import { withLock } from '../content/node-file-lock.ts';
import { InvalidStateError } from '../errors.ts';
import { emptyIndex, type ImageIndexData, type ImageIndexStorage } from './image-index.ts';

export class NodeImageIndex implements ImageIndexStorage {
  readonly path: string;
  private readonly lockPath: string;
  private readonly tmpDir: string;

  constructor(readonly root: string) {
    this.path = join(root, 'images.json');
    this.lockPath = join(root, 'images.lock');
    this.tmpDir = join(root, 'tmp');
  }

  private async readText(): Promise<string | undefined> {
    try {
      // Sync: one small file, read first thing by every command; avoids spinning up the thread pool.
      return readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  private parse(text: string | undefined): ImageIndexData {
    if (text === undefined) return emptyIndex();
    try {
      const data = JSON.parse(text) as ImageIndexData;
      if (data.version !== 1 || typeof data.images !== 'object' || typeof data.tags !== 'object')
        throw new Error();
      return data;
    } catch (cause) {
      throw new InvalidStateError(`image index ${this.path} is unreadable`, { cause });
    }
  }

  async read(): Promise<ImageIndexData> {
    return this.parse(await this.readText());
  }

  async update<T>(
    fn: (data: ImageIndexData) => T | Promise<T>,
    afterWrite?: (result: T) => Promise<void>,
  ): Promise<T> {
    // Sync: microseconds, where the thread pool may be busy with a pull's fsyncs.
    mkdirSync(this.tmpDir, { recursive: true });
    return withLock(this.lockPath, async () => {
      const before = await this.readText();
      const data = this.parse(before);
      const result = await fn(data);
      const after = JSON.stringify(data);
      if (after !== before)
        await writeFileAtomic(this.path, new TextEncoder().encode(after), this.tmpDir, 'images.json');
      await afterWrite?.(result);
      return result;
    });
  }
}

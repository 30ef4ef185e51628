// Reads built-in images' .wasm from the package's images/ folder. The package root is found by
// walking up from this module (works from the source tree and from the dist/ bundle alike) to
// the package.json named "berth"; BERTH_IMAGES_DIR overrides it.

import { existsSync, promises as fsp, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuiltinImageSource, isBuiltinImageName } from './builtin-images.ts';

let packageRootCache: string | undefined;

export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  if (packageRootCache) return packageRootCache;
  let dir = dirname(from);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'berth') {
          return (packageRootCache = dir);
        }
      } catch {
        // not ours; keep walking
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`berth: cannot find the package root above ${from}`);
    dir = up;
  }
}

export class NodeBuiltinImageSource implements BuiltinImageSource {
  private dirCache: string | undefined;
  /** `dir` defaults to <package root>/images, found lazily: resolving a cached image never looks. */
  constructor(dir?: string) {
    this.dirCache = dir;
  }

  get dir(): string {
    this.dirCache ??= process.env.BERTH_IMAGES_DIR || join(packageRoot(), 'images');
    return this.dirCache;
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    if (!isBuiltinImageName(name)) return undefined;
    try {
      return await fsp.readFile(join(this.dir, name, `${name}.wasm`));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }
}

// Test fixtures for the image store: a throwaway store root, and the hello-world wasm (the real
// one from images/ when built, else a tiny stand-in compiled here).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageStore } from '../../runtime/images/image-store.ts';
import { NodeBuiltinImageSource, packageRoot } from '../../runtime/images/node-builtin-images.ts';
import { NodeImageIndex } from '../../runtime/images/node-image-index.ts';
import { NodeContentStore } from '../../runtime/content/node-content-store.ts';

let helloCache: Uint8Array | undefined;

export function helloWasm(): Uint8Array {
  if (helloCache) return helloCache;
  const shipped = join(packageRoot(), 'images', 'hello-world', 'hello-world.wasm');
  if (existsSync(shipped)) return (helloCache = readFileSync(shipped));
  const dir = mkdtempSync(join(tmpdir(), 'berth-hello-'));
  writeFileSync(
    join(dir, 'hello.c'),
    '#include <stdio.h>\nint main(void){puts("Hello from berth!");return 0;}\n',
  );
  execFileSync('clang', [
    '--target=wasm32-wasi',
    '-O2',
    '-Wl,--strip-all',
    join(dir, 'hello.c'),
    '-o',
    join(dir, 'h.wasm'),
  ]);
  helloCache = readFileSync(join(dir, 'h.wasm'));
  rmSync(dir, { recursive: true, force: true });
  return helloCache;
}

export interface TestStore {
  root: string;
  store: ImageStore & { content: NodeContentStore };
  cleanup(): void;
}

/** A store in a temp root whose built-in images come from a temp images/ dir with hello-world. */
export function testStore(root = mkdtempSync(join(tmpdir(), 'berth-store-'))): TestStore {
  const imagesDir = join(root, '..', `${root.split('/').pop()}-images`);
  mkdirSync(join(imagesDir, 'hello-world'), { recursive: true });
  writeFileSync(join(imagesDir, 'hello-world', 'hello-world.wasm'), helloWasm());
  const content = new NodeContentStore(root);
  const store = new ImageStore(content, new NodeImageIndex(root), {
    builtins: new NodeBuiltinImageSource(imagesDir),
  }) as ImageStore & { content: NodeContentStore };
  return {
    root,
    store,
    cleanup() {
      rmSync(root, { recursive: true, force: true });
      rmSync(imagesDir, { recursive: true, force: true });
    },
  };
}

export const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

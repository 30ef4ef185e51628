// The image store on disk, wired: blobs + index under the berth root, built-in images from the
// package's images/ folder. Opening does no I/O; the first resolve reads one small JSON file.

import { NodeContentStore } from '../content/node-content-store.ts';
import { berthRoot } from '../content/node-store-root.ts';
import { ImageStore } from './image-store.ts';
import { NodeBuiltinImageSource } from './node-builtin-images.ts';
import { NodeImageIndex } from './node-image-index.ts';

export interface NodeImageStore extends ImageStore {
  readonly content: NodeContentStore;
}

export function openNodeImageStore(
  root: string = berthRoot(),
  options: { builtins?: boolean } = {},
): NodeImageStore {
  const content = new NodeContentStore(root);
  const builtins = options.builtins === false ? undefined : new NodeBuiltinImageSource();
  return new ImageStore(content, new NodeImageIndex(root), { builtins }) as NodeImageStore;
}

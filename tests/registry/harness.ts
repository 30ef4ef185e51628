// Shared set-up for registry tests: a RegistryContext over the real Node fetcher (no proxy
// variables leak in from the environment), and stores seeded with built images.
import type { CredentialStore } from '../../runtime/config/auth-config.ts';
import type { BerthConfig } from '../../runtime/config/berth-config.ts';
import { DEFAULT_CONFIG } from '../../runtime/config/berth-config.ts';
import type { ContentStore } from '../../runtime/content/content-store.ts';
import { MemoryContentStore } from '../../runtime/content/memory-content-store.ts';
import { MemoryImageIndex } from '../../runtime/images/image-index.ts';
import { ImageStore } from '../../runtime/images/image-store.ts';
import type { Digest } from '../../runtime/oci/digest.ts';
import { createNodeFetcher } from '../../runtime/registry/node-transport.ts';
import { RegistryContext } from '../../runtime/registry/registry-context.ts';
import type { BuiltImage } from './image-fixtures.ts';

export function context(
  opts: {
    config?: Partial<BerthConfig>;
    credentials?: CredentialStore;
    env?: Record<string, string>;
    dockerHubOrigin?: string;
  } = {},
): RegistryContext {
  return new RegistryContext({
    fetcher: createNodeFetcher({ env: opts.env ?? {} }),
    config: { ...DEFAULT_CONFIG, ...opts.config },
    credentials: opts.credentials,
    dockerHubOrigin: opts.dockerHubOrigin,
  });
}

export async function seededStore(...images: BuiltImage[]): Promise<MemoryContentStore> {
  const store = new MemoryContentStore();
  for (const img of images) {
    for (const [d, b] of img.blobs) await store.put(b, d);
    await store.put(img.manifestBytes, img.manifestDigest);
  }
  return store;
}

/** A real image store over `content`, its index in memory. */
export function memoryImages(content: ContentStore): ImageStore {
  return new ImageStore(content, new MemoryImageIndex());
}

/** The manifest digest a name resolves to in the image store, or undefined. */
export async function taggedDigest(images: ImageStore, name: string): Promise<Digest | undefined> {
  return (await images.find(name))?.manifestDigest;
}

/** A fresh in-memory content store with an image store over it. */
export function stores(): { content: MemoryContentStore; images: ImageStore } {
  const content = new MemoryContentStore();
  return { content, images: memoryImages(content) };
}

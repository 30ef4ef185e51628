// `push`: for each blob, HEAD to skip what the registry has, try a cross-repository mount from a
// repository of the same registry the image came from, else upload (one PUT for small blobs,
// PATCH chunks then PUT for large ones); then PUT the manifest's exact bytes under the tag, so the
// digest in the registry is the local one.

import { RegistryError } from '../errors.ts';
import { type Digest, digestOf, shortId } from '../oci/digest.ts';
import type { Descriptor, ImageManifest } from '../oci/manifest.ts';
import { canonicalName, type ImageReference } from '../oci/reference.ts';
import { originEndpoint } from './endpoints.ts';
import type { ProgressSink } from './progress.ts';
import { silentProgress } from './progress.ts';
import type { RegistryContext } from './registry-context.ts';
import type { RepositoryClient } from './repository-client.ts';

/** Where pushed bytes come from (ContentStore.get, which verifies them on read). */
export interface BlobSource {
  get(digest: Digest): Promise<Uint8Array>;
}

export interface PushOptions {
  /** Blobs up to this size go in one PUT; larger ones in PATCH chunks (default 64 MiB). */
  readonly monolithicLimit?: number;
  /** Chunk size for chunked uploads (default 64 MiB). */
  readonly chunkSize?: number;
  /** Other repositories of the same registry that may hold the blobs (cross-repository mount). */
  readonly mountFrom?: readonly string[];
  /** Blobs uploaded at once (Docker's default is 5). */
  readonly concurrency?: number;
}

export interface LocalImage {
  readonly manifest: ImageManifest;
  /** The exact stored manifest bytes (their digest is the image's manifest digest). */
  readonly manifestBytes: Uint8Array;
  readonly manifestMediaType: string;
}

export interface PushResult {
  readonly digest: Digest;
  readonly size: number;
}

const MiB = 1024 * 1024;

async function uploadBlob(
  repo: RepositoryClient,
  desc: Descriptor,
  source: BlobSource,
  opts: PushOptions,
  progress: ProgressSink,
  id: string | undefined,
): Promise<'exists' | 'mounted' | 'pushed'> {
  if (await repo.blobExists(desc.digest)) return 'exists';
  let start: Awaited<ReturnType<RepositoryClient['startUpload']>> | undefined;
  for (const from of opts.mountFrom ?? []) {
    if (from === repo.repository) continue;
    start = await repo.startUpload({ digest: desc.digest, from });
    if (start.mounted) {
      if (id) progress({ kind: 'layer', id, status: `Mounted from ${from}` });
      return 'mounted';
    }
    break; // the registry answered with an upload session instead: use it
  }
  const bytes = await source.get(desc.digest);
  if (bytes.byteLength !== desc.size) {
    throw new RegistryError(
      `blob ${desc.digest} is ${bytes.byteLength} bytes but its descriptor says ${desc.size}`,
    );
  }
  if (!start || start.mounted) start = await repo.startUpload();
  let location = start.mounted ? '' : start.location;
  const report = (current: number) =>
    id && progress({ kind: 'layer', id, status: 'Pushing', current, total: desc.size });
  // One request per blob where memory allows: every extra round trip is a registry-side write too.
  const limit = opts.monolithicLimit ?? 64 * MiB;
  if (bytes.byteLength <= limit) {
    report(0);
    await repo.finishUpload(location, desc.digest, bytes);
  } else {
    const chunk = Math.max(1, opts.chunkSize ?? 64 * MiB);
    for (let off = 0; off < bytes.byteLength; off += chunk) {
      report(off);
      location = await repo.uploadChunk(location, bytes.subarray(off, off + chunk), off);
    }
    await repo.finishUpload(location, desc.digest);
  }
  report(desc.size);
  return 'pushed';
}

export async function pushImage(
  ctx: RegistryContext,
  ref: ImageReference,
  image: LocalImage,
  source: BlobSource,
  opts: PushOptions = {},
  progress: ProgressSink = silentProgress,
): Promise<PushResult> {
  const endpoint = originEndpoint(ref.registry, ctx.config, ctx.endpointOptions);
  const repo = await ctx.repository(endpoint, ref.repository);
  progress({ kind: 'message', text: `The push refers to repository [${canonicalName(ref)}]` });
  const { manifest } = image;
  const layers = manifest.layers.filter(
    (l, i) => manifest.layers.findIndex((o) => o.digest === l.digest) === i,
  );
  for (const l of layers) progress({ kind: 'layer', id: shortId(l.digest), status: 'Preparing' });

  // The config goes up alongside the layers: only the manifest must wait for all of them.
  const blobs = layers.some((l) => l.digest === manifest.config.digest)
    ? layers
    : [...layers, manifest.config];
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < blobs.length && errors.length === 0) {
      const blob = blobs[next++]!;
      const id = blob === manifest.config ? undefined : shortId(blob.digest);
      try {
        const outcome = await uploadBlob(repo, blob, source, opts, progress, id);
        if (!id) continue;
        if (outcome === 'exists') progress({ kind: 'layer', id, status: 'Layer already exists' });
        if (outcome === 'pushed') progress({ kind: 'layer', id, status: 'Pushed' });
      } catch (e) {
        errors.push(e);
      }
    }
  };
  const n = Math.max(1, Math.min(opts.concurrency ?? 5, blobs.length));
  await Promise.all(Array.from({ length: n }, worker));
  if (errors.length > 0) throw errors[0];

  const digest = digestOf(image.manifestBytes);
  const target = ref.tag ?? ref.digest ?? 'latest';
  if (ref.digest && ref.digest !== digest) {
    throw new RegistryError(`cannot push ${digest} under the digest ${ref.digest}`);
  }
  await repo.putManifest(target, image.manifestMediaType, image.manifestBytes);
  progress({
    kind: 'message',
    text: `${ref.tag ?? shortId(digest)}: digest: ${digest} size: ${image.manifestBytes.byteLength}`,
  });
  return { digest, size: image.manifestBytes.byteLength };
}

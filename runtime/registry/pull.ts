// `pull`: resolve a reference to a manifest (through mirrors for docker.io, then the origin),
// pick the platform's manifest from an index, download config and layers concurrently straight
// into the content store (verified while streaming, resumable), then store the manifests and tag.

import { NotFoundError, RegistryError, UnsupportedError } from '../errors.ts';
import type { Digest } from '../oci/digest.ts';
import { isDigest, shortId } from '../oci/digest.ts';
import type { Descriptor, ImageConfig, ImageManifest, ImagePlatform } from '../oci/manifest.ts';
import { parseImageConfig, parseManifestDocument } from '../oci/manifest.ts';
import { isWasmArtifactConfig, layerCompression, MediaType } from '../oci/media-types.ts';
import { formatPlatform, platformIs, selectManifest, WASM_PLATFORM } from '../oci/platform.ts';
import { canonicalString, familiarString, type ImageReference } from '../oci/reference.ts';
import type { StagedBlob } from '../content/content-store.ts';
import { type BlobSink, downloadBlob, InterruptedDownloadError } from './blob-download.ts';
import { pullEndpoints, type RegistryEndpoint } from './endpoints.ts';
import type { ProgressSink } from './progress.ts';
import { silentProgress } from './progress.ts';
import type { RegistryContext } from './registry-context.ts';
import type { FetchedManifest, RepositoryClient } from './repository-client.ts';

/** The part of ImageStore a pull needs: name the pulled manifest or index (it selects the platform's manifest). */
export interface ImageTagger {
  tag(
    name: string,
    target: string,
    options: { pulled?: boolean; platform?: ImagePlatform },
  ): Promise<unknown>;
  /** Optional: whether `name` (canonical `registry/repo:tag`) names an image here already. */
  hasTag?(name: string): Promise<boolean>;
  /**
   * Optional: `tag` in two steps, so the first overlaps the layers' download: reads what it
   * needs of the stored manifest and config now; the returned commit names the image once all
   * its blobs are stored (and checks that they are).
   */
  prepareTag?(
    name: string,
    target: Digest,
    options: { pulled?: boolean; platform?: ImagePlatform },
  ): Promise<() => Promise<unknown>>;
}

export interface PullOptions {
  /** Platform to select from an index; default wasi/wasm. */
  readonly platform?: ImagePlatform;
  /** Layers downloaded at once (default 6, as skopeo and podman; Docker's is 3). */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}

export interface PullResult {
  readonly reference: ImageReference;
  /** The digest the reference resolved to (an index's, when it was one): the repo digest. */
  readonly repoDigest: Digest;
  /** The platform manifest's digest (what the image store is tagged with). */
  readonly manifestDigest: Digest;
  readonly manifest: ImageManifest;
  readonly config: ImageConfig;
  /** False when every blob was already stored. */
  readonly downloaded: boolean;
}

/**
 * Layers downloaded at once: skopeo/podman's default (Docker's is 3). With fewer, the last
 * layers of a typical image start only when others end, and the cores hashing sit idle.
 */
const DEFAULT_CONCURRENCY = 6;

const CONFIG_TYPES: readonly string[] = [MediaType.ociConfig, MediaType.dockerConfig, MediaType.wasmConfig];

interface Source {
  readonly endpoint: RegistryEndpoint;
  readonly repo: RepositoryClient;
}

/** Sources from the one that served the manifest on: mirrors before it already failed. */
async function sourcesFrom(
  ctx: RegistryContext,
  endpoints: RegistryEndpoint[],
  first: number,
  repository: string,
) {
  const out: Source[] = [];
  for (const endpoint of endpoints.slice(first))
    out.push({ endpoint, repo: await ctx.repository(endpoint, repository) });
  return out;
}

/**
 * A manifest already stored is read locally (verified by the store): by digest directly, by tag
 * after a HEAD tells the digest — so an up-to-date pull costs one small request, as in Docker.
 * Without `probe` (a tag not known here: the manifest is almost surely new) it GETs at once, as
 * skopeo does, saving the HEAD's round trip.
 */
async function manifestFrom(
  source: Source,
  reference: string,
  content: BlobSink,
  probe = true,
  whileWaiting?: () => void,
): Promise<FetchedManifest> {
  let digest: Digest | undefined = isDigest(reference) ? reference : undefined;
  let mediaType = '';
  if (!digest && probe) {
    const head = await source.repo.headManifest(reference).catch(() => undefined);
    digest = head?.digest;
    mediaType = head?.mediaType ?? '';
  }
  if (digest && (await content.has(digest))) {
    try {
      const bytes = await content.get(digest);
      const inBody = (JSON.parse(new TextDecoder().decode(bytes)) as { mediaType?: unknown }).mediaType;
      return { digest, bytes, mediaType: typeof inBody === 'string' ? inBody : mediaType };
    } catch {
      // A damaged local copy: fetch it again.
    }
  }
  return source.repo.getManifest(reference, whileWaiting);
}

async function firstManifest(
  sources: Source[],
  reference: string,
  content: BlobSink,
  probe = true,
  whileWaiting?: () => void,
): Promise<[FetchedManifest, number]> {
  let lastError: unknown;
  for (let i = 0; i < sources.length; i++) {
    try {
      return [await manifestFrom(sources[i]!, reference, content, probe, whileWaiting), i];
    } catch (e) {
      // A mirror may lack the image or be down: Docker falls back to the origin.
      if (!sources[i]!.endpoint.mirror) throw e;
      lastError = e;
    }
  }
  throw lastError;
}

function checkManifest(manifest: ImageManifest, what: string): void {
  if (!CONFIG_TYPES.includes(manifest.config.mediaType)) {
    throw new UnsupportedError(`${what}: unsupported config media type "${manifest.config.mediaType}"`);
  }
  for (const layer of manifest.layers) {
    if (layer.urls?.length) throw new UnsupportedError(`${what}: foreign layers with urls are not supported`);
    layerCompression(layer.mediaType); // throws for zstd and unknown types, before any download
  }
}

async function runLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length && errors.length === 0) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (e) {
        errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (errors.length > 0) throw errors[0];
}

/** Fetches one blob, trying each source in turn; a digest mismatch or a missing blob moves on. */
async function fetchBlob(
  sources: Source[],
  desc: Descriptor,
  sink: BlobSink,
  progress: ProgressSink,
  id: string | undefined,
  signal?: AbortSignal,
  onBodyEnd?: () => void,
): Promise<void> {
  let lastError: unknown;
  for (const source of sources) {
    let last = 0;
    const onProgress = (current: number, total: number) => {
      if (id === undefined) return;
      const now = Date.now();
      if (current < total && now - last < 100) return;
      last = now;
      progress({ kind: 'layer', id, status: 'Downloading', current, total });
    };
    // A resumed partial that turns out bad is thrown away; one fresh try from the same source.
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await downloadBlob(source.repo, desc, sink, onProgress, signal, onBodyEnd);
        return;
      } catch (e) {
        lastError = e;
        if (signal?.aborted) throw e;
        const mismatch = (e as { code?: string }).code === 'BERTH_DIGEST_MISMATCH';
        if (!(mismatch && attempt === 0)) break;
      }
    }
    if (lastError instanceof InterruptedDownloadError && !source.endpoint.mirror) throw lastError;
  }
  throw lastError;
}

export async function pullImage(
  ctx: RegistryContext,
  ref: ImageReference,
  stores: { content: BlobSink; images: ImageTagger },
  opts: PullOptions = {},
  progress: ProgressSink = silentProgress,
): Promise<PullResult> {
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const endpoints = pullEndpoints(ref.registry, ctx.config, ctx.endpointOptions);
  const all = await sourcesFrom(ctx, endpoints, 0, ref.repository);
  const tagName =
    ref.tag !== undefined ? canonicalString({ ...ref, digest: undefined }) : canonicalString(ref);
  const tagKnown =
    ref.digest === undefined && stores.images.hasTag ? await stores.images.hasTag(tagName) : undefined;
  const probe = ref.digest !== undefined || !stores.images.hasTag || tagKnown === true;
  // A tag not stored here: its layers are almost surely new, so the store gets ready for big
  // writes (a helper thread boots, the hashing code loads) while the manifest is fetched — once
  // its request is written, so the getting ready does not delay the request.
  const whileWaiting = probe ? undefined : () => stores.content.prepareWrites?.();
  const [top, servedBy] = await firstManifest(all, reference, stores.content, probe, whileWaiting);
  const sources = all.slice(servedBy);
  const platform = opts.platform ?? WASM_PLATFORM;
  const name = familiarString(ref);

  let manifestFetched = top;
  const doc = parseManifestDocument(top.bytes, top.mediaType);
  if (doc.kind === 'index') {
    let chosen: Descriptor;
    try {
      chosen = selectManifest(doc.index, platform);
    } catch (e) {
      if (e instanceof NotFoundError) {
        throw new NotFoundError(
          `${name}: no matching manifest for ${formatPlatform(platform)} in the manifest list entries`,
          {
            cause: e,
          },
        );
      }
      throw e;
    }
    manifestFetched = await firstManifest(sources, chosen.digest, stores.content).then(([m]) => m);
  }
  const inner = parseManifestDocument(manifestFetched.bytes, manifestFetched.mediaType);
  if (inner.kind !== 'manifest')
    throw new UnsupportedError(`${name}: nested image indexes are not supported`);
  const manifest = inner.manifest;
  checkManifest(manifest, name);

  progress({ kind: 'message', text: `${ref.digest ?? reference}: Pulling from ${ref.repository}` });
  const { content } = stores;
  let downloaded = false;
  content.prepareWrites?.(manifest.layers.reduce((n, l) => n + l.size, 0));

  // The manifests are written (and synced) while the layers download, and stored (renamed into
  // place) only once the layers are: a failed pull stores no manifest.
  const hadManifest = await content.has(manifestFetched.digest);
  const manifestBlobs = top !== manifestFetched ? [manifestFetched, top] : [manifestFetched];
  const stage = (m: FetchedManifest): Promise<StagedBlob> =>
    content.stagePut
      ? content.stagePut(m.bytes, m.digest)
      : Promise.resolve({ commit: () => content.put(m.bytes, m.digest), discard: () => {} });
  const staging = Promise.all(manifestBlobs.map(stage));
  staging.catch(() => {});
  const dropStaged = async () => {
    for (const s of await staging.catch((): StagedBlob[] => [])) s.discard();
  };

  // The config and the layers download together (the config is one more round trip before the
  // first layer byte otherwise); a config that disagrees with the manifest stops the layers.
  const configStored = await content.has(manifest.config.digest);
  const pending: Descriptor[] = [];
  for (const layer of manifest.layers) {
    if (await content.has(layer.digest)) {
      progress({ kind: 'layer', id: shortId(layer.digest), status: 'Already exists' });
    } else if (!pending.some((p) => p.digest === layer.digest)) {
      pending.push(layer);
      progress({ kind: 'layer', id: shortId(layer.digest), status: 'Pulling fs layer' });
    }
  }
  const layersAbort = new AbortController();
  const stop = () => layersAbort.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', stop, { once: true });
  if (opts.signal?.aborted) stop();
  // Blobs a store reads from their own sockets are as many at once as it has hashing threads, so
  // each next layer goes to the thread that frees up first (an even split of the cores).
  const plain = sources[0]?.repo.session.plainGets === true && content.httpIngestThreads !== undefined;
  const limit = opts.concurrency ?? (plain ? content.httpIngestThreads! : DEFAULT_CONCURRENCY);
  // A layer frees its slot once its bytes are in, so the next one downloads while it is synced
  // and renamed; its completion is awaited with the rest.
  const completions: Promise<void>[] = [];
  let firstFailure: { error: unknown } | undefined;
  const downloads = runLimited(
    pending,
    limit,
    (layer) =>
      new Promise<void>((slotFree, fail) => {
        const id = shortId(layer.digest);
        const done = fetchBlob(sources, layer, content, progress, id, layersAbort.signal, slotFree).then(
          () => {
            progress({ kind: 'layer', id, status: 'Verifying Checksum' });
            progress({ kind: 'layer', id, status: 'Download complete' });
            progress({ kind: 'layer', id, status: 'Pull complete' });
          },
        );
        completions.push(done);
        done.then(slotFree, (e) => {
          firstFailure ??= { error: e };
          fail(e);
          // A layer failing after its slot was freed stops the others too.
          layersAbort.abort(e);
        });
      }),
  );
  // Every download has ended (stored, or its partial kept or dropped) before the pull returns;
  // then the store may let go of what it readied for them (helper threads), while the pull ends.
  const ended = () => content.finishWrites?.();
  const layersDone = downloads.then(
    async () => {
      await Promise.allSettled(completions);
      ended();
      if (firstFailure) throw firstFailure.error;
    },
    async (e) => {
      await Promise.allSettled(completions);
      ended();
      throw firstFailure ? firstFailure.error : e;
    },
  );
  // Handled here too: a layer may fail while the config is still awaited.
  layersDone.catch(() => {});
  let config: ImageConfig;
  try {
    if (!configStored) {
      await fetchBlob(sources, manifest.config, content, progress, undefined, opts.signal);
      downloaded = true;
    }
    config = isWasmArtifactConfig(manifest.config.mediaType)
      ? wasmArtifactConfig(manifest)
      : parseImageConfig(await content.get(manifest.config.digest));
    if (
      !isWasmArtifactConfig(manifest.config.mediaType) &&
      config.rootfs.diff_ids.length !== manifest.layers.length
    ) {
      throw new RegistryError(
        `${name}: config lists ${config.rootfs.diff_ids.length} layers but the manifest has ${manifest.layers.length}`,
      );
    }
  } catch (e) {
    // Layers already stored stay (valid blobs, gc takes them); partial ones are kept for a resume.
    layersAbort.abort(e);
    await layersDone.catch(() => {});
    await dropStaged();
    opts.signal?.removeEventListener('abort', stop);
    throw e;
  }
  try {
    await layersDone;
  } catch (e) {
    await dropStaged();
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', stop);
  }
  downloaded ||= pending.length > 0;
  // A single-platform image pulled with an explicit --platform it is not for: stored all the
  // same, with Docker's warning (an index without the platform failed above instead).
  if (opts.platform && doc.kind === 'manifest' && !platformIs(config, opts.platform)) {
    progress({
      kind: 'message',
      text: `WARNING: image platform (${formatPlatform(config)}) does not match the expected platform (${formatPlatform(opts.platform)})`,
    });
  }

  // Manifests last, then the name: an image is visible only once all it names is stored.
  try {
    for (const s of await staging) await s.commit();
  } catch (e) {
    await dropStaged();
    throw e;
  }
  const tagOptions = { pulled: true, platform };
  if (stores.images.prepareTag) await (await stores.images.prepareTag(tagName, top.digest, tagOptions))();
  else await stores.images.tag(tagName, top.digest, tagOptions);
  // Docker's wording: "Downloaded newer image" whenever the tag is new here or moved, even when
  // every blob was already stored (an image that was untagged, then pulled again).
  downloaded ||= !hadManifest || tagKnown === false;

  progress({ kind: 'message', text: `Digest: ${top.digest}` });
  progress({
    kind: 'message',
    text: downloaded
      ? `Status: Downloaded newer image for ${name}`
      : `Status: Image is up to date for ${name}`,
  });
  return {
    reference: ref,
    repoDigest: top.digest,
    manifestDigest: manifestFetched.digest,
    manifest,
    config,
    downloaded,
  };
}

/** The CNCF Wasm artifact's config is not an image config; berth runs it as wasi/wasm. */
function wasmArtifactConfig(manifest: ImageManifest): ImageConfig {
  return {
    os: 'wasi',
    architecture: 'wasm',
    rootfs: { type: 'layers', diff_ids: manifest.layers.map((l) => l.digest) },
  };
}

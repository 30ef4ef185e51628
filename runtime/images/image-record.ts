// Building an index record from blobs already in the content store (after a pull, load, build or
// import) and the records handed to callers. Everything is read through the verifying store.

import { blobNotFound, type ContentStore } from '../content/content-store.ts';
import { InvalidStateError, NotFoundError, UnsupportedError } from '../errors.ts';
import type { Digest } from '../oci/digest.ts';
import {
  type ImageConfig,
  type ImageManifest,
  type ImagePlatform,
  parseImageConfig,
  parseManifestDocument,
} from '../oci/manifest.ts';
import { isWasmArtifactConfig, layerCompression, MediaType } from '../oci/media-types.ts';
import { formatPlatform, isWasmImage, selectManifest } from '../oci/platform.ts';
import type { StoredImage } from './image-index.ts';
import { renderWasmArtifact } from './wasm-artifact-image.ts';

/** What `images` lists: from the index alone, no blob read. */
export interface ImageSummary {
  /** Config digest (Docker's image ID). */
  id: Digest;
  manifestDigest: Digest;
  /** Familiar `name:tag` strings (`hello-world:latest`). */
  repoTags: string[];
  /** Familiar `name@sha256:…` strings from pulls. */
  repoDigests: string[];
  created?: string;
  size: number;
  /** `os/arch[/variant]` */
  platform: string;
  /** Runs on the wasm backend. */
  wasm: boolean;
}

/** One image, resolved: its manifest and the config to run (verified reads). */
export interface ImageRecord extends ImageSummary {
  manifest: ImageManifest;
  config: ImageConfig;
  /** Digest of `config`: equals `id` except for CNCF Wasm artifacts (berth's OCI rendering). */
  configDigest: Digest;
}

/** Reads manifest (or index -> selected manifest) and config blobs into an index record. */
export async function prepareImage(
  content: ContentStore,
  digest: Digest,
  platform?: ImagePlatform,
): Promise<StoredImage> {
  let doc = parseManifestDocument(await content.get(digest));
  let manifestDigest = digest;
  let manifestMediaType: string | undefined;
  const extraBlobs: Digest[] = [];
  if (doc.kind === 'index') {
    const chosen = selectManifest(doc.index, platform);
    manifestDigest = chosen.digest;
    manifestMediaType = chosen.mediaType;
    extraBlobs.push(digest);
    doc = parseManifestDocument(await content.get(chosen.digest), chosen.mediaType);
    if (doc.kind === 'index')
      throw new UnsupportedError(`nested image index ${chosen.digest} is not supported`);
  }
  const manifest = doc.manifest;
  const rawConfig = await content.get(manifest.config.digest);
  let config: ImageConfig;
  let configDigest = manifest.config.digest;
  if (isWasmArtifactConfig(manifest.config.mediaType)) {
    const rendered = await renderWasmArtifact(content, manifest, rawConfig);
    config = rendered.config;
    configDigest = rendered.configDigest;
    extraBlobs.push(configDigest);
  } else {
    config = parseImageConfig(rawConfig);
  }
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== manifest.layers.length) {
    throw new InvalidStateError(
      `image ${manifestDigest}: ${manifest.layers.length} layers but ${diffIds.length} diff_ids in its config`,
    );
  }
  let size = 0;
  for (const [i, layer] of manifest.layers.entries()) {
    layerCompression(layer.mediaType); // refuses zstd and unknown types now, not at run time
    const unpacked = await content.size(diffIds[i]!);
    if (unpacked === undefined && !(await content.has(layer.digest))) {
      throw new NotFoundError(blobNotFound(layer.digest));
    }
    size += unpacked ?? layer.size;
  }
  return {
    id: manifest.config.digest,
    manifestDigest,
    manifestMediaType: manifestMediaType ?? manifest.mediaType ?? MediaType.ociManifest,
    configDigest,
    layers: manifest.layers.map((l) => l.digest),
    diffIds: [...diffIds],
    extraBlobs,
    repoDigests: [],
    ...(config.created ? { created: config.created } : {}),
    size,
    platform: formatPlatform(config),
    wasm: isWasmImage(manifest, config),
  };
}

/** Every blob a record needs is still there (checked under the index lock before committing). */
export async function missingBlob(content: ContentStore, img: StoredImage): Promise<Digest | undefined> {
  for (const d of [img.manifestDigest, img.id, img.configDigest, ...img.extraBlobs]) {
    if (!(await content.has(d))) return d;
  }
  for (const [i, layer] of img.layers.entries()) {
    if (!(await content.has(img.diffIds[i]!)) && !(await content.has(layer))) return layer;
  }
  return undefined;
}

export async function readRecord(
  content: ContentStore,
  img: StoredImage,
  repoTags: string[],
  repoDigests: string[],
): Promise<ImageRecord> {
  const doc = parseManifestDocument(await content.get(img.manifestDigest), img.manifestMediaType);
  if (doc.kind !== 'manifest') throw new InvalidStateError(`image ${img.manifestDigest} is not a manifest`);
  const config = parseImageConfig(await content.get(img.configDigest));
  return {
    ...summaryOf(img, repoTags, repoDigests),
    manifest: doc.manifest,
    config,
    configDigest: img.configDigest,
  };
}

export function summaryOf(img: StoredImage, repoTags: string[], repoDigests: string[]): ImageSummary {
  return {
    id: img.id,
    manifestDigest: img.manifestDigest,
    repoTags,
    repoDigests,
    ...(img.created ? { created: img.created } : {}),
    size: img.size,
    platform: img.platform,
    wasm: img.wasm,
  };
}

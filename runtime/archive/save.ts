// `save`: images to a tar. The default (`docker`) is what Docker 25 writes: one tar that is both
// Docker's archive (manifest.json + repositories) and an OCI image layout (oci-layout +
// index.json) over shared blobs: config, uncompressed layer tars under their diffIDs, and an OCI
// manifest over those tars. So `docker load`, `skopeo … docker-archive:` and `oci-archive:` all
// read it. `oci` is a plain OCI layout with blobs exactly as stored (manifest digest survives).
// Deterministic: entries sorted, fixed mtimes and owners, JSON in a fixed shape, so saving the
// same images twice, or after a load, gives the same bytes.

import { NotFoundError } from '../errors.ts';
import type { Digest } from '../oci/digest.ts';
import { CONTAINERD_IMAGE_NAME, type Descriptor, encodeJson, OCI_REF_NAME } from '../oci/manifest.ts';
import { MediaType } from '../oci/media-types.ts';
import { canonicalName, familiarName, parseReference } from '../oci/reference.ts';
import { familiarKey, matchImage, noSuchImage, tryParseReference } from '../images/image-match.ts';
import type { ImageRecord } from '../images/image-record.ts';
import type { ImageStore } from '../images/image-store.ts';
import { uncompressedLayer } from '../images/layer-unpack.ts';
import {
  type ArchiveFormat,
  blobPath,
  DOCKER_MANIFEST_FILE,
  DOCKER_REPOSITORIES_FILE,
  type DockerArchiveManifest,
  OCI_INDEX_FILE,
  OCI_LAYOUT_FILE,
  OCI_LAYOUT_VERSION,
} from './archive-layout.ts';
import { type ArchiveEntry, collect, packArchive } from './tar-io.ts';
import { archiveManifest } from './uncompressed-manifest.ts';

interface SavedImage {
  record: ImageRecord;
  /** Canonical `registry/repo:tag` names to write. */
  names: string[];
}

/** Which images and which of their names `save NAME…` means (Docker's rules). */
async function selectImages(store: ImageStore, inputs: string[]): Promise<SavedImage[]> {
  const out = new Map<Digest, SavedImage>();
  const add = (record: ImageRecord, names: string[]) => {
    const seen = out.get(record.manifestDigest);
    if (seen) for (const n of names) seen.names.includes(n) || seen.names.push(n);
    else out.set(record.manifestDigest, { record, names: [...names] });
  };
  for (const input of inputs) {
    await store.find(input); // creates a built-in image on first use
    const data = await store.index.read();
    const bare = tryParseReference(input);
    const untagged = tryParseReferenceNoDefault(input);
    if (bare && untagged && untagged.tag === undefined && untagged.digest === undefined) {
      // `save busybox` means every tag of busybox.
      const repo = `${canonicalName(bare)}:`;
      const keys = Object.keys(data.tags).filter((k) => k.startsWith(repo) && data.images[data.tags[k]!]);
      if (keys.length > 0) {
        for (const k of keys.sort()) add(await store.resolve(data.tags[k]!), [k]);
        continue;
      }
    }
    const match = matchImage(data, input);
    if (!match) throw new NotFoundError(noSuchImage(input));
    add(await store.resolve(match.image.manifestDigest), match.by === 'tag' ? [match.key] : []);
  }
  return [...out.values()];
}

function tryParseReferenceNoDefault(input: string) {
  try {
    return parseReference(input, { defaultTag: false });
  } catch {
    return undefined;
  }
}

function blobEntry(store: ImageStore, digest: Digest): ArchiveEntry {
  return { path: blobPath(digest), type: 'file', data: () => store.content.get(digest) };
}

/** index.json: one entry per name (Docker's and containerd's annotations), one for an unnamed image. */
function layoutEntries(
  files: Map<string, ArchiveEntry>,
  images: { manifest: Descriptor; names: string[] }[],
) {
  const manifests: Descriptor[] = [];
  for (const { manifest, names } of images) {
    if (names.length === 0) manifests.push(manifest);
    for (const name of names) {
      const ref = parseReference(name);
      manifests.push({
        ...manifest,
        annotations: { [CONTAINERD_IMAGE_NAME]: name, [OCI_REF_NAME]: ref.tag ?? 'latest' },
      });
    }
  }
  files.set(OCI_LAYOUT_FILE, { path: OCI_LAYOUT_FILE, type: 'file', data: encodeJson(OCI_LAYOUT_VERSION) });
  files.set(OCI_INDEX_FILE, {
    path: OCI_INDEX_FILE,
    type: 'file',
    data: encodeJson({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests }),
  });
}

/** A plain OCI image layout: blobs exactly as stored, so the manifest digest survives. */
async function ociEntries(store: ImageStore, images: SavedImage[]): Promise<Map<string, ArchiveEntry>> {
  const files = new Map<string, ArchiveEntry>();
  const layout: { manifest: Descriptor; names: string[] }[] = [];
  for (const { record, names } of images) {
    const m = record.manifest;
    for (const d of [record.manifestDigest, m.config.digest, ...m.layers.map((l) => l.digest)]) {
      files.set(blobPath(d), blobEntry(store, d));
    }
    const size = (await store.content.size(record.manifestDigest)) ?? 0;
    layout.push({
      manifest: { mediaType: m.mediaType ?? MediaType.ociManifest, digest: record.manifestDigest, size },
      names,
    });
  }
  layoutEntries(files, layout);
  return files;
}

/**
 * Docker 25's archive: one tar that is both Docker's (manifest.json + repositories) and an OCI
 * image layout (oci-layout + index.json), sharing the blobs: config, uncompressed layer tars under
 * their diffIDs, and an OCI manifest over those tars.
 */
async function dockerEntries(store: ImageStore, images: SavedImage[]): Promise<Map<string, ArchiveEntry>> {
  const files = new Map<string, ArchiveEntry>();
  const manifest: DockerArchiveManifest[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  const layout: { manifest: Descriptor; names: string[] }[] = [];
  for (const { record, names } of images) {
    const oci = await archiveManifest(store, record);
    files.set(blobPath(oci.descriptor.digest), {
      path: blobPath(oci.descriptor.digest),
      type: 'file',
      data: oci.bytes,
    });
    layout.push({ manifest: oci.descriptor, names });
    files.set(blobPath(record.configDigest), blobEntry(store, record.configDigest));
    const diffIds = record.config.rootfs.diff_ids;
    record.manifest.layers.forEach((layer, i) => {
      const diffId = diffIds[i]!;
      files.set(blobPath(diffId), {
        path: blobPath(diffId),
        type: 'file',
        data: () => uncompressedLayer(store.content, layer, diffId, i),
      });
    });
    manifest.push({
      Config: blobPath(record.configDigest),
      RepoTags: names.length > 0 ? names.map(familiarKey) : null,
      Layers: diffIds.map(blobPath),
    });
    for (const name of names) {
      const ref = parseReference(name);
      const repo = familiarName(ref);
      repositories[repo] = { ...repositories[repo], [ref.tag ?? 'latest']: record.configDigest.slice(7) };
    }
  }
  layoutEntries(files, layout);
  files.set(DOCKER_MANIFEST_FILE, { path: DOCKER_MANIFEST_FILE, type: 'file', data: encodeJson(manifest) });
  if (Object.keys(repositories).length > 0) {
    files.set(DOCKER_REPOSITORIES_FILE, {
      path: DOCKER_REPOSITORIES_FILE,
      type: 'file',
      data: encodeJson(repositories),
    });
  }
  return files;
}

export interface SaveOptions {
  /** `docker` (default: Docker 25's combined Docker + OCI layout, like `docker save`) or plain `oci`. */
  format?: ArchiveFormat;
}

/**
 * The archive as a stream of tar chunks. Every name is resolved (and every error thrown) before
 * the first byte, so a failed save writes nothing.
 */
export async function saveImages(
  store: ImageStore,
  inputs: string[],
  options: SaveOptions = {},
): Promise<AsyncGenerator<Uint8Array>> {
  const images = await selectImages(store, inputs);
  const files =
    options.format === 'oci' ? await ociEntries(store, images) : await dockerEntries(store, images);
  files.set('blobs', { path: 'blobs', type: 'directory' });
  files.set('blobs/sha256', { path: 'blobs/sha256', type: 'directory' });
  const sorted = [...files.keys()].sort().map((k) => files.get(k)!);
  return packArchive(sorted);
}

export async function saveImagesBytes(
  store: ImageStore,
  inputs: string[],
  options: SaveOptions = {},
): Promise<Uint8Array> {
  return collect(await saveImages(store, inputs, options));
}

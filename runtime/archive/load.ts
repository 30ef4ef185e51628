// `load`: an OCI image layout tar or a Docker archive (either layout: Docker 25's blobs/sha256 or
// the classic <id>/layer.tar) into the store. Blobs are stored as they stream past, each verified
// and written atomically; the image index is updated last, once, for all images. A load killed
// at any point leaves the store as it was plus some unreferenced blobs that gc removes.

import { InvalidStateError, NotFoundError } from '../errors.ts';
import { type Digest, isDigest } from '../oci/digest.ts';
import { gunzip, isGzip } from '../oci/gzip.ts';
import {
  CONTAINERD_IMAGE_NAME,
  encodeJson,
  type ImageManifest,
  OCI_REF_NAME,
  parseImageConfig,
  parseJson,
  parseManifestDocument,
} from '../oci/manifest.ts';
import { MediaType } from '../oci/media-types.ts';
import { isValidReference } from '../oci/reference.ts';
import type { AddedImage, AddImage, ImageStore } from '../images/image-store.ts';
import {
  digestOfBlobPath,
  DOCKER_MANIFEST_FILE,
  type DockerArchiveManifest,
  OCI_INDEX_FILE,
} from './archive-layout.ts';
import { readArchive } from './tar-io.ts';

/** Non-blob files kept in memory while reading (documents and classic-layout layers). */
interface ArchiveFiles {
  files: Map<string, Uint8Array>;
  symlinks: Map<string, string>;
  blobs: Set<Digest>;
}

async function storeEntries(
  store: ImageStore,
  input: Uint8Array | AsyncIterable<Uint8Array>,
): Promise<ArchiveFiles> {
  const out: ArchiveFiles = { files: new Map(), symlinks: new Map(), blobs: new Set() };
  for await (const entry of readArchive(input)) {
    if (entry.type === 'symlink' && entry.linkname) {
      out.symlinks.set(entry.path, entry.linkname);
      continue;
    }
    if (entry.type !== 'file' && entry.type !== 'contiguous-file') continue;
    const digest = digestOfBlobPath(entry.path);
    if (digest) {
      await store.content.put(entry.data, digest); // DigestMismatchError for a corrupt archive
      out.blobs.add(digest);
    } else {
      out.files.set(entry.path, entry.data);
    }
  }
  return out;
}

function resolveLink(archive: ArchiveFiles, path: string): string {
  for (let hops = 0; hops < 16; hops++) {
    const target = archive.symlinks.get(path);
    if (target === undefined) return path;
    const base = path.split('/').slice(0, -1);
    for (const part of target.split('/')) {
      if (part === '..') base.pop();
      else if (part !== '.' && part !== '') base.push(part);
    }
    path = base.join('/');
  }
  return path;
}

async function readFile(store: ImageStore, archive: ArchiveFiles, path: string): Promise<Uint8Array> {
  const real = resolveLink(archive, path.replace(/^\.?\//, ''));
  const digest = digestOfBlobPath(real);
  if (digest && archive.blobs.has(digest)) return store.content.get(digest);
  const bytes = archive.files.get(real);
  if (!bytes) throw new NotFoundError(`archive is missing ${path}`);
  return bytes;
}

/** Names of an index.json entry: containerd's full name, else a ref.name that is a full reference. */
function ociNames(annotations: Record<string, string> | undefined): string[] {
  const full = annotations?.[CONTAINERD_IMAGE_NAME];
  if (full && isValidReference(full)) return [full];
  const ref = annotations?.[OCI_REF_NAME];
  if (ref && /[:/]/.test(ref) && isValidReference(ref)) return [ref];
  return [];
}

async function ociImages(bytes: Uint8Array): Promise<AddImage[]> {
  const doc = parseManifestDocument(bytes, MediaType.ociIndex);
  if (doc.kind !== 'index') throw new InvalidStateError('index.json is not an image index');
  return doc.index.manifests.map((d) => ({ digest: d.digest, names: ociNames(d.annotations) }));
}

/** Docker archives carry config + layer tars; berth stores an OCI manifest over them. */
async function dockerImages(
  store: ImageStore,
  archive: ArchiveFiles,
  bytes: Uint8Array,
): Promise<AddImage[]> {
  const entries = parseJson(bytes, 'manifest.json');
  if (!Array.isArray(entries)) throw new InvalidStateError('manifest.json is not a list');
  const out: AddImage[] = [];
  for (const e of entries as DockerArchiveManifest[]) {
    if (typeof e?.Config !== 'string' || !Array.isArray(e.Layers))
      throw new InvalidStateError('manifest.json entry lacks Config/Layers');
    const configBytes = await readFile(store, archive, e.Config);
    const config = parseImageConfig(configBytes);
    if (config.rootfs.diff_ids.length !== e.Layers.length) {
      throw new InvalidStateError(
        `image ${e.Config}: ${e.Layers.length} layers but ${config.rootfs.diff_ids.length} diff_ids`,
      );
    }
    const layers: ImageManifest['layers'] = [];
    for (const [i, path] of e.Layers.entries()) {
      let tar = await readFile(store, archive, path);
      if (isGzip(tar)) tar = await gunzip(tar);
      const diffId = await store.content.put(tar, config.rootfs.diff_ids[i]);
      layers.push({ mediaType: MediaType.ociLayer, digest: diffId, size: tar.byteLength });
    }
    const configDigest = await store.content.put(configBytes);
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: configDigest, size: configBytes.byteLength },
      layers,
    };
    const digest = await store.content.put(encodeJson(manifest));
    out.push({ digest, names: (e.RepoTags ?? []).filter((t) => isValidReference(t)) });
  }
  return out;
}

/** Loads every image of the archive; one atomic index update at the end. */
export async function loadImages(
  store: ImageStore,
  input: Uint8Array | AsyncIterable<Uint8Array>,
): Promise<AddedImage[]> {
  if (input instanceof Uint8Array && isGzip(input)) input = await gunzip(input);
  const archive = await storeEntries(store, input);
  const index = archive.files.get(OCI_INDEX_FILE);
  const dockerManifest = archive.files.get(DOCKER_MANIFEST_FILE);
  let items: AddImage[];
  if (index) items = await ociImages(index);
  else if (dockerManifest) items = await dockerImages(store, archive, dockerManifest);
  else
    throw new InvalidStateError(
      'not an image archive: it has neither index.json (OCI) nor manifest.json (Docker)',
    );
  // An OCI index lists an image once per name: one image with all its names.
  const byDigest = new Map<Digest, AddImage>();
  for (const item of items) {
    if (!isDigest(item.digest)) throw new InvalidStateError(`bad digest ${item.digest}`);
    const seen = byDigest.get(item.digest);
    if (seen) seen.names = [...(seen.names ?? []), ...(item.names ?? [])];
    else byDigest.set(item.digest, { ...item });
  }
  return store.addImages([...byDigest.values()]);
}

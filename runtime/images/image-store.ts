// The image store: names -> images over the content store. Every change is one atomic update of
// the index under its lock, made after the blobs it points at are stored, so a crash or a kill
// at any moment leaves either the old index or the new one, each fully backed by blobs.

import type { ContentStore } from '../content/content-store.ts';
import { ConflictError, InvalidReferenceError, InvalidStateError, NotFoundError } from '../errors.ts';
import { type Digest, isDigest, shortId } from '../oci/digest.ts';
import type { ImagePlatform } from '../oci/manifest.ts';
import { canonicalName, canonicalString, DEFAULT_REGISTRY, parseReference } from '../oci/reference.ts';
import { BUILTIN_IMAGES, type BuiltinImageSource, buildBuiltinImage } from './builtin-images.ts';
import { type ImageIndexData, type ImageIndexStorage, imageBlobs, type StoredImage } from './image-index.ts';
import {
  familiarKey,
  matchImage,
  noSuchImage,
  repositoryOfKey,
  tagsByImage,
  tryParseReference,
} from './image-match.ts';
import {
  type ImageRecord,
  type ImageSummary,
  missingBlob,
  prepareImage,
  readRecord,
  summaryOf,
} from './image-record.ts';

export interface AddImage {
  /** Manifest or index digest; its blobs must be in the content store. */
  digest: Digest;
  /** Names to point at it (`name[:tag]`). */
  names?: string[];
  /** A pull: also record `name@digest` as a repo digest for each name. */
  pulled?: boolean;
  platform?: ImagePlatform;
}

export interface AddedImage {
  id: Digest;
  manifestDigest: Digest;
  /** Familiar names now pointing at it. */
  names: string[];
  /** Names that pointed at another image before (that image lost them). */
  replaced: { name: string; previousId: Digest }[];
}

export type ImageDeleteItem = { Untagged: string } | { Deleted: Digest };

export interface ImageUser {
  containerId: string;
  running: boolean;
}

export interface RemoveImageOptions {
  force?: boolean;
  /** A container using the image, if any (the image store knows no containers). */
  usedBy?: (imageId: Digest) => ImageUser | undefined | Promise<ImageUser | undefined>;
}

export interface GcResult {
  deleted: Digest[];
  reclaimedBytes: number;
}

export interface ImageStoreOptions {
  builtins?: BuiltinImageSource;
}

/** Optional extras of a content store that gc uses when present (the disk store has them). */
interface GcAware {
  mtimeMs?(digest: Digest): Promise<number | undefined>;
  removeLeftovers?(ageMs: number): Promise<number>;
}

export class ImageStore {
  constructor(
    readonly content: ContentStore,
    readonly index: ImageIndexStorage,
    private readonly options: ImageStoreOptions = {},
  ) {}

  /** All images, newest first, from the index alone. */
  async list(): Promise<ImageSummary[]> {
    const data = await this.index.read();
    const tags = tagsByImage(data);
    return Object.values(data.images)
      .map((img) =>
        summaryOf(
          img,
          (tags.get(img.manifestDigest) ?? []).map(familiarKey),
          img.repoDigests.map(familiarKey),
        ),
      )
      .sort((a, b) => (b.created ?? '').localeCompare(a.created ?? '') || a.id.localeCompare(b.id));
  }

  /** Whether the canonical `registry/repo:tag` key names an image (the index alone; a pull asks). */
  async hasTag(key: string): Promise<boolean> {
    return (await this.index.read()).tags[key] !== undefined;
  }

  /** Like resolve(), but undefined for a missing image. */
  async find(input: string): Promise<ImageRecord | undefined> {
    let data = await this.index.read();
    let match = matchImage(data, input);
    if (!match && (await this.ensureBuiltinFor(input))) {
      data = await this.index.read();
      match = matchImage(data, input);
    }
    return match ? this.record(data, match.image) : undefined;
  }

  /** A name, `name:tag`, `name@digest`, full or short id; NotFoundError "No such image: x:latest". */
  async resolve(input: string): Promise<ImageRecord> {
    const found = await this.find(input);
    if (!found) throw new NotFoundError(noSuchImage(input));
    return found;
  }

  private record(data: ImageIndexData, img: StoredImage): Promise<ImageRecord> {
    const tags = Object.keys(data.tags)
      .filter((k) => data.tags[k] === img.manifestDigest)
      .sort();
    return readRecord(this.content, img, tags.map(familiarKey), img.repoDigests.map(familiarKey));
  }

  /**
   * Points `name` at an image: `target` is an image in the store (name or id) or the digest of a
   * manifest/index whose blobs were just stored (a pull: pass `pulled` to record the repo digest).
   */
  async tag(
    name: string,
    target: string,
    options: { pulled?: boolean; platform?: ImagePlatform } = {},
  ): Promise<ImageRecord> {
    if (!options.pulled && !isDigest(target)) await this.find(target); // a built-in appears on first use
    const data = await this.index.read();
    const existing = (isDigest(target) ? data.images[target] : undefined) ?? matchImage(data, target)?.image;
    let digest: Digest;
    if (existing && !options.pulled) digest = existing.manifestDigest;
    else if (isDigest(target)) digest = target;
    else throw new NotFoundError(noSuchImage(target));
    const [added] = await this.addImages([
      { digest, names: [name], pulled: options.pulled, platform: options.platform },
    ]);
    return this.resolve(added!.manifestDigest);
  }

  /**
   * `tag` for a pull, in two steps: the record read from the stored blobs, then the returned
   * commit adds the image and its name in one index update (which checks under the lock that
   * every blob is still stored). Unlike tag, it does not read the record back.
   */
  async prepareTag(
    name: string,
    target: Digest,
    options: { pulled?: boolean; platform?: ImagePlatform } = {},
  ): Promise<() => Promise<AddedImage[]>> {
    return this.prepareAdd([
      { digest: target, names: [name], pulled: options.pulled, platform: options.platform },
    ]);
  }

  /** Removes one name; the image stays (possibly dangling). Returns the image's manifest digest. */
  async untag(name: string): Promise<Digest> {
    const ref = parseReference(name);
    const key = canonicalString(ref);
    return this.index.update((data) => {
      const digest = data.tags[key];
      if (!digest) throw new NotFoundError(noSuchImage(name));
      delete data.tags[key];
      return digest;
    });
  }

  /** Adds images and names in one atomic index update (load, pull, build, builtins). */
  async addImages(items: AddImage[]): Promise<AddedImage[]> {
    return (await this.prepareAdd(items))();
  }

  /** addImages in two steps: the records read from the stored blobs now, the index updated by the returned commit. */
  private async prepareAdd(items: AddImage[]): Promise<() => Promise<AddedImage[]>> {
    const prepared: { item: AddImage; image: StoredImage; keys: string[]; repoDigests: string[] }[] = [];
    for (const item of items) {
      const image = await prepareImage(this.content, item.digest, item.platform);
      const keys: string[] = [];
      const repoDigests: string[] = [];
      for (const name of item.names ?? []) {
        const ref = parseReference(name);
        if (ref.digest !== undefined && ref.tag === undefined && !item.pulled) {
          throw new InvalidReferenceError('refusing to create a tag with a digest reference');
        }
        if (ref.tag !== undefined) keys.push(canonicalString({ ...ref, digest: undefined }));
        if (item.pulled) repoDigests.push(`${canonicalName(ref)}@${item.digest}`);
      }
      prepared.push({ item, image, keys, repoDigests });
    }
    return () =>
      this.index.update(async (data) => {
        const out: AddedImage[] = [];
        for (const { image, keys, repoDigests } of prepared) {
          // Under the lock: a concurrent rmi may have deleted a shared blob after we read it.
          const missing = await missingBlob(this.content, image);
          if (missing)
            throw new InvalidStateError(`blob ${missing} was removed while adding the image; try again`);
          const old = data.images[image.manifestDigest];
          const stored: StoredImage = old ?? image;
          for (const d of repoDigests) if (!stored.repoDigests.includes(d)) stored.repoDigests.push(d);
          data.images[image.manifestDigest] = stored;
          const replaced: AddedImage['replaced'] = [];
          for (const key of keys) {
            const prev = data.tags[key];
            if (prev && prev !== image.manifestDigest && data.images[prev]) {
              replaced.push({ name: familiarKey(key), previousId: data.images[prev].id });
            }
            data.tags[key] = image.manifestDigest;
          }
          out.push({
            id: image.id,
            manifestDigest: image.manifestDigest,
            names: keys.map(familiarKey),
            replaced,
          });
        }
        return out;
      });
  }

  /** Docker's `rmi`: untag, and delete the image (and its unshared blobs) when nothing names it. */
  async remove(input: string, options: RemoveImageOptions = {}): Promise<ImageDeleteItem[]> {
    const items: ImageDeleteItem[] = [];
    let unreferenced: Digest[] = [];
    await this.index.update(
      async (data) => {
        const match = matchImage(data, input);
        if (!match) throw new NotFoundError(noSuchImage(input));
        const img = match.image;
        const tagKeysOf = (digests: Set<Digest>) =>
          Object.keys(data.tags).filter((k) => digests.has(data.tags[k]!));
        const removed: StoredImage[] = [];
        if (match.by !== 'id') {
          const names = tagKeysOf(new Set([img.manifestDigest]));
          // Repo digests do not keep an image alive once its last tag goes (Docker untags them too).
          const otherTags = names.filter((k) => k !== match.key).length;
          const last = match.by === 'tag' ? otherTags === 0 : otherTags + img.repoDigests.length <= 1;
          const user = last ? await options.usedBy?.(img.id) : undefined;
          if (user && !options.force) {
            throw new ConflictError(
              `conflict: unable to remove repository reference "${input}" (must force) - container ` +
                `${shortId(user.containerId)} is using its referenced image ${shortId(img.id)}`,
            );
          }
          if (match.by === 'tag') delete data.tags[match.key];
          else img.repoDigests = img.repoDigests.filter((d) => d !== match.key);
          items.push({ Untagged: familiarKey(match.key) });
          if (last && !user) removed.push(img);
        } else {
          const same = Object.values(data.images).filter((i) => i.id === img.id);
          const names = tagKeysOf(new Set(same.map((i) => i.manifestDigest)));
          const repos = new Set(names.map(repositoryOfKey));
          if (repos.size > 1 && !options.force) {
            throw new ConflictError(
              `conflict: unable to delete ${shortId(img.id)} (must be forced) - image is referenced in multiple repositories`,
            );
          }
          const user = await options.usedBy?.(img.id);
          if (user?.running) {
            throw new ConflictError(
              `conflict: unable to delete ${shortId(img.id)} (cannot be forced) - image is being used by running container ${shortId(user.containerId)}`,
            );
          }
          if (user && !options.force) {
            throw new ConflictError(
              `conflict: unable to delete ${shortId(img.id)} (must be forced) - image is being used by stopped container ${shortId(user.containerId)}`,
            );
          }
          for (const k of names) {
            delete data.tags[k];
            items.push({ Untagged: familiarKey(k) });
          }
          if (!user) removed.push(...same);
        }
        for (const r of removed) {
          for (const d of r.repoDigests)
            if (match.by === 'id' || d !== (match as { key: string }).key)
              items.push({ Untagged: familiarKey(d) });
          delete data.images[r.manifestDigest];
        }
        if (removed.length > 0) items.push({ Deleted: img.id });
        const kept = new Set(Object.values(data.images).flatMap(imageBlobs));
        unreferenced = [...new Set(removed.flatMap(imageBlobs))].filter((d) => !kept.has(d));
      },
      async () => {
        for (const d of unreferenced) await this.content.delete(d);
      },
    );
    return items;
  }

  /**
   * Deletes blobs no image references. Blobs touched within `graceMs` (default 10 min) are
   * spared: a pull or load in another process may have stored them and not yet added its image.
   */
  async gc(options: { graceMs?: number } = {}): Promise<GcResult> {
    const graceMs = options.graceMs ?? 600_000;
    const content = this.content as ContentStore & GcAware;
    const result: GcResult = { deleted: [], reclaimedBytes: 0 };
    await this.index.update(
      () => undefined,
      async () => {
        const data = await this.index.read();
        const kept = new Set(Object.values(data.images).flatMap(imageBlobs));
        const cutoff = Date.now() - graceMs;
        for (const d of await content.list()) {
          if (kept.has(d)) continue;
          const mtime = await content.mtimeMs?.(d);
          if (mtime !== undefined && mtime > cutoff) continue;
          result.reclaimedBytes += (await content.size(d)) ?? 0;
          await content.delete(d);
          result.deleted.push(d);
        }
        await content.removeLeftovers?.(Math.max(graceMs, 3_600_000));
      },
    );
    return result;
  }

  /** Creates a built-in image (hello-world, …) if `name` is one and its .wasm ships; else undefined. */
  async ensureBuiltin(name: string): Promise<ImageRecord | undefined> {
    const spec = BUILTIN_IMAGES[name];
    const wasm = spec ? await this.options.builtins?.read(name) : undefined;
    if (!spec || !wasm) return undefined;
    const built = await buildBuiltinImage(spec, wasm);
    for (const blob of built.blobs) await this.content.put(blob);
    await this.addImages([{ digest: built.manifestDigest, names: [`${name}:latest`] }]);
    return this.resolve(built.manifestDigest);
  }

  private async ensureBuiltinFor(input: string): Promise<boolean> {
    if (!this.options.builtins) return false;
    const ref = tryParseReference(input);
    if (!ref || ref.registry !== DEFAULT_REGISTRY || ref.digest !== undefined || ref.tag !== 'latest')
      return false;
    const name = ref.repository.replace(/^library\//, '');
    if (!Object.hasOwn(BUILTIN_IMAGES, name)) return false;
    return (await this.ensureBuiltin(name)) !== undefined;
  }
}

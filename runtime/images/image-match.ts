// Finding an image in the index the way Docker does: a name (tag or `name@digest`) first, then a
// full `sha256:` id or manifest digest, then a unique image-id prefix.

import { ConflictError } from '../errors.ts';
import { type Digest, isDigest } from '../oci/digest.ts';
import {
  canonicalName,
  canonicalString,
  familiarString,
  type ImageReference,
  parseReference,
} from '../oci/reference.ts';
import type { ImageIndexData, StoredImage } from './image-index.ts';

export type ImageMatch =
  | { by: 'tag'; image: StoredImage; key: string; ref: ImageReference }
  | { by: 'digest'; image: StoredImage; key: string; ref: ImageReference }
  | { by: 'id'; image: StoredImage };

export function tryParseReference(input: string): ImageReference | undefined {
  try {
    return parseReference(input);
  } catch {
    return undefined;
  }
}

/** Docker's wording for a miss: the reference with its default tag, or the input as typed. */
export function noSuchImage(input: string): string {
  const ref = tryParseReference(input);
  return `No such image: ${ref ? familiarString(ref) : input}`;
}

export function matchImage(data: ImageIndexData, input: string): ImageMatch | undefined {
  const images = Object.values(data.images);
  if (isDigest(input)) {
    const image = data.images[input] ?? images.find((i) => i.id === input);
    return image ? { by: 'id', image } : undefined;
  }
  const ref = tryParseReference(input);
  if (ref?.digest !== undefined) {
    const digest = ref.digest;
    const key = `${canonicalName(ref)}@${digest}`;
    const image =
      images.find((i) => i.repoDigests.includes(key)) ??
      images.find((i) => i.manifestDigest === digest || i.extraBlobs.includes(digest));
    if (image) return { by: 'digest', image, key, ref };
  } else if (ref) {
    const key = canonicalString(ref);
    const digest = data.tags[key];
    const image = digest ? data.images[digest] : undefined;
    if (image) return { by: 'tag', image, key, ref };
  }
  const prefix = /^(?:sha256:)?([a-f0-9]{1,64})$/.exec(input)?.[1];
  if (prefix !== undefined) {
    const hits = images.filter((i) => i.id.startsWith(`sha256:${prefix}`));
    const ids = new Set(hits.map((i) => i.id));
    if (ids.size > 1) throw new ConflictError(`multiple IDs found with provided prefix: ${prefix}`);
    if (hits.length > 0) return { by: 'id', image: hits[0]! };
  }
  return undefined;
}

/** Tag keys (canonical) per manifest digest. */
export function tagsByImage(data: ImageIndexData): Map<Digest, string[]> {
  const out = new Map<Digest, string[]>();
  for (const key of Object.keys(data.tags).sort()) {
    const d = data.tags[key]!;
    const list = out.get(d);
    if (list) list.push(key);
    else out.set(d, [key]);
  }
  return out;
}

/**
 * Canonical `registry/repo:tag` or `registry/repo@digest` as the user sees it. Keys were
 * canonicalised by parseReference when stored, so plain string work suffices (and keeps
 * `images` with thousands of tags fast).
 */
export function familiarKey(key: string): string {
  if (!key.startsWith(DOCKER_HUB)) return key;
  const rest = key.slice(DOCKER_HUB.length);
  if (rest.startsWith(OFFICIAL)) {
    const name = rest.slice(OFFICIAL.length);
    const end = name.search(/[:@]/);
    if (!(end === -1 ? name : name.slice(0, end)).includes('/')) return name;
  }
  return rest;
}

const DOCKER_HUB = 'docker.io/';
const OFFICIAL = 'library/';

/** `registry/repo` part of a canonical key. */
export function repositoryOfKey(key: string): string {
  const ref = tryParseReference(key);
  return ref ? canonicalName(ref) : key;
}

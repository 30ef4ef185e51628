// Image references, `[registry[:port]/]repo[:tag][@sha256:…]`, parsed and normalised the way
// Docker's distribution/reference does: Docker Hub is `docker.io` (`index.docker.io` is an alias),
// a single-component Hub name lives under `library/`, and the first component is a registry only
// if it has a `.` or `:`, is `localhost`, or has an uppercase letter.

import { InvalidReferenceError } from '../errors.ts';
import type { Digest } from './digest.ts';

export const DEFAULT_REGISTRY = 'docker.io';
export const DEFAULT_TAG = 'latest';
const LEGACY_DEFAULT_REGISTRY = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
const NAME_TOTAL_MAX = 255;

export interface ImageReference {
  /** `docker.io`, `localhost:5000`, `127.0.0.1:5000`, `[::1]:5000`, … */
  registry: string;
  /** Path inside the registry: `library/ubuntu`, `gordon/get-started`. */
  repository: string;
  tag?: string;
  digest?: Digest;
}

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE_RE = new RegExp(
  `^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);
const TAG_RE = new RegExp(`^${TAG}$`);
const ID_RE = /^[a-f0-9]{64}$/;

function splitDockerDomain(name: string): [registry: string, remainder: string] {
  const i = name.indexOf('/');
  let registry: string;
  let remainder: string;
  const first = name.slice(0, i);
  if (i === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    registry = DEFAULT_REGISTRY;
    remainder = name;
  } else {
    registry = first;
    remainder = name.slice(i + 1);
  }
  if (registry === LEGACY_DEFAULT_REGISTRY) registry = DEFAULT_REGISTRY;
  if (registry === DEFAULT_REGISTRY && !remainder.includes('/')) remainder = OFFICIAL_PREFIX + remainder;
  return [registry, remainder];
}

export interface ParseReferenceOptions {
  /** Add `latest` when the reference has neither tag nor digest (default true). */
  defaultTag?: boolean;
}

/** Parses a reference as the user typed it; throws InvalidReferenceError with Docker's wording. */
export function parseReference(input: string, options: ParseReferenceOptions = {}): ImageReference {
  if (input === '')
    throw new InvalidReferenceError(
      'invalid reference format: repository name must have at least one component',
    );
  if (ID_RE.test(input)) {
    throw new InvalidReferenceError(
      `invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`,
    );
  }
  const [registry, remainder] = splitDockerDomain(input);
  const at = remainder.indexOf('@');
  const beforeDigest = at === -1 ? remainder : remainder.slice(0, at);
  const colon = beforeDigest.indexOf(':');
  const remoteName = colon === -1 ? beforeDigest : beforeDigest.slice(0, colon);
  if (remoteName.toLowerCase() !== remoteName) {
    throw new InvalidReferenceError(
      `invalid reference format: repository name (${remoteName}) must be lowercase`,
    );
  }
  const m = REFERENCE_RE.exec(`${registry}/${remainder}`);
  // The registry must parse as one (not merely as a path component).
  if (!m || m[1] !== registry) throw new InvalidReferenceError('invalid reference format');
  const repository = m[2]!;
  if (registry.length + 1 + repository.length > NAME_TOTAL_MAX) {
    throw new InvalidReferenceError(
      `invalid reference format: repository name must not be more than ${NAME_TOTAL_MAX} characters`,
    );
  }
  const digest = m[4];
  if (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest)) {
    if (!digest.startsWith('sha256:')) {
      throw new InvalidReferenceError(
        `unsupported digest algorithm: ${digest.slice(0, digest.indexOf(':'))}`,
      );
    }
    throw new InvalidReferenceError('invalid reference format');
  }
  const ref: ImageReference = { registry, repository };
  if (m[3] !== undefined) ref.tag = m[3];
  if (digest !== undefined) ref.digest = digest as Digest;
  if (ref.tag === undefined && ref.digest === undefined && options.defaultTag !== false)
    ref.tag = DEFAULT_TAG;
  return ref;
}

/** True if `input` parses as a reference (no throw). */
export function isValidReference(input: string): boolean {
  try {
    parseReference(input);
    return true;
  } catch {
    return false;
  }
}

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/** `ubuntu`, `gordon/get-started`, `127.0.0.1:5000/gordon/get-started` (Docker's familiar name). */
export function familiarName(ref: Pick<ImageReference, 'registry' | 'repository'>): string {
  if (ref.registry !== DEFAULT_REGISTRY) return `${ref.registry}/${ref.repository}`;
  if (ref.repository.startsWith(OFFICIAL_PREFIX)) {
    const rest = ref.repository.slice(OFFICIAL_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return ref.repository;
}

/** `ubuntu:latest`, `ubuntu@sha256:…`, `localhost:5000/a/b:v1` (what `docker images` shows). */
export function familiarString(ref: ImageReference): string {
  return familiarName(ref) + suffix(ref);
}

/** `docker.io/library/ubuntu` */
export function canonicalName(ref: Pick<ImageReference, 'registry' | 'repository'>): string {
  return `${ref.registry}/${ref.repository}`;
}

/** `docker.io/library/ubuntu:latest` — the key under which berth stores a tag. */
export function canonicalString(ref: ImageReference): string {
  return canonicalName(ref) + suffix(ref);
}

function suffix(ref: ImageReference): string {
  return (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}

/** The same reference with `latest` added when it has neither tag nor digest. */
export function withDefaultTag(ref: ImageReference): ImageReference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: DEFAULT_TAG } : ref;
}

/** Normalises user input to its canonical `registry/repo:tag` form (throws on a bad reference). */
export function normalizeReference(input: string): string {
  return canonicalString(parseReference(input));
}

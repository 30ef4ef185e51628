// The JSON documents of the OCI image spec (and Docker schema2, which has the same shape), with
// parsers that check the fields berth relies on so a bad blob fails here, clearly, not later.

import { InvalidStateError } from '../errors.ts';
import { type Digest, parseDigest } from './digest.ts';
import { assertSupportedManifestType, isIndexMediaType, MediaType } from './media-types.ts';

export interface ImagePlatform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  annotations?: Record<string, string>;
  platform?: ImagePlatform;
  urls?: string[];
  artifactType?: string;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
  subject?: Descriptor;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** The runtime part of an image config (Docker's ContainerConfig subset that OCI keeps). */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  ArgsEscaped?: boolean;
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number };
  OnBuild?: string[] | null;
  Shell?: string[];
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
  config?: ContainerConfig;
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history?: HistoryEntry[];
}

export const OCI_REF_NAME = 'org.opencontainers.image.ref.name';
export const CONTAINERD_IMAGE_NAME = 'io.containerd.image.name';
export const OCI_IMAGE_TITLE = 'org.opencontainers.image.title';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw new InvalidStateError(`${what} is not valid JSON`, { cause });
  }
}

/** Canonical bytes of a document berth writes: compact, stable key order as given. */
export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseDescriptor(v: unknown, what: string): Descriptor {
  if (!isObject(v) || typeof v.mediaType !== 'string' || typeof v.digest !== 'string') {
    throw new InvalidStateError(`${what}: malformed descriptor`);
  }
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0) {
    throw new InvalidStateError(`${what}: descriptor ${v.digest} has no valid size`);
  }
  parseDigest(v.digest);
  return v as unknown as Descriptor;
}

export type ManifestDocument =
  | { kind: 'index'; index: ImageIndex }
  | { kind: 'manifest'; manifest: ImageManifest };

/**
 * Reads a manifest or index blob. The kind comes from `mediaType` (or the document's own field,
 * or its shape: `manifests` vs `layers`), because registries and archives are not consistent.
 */
export function parseManifestDocument(bytes: Uint8Array, mediaType?: string): ManifestDocument {
  const doc = parseJson(bytes, 'manifest');
  if (!isObject(doc)) throw new InvalidStateError('manifest is not a JSON object');
  const type = (typeof doc.mediaType === 'string' ? doc.mediaType : undefined) ?? mediaType;
  assertSupportedManifestType(type);
  if (doc.schemaVersion !== 2) {
    throw new InvalidStateError(`unsupported manifest schemaVersion ${String(doc.schemaVersion)}`);
  }
  if (isIndexMediaType(type) || (type === undefined && Array.isArray(doc.manifests))) {
    if (!Array.isArray(doc.manifests)) throw new InvalidStateError('image index has no manifests');
    for (const [i, m] of doc.manifests.entries()) parseDescriptor(m, `image index entry ${i}`);
    return { kind: 'index', index: doc as unknown as ImageIndex };
  }
  if (!Array.isArray(doc.layers)) throw new InvalidStateError('image manifest has no layers');
  parseDescriptor(doc.config, 'image manifest config');
  for (const [i, l] of doc.layers.entries()) parseDescriptor(l, `image manifest layer ${i}`);
  return { kind: 'manifest', manifest: doc as unknown as ImageManifest };
}

export function parseImageConfig(bytes: Uint8Array): ImageConfig {
  const doc = parseJson(bytes, 'image config');
  if (!isObject(doc) || typeof doc.os !== 'string' || typeof doc.architecture !== 'string') {
    throw new InvalidStateError('image config lacks os/architecture');
  }
  const rootfs = doc.rootfs;
  if (!isObject(rootfs) || !Array.isArray(rootfs.diff_ids)) {
    throw new InvalidStateError('image config lacks rootfs.diff_ids');
  }
  for (const d of rootfs.diff_ids) parseDigest(String(d));
  return doc as unknown as ImageConfig;
}

/** The manifest media type that matches a config media type (Docker configs go in Docker manifests). */
export function manifestTypeFor(configMediaType: string): string {
  return configMediaType === MediaType.dockerConfig ? MediaType.dockerManifest : MediaType.ociManifest;
}

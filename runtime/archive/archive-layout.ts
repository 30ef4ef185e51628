// File names and documents shared by save and load: the OCI image layout (oci-layout,
// index.json, blobs/sha256/<hex>) and Docker's archive (manifest.json, repositories).

import type { Digest } from '../oci/digest.ts';

/** `docker`: Docker 25 combined Docker + OCI layout (default); `oci`: plain OCI layout. */
export type ArchiveFormat = 'oci' | 'docker';

export const OCI_LAYOUT_FILE = 'oci-layout';
export const OCI_INDEX_FILE = 'index.json';
export const DOCKER_MANIFEST_FILE = 'manifest.json';
export const DOCKER_REPOSITORIES_FILE = 'repositories';
export const OCI_LAYOUT_VERSION = { imageLayoutVersion: '1.0.0' };

export function blobPath(digest: Digest): string {
  return `blobs/sha256/${digest.slice(7)}`;
}

/** The digest a `blobs/sha256/<hex>` path names, else undefined. */
export function digestOfBlobPath(path: string): Digest | undefined {
  const m = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(path);
  return m ? `sha256:${m[1]}` : undefined;
}

/** One entry of Docker's manifest.json. */
export interface DockerArchiveManifest {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

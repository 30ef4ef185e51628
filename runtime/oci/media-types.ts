// Media types of the OCI image spec, Docker's schema2, and the CNCF Wasm OCI artifact.

import { UnsupportedError } from '../errors.ts';

export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestV1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerManifestV1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  wasmConfig: 'application/vnd.wasm.config.v0+json',
  wasmLayer: 'application/wasm',
} as const;

export type KnownMediaType = (typeof MediaType)[keyof typeof MediaType];

/** The Accept header a registry client sends for a manifest (index types first). */
export const MANIFEST_ACCEPT = [
  MediaType.ociIndex,
  MediaType.dockerManifestList,
  MediaType.ociManifest,
  MediaType.dockerManifest,
].join(', ');

export const isIndexMediaType = (t: string | undefined): boolean =>
  t === MediaType.ociIndex || t === MediaType.dockerManifestList;

export const isManifestMediaType = (t: string | undefined): boolean =>
  t === MediaType.ociManifest || t === MediaType.dockerManifest;

export const isWasmArtifactConfig = (t: string | undefined): boolean => t === MediaType.wasmConfig;

export type LayerCompression = 'none' | 'gzip' | 'wasm';

/**
 * How a layer blob is stored. zstd and schema1 are refused with a clear message rather than
 * misread; `wasm` is a raw module of the CNCF Wasm artifact (not a tar at all).
 */
export function layerCompression(mediaType: string): LayerCompression {
  switch (mediaType) {
    case MediaType.ociLayer:
    case MediaType.ociLayerNondistributable:
    case MediaType.dockerLayer:
      return 'none';
    case MediaType.ociLayerGzip:
    case MediaType.ociLayerNondistributableGzip:
    case MediaType.dockerLayerGzip:
    case MediaType.dockerForeignLayerGzip:
      return 'gzip';
    case MediaType.wasmLayer:
      return 'wasm';
    case MediaType.ociLayerZstd:
      throw new UnsupportedError(
        `zstd-compressed layers are not supported yet (${mediaType}); push the image with gzip layers`,
      );
    default:
      throw new UnsupportedError(`unsupported layer media type: ${mediaType}`);
  }
}

/** Refuses manifest kinds berth cannot read (Docker schema1 was removed from Docker too). */
export function assertSupportedManifestType(mediaType: string | undefined): void {
  if (mediaType === MediaType.dockerManifestV1 || mediaType === MediaType.dockerManifestV1Signed) {
    throw new UnsupportedError(
      'Docker Image Format v1 and Docker Image manifest version 2, schema 1 are not supported',
    );
  }
}

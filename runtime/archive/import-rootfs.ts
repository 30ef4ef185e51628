// `import`: a root filesystem tarball (plain or gzip) as a new single-layer image, like
// `docker import`. The platform defaults to berth's wasm one; `changes` sets the config
// (the CLI parses `--change` lines into it).

import { InvalidStateError } from '../errors.ts';
import { gunzip, isGzip, isZstd } from '../oci/gzip.ts';
import type { ContainerConfig, ImagePlatform } from '../oci/manifest.ts';
import { WASM_PLATFORM } from '../oci/platform.ts';
import { createImage } from '../images/image-create.ts';
import type { ImageRecord } from '../images/image-record.ts';
import type { ImageStore } from '../images/image-store.ts';
import { readArchive } from './tar-io.ts';

export interface ImportOptions {
  names?: string[];
  changes?: ContainerConfig;
  message?: string;
  platform?: ImagePlatform;
  /** RFC 3339; default now. */
  created?: string;
}

export async function importRootfs(
  store: ImageStore,
  tarball: Uint8Array,
  options: ImportOptions = {},
): Promise<ImageRecord> {
  if (isZstd(tarball))
    throw new InvalidStateError('import: zstd-compressed tarballs are not supported; use gzip');
  const tar = isGzip(tarball) ? await gunzip(tarball) : tarball;
  try {
    for await (const _ of readArchive(tar)) {
      // reading it through proves it is a tar before anything is stored
    }
  } catch (cause) {
    throw new InvalidStateError(`import: not a tar archive: ${(cause as Error).message}`, { cause });
  }
  const created = options.created ?? new Date().toISOString();
  const platform = options.platform ?? WASM_PLATFORM;
  return createImage(store, {
    layers: [tar],
    config: {
      created,
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      config: options.changes ?? {},
      history: [
        { created, created_by: 'berth import', ...(options.message ? { comment: options.message } : {}) },
      ],
    },
    names: options.names ?? [],
  });
}

// The CNCF Wasm OCI artifact (config application/vnd.wasm.config.v0+json, layers application/wasm:
// raw modules, not tars) rendered as an ordinary wasm image so containers need no special case:
// each module becomes a one-file layer tar at `/<title or module>.wasm`, and the config becomes an
// OCI config whose entrypoint is the first module. Both renderings are deterministic.

import { UnsupportedError } from '../errors.ts';
import type { Digest } from '../oci/digest.ts';
import {
  type Descriptor,
  type ImageConfig,
  type ImageManifest,
  OCI_IMAGE_TITLE,
  parseJson,
} from '../oci/manifest.ts';
import { MediaType } from '../oci/media-types.ts';
import type { ContentStore } from '../content/content-store.ts';

/** `/app.wasm` from a safe title annotation, else `/module.wasm` (`/module-2.wasm` for the 3rd). */
export function wasmModulePath(layer: Descriptor, position: number): string {
  const title = layer.annotations?.[OCI_IMAGE_TITLE]?.split('/').pop() ?? '';
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/.test(title))
    return `/${title.endsWith('.wasm') ? title : `${title}.wasm`}`;
  return position === 0 ? '/module.wasm' : `/module-${position}.wasm`;
}

/** The layer tar holding one raw module of the artifact. */
export async function wasmLayerTar(
  layer: Descriptor,
  position: number,
  wasm: Uint8Array,
): Promise<Uint8Array> {
  if (layer.mediaType !== MediaType.wasmLayer) {
    throw new UnsupportedError(
      `Wasm artifact layer ${layer.digest} has unsupported media type ${layer.mediaType}`,
    );
  }
  // Loaded here: the tar library is needed only to render an artifact, not to open the store.
  const { packArchiveBytes } = await import('../archive/tar-io.ts');
  return packArchiveBytes([
    { path: wasmModulePath(layer, position).slice(1), type: 'file', mode: 0o755, data: wasm },
  ]);
}

export interface RenderedWasmArtifact {
  config: ImageConfig;
  configBytes: Uint8Array;
  diffIds: Digest[];
}

/** Renders the artifact; stores the layer tars and the config in `content`. */
export async function renderWasmArtifact(
  content: ContentStore,
  manifest: ImageManifest,
  rawConfig: Uint8Array,
): Promise<RenderedWasmArtifact & { configDigest: Digest }> {
  const raw = (parseJson(rawConfig, 'Wasm artifact config') ?? {}) as Record<string, unknown>;
  const diffIds: Digest[] = [];
  for (const [i, layer] of manifest.layers.entries()) {
    const tar = await wasmLayerTar(layer, i, await content.get(layer.digest));
    diffIds.push(await content.put(tar));
  }
  if (diffIds.length === 0) throw new UnsupportedError('Wasm artifact has no module layer');
  const created = typeof raw.created === 'string' ? raw.created : undefined;
  const config: ImageConfig = {
    ...(created ? { created } : {}),
    ...(typeof raw.author === 'string' ? { author: raw.author } : {}),
    architecture: 'wasm',
    os: typeof raw.os === 'string' && raw.os !== '' ? raw.os : 'wasip1',
    config: { Entrypoint: [wasmModulePath(manifest.layers[0]!, 0)] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: manifest.layers.map(() => ({
      ...(created ? { created } : {}),
      created_by: 'CNCF Wasm OCI artifact',
    })),
  };
  const configBytes = new TextEncoder().encode(JSON.stringify(config));
  const configDigest = await content.put(configBytes);
  return { config, configBytes, diffIds, configDigest };
}

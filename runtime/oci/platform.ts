// Which manifest of an image index berth runs. Wasm images come in three spellings, all accepted:
// platform `wasi/wasm` (what `docker buildx --platform wasi/wasm` writes), `wasip1/wasm` and
// `wasi/wasm32`; plus images marked with the `module.wasm.image/variant=compat` annotation (crun's
// convention: a linux/amd64-labelled image whose entrypoint is a .wasm file) and the CNCF Wasm
// OCI artifact (config application/vnd.wasm.config.v0+json).

import { NotFoundError, UsageError } from '../errors.ts';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest, ImagePlatform } from './manifest.ts';
import { isWasmArtifactConfig } from './media-types.ts';

export const WASM_VARIANT_ANNOTATION = 'module.wasm.image/variant';
const WASM_OS = new Set(['wasi', 'wasip1']);
const WASM_ARCH = new Set(['wasm', 'wasm32']);

/** berth's own platform for the images it builds. */
export const WASM_PLATFORM: ImagePlatform = { os: 'wasi', architecture: 'wasm' };

export function isWasmPlatform(p: Pick<ImagePlatform, 'os' | 'architecture'> | undefined): boolean {
  return p !== undefined && WASM_OS.has(p.os) && WASM_ARCH.has(p.architecture);
}

/** `compat` or `compat-smart`: crun's marker that the image's entrypoint is a wasm module. */
export function hasWasmVariantAnnotation(annotations: Record<string, string> | undefined): boolean {
  const v = annotations?.[WASM_VARIANT_ANNOTATION];
  return v === 'compat' || v === 'compat-smart';
}

/** True if the image runs on the wasm backend. */
export function isWasmImage(manifest: ImageManifest, config?: ImageConfig): boolean {
  if (isWasmArtifactConfig(manifest.config.mediaType)) return true;
  if (hasWasmVariantAnnotation(manifest.annotations)) return true;
  if (config === undefined) return false;
  return isWasmPlatform(config) || hasWasmVariantAnnotation(config.config?.Labels);
}

export function formatPlatform(p: Pick<ImagePlatform, 'os' | 'architecture' | 'variant'>): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** Parses `os/arch[/variant]` (the `--platform` flag). */
export function parsePlatform(s: string): ImagePlatform {
  const [os, architecture, variant] = s.split('/');
  if (!os || !architecture)
    throw new UsageError(`invalid platform ${JSON.stringify(s)}: want os/arch[/variant]`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

const normArch = (a: string): string => (a === 'x86_64' ? 'amd64' : a === 'aarch64' ? 'arm64' : a);

function platformMatches(d: Descriptor, wanted: ImagePlatform): boolean {
  return d.platform !== undefined && platformIs(d.platform, wanted);
}

/** Whether an image's platform (an index entry's, or a config's) is the one wanted. */
export function platformIs(
  p: Pick<ImagePlatform, 'os' | 'architecture' | 'variant'>,
  wanted: ImagePlatform,
): boolean {
  if (isWasmPlatform(wanted)) return isWasmPlatform(p);
  if (p.os !== wanted.os || normArch(p.architecture) !== normArch(wanted.architecture)) return false;
  return wanted.variant === undefined || p.variant === undefined || p.variant === wanted.variant;
}

/**
 * Picks the manifest to run from an index. For the wasm platform (the default): a wasm-platform
 * entry first, then one annotated `module.wasm.image/variant=compat`, then a CNCF Wasm artifact
 * entry (artifactType). Attestation entries (`unknown/unknown`) never match.
 */
export function selectManifest(index: ImageIndex, wanted: ImagePlatform = WASM_PLATFORM): Descriptor {
  const candidates = index.manifests.filter((d) => d.platform?.os !== 'unknown');
  const exact = candidates.find((d) => platformMatches(d, wanted));
  if (exact) return exact;
  if (isWasmPlatform(wanted)) {
    const compat = candidates.find((d) => hasWasmVariantAnnotation(d.annotations));
    if (compat) return compat;
    const artifact = candidates.find((d) => isWasmArtifactConfig(d.artifactType));
    if (artifact) return artifact;
  }
  // An index with a single entry and no platform at all is a plain wrapper (OCI layouts write those).
  if (candidates.length === 1 && candidates[0]!.platform === undefined) return candidates[0]!;
  throw new NotFoundError(`no matching manifest for ${formatPlatform(wanted)} in the manifest list entries`);
}

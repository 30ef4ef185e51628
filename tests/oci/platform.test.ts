import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../runtime/errors.ts';
import type { Descriptor, ImageIndex, ImageManifest } from '../../runtime/oci/manifest.ts';
import { MediaType } from '../../runtime/oci/media-types.ts';
import { isWasmImage, isWasmPlatform, parsePlatform, selectManifest } from '../../runtime/oci/platform.ts';

const d = (n: number, extra: Partial<Descriptor> = {}): Descriptor => ({
  mediaType: MediaType.ociManifest,
  digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
  size: 100 + n,
  ...extra,
});
const index = (...manifests: Descriptor[]): ImageIndex => ({ schemaVersion: 2, manifests });

describe('platform matching', () => {
  it('accepts the three wasm spellings and nothing else', () => {
    expect(isWasmPlatform({ os: 'wasi', architecture: 'wasm' })).toBe(true);
    expect(isWasmPlatform({ os: 'wasip1', architecture: 'wasm' })).toBe(true);
    expect(isWasmPlatform({ os: 'wasi', architecture: 'wasm32' })).toBe(true);
    expect(isWasmPlatform({ os: 'linux', architecture: 'wasm' })).toBe(false);
    expect(isWasmPlatform({ os: 'wasip2', architecture: 'wasm' })).toBe(false);
    expect(isWasmPlatform({ os: 'linux', architecture: 'amd64' })).toBe(false);
  });

  it.each([
    ['wasi', 'wasm'],
    ['wasip1', 'wasm'],
    ['wasi', 'wasm32'],
  ])('selects %s/%s from a multi-platform index', (os, architecture) => {
    const idx = index(
      d(1, { platform: { os: 'linux', architecture: 'amd64' } }),
      d(2, { platform: { os: 'unknown', architecture: 'unknown' } }),
      d(3, { platform: { os, architecture } }),
    );
    expect(selectManifest(idx).digest).toBe(d(3).digest);
  });

  it('falls back to the compat annotation, then to a CNCF artifact', () => {
    const compat = d(4, {
      platform: { os: 'linux', architecture: 'amd64' },
      annotations: { 'module.wasm.image/variant': 'compat' },
    });
    expect(
      selectManifest(index(d(1, { platform: { os: 'linux', architecture: 'arm64' } }), compat)).digest,
    ).toBe(compat.digest);
    const artifact = d(5, { artifactType: MediaType.wasmConfig });
    expect(
      selectManifest(index(d(1, { platform: { os: 'linux', architecture: 'arm64' } }), artifact)).digest,
    ).toBe(artifact.digest);
  });

  it('says which platform was missing', () => {
    const idx = index(d(1, { platform: { os: 'linux', architecture: 'amd64' } }));
    expect(() => selectManifest(idx)).toThrow(NotFoundError);
    expect(() => selectManifest(idx)).toThrow(
      'no matching manifest for wasi/wasm in the manifest list entries',
    );
    expect(selectManifest(idx, parsePlatform('linux/amd64')).digest).toBe(d(1).digest);
    expect(selectManifest(idx, parsePlatform('linux/x86_64')).digest).toBe(d(1).digest);
  });

  it('recognises wasm images by platform, annotation, label or artifact config', () => {
    const m = (configType: string, annotations?: Record<string, string>): ImageManifest => ({
      schemaVersion: 2,
      config: d(9, { mediaType: configType }),
      layers: [],
      ...(annotations ? { annotations } : {}),
    });
    const cfg = (os: string, architecture: string, Labels?: Record<string, string>) => ({
      os,
      architecture,
      config: Labels ? { Labels } : {},
      rootfs: { type: 'layers' as const, diff_ids: [] },
    });
    expect(isWasmImage(m(MediaType.wasmConfig))).toBe(true);
    expect(isWasmImage(m(MediaType.ociConfig, { 'module.wasm.image/variant': 'compat' }))).toBe(true);
    expect(isWasmImage(m(MediaType.ociConfig), cfg('wasip1', 'wasm'))).toBe(true);
    expect(
      isWasmImage(m(MediaType.ociConfig), cfg('linux', 'amd64', { 'module.wasm.image/variant': 'compat' })),
    ).toBe(true);
    expect(isWasmImage(m(MediaType.ociConfig), cfg('linux', 'amd64'))).toBe(false);
  });
});

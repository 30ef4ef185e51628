// The builder's dependencies on Node under one berth root: the image store, the on-disk build
// cache beside it, and wasm processes for RUN. Used by `berth build` and the tests.

import type { ProcessLauncher } from '../engine/process-launcher.ts';
import { wasmLauncher } from '../engine/wasm-launcher.ts';
import type { ImageRecord } from '../images/image-record.ts';
import type { ImageStore } from '../images/image-store.ts';
import type { BuildDeps } from './build-session.ts';
import { NodeBuildCache } from './node-build-cache.ts';

export function nodeBuildDeps(
  root: string,
  images: ImageStore,
  options: { launch?: ProcessLauncher; pull?: (ref: string) => Promise<ImageRecord> } = {},
): BuildDeps {
  return {
    images,
    cache: new NodeBuildCache(root),
    launch: options.launch ?? wasmLauncher,
    ...(options.pull ? { pull: options.pull } : {}),
    now: () => Date.now(),
  };
}

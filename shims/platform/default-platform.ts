// The Platform used when a caller passes none. An embedder (the browser playground) sets it
// once; on Node it is created on first use. The Node module is loaded lazily so that a browser
// bundle which sets its platform first never evaluates node:* code.

import type { Platform } from './types.ts';

let current: Platform | undefined;

export function setDefaultPlatform(platform: Platform): void {
  current = platform;
}

export async function defaultPlatform(): Promise<Platform> {
  if (current) return current;
  const isNode =
    typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node ===
    'string';
  if (!isNode)
    throw new Error('no Platform set: call setDefaultPlatform(createBrowserPlatform(workerUrl)) first');
  const { createNodePlatform } = await import('./node/node-platform.ts');
  current ??= createNodePlatform();
  return current;
}

// node:crypto's SHA-256 (OpenSSL, SHA-NI where the CPU has it): several times the pure-JS speed,
// which matters because every blob read is verified.

import type * as NodeCrypto from 'node:crypto';
import { type Digest, digestOf, type Sha256Factory, useSha256 } from '../oci/digest.ts';
import { builtin } from '../../shims/platform/node/builtin.ts';

// Loaded on the first hash, not with this module: node:crypto costs a cold start milliseconds,
// and a `berth run` of a small image hashes only small blobs (pure JS, runtime/oci/digest.ts).
let crypto: typeof NodeCrypto | undefined;
const load = (): typeof NodeCrypto => (crypto ??= builtin('node:crypto'));

export const nodeSha256: Sha256Factory = () => {
  const h = load().createHash('sha256');
  return {
    update: (chunk) => void h.update(chunk),
    hex: () => h.digest('hex'),
  };
};

/** Makes runtime/oci/digest.ts use node:crypto for this process. */
export function installNodeSha256(): void {
  useSha256(nodeSha256);
}

/**
 * Loads node:crypto now (a pull calls it while it waits for its manifest: its blobs are hashed
 * with it, and loading it costs milliseconds of this thread).
 */
export function warmNodeSha256(): void {
  load();
}

/**
 * A digest: with node:crypto once this process has loaded it (a small blob then costs
 * microseconds), else runtime/oci/digest.ts's digestOf (a small one hashed in wasm or JS, no
 * module to load: a `run` need not load node:crypto, but pays a wasm compile on first use).
 */
export function nodeDigestOf(bytes: Uint8Array): Digest {
  if (!crypto) return digestOf(bytes);
  return `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;
}

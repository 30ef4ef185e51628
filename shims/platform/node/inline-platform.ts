// What a guest on the CLI's own thread needs of Node (shims/process/inline-process.ts): clocks,
// random bytes and host directory mounts — and nothing that would load worker_threads, vm or
// node:crypto on the way to a cold `berth run`'s first instruction.

import type { InlinePlatform } from '../../process/inline-process.ts';
import { HostDirectoryFs } from './host-directory-fs.ts';

/** getRandomValues fills at most this many bytes per call (Web Crypto's quota). */
const RANDOM_QUOTA = 65536;

export function createInlinePlatform(): InlinePlatform {
  // Realtime = wall clock at start + monotonic time since: ns resolution, never steps backwards.
  const epochOffset = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  return {
    realtimeNs: () => epochOffset + process.hrtime.bigint(),
    monotonicNs: () => process.hrtime.bigint(),
    randomFill: (buf) => {
      // Filled through a buffer of our own: guest memory may be a SharedArrayBuffer.
      const chunk = new Uint8Array(Math.min(buf.length, RANDOM_QUOTA));
      for (let at = 0; at < buf.length; at += chunk.length) {
        const part = chunk.subarray(0, Math.min(chunk.length, buf.length - at));
        globalThis.crypto.getRandomValues(part);
        buf.set(part, at);
      }
    },
    hostDirectory: (source, readonly) => new HostDirectoryFs(source, readonly),
  };
}

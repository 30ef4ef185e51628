// What a guest on the CLI's own thread needs of Node (shims/process/inline-process.ts): clocks,
// random bytes (/dev/urandom) and host directory mounts — and nothing that would load
// worker_threads, vm or node:crypto on the way to a cold `berth run`'s first instruction.

import type { InlinePlatform } from '../../process/inline-process.ts';
import { HostDirectoryFs } from './host-directory-fs.ts';
import { urandomFill } from './urandom.ts';

export function createInlinePlatform(): InlinePlatform {
  // Realtime = wall clock at start + monotonic time since: ns resolution, never steps backwards.
  const epochOffset = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  return {
    realtimeNs: () => epochOffset + process.hrtime.bigint(),
    monotonicNs: () => process.hrtime.bigint(),
    randomFill: (buf) => {
      // Read into a buffer of our own: guest memory may be a SharedArrayBuffer.
      const bytes = new Uint8Array(buf.length);
      urandomFill(bytes);
      buf.set(bytes);
    },
    hostDirectory: (source, readonly) => new HostDirectoryFs(source, readonly),
  };
}

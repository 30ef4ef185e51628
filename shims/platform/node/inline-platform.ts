// What a guest on the CLI's own thread needs of Node (shims/process/inline-process.ts): clocks,
// random bytes (/dev/urandom), host directory mounts and Ctrl-C — and nothing that would load
// worker_threads or node:crypto on the way to a cold `berth run`'s first instruction (node:vm is
// loaded already: the CLI's bundles are compiled with it, shims/platform/node/code-cache.ts).

import type { InlinePlatform } from '../../process/inline-process.ts';
import { builtin } from './builtin.ts';
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
    breakOnSigint,
  };
}

/** Where the one-line script below finds the function to run. */
const RUN_KEY = Symbol.for('berth.inline.run');
let runScript: import('node:vm').Script | undefined;

/**
 * Runs fn under vm's breakOnSigint: Node's SIGINT watchdog, which makes V8 terminate the running
 * JavaScript or WebAssembly at once when SIGINT arrives (as the REPL stops a loop on Ctrl-C).
 * JavaScript's own SIGINT handlers are set aside meanwhile.
 */
function breakOnSigint(fn: () => void): boolean {
  runScript ??= new (builtin('node:vm').Script)(`globalThis[Symbol.for('${RUN_KEY.description}')]()`);
  const holder = globalThis as unknown as Record<symbol, unknown>;
  holder[RUN_KEY] = fn;
  try {
    runScript.runInThisContext({ breakOnSigint: true });
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') return false;
    throw error;
  } finally {
    delete holder[RUN_KEY];
  }
}

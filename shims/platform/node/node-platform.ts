// The Node implementation of Platform: worker_threads workers running dist/worker.cjs, hrtime
// clocks, crypto random bytes and host directory mounts.

import { randomFillSync } from 'node:crypto';
import { existsSync, writeSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Worker, receiveMessageOnPort } from 'node:worker_threads';
import type { Platform, WorkerLike } from '../types.ts';
import { HostDirectoryFs } from './host-directory-fs.ts';

/**
 * Where the worker's boot script is. From dist/index.js or dist/cli.cjs it sits next to the
 * bundle; from the TypeScript sources (tests) it is the package's dist/worker.cjs, built by
 * `npm run build`.
 */
export function workerScriptUrl(): URL {
  const here = import.meta.url;
  return new URL(here.endsWith('.ts') ? '../../../dist/worker.cjs' : './worker.cjs', here);
}

class NodeWorker implements WorkerLike {
  constructor(private readonly worker: Worker) {}
  postMessage(message: unknown, transfer?: Transferable[]): void {
    this.worker.postMessage(message, transfer as never);
  }
  onMessage(handler: (message: unknown) => void): void {
    this.worker.on('message', handler);
  }
  onError(handler: (error: Error) => void): void {
    this.worker.on('error', handler);
  }
  onExit(handler: (code: number) => void): void {
    this.worker.on('exit', handler);
  }
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
  ref(): void {
    this.worker.ref();
  }
  unref(): void {
    this.worker.unref();
  }
}

export class WorkerScriptMissingError extends Error {
  readonly code = 'BERTH_WORKER_MISSING' as const;
  constructor(path: string) {
    super(`the process worker bundle is missing: ${path} (run \`npm run build\`)`);
    this.name = 'WorkerScriptMissingError';
  }
}

/**
 * V8's gc() without --expose-gc on the command line (the flag, then a context that has it), as a
 * compacting collection: a worker's old space is left fragmented by booting and setting up (~0.7
 * MB per worker, measured). The flag is process-wide for the few ms it is set: another thread's
 * full collection meanwhile only compacts more than it would.
 */
function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  return () => {
    v8.setFlagsFromString('--compact-on-every-full-gc');
    try {
      gc();
    } finally {
      v8.setFlagsFromString('--no-compact-on-every-full-gc');
    }
  };
}
let collect: (() => void) | undefined;

export function createNodePlatform(): Platform {
  const script = workerScriptUrl();
  // Realtime = wall clock at start + monotonic time since: ns resolution, never steps backwards.
  const epochOffset = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  return {
    name: 'node',
    realtimeNs: () => epochOffset + process.hrtime.bigint(),
    monotonicNs: () => process.hrtime.bigint(),
    randomFill: (buf) => {
      randomFillSync(buf);
    },
    createWorker: () => {
      if (!existsSync(script)) throw new WorkerScriptMissingError(script.pathname);
      // Guest stdio goes through SabPipes only; the worker's own console is berth's, not the guest's.
      // No inherited execArgv: flags of the host program (--input-type, loaders) do not apply.
      return new NodeWorker(new Worker(script, { execArgv: [] }));
    },
    hostDirectory: (source, readonly) => new HostDirectoryFs(source, readonly),
    receiveMessageSync: (port) => receiveMessageOnPort(port as never),
    writeSocketSync: (fd, data) => {
      try {
        return writeSync(fd, data);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        return code === 'EAGAIN' || code === 'EWOULDBLOCK' ? -1 : -2;
      }
    },
    collectGarbage: () => {
      collect ??= exposeGc();
      collect();
    },
  };
}

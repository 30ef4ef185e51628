// The process worker bin/berth.js starts before the CLI loads (foreground `run`): adopted as the
// default platform's first worker, so a cold `berth run` does not wait for a worker thread to boot
// after the engine code has loaded.

import type { Worker } from 'node:worker_threads';
import { setDefaultPlatform } from '../../shims/platform/default-platform.ts';
import { createNodePlatform } from '../../shims/platform/node/node-platform.ts';
import type { WorkerLike } from '../../shims/platform/types.ts';

interface PrestartedSlot {
  worker: Worker;
  alive: boolean;
}

const KEY = Symbol.for('berth.prestartedWorker');

function take(): PrestartedSlot | undefined {
  const g = globalThis as { [KEY]?: PrestartedSlot };
  const slot = g[KEY];
  delete g[KEY];
  return slot;
}

function workerLike(worker: Worker): WorkerLike {
  return {
    postMessage: (message, transfer) => worker.postMessage(message, transfer as never),
    onMessage: (handler) => void worker.on('message', handler),
    onError: (handler) => void worker.on('error', handler),
    onExit: (handler) => void worker.on('exit', handler),
    terminate: async () => {
      await worker.terminate();
    },
    ref: () => worker.ref(),
    unref: () => worker.unref(),
  };
}

/** Makes the prestarted worker (if any, and still alive) the next one the default pool creates. */
export function adoptPrestartedWorker(): void {
  const slot = take();
  if (!slot) return;
  if (!slot.alive) return;
  const base = createNodePlatform();
  let first: Worker | undefined = slot.worker;
  setDefaultPlatform({
    ...base,
    createWorker: () => {
      const w = first;
      first = undefined;
      return w && slot.alive ? workerLike(w) : base.createWorker();
    },
  });
}

/** `run -d` and other paths that host nothing here: end the guess's worker. */
export function discardPrestartedWorker(): void {
  void take()?.worker.terminate();
}

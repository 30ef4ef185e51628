// The browser implementation of Platform: module Web Workers, performance clocks and
// crypto.getRandomValues. SharedArrayBuffer needs a cross-origin-isolated page (COOP + COEP).

import type { Platform, WorkerLike } from '../types.ts';

class WebWorker implements WorkerLike {
  private readonly exitHandlers: ((code: number) => void)[] = [];
  constructor(private readonly worker: Worker) {}
  postMessage(message: unknown, transfer?: Transferable[]): void {
    this.worker.postMessage(message, transfer ?? []);
  }
  onMessage(handler: (message: unknown) => void): void {
    this.worker.addEventListener('message', (e) => handler(e.data));
  }
  onError(handler: (error: Error) => void): void {
    this.worker.addEventListener('error', (e) => handler(new Error(e.message)));
  }
  onExit(handler: (code: number) => void): void {
    this.exitHandlers.push(handler);
  }
  async terminate(): Promise<void> {
    // Web Workers have no exit event: terminate() is immediate, so report it here.
    this.worker.terminate();
    for (const h of this.exitHandlers) h(1);
  }
  ref(): void {}
  unref(): void {}
}

/** `workerUrl`: the bundled browser worker entry (shims/platform/browser/worker-entry.ts). */
export function createBrowserPlatform(workerUrl: URL | string): Platform {
  const origin = performance.timeOrigin;
  const MAX_RANDOM = 65536;
  return {
    name: 'browser',
    realtimeNs: () => BigInt(Math.round((origin + performance.now()) * 1e6)),
    monotonicNs: () => BigInt(Math.round(performance.now() * 1e6)),
    randomFill: (buf) => {
      for (let at = 0; at < buf.length; at += MAX_RANDOM) {
        crypto.getRandomValues(
          buf.subarray(at, Math.min(buf.length, at + MAX_RANDOM)) as Uint8Array<ArrayBuffer>,
        );
      }
    },
    createWorker: () => new WebWorker(new Worker(workerUrl, { type: 'module' })),
  };
}

// Pre-warmed process workers. Starting a worker thread costs milliseconds (a new isolate plus
// the worker bundle); a run on a warm worker costs two messages. A worker goes back to the pool
// after a clean exit; a killed one is terminated and replaced in the background.

import type { Platform, WorkerLike } from '../platform/types.ts';
import type { ExitReport, WorkerReport } from './worker-protocol.ts';

export class ProcessWorker {
  /** Module keys this worker already holds (the run message then omits the module). */
  readonly modules = new Set<string>();
  private listener: ((report: ExitReport) => void) | undefined;
  private failure: ((error: Error) => void) | undefined;
  private requests: ((report: WorkerReport) => void) | undefined;
  dead = false;

  constructor(readonly worker: WorkerLike) {
    worker.onMessage((message) => {
      const report = message as WorkerReport;
      if (report.type === 'exit') this.listener?.(report);
      else if (report.type !== 'ready') this.requests?.(report);
    });
    worker.onError((error) => {
      this.dead = true;
      this.failure?.(error);
    });
    worker.onExit((code) => {
      if (this.dead) return;
      this.dead = true;
      this.failure?.(new Error(`process worker exited unexpectedly (code ${code})`));
    });
  }

  /** Routes this worker's next exit report (or its death) to one run. */
  attach(
    onExit: (report: ExitReport) => void,
    onFailure: (error: Error) => void,
    onRequest?: (report: WorkerReport) => void,
  ): void {
    this.listener = onExit;
    this.failure = onFailure;
    this.requests = onRequest;
  }

  detach(): void {
    this.listener = undefined;
    this.failure = undefined;
    this.requests = undefined;
  }
}

export interface PoolOptions {
  /** Idle workers kept warm (default 2). */
  readonly size?: number;
}

export class WorkerPool {
  private readonly idle: ProcessWorker[] = [];
  private readonly size: number;
  private closed = false;

  constructor(
    readonly platform: Platform,
    options: PoolOptions = {},
  ) {
    this.size = options.size ?? 2;
  }

  private spawn(): ProcessWorker {
    const w = new ProcessWorker(this.platform.createWorker());
    w.worker.unref();
    return w;
  }

  /** Starts workers until `count` (default: the pool size) are idle. */
  warm(count = this.size): void {
    while (!this.closed && this.idle.length < count) this.idle.push(this.spawn());
  }

  acquire(): ProcessWorker {
    let w = this.idle.pop();
    while (w?.dead) w = this.idle.pop();
    w ??= this.spawn();
    w.worker.ref();
    return w;
  }

  release(w: ProcessWorker): void {
    w.detach();
    w.worker.unref();
    if (w.dead) return;
    if (this.closed || this.idle.length >= this.size) {
      void w.worker.terminate();
      return;
    }
    this.idle.push(w);
  }

  /** Ends a worker at once (kill) and warms a replacement. */
  discard(w: ProcessWorker): Promise<void> {
    w.detach();
    w.dead = true;
    const done = w.worker.terminate();
    if (!this.closed) queueMicrotask(() => this.warm());
    return done;
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = this.idle.splice(0);
    await Promise.all(all.map((w) => w.worker.terminate()));
  }
}

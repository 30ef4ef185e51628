// The processes of one multi-process container: a shared doorbell, a filesystem worker serving
// the container's Vfs to every member (fs-channel.ts), and the exit of the whole group when its
// first process exits (as a container ends with its PID 1).

import { SabDoorbell } from './doorbell.ts';
import { createFsChannel, type FsChannelTransfer, RemoteGuestFs } from './fs-channel.ts';
import type { ProcessWorker, WorkerPool } from './pool.ts';
import type { MountSpec, WorkerReport } from './worker-protocol.ts';

export class ProcessGroup {
  readonly bell = new SabDoorbell();
  private readonly server = new SabDoorbell();
  private readonly fsWorker: ProcessWorker;
  private closed: Promise<{ upper?: Uint8Array; error?: string }> | undefined;
  private onClosed: ((r: { upper?: Uint8Array; error?: string }) => void) | undefined;
  private nextChannel = 1;

  constructor(
    private readonly pool: WorkerPool,
    mounts: readonly MountSpec[],
    captureUpper: boolean,
  ) {
    this.fsWorker = pool.acquire();
    this.fsWorker.attach(
      () => {},
      (error) => this.onClosed?.({ error: error.message }),
      (report: WorkerReport) => {
        if (report.type === 'fs-closed') this.onClosed?.(report);
      },
    );
    this.fsWorker.worker.postMessage({
      type: 'serve-fs',
      mounts,
      captureUpper,
      bell: this.server.transfer(),
    });
  }

  /** A channel for one more member process. */
  channel(): FsChannelTransfer {
    const channel = createFsChannel(this.server.transfer(), this.nextChannel++);
    this.fsWorker.worker.postMessage({ type: 'fs-attach', channel });
    this.server.ring(); // the server blocks in Atomics.wait: wake it to take the message
    return channel;
  }

  /** The member on `channel` ended: the filesystem worker forgets the channel. */
  release(channel: FsChannelTransfer): void {
    if (this.closed || channel.id === undefined) return;
    this.fsWorker.worker.postMessage({ type: 'fs-detach', id: channel.id });
    this.server.ring();
  }

  /**
   * The live filesystem from the engine thread (exec looks up its executable here). Each call
   * blocks the calling thread until the filesystem worker answers: use it for a few calls only,
   * and close it after.
   */
  openFs(): { fs: RemoteGuestFs; close(): void } {
    const channel = this.channel();
    return { fs: new RemoteGuestFs(channel), close: () => this.release(channel) };
  }

  /** Ends the filesystem worker; returns the upper layer's diff when it was asked for. */
  close(): Promise<{ upper?: Uint8Array; error?: string }> {
    this.closed ??= new Promise((resolve) => {
      this.onClosed = (r) => {
        void this.pool.discard(this.fsWorker);
        resolve(r);
      };
      this.fsWorker.worker.postMessage({ type: 'fs-close' });
      this.server.ring();
    });
    return this.closed;
  }

  /** Ends the filesystem worker at once (the container was killed). */
  kill(): void {
    if (!this.closed) this.closed = Promise.resolve({});
    void this.pool.discard(this.fsWorker);
  }
}

// The processes of one container that may share its filesystem (exec, proc_spawn): one doorbell
// for all of them, and the leader (the first process) serving its own Vfs to the others over fs
// channels (fs-channel.ts), created only when a process or the engine asks for one. The group
// ends when the leader exits, as a container ends with its PID 1.

import type { SabDoorbell } from './doorbell.ts';
import { createFsChannel, type FsChannelTransfer, RemoteGuestFs, wakeLeader } from './fs-channel.ts';
import type { ProcessWorker } from './pool.ts';
import { CONTROL_STATE, FLAG_SERVE } from './worker-protocol.ts';

export class ProcessGroup {
  private nextChannel = 1;
  private ended = false;

  /** `bell` is the container's doorbell, `control` the leader's; `worker` runs it as run `runId`. */
  constructor(
    readonly bell: SabDoorbell,
    private readonly control: Int32Array,
    private readonly worker: ProcessWorker,
    private readonly runId: number,
  ) {}

  /** A channel for one more process; the leader takes it at its next check. */
  channel(): FsChannelTransfer {
    const channel = createFsChannel(
      this.bell.transfer(),
      this.control.buffer as SharedArrayBuffer,
      this.nextChannel++,
    );
    this.worker.worker.postMessage({ type: 'fs-attach', runId: this.runId, channel });
    wakeLeader(this.control, this.bell);
    return channel;
  }

  /** The process on `channel` ended: the leader forgets the channel. */
  release(channel: FsChannelTransfer): void {
    if (this.ended) return;
    this.worker.worker.postMessage({ type: 'fs-detach', runId: this.runId, id: channel.id });
    // No wake-up: the leader drops it (and its 1 MiB) at its next check, whenever that is.
    Atomics.or(this.control, CONTROL_STATE, FLAG_SERVE);
  }

  /**
   * The live filesystem from the engine thread (exec looks up its executable here). Each call
   * blocks the calling thread until the leader answers: use it for a few calls only, and close it
   * after.
   */
  openFs(): { fs: RemoteGuestFs; close(): void } {
    const channel = this.channel();
    return { fs: new RemoteGuestFs(channel), close: () => this.release(channel) };
  }

  /** The leader is gone: nothing more to attach or detach. */
  end(): void {
    this.ended = true;
  }
}

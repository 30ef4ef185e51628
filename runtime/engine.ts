// The in-process engine: one object that opens nothing itself (runtime/engine/node-engine.ts
// wires the Node stores) and offers every container, image and volume operation the CLI uses.
// Test harnesses use it directly: `const e = await openNodeEngine(root); await e.run(...)`.
// A later per-user engine process can serve the same methods over a socket.

import type { ContainerContext, HostedContainer } from './containers/container-context.ts';
import { findContainer, refresh } from './containers/container-context.ts';
import { listContainers } from './containers/container-list.ts';
import { type CreateSpec, createContainer, type ImagePuller } from './containers/container-create.ts';
import { killContainer } from './containers/container-kill.ts';
import { pauseContainer, unpauseContainer } from './containers/container-pause.ts';
import type { ContainerRecord } from './containers/container-record.ts';
import { removeContainer } from './containers/container-remove.ts';
import { restartContainer } from './containers/container-restart.ts';
import { type StartIo, startContainer } from './containers/container-start.ts';
import { isActive } from './containers/container-status.ts';
import { stopContainer } from './containers/container-stop.ts';
import type { ContainerStore, LogEntry } from './containers/container-store.ts';
import { waitContainer } from './containers/container-wait.ts';
import type { EngineImages } from './engine/engine-images.ts';
import type { EngineHost, HostSignal } from './engine/host.ts';
import type { InlineLauncher, ProcessLauncher } from './engine/process-launcher.ts';
import type { VolumeStore } from './volumes/volume-store.ts';
import type { EngineNetworks } from './networks/engine-networks.ts';

export interface EngineDeps {
  store: ContainerStore;
  host: EngineHost;
  images: EngineImages;
  volumes: VolumeStore;
  launch: ProcessLauncher;
  inline?: InlineLauncher;
  root: string;
  pullImage?: ImagePuller;
  /** Virtual networks and port mapping (runtime/networks); absent: containers get no sockets. */
  networks?: EngineNetworks;
}

export interface RunResult {
  id: string;
  exitCode: number;
}

export class Engine {
  readonly ctx: ContainerContext;
  readonly root: string;
  private unsubscribeRing: (() => void) | undefined;

  constructor(deps: EngineDeps) {
    this.ctx = { ...deps, hosted: new Map() };
    this.root = deps.root;
  }

  get images(): EngineImages {
    return this.ctx.images;
  }
  get volumes(): VolumeStore {
    return this.ctx.volumes;
  }
  get networks(): EngineNetworks | undefined {
    return this.ctx.networks;
  }

  // --- containers -------------------------------------------------------------------------

  create(spec: CreateSpec): Promise<ContainerRecord> {
    return createContainer(this.ctx, spec);
  }

  /** Runs the container's process in this process; resolves once it is running. */
  async start(ref: string, io: StartIo = {}): Promise<HostedContainer | undefined> {
    const hosted = await startContainer(this.ctx, ref, io);
    if (hosted) this.watch(hosted);
    return hosted;
  }

  /** Starts the container in a background berth process (Docker's `start` without -a). */
  async startDetached(ref: string): Promise<ContainerRecord> {
    const rec = await refresh(this.ctx, ref);
    if (isActive(rec.State.Status)) return rec;
    if (!this.ctx.host.spawnDetached) throw new Error('this host cannot start background containers');
    await this.ctx.host.spawnDetached(rec.Id);
    const { waitForState } = await import('./containers/container-context.ts');
    const after = await waitForState(
      this.ctx,
      rec.Id,
      (r) =>
        r.State.Status !== rec.State.Status ||
        r.State.StartedAt !== rec.State.StartedAt ||
        r.State.Error !== rec.State.Error,
      10_000,
    );
    return after ?? rec;
  }

  /** create + start + wait: the whole of `docker run` in the foreground. */
  async run(spec: CreateSpec, io: StartIo = {}): Promise<RunResult> {
    const rec = await this.create(spec);
    const hosted = await this.start(rec.Id, io);
    return { id: rec.Id, exitCode: hosted ? await hosted.done : rec.State.ExitCode };
  }

  stop(ref: string, timeoutS?: number): Promise<ContainerRecord> {
    return stopContainer(this.ctx, ref, timeoutS);
  }
  kill(ref: string, signal?: string): Promise<void> {
    return killContainer(this.ctx, ref, signal);
  }
  pause(ref: string): Promise<void> {
    return pauseContainer(this.ctx, ref);
  }
  unpause(ref: string): Promise<void> {
    return unpauseContainer(this.ctx, ref);
  }
  async restart(ref: string, timeoutS?: number, io?: StartIo): Promise<HostedContainer | undefined> {
    const hosted = await restartContainer(this.ctx, ref, timeoutS, io);
    if (hosted) this.watch(hosted);
    return hosted;
  }
  remove(ref: string, force = false): Promise<string> {
    return removeContainer(this.ctx, ref, force);
  }
  wait(ref: string): Promise<number> {
    return waitContainer(this.ctx, ref);
  }

  /** Records as they truly are (a dead host's containers show exited). */
  list(all = false): Promise<ContainerRecord[]> {
    return listContainers(this.ctx, all);
  }

  inspect(ref: string): Promise<ContainerRecord> {
    return refresh(this.ctx, ref);
  }

  find(ref: string): Promise<ContainerRecord> {
    return findContainer(this.ctx, ref);
  }

  async logs(
    ref: string,
    fromOffset = 0,
  ): Promise<{ entries: LogEntry[]; offset: number; running: boolean }> {
    const rec = await refresh(this.ctx, ref);
    const { entries, offset } = await this.ctx.store.readLogs(rec.Id, fromOffset);
    return { entries, offset, running: isActive(rec.State.Status) };
  }

  async rename(ref: string, newName: string): Promise<void> {
    const { checkName } = await import('./containers/container-names.ts');
    const rec = await refresh(this.ctx, ref);
    await this.ctx.store.rename(rec, checkName(newName));
  }

  /** Forwards signals this host process receives to the containers it hosts (docker's sig-proxy). */
  forwardSignals(): () => void {
    return this.ctx.host.onSignal((signal: HostSignal) => {
      for (const hosted of this.ctx.hosted.values()) {
        if (signal === 'SIGTERM') hosted.apply({ action: 'stop', timeoutMs: 10_000 });
        else hosted.apply({ action: 'kill', signal });
      }
    });
  }

  /** Serves control requests from other berth processes while this one hosts containers. */
  private watch(hosted: HostedContainer): void {
    this.unsubscribeRing ??= this.ctx.host.onRing(() => void this.serveControl());
    void hosted.done.finally(() => {
      if (this.ctx.hosted.size === 0) {
        this.unsubscribeRing?.();
        this.unsubscribeRing = undefined;
      }
    });
    void this.serveControl(); // a request may have arrived before we listened
  }

  private async serveControl(): Promise<void> {
    for (const hosted of [...this.ctx.hosted.values()]) {
      for (const request of await this.ctx.store.takeControl(hosted.id)) hosted.apply(request);
    }
  }
}

// What every container verb works with, and the two steps they all begin with: find the
// container (id, name or unique id prefix) and refresh its state against the truth — a record
// that says "running" while its host process is gone is exited, whatever the file says.

import type { EngineImages } from '../engine/engine-images.ts';
import type { EngineHost } from '../engine/host.ts';
import type { InlineLauncher, LaunchedProcess, ProcessLauncher } from '../engine/process-launcher.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { ImagePuller } from './container-create.ts';
import type { VolumeStore } from '../volumes/volume-store.ts';
import type { EngineNetworks } from '../networks/engine-networks.ts';
import { type ContainerRecord, withStatus } from './container-record.ts';
import { isActive } from './container-status.ts';
import type { ContainerStore, ControlRequest } from './container-store.ts';

/** A container whose process runs in this berth process. */
export interface HostedContainer {
  readonly id: string;
  readonly process: LaunchedProcess;
  /** Resolves with the exit code once the record says exited (or the container is gone). */
  readonly done: Promise<number>;
  /** The signal berth ended it with, which decides the exit code (128 + n). */
  killedBy?: string;
  apply(request: ControlRequest): void;
  /**
   * Set for a process started inline (StartIo.inline): it runs on this thread when begin() is
   * called, which returns when it ends. Signal handlers of this process cannot run meanwhile.
   */
  begin?(): void;
}

export interface ContainerContext {
  readonly store: ContainerStore;
  readonly host: EngineHost;
  readonly images: EngineImages;
  readonly volumes: VolumeStore;
  readonly launch: ProcessLauncher;
  /** Runs eligible foreground processes on this thread (Node CLI); absent: always `launch`. */
  readonly inline?: InlineLauncher;
  readonly hosted: Map<string, HostedContainer>;
  /** Pulls an image `create` needs (the CLI's registry client); absent: never pull. */
  readonly pullImage?: ImagePuller;
  /** Virtual networks and port mapping (runtime/networks). */
  readonly networks?: EngineNetworks;
}

/** Exit code Docker reports for a container whose daemon went away under it. */
export const HOST_LOST_EXIT = 255;

export async function findContainer(ctx: ContainerContext, ref: string): Promise<ContainerRecord> {
  const bare = ref.startsWith('/') ? ref.slice(1) : ref;
  const byId = await ctx.store.get(bare);
  if (byId) return byId;
  const named = await ctx.store.idForName(bare);
  if (named) {
    const rec = await ctx.store.get(named);
    if (rec) return rec;
  }
  if (/^[0-9a-f]+$/.test(bare)) {
    const matches = (await ctx.store.list()).filter((c) => c.Id.startsWith(bare));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw new ConflictError(`multiple IDs found with provided prefix: ${bare}`);
  }
  throw new NotFoundError(`No such container: ${ref}`);
}

/** The record as it truly is now (does not write). */
export function reconcile<T extends Pick<ContainerRecord, 'Id' | 'State'>>(
  ctx: { readonly host: Pick<EngineHost, 'isAlive' | 'now'>; readonly hosted: ReadonlyMap<string, unknown> },
  rec: T,
): T {
  if (!isActive(rec.State.Status) || ctx.hosted.has(rec.Id)) return rec;
  if (ctx.host.isAlive(rec.State.Pid, rec.State.HostStart)) return rec;
  return {
    ...rec,
    State: {
      ...withStatus(rec.State, 'exited'),
      Pid: 0,
      ExitCode: HOST_LOST_EXIT,
      Error: 'the berth process hosting this container exited',
      FinishedAt: new Date(ctx.host.now()).toISOString(),
    },
  };
}

/**
 * A `--rm` container whose host died with it (Ctrl-C of a foreground run, whose signal the
 * process could not handle while the guest ran on its thread): Docker removes such a container
 * when it exits, so every command treats it as gone, and the first that meets it removes it.
 */
export function goneWithHost(raw: { HostConfig: { AutoRemove?: boolean } }, truth: unknown): boolean {
  return truth !== raw && raw.HostConfig.AutoRemove === true;
}

async function removeGone(ctx: ContainerContext, id: string): Promise<void> {
  await ctx.store.remove(id);
  await ctx.networks?.leave(id);
}

/** Finds and reconciles, persisting the correction so later commands agree. */
export async function refresh(ctx: ContainerContext, ref: string): Promise<ContainerRecord> {
  const rec = await findContainer(ctx, ref);
  const truth = reconcile(ctx, rec);
  if (goneWithHost(rec, truth)) {
    await removeGone(ctx, rec.Id);
    throw new NotFoundError(`No such container: ${ref}`);
  }
  if (truth !== rec) await ctx.store.save(truth);
  return truth;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the record until `done` holds, the container is gone (undefined) or time runs out. */
export async function waitForState(
  ctx: ContainerContext,
  id: string,
  done: (rec: ContainerRecord) => boolean,
  timeoutMs = Number.POSITIVE_INFINITY,
): Promise<ContainerRecord | undefined> {
  const deadline = ctx.host.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    const raw = await ctx.store.get(id);
    if (!raw) return undefined;
    const rec = reconcile(ctx, raw);
    if (goneWithHost(raw, rec)) {
      await removeGone(ctx, id);
      return undefined;
    }
    if (rec !== raw) await ctx.store.save(rec);
    if (done(rec)) return rec;
    if (ctx.host.now() > deadline) return rec;
    await sleep(delay);
  }
}

/** Hands a request to whoever hosts the container: this process directly, another by doorbell. */
export async function requestHost(
  ctx: ContainerContext,
  rec: ContainerRecord,
  request: ControlRequest,
): Promise<void> {
  const local = ctx.hosted.get(rec.Id);
  if (local) {
    local.apply(request);
    return;
  }
  await ctx.store.sendControl(rec.Id, request);
  ctx.host.ring(rec.State.Pid);
}

export const signalNumbers: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGUSR2: 12,
  SIGTERM: 15,
};

/** 'KILL', 'sigkill', '9' -> 'SIGKILL'; undefined when unknown. */
export function normalizeSignal(s: string): string | undefined {
  if (/^\d+$/.test(s)) return Object.keys(signalNumbers).find((k) => signalNumbers[k] === Number(s));
  const up = s.toUpperCase();
  const name = up.startsWith('SIG') ? up : `SIG${up}`;
  return name in signalNumbers ? name : undefined;
}

// `start`: refresh -> guard -> run the process in this berth process -> persist `running` with
// this host's pid. When the process ends the record becomes `exited` with its writable layer
// saved (so a later start continues from it), or the container goes (`--rm`).

import type { LaunchSpec, LaunchedProcess, ProcessStdio } from '../engine/process-launcher.ts';
import type { Signal } from '../run-wasm.ts';
import { InvalidStateError, NotFoundError } from '../errors.ts';
import { type ContainerContext, type HostedContainer, refresh, signalNumbers } from './container-context.ts';
import { processEnv } from './container-create.ts';
import { ExecError, findExecutable } from './container-executable.ts';
import { openContainerFs } from './container-fs.ts';
import { type ContainerRecord, withStatus } from './container-record.ts';
import { removeContainerNow } from './container-remove.ts';
import { canStart, isActive } from './container-status.ts';

export interface StartIo extends Partial<ProcessStdio> {
  /** Run with a shared filesystem so `exec` can join (containers the engine process hosts). */
  shareFs?: boolean;
  /** The size of the terminal a `-t` container is attached to. */
  terminal?: TerminalSize;
  /**
   * May run on this thread (a foreground CLI's `run`): when the module and the container allow,
   * the hosted container's begin() runs the process there, with no worker to boot.
   */
  inline?: boolean;
}

export interface TerminalSize {
  columns: number;
  rows: number;
}

/**
 * WASI has no terminal ioctls, so a `-t` container learns its window size the way curses and
 * shells fall back to: COLUMNS and LINES in its environment (unless the container sets them).
 */
export function withTerminalSize(env: string[], tty: boolean, size: TerminalSize | undefined): string[] {
  if (!tty || !size || !(size.columns > 0) || !(size.rows > 0)) return env;
  const has = (k: string) => env.some((e) => e.startsWith(`${k}=`));
  return [
    ...env,
    ...(has('COLUMNS') ? [] : [`COLUMNS=${Math.floor(size.columns)}`]),
    ...(has('LINES') ? [] : [`LINES=${Math.floor(size.rows)}`]),
  ];
}

async function persist(ctx: ContainerContext, id: string, change: (rec: ContainerRecord) => ContainerRecord) {
  const rec = await ctx.store.get(id);
  if (rec) await ctx.store.save(change(rec));
}

/** The same, done before it returns where the store can (an inline host's thread is blocked). */
function persistNow(
  ctx: ContainerContext,
  id: string,
  change: (rec: ContainerRecord) => ContainerRecord,
): void {
  const { store } = ctx;
  if (!store.getSync || !store.saveSync) {
    void persist(ctx, id, change);
    return;
  }
  const rec = store.getSync(id);
  if (rec) store.saveSync(change(rec));
}

/** Ports published on the host: someone must accept on them, which an inline guest's thread cannot. */
function publishesPorts(rec: ContainerRecord): boolean {
  return rec.HostConfig.PublishAllPorts === true || Object.keys(rec.HostConfig.PortBindings ?? {}).length > 0;
}

/** Starts the container here. Undefined when it was already running (Docker: no-op). */
export async function startContainer(
  ctx: ContainerContext,
  ref: string,
  io: StartIo = {},
): Promise<HostedContainer | undefined> {
  const rec = await refresh(ctx, ref);
  if (isActive(rec.State.Status)) return undefined;
  if (!canStart(rec.State.Status)) {
    throw new InvalidStateError(`cannot start container ${ref}: container is ${rec.State.Status}`);
  }
  const image = await ctx.images.resolve(rec.Image);
  if (!image)
    throw new NotFoundError(`No such image: ${rec.Image} (used by container ${rec.Id.slice(0, 12)})`);
  const layers = await ctx.images.layers(image);
  const upper = await ctx.store.readUpper(rec.Id);
  const env = withTerminalSize(processEnv(rec), rec.Config.Tty, io.terminal);
  const cwd = rec.Config.WorkingDir || '/';
  let exe: { path: string; bytes: Uint8Array };
  try {
    exe = findExecutable(await openContainerFs(layers, upper), rec.Path, env, cwd);
  } catch (e) {
    if (e instanceof ExecError) {
      await persist(ctx, rec.Id, (r) => ({
        ...r,
        State: { ...r.State, ExitCode: e.exitCode, Error: e.message },
      }));
      if (rec.HostConfig.AutoRemove) await removeContainerNow(ctx, rec.Id);
    }
    throw e;
  }
  const id = rec.Id;
  const inline =
    io.inline === true &&
    io.stdin === undefined &&
    !io.shareFs &&
    ctx.inline !== undefined &&
    !publishesPorts(rec) &&
    ctx.inline.accepts(exe.bytes)
      ? ctx.inline
      : undefined;
  // Networks first: a published host port that is taken fails the start before any process runs.
  // An inline module has no socket calls at all: its address (given at create) goes unused.
  let attached: Awaited<ReturnType<NonNullable<ContainerContext['networks']>['attach']>> | undefined;
  try {
    attached = inline ? undefined : await ctx.networks?.attach(rec);
  } catch (e) {
    await persist(ctx, id, (r) => ({
      ...r,
      State: { ...r.State, ExitCode: 125, Error: (e as Error).message },
    }));
    if (rec.HostConfig.AutoRemove) await removeContainerNow(ctx, id);
    throw e;
  }
  let hosted: HostedContainer | undefined;
  const spec: LaunchSpec = {
    module: exe.bytes,
    args: [rec.Path, ...rec.Args],
    env,
    cwd,
    layers,
    upper,
    binds: rec.Mounts.map((m) => ({ source: m.Source, target: m.Destination, readonly: !m.RW })),
    memoryLimit: rec.HostConfig.Memory || undefined,
    ...(attached ? { network: attached.net } : {}),
    ...(io.shareFs ? { shareFs: true } : {}),
    ...(rec.Config.Tty ? { terminal: true } : {}),
    ...(rec.HostConfig.AutoRemove ? { discardUpper: true } : {}),
    stdin: io.stdin,
    stdout: (chunk) => {
      ctx.store.appendLog(id, 'stdout', chunk);
      io.stdout?.(chunk);
    },
    stderr: (chunk) => {
      ctx.store.appendLog(id, 'stderr', chunk);
      io.stderr?.(chunk);
    },
  };
  // An inline guest's thread takes control requests itself, between guest instructions.
  const poll = (): void => {
    const requests = hosted && ctx.store.takeControlSync?.(id);
    for (const request of requests ?? []) hosted!.apply(request);
  };
  const inlineProc = inline ? await inline.launch(spec, poll) : undefined;
  const proc: LaunchedProcess = inlineProc ?? (await ctx.launch(spec));
  const startedAt = new Date(ctx.host.now()).toISOString();
  await persist(ctx, id, ({ LazyNetwork, ...r }) => ({
    ...r,
    ...(LazyNetwork && !attached ? { LazyNetwork } : {}),
    ...(attached ? { NetworkSettings: attached.settings } : {}),
    State: {
      ...withStatus(r.State, 'running'),
      Pid: ctx.host.pid,
      ...(ctx.host.startTime ? { HostStart: ctx.host.startTime } : {}),
      ExitCode: 0,
      Error: '',
      StartedAt: startedAt,
      FinishedAt: '0001-01-01T00:00:00Z',
    },
  }));

  hosted = {
    id,
    process: proc,
    done: proc.exited.then(async (exit) => {
      const code = exit.exitCode;
      if (!inline) await ctx.networks?.detach(id);
      if (rec.HostConfig.AutoRemove) {
        // Removed next: recording its exit first would cost a record rewrite for nothing (a
        // rename over a file is milliseconds on ext4), on the path of every `run --rm`.
        ctx.hosted.delete(id);
        // Created without an address and run inline: it never joined a network to leave.
        if (inline && rec.LazyNetwork) await ctx.store.remove(id);
        else await removeContainerNow(ctx, id);
        return code;
      }
      if (exit.upper) await ctx.store.writeUpper(id, exit.upper);
      await persist(ctx, id, (r) => ({
        ...r,
        SizeRw: exit.upper?.length ?? r.SizeRw,
        State: {
          ...withStatus(r.State, 'exited'),
          Pid: 0,
          ExitCode: code,
          Error: exit.error ?? '',
          OOMKilled: /memory/i.test(exit.error ?? ''),
          FinishedAt: new Date(ctx.host.now()).toISOString(),
        },
      }));
      ctx.hosted.delete(id);
      return code;
    }),
    apply(this: HostedContainer, request) {
      switch (request.action) {
        case 'kill': {
          const signal = (this.killedBy ??= request.signal ?? 'SIGKILL');
          proc.kill((signal in signalNumbers ? signal : 'SIGKILL') as Signal);
          break;
        }
        case 'stop':
          void proc.stop(request.timeoutMs ?? 10_000);
          break;
        case 'pause':
          proc.pause();
          persistNow(ctx, id, (r) => ({ ...r, State: withStatus(r.State, 'paused') }));
          break;
        case 'unpause':
          proc.unpause();
          persistNow(ctx, id, (r) => ({ ...r, State: withStatus(r.State, 'running') }));
          break;
      }
    },
    ...(inlineProc ? { begin: () => inlineProc.run() } : {}),
  };
  ctx.hosted.set(id, hosted);
  return hosted;
}

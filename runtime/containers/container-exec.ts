// `exec`: another process in a running container, as `docker exec`. It shares the container's
// live filesystem (the filesystem worker of a container started with shareFs: every container
// the engine process hosts), so it reads what the main process wrote and its writes stay in the
// writable layer. It has stdio of its own, no network of its own (a known gap: sockets belong to
// the main process), and it is killed when the container ends.

import { BerthError, InvalidStateError } from '../errors.ts';
import type { Signal } from '../run-wasm.ts';
import { type ContainerContext, refresh } from './container-context.ts';
import { mergeEnv, processEnv } from './container-create.ts';
import { findExecutable } from './container-executable.ts';
import type { StartIo } from './container-start.ts';

/** The container runs, but not in a process that can add processes to it. */
export class NotExecableError extends BerthError {
  override readonly code = 'BERTH_NOT_EXECABLE' as const;
}

export interface ExecSpec extends StartIo {
  cmd: string[];
  /** `-e K=V` entries, over the container's own environment. */
  env: string[];
  workdir?: string | undefined;
  /** `-t`: Docker sets TERM for a terminal. */
  tty?: boolean;
}

export interface ExecHandle {
  /** The exec'd process's exit code (126/127 never get here: they are thrown at start). */
  readonly exited: Promise<number>;
  kill(signal?: Signal): void;
}

/** Docker answers these with exit status 1 (errors from the daemon, not from the process). */
const daemonError = { exitCode: 1 };

/** Starts `spec.cmd` in the running container `ref`, which this berth process must host. */
export async function execInContainer(
  ctx: ContainerContext,
  ref: string,
  spec: ExecSpec,
): Promise<ExecHandle> {
  const rec = await refresh(ctx, ref);
  const status = rec.State.Status;
  if (status === 'paused') {
    throw new InvalidStateError(
      `container ${rec.Id} is paused, unpause the container before exec`,
      daemonError,
    );
  }
  if (status !== 'running') throw new InvalidStateError(`container ${rec.Id} is not running`, daemonError);
  const hosted = ctx.hosted.get(rec.Id);
  const launched = hosted?.process;
  const live = launched?.exec ? launched.openFs?.() : undefined;
  if (!launched?.exec || !live) {
    const why = launched
      ? 'its filesystem is private to its process (the engine runs with BERTH_ENGINE_SHARE_FS=0)'
      : 'it runs in the foreground of another berth process';
    throw new NotExecableError(`container ${rec.Id.slice(0, 12)} is not exec-able: ${why}`);
  }
  const cwd = spec.workdir ?? (rec.Config.WorkingDir || '/');
  const env = mergeEnv(processEnv(rec), [
    ...(spec.tty ? ['TERM=xterm'] : []),
    // WASI has no cwd: a `-w` reaches the guest as PWD (see ARCHITECTURE.md, Working directory).
    ...(spec.workdir !== undefined ? [`PWD=${cwd}`] : []),
    ...spec.env,
  ]);
  let exe: { path: string; bytes: Uint8Array };
  try {
    exe = findExecutable({ vfs: live.fs }, spec.cmd[0]!, env, cwd);
  } finally {
    live.close();
  }
  const proc = launched.exec({
    module: exe.bytes,
    args: spec.cmd,
    env,
    cwd,
    ...(spec.stdin !== undefined ? { stdin: spec.stdin } : {}),
    ...(spec.tty ? { terminal: true } : {}),
    stdout: (c) => spec.stdout?.(c),
    stderr: (c) => spec.stderr?.(c),
  });
  return { exited: proc.exited.then((e) => e.exitCode), kill: (signal) => proc.kill(signal) };
}

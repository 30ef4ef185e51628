// `exec`: another process in a running container. The main process's filesystem lives inside its
// own worker, so the new process sees the image plus the writable layer as last persisted, and
// its own writes are not kept (a known limit until processes of a container share one worker).

import type { StartIo } from './container-start.ts';
import { InvalidStateError, NotFoundError } from '../errors.ts';
import { type ContainerContext, refresh } from './container-context.ts';
import { mergeEnv, processEnv } from './container-create.ts';
import { findExecutable } from './container-executable.ts';
import { openContainerFs } from './container-fs.ts';
import { isActive } from './container-status.ts';

export interface ExecSpec extends StartIo {
  cmd: string[];
  env: string[];
  workdir?: string | undefined;
}

export async function execInContainer(ctx: ContainerContext, ref: string, spec: ExecSpec): Promise<number> {
  const rec = await refresh(ctx, ref);
  if (!isActive(rec.State.Status)) throw new InvalidStateError(`container ${rec.Id} is not running`);
  if (rec.State.Status === 'paused') {
    throw new InvalidStateError(`container ${rec.Id} is paused, unpause the container before exec`);
  }
  const image = await ctx.images.resolve(rec.Image);
  if (!image) throw new NotFoundError(`No such image: ${rec.Image}`);
  const layers = await ctx.images.layers(image);
  const upper = await ctx.store.readUpper(rec.Id);
  const env = mergeEnv(processEnv(rec), spec.env);
  const cwd = spec.workdir ?? (rec.Config.WorkingDir || '/');
  const exe = findExecutable(await openContainerFs(layers, upper), spec.cmd[0]!, env, cwd);
  const proc = await ctx.launch({
    module: exe.bytes,
    args: spec.cmd,
    env,
    cwd,
    layers,
    upper,
    binds: rec.Mounts.map((m) => ({ source: m.Source, target: m.Destination, readonly: !m.RW })),
    memoryLimit: rec.HostConfig.Memory || undefined,
    stdin: spec.stdin,
    stdout: (c) => spec.stdout?.(c),
    stderr: (c) => spec.stderr?.(c),
  });
  return (await proc.exited).exitCode;
}

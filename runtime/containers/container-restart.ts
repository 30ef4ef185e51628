// `restart`: stop (with the grace period) then start again, keeping the writable layer.

import type { HostedContainer } from './container-context.ts';
import { type ContainerContext, refresh } from './container-context.ts';
import { type StartIo, startContainer } from './container-start.ts';
import { stopContainer } from './container-stop.ts';

export async function restartContainer(
  ctx: ContainerContext,
  ref: string,
  timeoutS: number | undefined,
  io: StartIo = {},
): Promise<HostedContainer | undefined> {
  const rec = await refresh(ctx, ref);
  await stopContainer(ctx, rec.Id, timeoutS);
  const started = await startContainer(ctx, rec.Id, io);
  const after = await ctx.store.get(rec.Id);
  if (after) await ctx.store.save({ ...after, RestartCount: after.RestartCount + 1 });
  return started;
}

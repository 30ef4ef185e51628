// `stop`: refresh -> (not running: nothing to do, as Docker) -> ask the host for a graceful stop
// with a grace period -> wait until the record says exited.

import { type ContainerContext, refresh, requestHost, waitForState } from './container-context.ts';
import type { ContainerRecord } from './container-record.ts';
import { canStop } from './container-status.ts';

export async function stopContainer(
  ctx: ContainerContext,
  ref: string,
  timeoutS?: number,
): Promise<ContainerRecord> {
  const rec = await refresh(ctx, ref);
  if (!canStop(rec.State.Status)) return rec;
  const graceMs = (timeoutS ?? rec.Config.StopTimeout ?? 10) * 1000;
  await requestHost(ctx, rec, { action: 'stop', timeoutMs: graceMs });
  const local = ctx.hosted.get(rec.Id);
  if (local) await local.done;
  return (await waitForState(ctx, rec.Id, (r) => !canStop(r.State.Status), graceMs + 10_000)) ?? rec;
}

// `wait`: block until the container is not running, then its exit code. A container hosted
// elsewhere is watched through its record (and its host's liveness).

import { type ContainerContext, refresh, waitForState } from './container-context.ts';
import { isActive } from './container-status.ts';

export async function waitContainer(ctx: ContainerContext, ref: string): Promise<number> {
  const rec = await refresh(ctx, ref);
  const local = ctx.hosted.get(rec.Id);
  if (local) return local.done;
  if (!isActive(rec.State.Status)) return rec.State.ExitCode;
  const end = await waitForState(ctx, rec.Id, (r) => !isActive(r.State.Status));
  return end?.State.ExitCode ?? rec.State.ExitCode;
}

// `rm`: refresh -> guard canRemove (running needs --force) -> kill if needed -> delete record,
// writable layer and logs; named volumes stay (as Docker, unless -v for anonymous ones).

import { ConflictError } from '../errors.ts';
import { type ContainerContext, refresh, requestHost, waitForState } from './container-context.ts';
import { withStatus } from './container-record.ts';
import { canRemove, isActive } from './container-status.ts';

export async function removeContainerNow(ctx: ContainerContext, id: string): Promise<void> {
  await ctx.store.remove(id);
  await ctx.networks?.leave(id);
}

export async function removeContainer(ctx: ContainerContext, ref: string, force = false): Promise<string> {
  const rec = await refresh(ctx, ref);
  if (!canRemove(rec.State.Status, force)) {
    if (rec.State.Status === 'removing') {
      throw new ConflictError(`removal of container ${ref} is already in progress`);
    }
    throw new ConflictError(
      `cannot remove container "${rec.Name}": container is ${rec.State.Status}: stop the container before removing or force remove`,
    );
  }
  if (isActive(rec.State.Status)) {
    await requestHost(ctx, rec, { action: 'kill', signal: 'SIGKILL' });
    const local = ctx.hosted.get(rec.Id);
    if (local) await local.done;
    else await waitForState(ctx, rec.Id, (r) => !isActive(r.State.Status), 10_000);
  }
  const now = await ctx.store.get(rec.Id);
  if (now) await ctx.store.save({ ...now, State: withStatus(now.State, 'removing') });
  await removeContainerNow(ctx, rec.Id);
  return rec.Id;
}

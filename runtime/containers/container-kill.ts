// `kill`: refresh -> guard canKill -> deliver the signal through the host -> wait for exit.

import { InvalidStateError, UsageError } from '../errors.ts';
import {
  type ContainerContext,
  normalizeSignal,
  refresh,
  requestHost,
  waitForState,
} from './container-context.ts';
import { canKill } from './container-status.ts';

export async function killContainer(ctx: ContainerContext, ref: string, signal = 'SIGKILL'): Promise<void> {
  const sig = normalizeSignal(signal);
  if (!sig) throw new UsageError(`invalid signal: ${signal}`);
  const rec = await refresh(ctx, ref);
  if (!canKill(rec.State.Status)) {
    throw new InvalidStateError(`cannot kill container: ${ref}: container ${rec.Id} is not running`);
  }
  await requestHost(ctx, rec, { action: 'kill', signal: sig });
  const local = ctx.hosted.get(rec.Id);
  if (local) await local.done;
  else await waitForState(ctx, rec.Id, (r) => !canKill(r.State.Status), 10_000);
}

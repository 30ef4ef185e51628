// `pause` / `unpause`: refresh -> guard -> the host freezes or thaws the worker and records it.

import { InvalidStateError } from '../errors.ts';
import { type ContainerContext, refresh, requestHost, waitForState } from './container-context.ts';
import { canPause, canUnpause } from './container-status.ts';

export async function pauseContainer(ctx: ContainerContext, ref: string): Promise<void> {
  const rec = await refresh(ctx, ref);
  if (!canPause(rec.State.Status)) {
    const why = rec.State.Status === 'paused' ? 'is already paused' : 'is not running';
    throw new InvalidStateError(`cannot pause container ${rec.Id}: container ${why}`);
  }
  await requestHost(ctx, rec, { action: 'pause' });
  await waitForState(ctx, rec.Id, (r) => r.State.Status !== 'running', 10_000);
}

export async function unpauseContainer(ctx: ContainerContext, ref: string): Promise<void> {
  const rec = await refresh(ctx, ref);
  if (!canUnpause(rec.State.Status)) {
    throw new InvalidStateError(`cannot unpause container ${rec.Id}: container ${rec.Id} is not paused`);
  }
  await requestHost(ctx, rec, { action: 'unpause' });
  await waitForState(ctx, rec.Id, (r) => r.State.Status !== 'paused', 10_000);
}

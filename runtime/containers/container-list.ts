// `ps`: every record as it truly is (a dead host's containers show exited), newest first. Needs
// only the store and the host's liveness check, so listing loads none of the process runtime,
// images or networks.

import type { ContainerContext } from './container-context.ts';
import { reconcile } from './container-context.ts';
import type { ContainerRecord } from './container-record.ts';
import { isActive } from './container-status.ts';

export type ContainerListContext = Pick<ContainerContext, 'store' | 'host' | 'hosted'>;

export async function listContainers(ctx: ContainerListContext, all = false): Promise<ContainerRecord[]> {
  const out: ContainerRecord[] = [];
  for (const raw of await ctx.store.list()) {
    const rec = reconcile(ctx, raw);
    if (all || isActive(rec.State.Status)) out.push(rec);
  }
  // ISO timestamps of one format sort as strings.
  return out.sort((a, b) => (a.Created < b.Created ? 1 : a.Created > b.Created ? -1 : 0));
}

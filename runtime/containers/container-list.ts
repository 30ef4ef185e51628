// `ps`: every record as it truly is (a dead host's containers show exited), newest first. Needs
// only the store and the host's liveness check, so listing loads none of the process runtime,
// images or networks.

import type { ContainerContext } from './container-context.ts';
import { goneWithHost, reconcile } from './container-context.ts';
import type { ContainerRecord, ContainerSummary } from './container-record.ts';
import { isActive } from './container-status.ts';

export type ContainerListContext = Pick<ContainerContext, 'store' | 'host' | 'hosted'>;

export async function listContainers(ctx: ContainerListContext, all = false): Promise<ContainerRecord[]> {
  return listed(ctx, await ctx.store.list(), all);
}

/** The same, cut to what `ps` shows (the store answers from its listing index). */
export async function listContainerSummaries(
  ctx: ContainerListContext,
  all = false,
): Promise<ContainerSummary[]> {
  return listed(ctx, await ctx.store.listSummaries(), all);
}

function listed<T extends ContainerSummary>(ctx: ContainerListContext, records: T[], all: boolean): T[] {
  // One engine hosts every detached container: ask the OS about each host process once, not once
  // per record (each ask reads /proc).
  const alive = new Map<string, boolean>();
  const host = {
    isAlive: (pid: number, start?: string) => {
      const key = `${pid}/${start}`;
      let answer = alive.get(key);
      if (answer === undefined) alive.set(key, (answer = ctx.host.isAlive(pid, start)));
      return answer;
    },
    now: () => ctx.host.now(),
  };
  const out: T[] = [];
  for (const raw of records) {
    const rec = reconcile({ host, hosted: ctx.hosted }, raw);
    if (goneWithHost(raw, rec)) continue; // removed by the next command that refreshes it
    if (all || isActive(rec.State.Status)) out.push(rec);
  }
  // ISO timestamps of one format sort as strings.
  return out.sort((a, b) => (a.Created < b.Created ? 1 : a.Created > b.Created ? -1 : 0));
}

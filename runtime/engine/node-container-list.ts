// `ps` on Node without opening the whole engine: the container store and the host's liveness
// check only (a cold `berth ps` then loads a few kilobytes of code, not the process runtime).

import { listContainerSummaries } from '../containers/container-list.ts';
import type { ContainerSummary } from '../containers/container-record.ts';
import { NodeContainerStore } from '../containers/node-container-store.ts';
import { berthRoot } from '../content/node-store-root.ts';
import { NodeHost } from './node-host.ts';

export function listNodeContainers(all = false, root = berthRoot()): Promise<ContainerSummary[]> {
  return listContainerSummaries(
    { store: new NodeContainerStore(root), host: new NodeHost(), hosted: new Map() },
    all,
  );
}

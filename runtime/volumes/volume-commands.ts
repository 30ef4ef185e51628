// Removing volumes with Docker's rules, for the CLI (`volume rm`, `volume prune`) and the Engine
// API alike: a volume a container mounts goes only with force; prune takes the unused ones.

import type { Engine } from '../engine.ts';
import { ConflictError } from '../errors.ts';

/** Removes a volume; one a container (running or not) mounts needs `force`. */
export async function removeVolume(e: Engine, name: string, force: boolean): Promise<void> {
  const users = (await e.list(true)).filter((c) =>
    c.Mounts.some((m) => m.Type === 'volume' && m.Name === name),
  );
  if (users.length && !force) {
    throw new ConflictError(`remove ${name}: volume is in use - [${users.map((c) => c.Id).join(', ')}]`);
  }
  await e.volumes.remove(name);
}

/** Removes every volume no container mounts; their names. */
export async function pruneVolumes(e: Engine): Promise<string[]> {
  const used = new Set((await e.list(true)).flatMap((c) => c.Mounts.map((m) => m.Name)));
  const removed: string[] = [];
  for (const v of await e.volumes.list()) {
    if (used.has(v.Name)) continue;
    await e.volumes.remove(v.Name);
    removed.push(v.Name);
  }
  return removed;
}

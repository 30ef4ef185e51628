// NetworkStore on disk: <root>/networks.json, replaced atomically, changed under a lock file so
// two berth commands never lose each other's edits. Like container records (and unlike image
// content) it is not fsynced: a crash loses at most the last membership change, never the file.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../containers/node-container-store.ts';
import { tryLockSync, withLock } from '../content/node-file-lock.ts';
import { type NetworkRecord, type NetworkStore, builtinNetworks } from './network-store.ts';

export class NodeNetworkStore implements NetworkStore {
  private readonly dir: string;
  private readonly file: string;

  constructor(root: string) {
    this.dir = join(root, 'networks');
    this.file = join(this.dir, 'networks.json');
  }

  private read(): NetworkRecord[] {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as NetworkRecord[];
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return builtinNetworks(new Date().toISOString());
      throw e;
    }
  }

  async list(): Promise<NetworkRecord[]> {
    return this.read();
  }

  /** Read, change, write under the lock; synchronous while no one else holds it (the common case). */
  async update<T>(change: (networks: NetworkRecord[]) => T): Promise<T> {
    mkdirSync(this.dir, { recursive: true });
    const apply = (): T => {
      const networks = this.read();
      const before = JSON.stringify(networks, null, 1);
      const result = change(networks);
      const after = JSON.stringify(networks, null, 1);
      // A change that changes nothing (join then leave of a failed start) leaves the file alone.
      if (after !== before) writeFileAtomic(this.file, after);
      return result;
    };
    const lockPath = join(this.dir, 'networks.lock');
    const held = tryLockSync(lockPath);
    if (!held) return withLock(lockPath, async () => apply());
    try {
      return apply();
    } finally {
      held.release();
    }
  }
}

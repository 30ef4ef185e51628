// NetworkStore on disk: <root>/networks.json, replaced atomically, changed under a lock file so
// two berth commands never lose each other's edits. Like container records (and unlike image
// content) it is not fsynced: a crash loses at most the last membership change, never the file.

import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../containers/node-container-store.ts';
import { withLock } from '../content/node-file-lock.ts';
import { type NetworkRecord, type NetworkStore, builtinNetworks } from './network-store.ts';

export class NodeNetworkStore implements NetworkStore {
  private readonly dir: string;
  private readonly file: string;

  constructor(root: string) {
    this.dir = join(root, 'networks');
    this.file = join(this.dir, 'networks.json');
  }

  async list(): Promise<NetworkRecord[]> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as NetworkRecord[];
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return builtinNetworks(new Date().toISOString());
      throw e;
    }
  }

  async update<T>(change: (networks: NetworkRecord[]) => T): Promise<T> {
    await mkdir(this.dir, { recursive: true });
    return withLock(join(this.dir, 'networks.lock'), async () => {
      const networks = await this.list();
      const before = JSON.stringify(networks, null, 1);
      const result = change(networks);
      const after = JSON.stringify(networks, null, 1);
      // A change that changes nothing (join then leave of a failed start) leaves the file alone.
      if (after !== before) {
        writeFileAtomic(this.file, after);
      }
      return result;
    });
  }
}

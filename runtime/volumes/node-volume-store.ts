// Volumes as directories: <root>/volumes/<name>/{volume.json,_data}, as Docker's local driver.

import { fs } from '../../shims/platform/node/node-fs.ts';
import { join } from 'node:path';
import { InvalidReferenceError, NotFoundError } from '../errors.ts';
import { type Volume, type VolumeStore, validVolumeName } from './volume-store.ts';

function dirSize(path: string): number {
  let total = 0;
  for (const e of fs.readdirSync(path, { withFileTypes: true })) {
    const p = join(path, e.name);
    if (e.isDirectory()) total += dirSize(p);
    else if (e.isFile()) total += fs.statSync(p).size;
  }
  return total;
}

export class NodeVolumeStore implements VolumeStore {
  private readonly dir: string;
  constructor(root: string) {
    this.dir = join(root, 'volumes');
  }

  async create(name: string | undefined, labels: Record<string, string> = {}): Promise<Volume> {
    const volName =
      name ??
      Array.from(globalThis.crypto.getRandomValues(new Uint8Array(32)), (b) =>
        b.toString(16).padStart(2, '0'),
      ).join('');
    if (!validVolumeName.test(volName)) {
      throw new InvalidReferenceError(
        `create ${volName}: "${volName}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed`,
      );
    }
    const existing = await this.get(volName);
    if (existing) return existing; // Docker: creating an existing volume is a no-op
    const base = join(this.dir, volName);
    fs.mkdirSync(join(base, '_data'), { recursive: true });
    const volume: Volume = {
      CreatedAt: new Date().toISOString(),
      Driver: 'local',
      Labels: labels,
      Mountpoint: join(base, '_data'),
      Name: volName,
      Options: {},
      Scope: 'local',
    };
    const tmp = join(base, `volume.json.${process.pid}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(volume));
    fs.renameSync(tmp, join(base, 'volume.json'));
    return volume;
  }

  async get(name: string): Promise<Volume | undefined> {
    try {
      return JSON.parse(fs.readFileSync(join(this.dir, name, 'volume.json'), 'utf8')) as Volume;
    } catch {
      return undefined;
    }
  }

  async list(): Promise<Volume[]> {
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.dir);
    } catch {}
    const out: Volume[] = [];
    for (const n of names) {
      const v = await this.get(n);
      if (v) out.push(v);
    }
    return out.sort((a, b) => a.Name.localeCompare(b.Name));
  }

  async remove(name: string): Promise<void> {
    if (!(await this.get(name))) throw new NotFoundError(`get ${name}: no such volume`);
    const doomed = join(this.dir, `.${name}.removing.${process.pid}`);
    fs.renameSync(join(this.dir, name), doomed);
    fs.rmSync(doomed, { recursive: true, force: true });
  }

  async size(name: string): Promise<number> {
    try {
      return dirSize(join(this.dir, name, '_data'));
    } catch {
      return 0;
    }
  }
}

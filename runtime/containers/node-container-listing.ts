// The listing index: every record of <root>/containers, cut to what `ps` shows, in one file
// (.listing/index-v1-<generation>.json), so `ps` with 1,000 containers reads one small file instead
// of opening 1,000. The record files stay the truth; the index is a copy, trusted only when
// provably current:
//
// - A writer leaves a marker (.listing/writers/<pid>-<start>-<n>) before it changes a record, and
//   after the change writes a new random token to .listing/generation, then removes its marker.
// - A reader trusts the index when no marker exists and, read after that, the generation is the
//   one the index was built at (its name; and the index names the same container directories).
// - A reader that scanned the records writes the index only when the generation stayed the same
//   and no marker appeared meanwhile: then no change it could have missed has bumped it yet, and
//   any such change bumps it later (or, killed, leaves its marker).
// - A marker outlives a writer killed with -9, so the index is not trusted until a reader sees the
//   writer is gone, bumps the generation and only then removes the marker.
// An index is a new file per generation, never renamed over an old one: on ext4 a rename over a
// file flushes the new one to disk first (auto_da_alloc), milliseconds for a 1 MB index.

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';

/** Linux start time of a process (field 22 of /proc/<pid>/stat); undefined when unreadable. */
function startTime(pid: number | 'self'): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the writer named by a marker `<pid>-<start>-<n>` may still be changing a record. */
function writerAlive(marker: string): boolean {
  const [pidText, start] = marker.split('-');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (!processExists(pid)) return false;
  // A pid reused by another process is a dead writer; without /proc (start '') the pid decides.
  const now = start ? startTime(pid) : undefined;
  return now === undefined || now === start;
}

const INDEX = 'index-v1-';

let temps = 0;

/** Temp + rename, as every store file (a reader sees the old content or the new). */
function replaceFile(path: string, data: string): void {
  const tmp = `${path}.${process.pid}.${temps++}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, path);
}

interface ListingIndex<T> {
  /** The container directories scanned, readable or not. */
  entries: string[];
  records: T[];
}

export class NodeContainerListing<T> {
  private readonly generationFile: string;
  private readonly writers: string;
  private readonly dir: string;
  private marker = '';
  private markers = 0;

  constructor(dir: string) {
    this.generationFile = `${dir}/generation`;
    this.writers = `${dir}/writers`;
    this.dir = dir;
    try {
      fs.mkdirSync(this.writers, { recursive: true });
    } catch {} // a read-only store still lists (from the records)
  }

  /** Runs a change of the records (synchronous) between a marker and a new generation. */
  changing<R>(change: () => R): R {
    this.marker ||= `${this.writers}/${process.pid}-${startTime('self') ?? ''}-`;
    const marker = `${this.marker}${this.markers++}`;
    try {
      fs.writeFileSync(marker, '');
    } catch {
      fs.mkdirSync(this.writers, { recursive: true });
      fs.writeFileSync(marker, '');
    }
    try {
      return change();
    } finally {
      this.bump();
      fs.rmSync(marker, { force: true });
    }
  }

  private bump(): void {
    const token = randomBytes(12).toString('hex');
    try {
      replaceFile(this.generationFile, token);
    } catch {
      fs.mkdirSync(this.writers, { recursive: true }); // the folder was removed: make it again
      replaceFile(this.generationFile, token);
    }
  }

  private generation(): string | undefined {
    try {
      return fs.readFileSync(this.generationFile, 'utf8');
    } catch {
      return undefined;
    }
  }

  /**
   * The records from the index when it is current, else from `scan`, writing a new index when that
   * is safe. `entries` are the container directories as listed now.
   */
  read(entries: string[], scan: (entries: string[]) => T[]): T[] {
    let records: T[] | undefined;
    try {
      records = this.readOrRebuild(entries, scan);
    } catch {} // say, a read-only store: the records themselves are the truth
    return records ?? scan(entries);
  }

  private readOrRebuild(entries: string[], scan: (entries: string[]) => T[]): T[] | undefined {
    const markers = this.markersNow();
    if (markers.length > 0) {
      // Writers killed mid-change: void every index that might miss their change, then forget them.
      const dead = markers.filter((m) => !writerAlive(m));
      if (dead.length > 0) {
        this.bump();
        for (const m of dead) fs.rmSync(`${this.writers}/${m}`, { force: true });
      }
      return undefined;
    }
    let generation = this.generation();
    if (generation === undefined) {
      this.bump(); // a store from before the index
      generation = this.generation();
    }
    const index = generation === undefined ? undefined : this.readIndex(generation);
    if (index !== undefined && sameEntries(index.entries, entries)) return index.records;
    const records = scan(entries);
    if (generation !== undefined && this.markersNow().length === 0 && this.generation() === generation) {
      const fresh: ListingIndex<T> = { entries, records };
      try {
        replaceFile(this.indexFile(generation), JSON.stringify(fresh));
        this.removeIndexesBut(generation);
      } catch {}
    }
    return records;
  }

  private markersNow(): string[] {
    try {
      return fs.readdirSync(this.writers);
    } catch {
      return ['-']; // no writers folder: trust nothing (a marker that names no process)
    }
  }

  /** The format's version is in the name, so a berth that changed it never reads an older one. */
  private indexFile(generation: string): string {
    return `${this.dir}/${INDEX}${generation}.json`;
  }

  private readIndex(generation: string): ListingIndex<T> | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.indexFile(generation), 'utf8')) as ListingIndex<T>;
    } catch {
      return undefined;
    }
  }

  /** Indexes of older generations, and temp files of readers killed while writing one. */
  private removeIndexesBut(generation: string): void {
    const keep = `${INDEX}${generation}.json`;
    for (const name of fs.readdirSync(this.dir)) {
      if (!name.startsWith('index-') || name === keep) continue;
      const temp = /\.(\d+)\.\d+\.tmp$/.exec(name);
      if (temp && processExists(Number(temp[1]))) continue;
      fs.rmSync(`${this.dir}/${name}`, { force: true });
    }
  }
}

function sameEntries(indexed: string[], now: string[]): boolean {
  if (!Array.isArray(indexed) || indexed.length !== now.length) return false;
  const known = new Set(indexed);
  return now.every((e) => known.has(e));
}

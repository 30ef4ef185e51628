// The listing index: every record of <root>/containers, cut to what `ps` shows, in one file, so
// `ps` with 1,000 containers reads one small file instead of opening 1,000. The record files stay
// the truth; the index is a copy, trusted only when provably current.
//
// The generation is the modification time of containers/ itself, so writers pay nothing for it:
// every change `ps` can see changes an entry of containers/ — a create makes containers/<id>, a
// remove renames it to a dot name, and a record is written to a temp file in containers/ that is
// renamed into containers/<id>/ (a rename out of a directory changes its mtime). The kernel sets
// the mtime in the same call that makes the change visible, so a writer killed at any point leaves
// the old record or the new one and, for the new, a new mtime: nothing to recover.
//
// - The index is .listing/index-v3-<mtimeNs>.json (a subdirectory: writing it leaves containers/'s
//   mtime alone). A reader trusts the index named by the mtime it stats, when it names the same
//   container directories as readdir does now.
// - A reader that scanned the records writes an index only when (a) the mtime M it statted before
//   the scan was already QUIET_MS old before the scan began, and (b) containers/ still has mtime M
//   after the scan. Timestamps are coarse (a clock tick or more), so two changes in one tick share
//   an mtime; (a) makes every change the scan could have missed come later than M's tick and so
//   bear another mtime, and (b) catches those made during the scan. Only a wall clock set back by
//   more than QUIET_MS could repeat an mtime, and the readdir check still catches containers that
//   came or went.
// An index is a new file per mtime, never renamed over an old one: on ext4 a rename over a file
// flushes the new one to disk first (auto_da_alloc), milliseconds for a 1 MB index.

import { fs } from '../../shims/platform/node/node-fs.ts';
import { processAlive } from '../content/node-file-lock.ts';

/** How old the containers folder's mtime must be before an index may be stamped with it. */
export const QUIET_MS = 100;

const INDEX = 'index-v3-';
/** Left by berths that kept a generation file and writer markers here. */
const LEGACY = new Set(['writers', 'generation']);

let temps = 0;

interface ListingIndex<T> {
  /** The container directories scanned, readable or not. */
  entries: string[];
  records: T[];
}

export class NodeContainerListing<T> {
  /** `containers` is the folder whose mtime stamps the index; the index lives in `dir`. */
  constructor(
    private readonly containers: string,
    private readonly dir: string,
  ) {}

  /**
   * The records from the index when it is current, else from `scan`, writing a new index when that
   * is safe. `entries()` lists the container directories now.
   */
  read(entries: () => string[], scan: (entries: string[]) => T[]): T[] {
    let records: T[] | undefined;
    try {
      records = this.readOrRebuild(entries, scan);
    } catch {} // say, a read-only store: the records themselves are the truth
    return records ?? scan(entries());
  }

  private stamp(): bigint {
    return fs.statSync(this.containers, { bigint: true }).mtimeNs;
  }

  private readOrRebuild(entries: () => string[], scan: (entries: string[]) => T[]): T[] {
    const stamp = this.stamp(); // before readdir: a change after it is caught by the mtime
    const names = entries();
    const index = this.readIndex(stamp);
    if (index !== undefined && sameEntries(index.entries, names)) return index.records;
    const quiet = BigInt(Date.now() - QUIET_MS) * 1_000_000n >= stamp;
    const records = scan(names);
    if (quiet && this.stamp() === stamp) {
      try {
        this.writeIndex(stamp, { entries: names, records });
      } catch {}
    }
    return records;
  }

  /** The format's version is in the name, so a berth that changed it never reads an older one. */
  private indexFile(stamp: bigint): string {
    return `${this.dir}/${INDEX}${stamp}.json`;
  }

  private readIndex(stamp: bigint): ListingIndex<T> | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.indexFile(stamp), 'utf8')) as ListingIndex<T>;
    } catch {
      return undefined;
    }
  }

  private writeIndex(stamp: bigint, index: ListingIndex<T>): void {
    const tmp = `${this.dir}/${INDEX}${process.pid}.${temps++}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify(index));
    } catch {
      fs.mkdirSync(this.dir, { recursive: true }); // the first index (or the folder was removed)
      fs.writeFileSync(tmp, JSON.stringify(index));
    }
    fs.renameSync(tmp, this.indexFile(stamp));
    this.removeAllBut(`${INDEX}${stamp}.json`);
  }

  /** Older indexes, temp files of readers killed while writing one, and older berths' files. */
  private removeAllBut(keep: string): void {
    for (const name of fs.readdirSync(this.dir)) {
      if (name === keep) continue;
      if (name.startsWith('index-')) {
        const temp = /[-.](\d+)\.\d+\.tmp$/.exec(name);
        if (temp && processAlive(Number(temp[1]))) continue;
      } else if (!LEGACY.has(name)) continue;
      fs.rmSync(`${this.dir}/${name}`, { recursive: true, force: true });
    }
  }
}

function sameEntries(indexed: string[], now: string[]): boolean {
  if (!Array.isArray(indexed) || indexed.length !== now.length) return false;
  const known = new Set(indexed);
  return now.every((e) => known.has(e));
}

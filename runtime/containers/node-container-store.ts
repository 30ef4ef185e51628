// Containers on disk: <root>/containers/<id>/{config.v2.json, upper.bin, container.log[.1], control/}
// and <root>/containers/names/<name> holding the owner's id. Records are replaced with temp +
// rename, names are claimed with O_EXCL, so several berth processes never see half a record or
// give one name to two containers. A record's temp file is made in containers/ itself, so its
// rename changes containers/'s mtime: the listing index's generation (node-container-listing.ts).

import { fs } from '../../shims/platform/node/node-fs.ts';
import { processAlive } from '../content/node-file-lock.ts';
import { join } from 'node:path';
import { ConflictError } from '../errors.ts';
import { type ContainerRecord, type ContainerSummary, summarize } from './container-record.ts';
import { NodeContainerListing } from './node-container-listing.ts';
import type { ContainerStore, ControlRequest, LogEntry, LogStream } from './container-store.ts';

const RECORD = 'config.v2.json';
const NAMES = 'names';
/** The listing index (node-container-listing.ts); a dot name, so no container id. */
const LISTING = '.listing';
/** Left in containers/ by a process killed mid-write (`.tmp-<id>-<pid>-<n>`) or mid-remove. */
const LEFTOVER = /^\.(?:tmp-[0-9a-f]+-(\d+)-\d+|[0-9a-f]+\.removing\.(\d+))$/;
/** A leftover is removed once its process is gone and it is this old (a pid of another namespace). */
const LEFTOVER_AGE_MS = 60_000;
const LOG = 'container.log';

/** Bytes per log file before it rotates (BERTH_LOG_MAX_BYTES overrides the 10 MiB default). */
function logMaxBytes(): number {
  const v = Number(process.env.BERTH_LOG_MAX_BYTES);
  return Number.isFinite(v) && v > 0 ? v : 10 * 1024 * 1024;
}

let tempCounter = 0;

/**
 * Removes a container directory: its files one by one, then the directory. Most hold only their
 * record and log, and rmSync's recursive walk costs a cold CLI milliseconds for those few unlinks.
 */
function removeTree(dir: string): void {
  try {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) removeTree(join(dir, e.name));
      else fs.unlinkSync(join(dir, e.name));
    }
    fs.rmdirSync(dir);
  } catch {
    fs.rmSync(dir, { recursive: true, force: true }); // something changed meanwhile: the long way
  }
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.${tempCounter++}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, path);
}

const isRecord = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Records from their texts in one parse; one by one (skipping what is no record) when that fails. */
function parseRecords(texts: string[]): ContainerRecord[] {
  try {
    const records = JSON.parse(`[${texts.join(',')}]`) as ContainerRecord[];
    if (records.length === texts.length && records.every(isRecord)) return records;
  } catch {}
  return texts.flatMap((t) => {
    try {
      const rec = JSON.parse(t) as ContainerRecord;
      return isRecord(rec) ? [rec] : [];
    } catch {
      return [];
    }
  });
}

export class NodeContainerStore implements ContainerStore {
  readonly dir: string;
  private readonly logFds = new Map<string, { fd: number; size: number }>();
  private readonly listing: NodeContainerListing<ContainerSummary>;

  constructor(root: string) {
    this.dir = join(root, 'containers');
    fs.mkdirSync(join(this.dir, NAMES), { recursive: true });
    try {
      // Made now, not with the first index: a new entry in containers/ would make that index stale.
      fs.mkdirSync(join(this.dir, LISTING));
    } catch {} // there already, or a read-only store (which lists from the records)
    this.listing = new NodeContainerListing(this.dir, join(this.dir, LISTING));
  }

  private path(id: string, file = RECORD): string {
    return join(this.dir, id, file);
  }

  /** The container directories (no dot names), removing leftovers of killed processes on the way. */
  private entries(): string[] {
    const out: string[] = [];
    for (const e of fs.readdirSync(this.dir)) {
      if (e.charCodeAt(0) !== 46 /* . */) {
        if (e !== NAMES) out.push(e);
      } else if (e !== LISTING) this.removeIfLeftover(e);
    }
    return out;
  }

  private removeIfLeftover(name: string): void {
    const m = LEFTOVER.exec(name);
    if (!m || processAlive(Number(m[1] ?? m[2]))) return;
    const path = join(this.dir, name);
    try {
      if (Date.now() - fs.lstatSync(path).mtimeMs < LEFTOVER_AGE_MS) return;
      fs.rmSync(path, { recursive: true, force: true });
    } catch {} // gone meanwhile, or a read-only store
  }

  /**
   * Temp + rename with the temp file in containers/: the rename out of it changes containers/'s
   * mtime, which tells `ps` that its index is stale.
   */
  private writeRecord(id: string, record: ContainerRecord): void {
    const tmp = `${this.dir}/.tmp-${id}-${process.pid}-${tempCounter++}`;
    fs.writeFileSync(tmp, JSON.stringify(record));
    try {
      fs.renameSync(tmp, this.path(id));
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
  }

  async list(): Promise<ContainerRecord[]> {
    return parseRecords(this.scan(this.entries()));
  }

  async listSummaries(): Promise<ContainerSummary[]> {
    return this.listing.read(
      () => this.entries(),
      (ids) => parseRecords(this.scan(ids)).map(summarize),
    );
  }

  /** The text of every readable record. */
  private scan(ids: string[]): string[] {
    const out: string[] = [];
    // One reused buffer and plain path concatenation: 1,000 records and more.
    const buffer = Buffer.allocUnsafe(64 * 1024);
    for (const id of ids) {
      const text = this.readRecordText(id, buffer);
      if (text) out.push(text);
    }
    return out;
  }

  private readRecordText(id: string, buffer: Buffer): string | undefined {
    let fd: number;
    try {
      fd = fs.openSync(`${this.dir}/${id}/${RECORD}`, 'r');
    } catch {
      return undefined;
    }
    try {
      let n = 0;
      for (;;) {
        const got = fs.readSync(fd, buffer, n, buffer.length - n, null);
        if (got === 0) break;
        n += got;
        if (n === buffer.length) return fs.readFileSync(this.path(id), 'utf8'); // larger than the buffer
      }
      return buffer.toString('utf8', 0, n);
    } catch {
      return undefined;
    } finally {
      fs.closeSync(fd);
    }
  }

  private readRecord(id: string): ContainerRecord | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.path(id), 'utf8')) as ContainerRecord;
    } catch {
      return undefined;
    }
  }

  async get(id: string): Promise<ContainerRecord | undefined> {
    return this.getSync(id);
  }

  getSync(id: string): ContainerRecord | undefined {
    return /^[0-9a-f]{64}$/.test(id) ? this.readRecord(id) : undefined;
  }

  async idForName(name: string): Promise<string | undefined> {
    try {
      const id = fs.readFileSync(join(this.dir, NAMES, name), 'utf8').trim();
      return this.readRecord(id) ? id : undefined;
    } catch {
      return undefined;
    }
  }

  private claimName(name: string, id: string): void {
    const file = join(this.dir, NAMES, name);
    try {
      fs.writeFileSync(file, id, { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = fs.readFileSync(file, 'utf8').trim();
      // A name left behind by a process that died between claim and record is free again.
      if (owner && owner !== id && this.readRecord(owner)) {
        throw new ConflictError(
          `Conflict. The container name "/${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`,
        );
      }
      writeFileAtomic(file, id);
    }
  }

  async create(record: ContainerRecord): Promise<void> {
    this.claimName(record.Name.replace(/^\//, ''), record.Id);
    fs.mkdirSync(join(this.dir, record.Id), { recursive: true });
    this.writeRecord(record.Id, record);
  }

  async save(record: ContainerRecord): Promise<void> {
    this.saveSync(record);
  }

  saveSync(record: ContainerRecord): void {
    if (!fs.existsSync(join(this.dir, record.Id))) return; // removed meanwhile: never resurrect
    try {
      this.writeRecord(record.Id, record);
    } catch (e) {
      if (fs.existsSync(join(this.dir, record.Id))) throw e; // else removed meanwhile, as above
    }
  }

  async rename(record: ContainerRecord, newName: string): Promise<void> {
    const old = record.Name.replace(/^\//, '');
    this.claimName(newName, record.Id);
    record.Name = `/${newName}`;
    await this.save(record);
    fs.rmSync(join(this.dir, NAMES, old), { force: true });
  }

  async remove(id: string): Promise<void> {
    const rec = this.readRecord(id);
    const log = this.logFds.get(id);
    if (log !== undefined) fs.closeSync(log.fd);
    this.logFds.delete(id);
    // Rename first so a concurrent reader never sees a half-deleted directory as a container.
    const doomed = join(this.dir, `.${id}.removing.${process.pid}`);
    try {
      fs.renameSync(join(this.dir, id), doomed);
    } catch {
      return;
    }
    if (rec) {
      const nameFile = join(this.dir, NAMES, rec.Name.replace(/^\//, ''));
      try {
        if (fs.readFileSync(nameFile, 'utf8').trim() === id) fs.unlinkSync(nameFile);
      } catch {}
    }
    removeTree(doomed);
  }

  async readUpper(id: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(fs.readFileSync(this.path(id, 'upper.bin')));
    } catch {
      return undefined;
    }
  }

  async writeUpper(id: string, bytes: Uint8Array): Promise<void> {
    if (!fs.existsSync(join(this.dir, id))) return;
    writeFileAtomic(this.path(id, 'upper.bin'), bytes);
  }

  appendLog(id: string, stream: LogStream, bytes: Uint8Array): void {
    let log = this.logFds.get(id);
    if (log === undefined) {
      try {
        const fd = fs.openSync(this.path(id, LOG), 'a');
        log = { fd, size: fs.fstatSync(fd).size };
      } catch {
        return;
      }
      this.logFds.set(id, log);
    }
    const line = { log: Buffer.from(bytes).toString('base64'), stream, time: new Date().toISOString() };
    const text = `${JSON.stringify(line)}\n`;
    fs.writeSync(log.fd, text);
    log.size += Buffer.byteLength(text);
    // Bounded like json-file's max-size=10m, max-file=2: the full file becomes container.log.1.
    if (log.size >= logMaxBytes()) {
      fs.closeSync(log.fd);
      this.logFds.delete(id);
      try {
        fs.renameSync(this.path(id, LOG), this.path(id, `${LOG}.1`));
      } catch {}
    }
  }

  private readLogFile(id: string, file: string, from: number): { entries: LogEntry[]; end: number } {
    let text: Buffer;
    try {
      text = fs.readFileSync(this.path(id, file));
    } catch {
      return { entries: [], end: 0 };
    }
    const end = text.lastIndexOf(10) + 1; // only whole lines
    const entries: LogEntry[] = [];
    if (end <= from) return { entries, end };
    for (const line of text.subarray(from, end).toString('utf8').split('\n')) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as { log: string; stream: LogStream; time: string };
        entries.push({ stream: e.stream, time: e.time, bytes: new Uint8Array(Buffer.from(e.log, 'base64')) });
      } catch {}
    }
    return { entries, end };
  }

  /**
   * Entries from `fromOffset` (a position in container.log) on. From 0 the rotated file comes
   * first; an offset past the current file's end means it was rotated meanwhile, so the rest of
   * container.log.1 comes first.
   */
  async readLogs(id: string, fromOffset = 0): Promise<{ entries: LogEntry[]; offset: number }> {
    let size = 0;
    try {
      size = fs.statSync(this.path(id, LOG)).size;
    } catch {}
    const rotatedFrom = fromOffset === 0 ? 0 : fromOffset > size ? fromOffset : -1;
    const older = rotatedFrom >= 0 ? this.readLogFile(id, `${LOG}.1`, rotatedFrom).entries : [];
    const current = this.readLogFile(id, LOG, rotatedFrom >= 0 ? 0 : fromOffset);
    return {
      entries: [...older, ...current.entries],
      offset: Math.max(current.end, rotatedFrom >= 0 ? 0 : fromOffset),
    };
  }

  async sendControl(id: string, request: ControlRequest): Promise<void> {
    const dir = this.path(id, 'control');
    fs.mkdirSync(dir, { recursive: true });
    writeFileAtomic(join(dir, `${Date.now()}-${process.pid}-${tempCounter++}.json`), JSON.stringify(request));
  }

  async takeControl(id: string): Promise<ControlRequest[]> {
    return this.takeControlSync(id);
  }

  takeControlSync(id: string): ControlRequest[] {
    const dir = this.path(id, 'control');
    let names: string[];
    try {
      names = fs
        .readdirSync(dir)
        .filter((n) => n.endsWith('.json'))
        .sort();
    } catch {
      return [];
    }
    const out: ControlRequest[] = [];
    for (const n of names) {
      try {
        out.push(JSON.parse(fs.readFileSync(join(dir, n), 'utf8')) as ControlRequest);
        fs.rmSync(join(dir, n), { force: true });
      } catch {}
    }
    return out;
  }
}

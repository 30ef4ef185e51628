// The blob store on disk:
//   <root>/blobs/sha256/<hex>   one file per blob, named by its digest, never modified in place
//   <root>/ingest/<hex>         a partial download, resumed by the next writer of that digest
//   <root>/tmp/                 temp files of atomic writes (same filesystem, so rename is atomic)
// Every read re-hashes the file (node:crypto, so a few GB/s); every write is temp + fsync + rename.

import { fs } from '../../shims/platform/node/node-fs.ts';
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  promises as fsp,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { DigestMismatchError, InvalidStateError, NotFoundError } from '../errors.ts';
import { createSha256, type Digest, digestHex, parseDigest } from '../oci/digest.ts';
import {
  blobNotFound,
  type ContentStore,
  type ContentWriter,
  type StagedBlob,
  type HttpIngestOutcome,
  type HttpIngestRequest,
} from './content-store.ts';
import { ingestHttpBody } from './node-http-body-ingest.ts';
import { tempName, writeFileAtomic, writeFileStaged } from './node-atomic-file.ts';
import { type FileLock, tryLock } from './node-file-lock.ts';
import {
  type IngestWorker,
  maxWorkers as maxIngestWorkers,
  pickIngestWorker,
  prewarmIngestWorker,
  releaseIngestWorker,
  stopIdleIngestWorkers,
  WorkerBlobWrite,
} from './node-ingest-workers.ts';
import { installNodeSha256, nodeDigestOf, warmNodeSha256 } from './node-sha256.ts';
import { berthRoot } from './node-store-root.ts';
import { builtin } from '../../shims/platform/node/builtin.ts';

const HEX64 = /^[a-f0-9]{64}$/;
/** Blobs up to this size are read synchronously: see readBlobFile. */
const SYNC_READ_MAX = 8 * 1024 * 1024;
/** Blobs from this size on are written and hashed on a worker thread; smaller ones inline. */
const WORKER_MIN_SIZE = 1024 * 1024;
/** stagePut writes ahead only small blobs (manifests); a bigger one is put at commit. */
const SMALL_STAGED_MAX = 1024 * 1024;
/** Inline writes gather chunks up to this many bytes per writev. */
const WRITE_BATCH = 1024 * 1024;

/**
 * Small blobs (manifests, configs, small layers: the whole `run hello-world` hot path) are read
 * with sync calls, which skip libuv's thread pool; its first use costs milliseconds in a fresh
 * process. Big layers go async so a long-running engine keeps serving while they load.
 */
async function readBlobFile(path: string): Promise<Buffer> {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size <= SYNC_READ_MAX) {
      const buf = Buffer.allocUnsafe(size);
      let at = 0;
      while (at < size) {
        const n = readSync(fd, buf, at, size - at, at);
        if (n === 0) break;
        at += n;
      }
      return at === size ? buf : buf.subarray(0, at);
    }
  } finally {
    closeSync(fd);
  }
  return fsp.readFile(path);
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

export class NodeContentStore implements ContentStore {
  readonly root: string;
  readonly blobDir: string;
  readonly tmpDir: string;
  readonly ingestDir: string;
  private dirs: Promise<void> | undefined;
  /** Big blobs being hashed on this thread (the rest go to helper threads). */
  private inlineBig = 0;

  constructor(root: string = berthRoot()) {
    installNodeSha256();
    this.root = root;
    this.blobDir = join(root, 'blobs', 'sha256');
    this.tmpDir = join(root, 'tmp');
    this.ingestDir = join(root, 'ingest');
  }

  blobPath(digest: Digest): string {
    return join(this.blobDir, digestHex(parseDigest(digest)));
  }

  /** Creates the directories once per process, only when something is written. */
  ready(): Promise<void> {
    // Synchronous: microseconds, once, where the thread pool may be busy with other writes.
    this.dirs ??= (async () => {
      for (const dir of [this.blobDir, this.tmpDir, this.ingestDir]) mkdirSync(dir, { recursive: true });
    })();
    return this.dirs;
  }

  async has(digest: Digest): Promise<boolean> {
    return (await this.size(digest)) !== undefined;
  }

  async size(digest: Digest): Promise<number | undefined> {
    // Sync: a stat is microseconds, while the thread pool's queue (busy with a pull's writes and
    // fsyncs) made each one cost milliseconds, and a pull asks for every blob in turn.
    return statSync(this.blobPath(digest), { throwIfNoEntry: false })?.size;
  }

  async get(digest: Digest): Promise<Uint8Array> {
    const bytes = await this.getUnverified(digest);
    const actual = nodeDigestOf(bytes);
    if (actual !== digest) throw new DigestMismatchError(digest, actual, { what: 'blob' });
    return bytes;
  }

  /**
   * The stored bytes without the hash check, for a reader that verifies them anyway (a push: the
   * registry recomputes the digest and refuses a mismatch), so 50 MB is not hashed twice.
   */
  async getUnverified(digest: Digest): Promise<Uint8Array> {
    let bytes: Uint8Array;
    try {
      const buf = await readBlobFile(this.blobPath(digest));
      // A plain Uint8Array view (no copy): callers see the same type on every platform.
      bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (e) {
      if (errno(e) === 'ENOENT') throw new NotFoundError(blobNotFound(digest), { cause: e });
      throw e;
    }
    return bytes;
  }

  async put(bytes: Uint8Array, expected?: Digest): Promise<Digest> {
    const digest = nodeDigestOf(bytes);
    if (expected !== undefined && expected !== digest) {
      throw new DigestMismatchError(expected, digest, { what: 'blob' });
    }
    const path = this.blobPath(digest);
    if ((await this.size(digest)) === bytes.byteLength) {
      // Refresh the mtime: gc spares recently touched blobs an in-flight pull or load relies on.
      const now = new Date();
      await fsp.utimes(path, now, now).catch(() => {});
      return digest;
    }
    await this.ready();
    await writeFileAtomic(path, bytes, this.tmpDir, digestHex(digest));
    return digest;
  }

  /**
   * put's write and fsync now, its rename at commit: a pull writes its manifests while the
   * layers download, and stores them only once the layers are in.
   */
  async stagePut(bytes: Uint8Array, expected?: Digest): Promise<StagedBlob> {
    const digest = nodeDigestOf(bytes);
    if (expected !== undefined && expected !== digest) {
      throw new DigestMismatchError(expected, digest, { what: 'blob' });
    }
    const path = this.blobPath(digest);
    if (bytes.byteLength > SMALL_STAGED_MAX || (await this.size(digest)) === bytes.byteLength) {
      return { commit: () => this.put(bytes, digest), discard: () => {} };
    }
    await this.ready();
    const staged = await writeFileStaged(path, bytes, this.tmpDir, digestHex(digest));
    return {
      commit: async () => {
        staged.commit();
        return digest;
      },
      discard: staged.discard,
    };
  }

  /** This thread and the helper threads. */
  get httpIngestThreads(): number {
    return 1 + maxIngestWorkers();
  }

  /** A hint that `bytes` (unknown: likely many) of blobs are about to be written: big ones start a helper thread now. */
  prepareWrites(bytes?: number): void {
    if (bytes === undefined || bytes >= 2 * WORKER_MIN_SIZE) prewarmIngestWorker();
    // This thread hashes blobs too (with node:crypto): loaded now, not at the first blob's bytes.
    if (bytes === undefined || bytes > 0) warmNodeSha256();
  }

  /** The writes are over: helper threads with nothing open end now, not while the process exits. */
  finishWrites(): void {
    stopIdleIngestWorkers();
  }

  async writer(expected: Digest, size?: number): Promise<ContentWriter> {
    parseDigest(expected);
    await this.ready();
    const hex = digestHex(expected);
    const partial = join(this.ingestDir, hex);
    // One resumable partial per digest; a second concurrent writer of the same blob gets a
    // private temp file instead of sharing (and corrupting) it.
    const held: FileLock | undefined = await tryLock(`${partial}.lock`, { staleMs: 86_400_000 });
    const path = held ? partial : tempName(this.tmpDir, hex);
    const publish = async (actualHex: string, written: number, drop: () => Promise<void>) => {
      if (size !== undefined && written !== size) {
        await drop();
        throw new InvalidStateError(`blob ${expected}: received ${written} bytes, expected ${size}`);
      }
      const actual: Digest = `sha256:${actualHex}`;
      if (actual !== expected) {
        await drop();
        throw new DigestMismatchError(expected, actual, { what: 'blob' });
      }
      // Synchronous renames, unlinks and lock files: microseconds each, where a trip through the
      // thread pool queues behind the fsyncs of the other blobs of a pull.
      try {
        renameSync(path, this.blobPath(expected));
      } finally {
        await held?.release();
      }
      return expected;
    };
    const release = async (keep: boolean) => {
      if (!keep || !held) {
        try {
          unlinkSync(path);
        } catch {}
      }
      await held?.release();
    };
    const worker =
      size !== undefined && size >= WORKER_MIN_SIZE ? pickIngestWorker(this.inlineBig) : undefined;
    if (worker && size !== undefined) {
      return this.workerWriter(worker, expected, size, path, held !== undefined, publish, release);
    }
    const big = size !== undefined && size >= WORKER_MIN_SIZE;
    if (big) this.inlineBig++;
    const hash = createSha256();
    let offset = 0;
    if (held) {
      try {
        const existing = readFileSync(partial);
        if (size !== undefined && existing.byteLength > size) truncateSync(partial, 0);
        else {
          hash.update(existing);
          offset = existing.byteLength;
        }
      } catch (e) {
        if (errno(e) !== 'ENOENT') throw e;
      }
    }
    const fd = openSync(path, 'a', 0o644);
    let written = offset;
    let done = false;
    // Owned chunks (network reads) are kept and written together: one writev per MiB.
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      const batch = pending;
      pending = [];
      pendingBytes = 0;
      await writeAll(fd, batch);
    };
    let settled = !big;
    const settle = () => {
      if (!settled) this.inlineBig--;
      settled = true;
    };
    const finish = async (keep: boolean) => {
      if (done) return;
      done = true;
      settle();
      if (keep) await flush().catch(() => {});
      try {
        closeSync(fd);
      } catch {}
      await release(keep);
    };
    return {
      expected,
      offset,
      async write(chunk, owned) {
        if (done) throw new InvalidStateError(`blob ${expected}: write after commit or abort`);
        hash.update(chunk);
        written += chunk.byteLength;
        // Kept until the next writev: a chunk not handed over is copied (a Buffer's slice is a view).
        pending.push(owned ? chunk : new Uint8Array(chunk));
        pendingBytes += chunk.byteLength;
        if (pendingBytes >= WRITE_BATCH || pending.length >= 256) await flush();
      },
      commit: async () => {
        if (done) throw new InvalidStateError(`blob ${expected}: already committed or aborted`);
        // Hashed already: this thread is free for the next blob while the file syncs.
        settle();
        await flush();
        const actualHex = hash.hex();
        if (actualHex === hex && (size === undefined || written === size)) await fsyncFd(fd);
        closeSync(fd);
        done = true;
        return publish(actualHex, written, () => release(false));
      },
      abort: () => finish(false),
      close: () => finish(true),
      appendFromHttp: async (req: HttpIngestRequest, onProgress, signal) => {
        if (done) throw new InvalidStateError(`blob ${expected}: write after commit or abort`);
        await flush();
        const outcome = await new Promise<HttpIngestOutcome>((resolve) => {
          const handle = ingestHttpBody({ net: builtin('node:net'), fs }, req, fd, hash, onProgress, (o) => {
            signal?.removeEventListener('abort', cancel);
            resolve(o);
          });
          const cancel = () => handle.cancel('aborted');
          signal?.addEventListener('abort', cancel, { once: true });
          if (signal?.aborted) cancel();
        });
        if (outcome.kind !== 'declined') written += outcome.received;
        return outcome;
      },
    };
  }

  /** A big blob: appended and hashed on a worker thread (node-ingest-workers.ts). */
  private async workerWriter(
    worker: IngestWorker,
    expected: Digest,
    size: number,
    path: string,
    resumable: boolean,
    publish: (hex: string, written: number, drop: () => Promise<void>) => Promise<Digest>,
    release: (keep: boolean) => Promise<void>,
  ): Promise<ContentWriter> {
    let offset = 0;
    if (resumable) {
      try {
        offset = statSync(path).size;
        if (offset > size) {
          truncateSync(path, 0);
          offset = 0;
        }
      } catch (e) {
        if (errno(e) !== 'ENOENT') {
          releaseIngestWorker(worker);
          await release(true);
          throw e;
        }
      }
    }
    const ingest = new WorkerBlobWrite(worker, path, offset);
    let written = offset;
    let done = false;
    const finish = async (keep: boolean) => {
      if (done) return;
      done = true;
      await ingest.finish(keep ? 'close' : 'abort').catch(() => {});
      await release(keep);
    };
    return {
      expected,
      offset,
      async write(chunk, owned) {
        if (done) throw new InvalidStateError(`blob ${expected}: write after commit or abort`);
        written += chunk.byteLength;
        await ingest.write(chunk, owned);
      },
      appendFromHttp: async (req, onProgress, signal) => {
        if (done) throw new InvalidStateError(`blob ${expected}: write after commit or abort`);
        const outcome = await ingest.fetch(req, onProgress, signal);
        if (outcome.kind !== 'declined') written += outcome.received;
        return outcome;
      },
      commit: async () => {
        if (done) throw new InvalidStateError(`blob ${expected}: already committed or aborted`);
        done = true;
        let actualHex: string | undefined;
        try {
          actualHex = await ingest.finish('commit');
        } catch (e) {
          await release(false);
          throw e;
        }
        return publish(actualHex ?? '', written, () => release(false));
      },
      abort: () => finish(false),
      close: () => finish(true),
    };
  }

  async delete(digest: Digest): Promise<void> {
    await fsp.unlink(this.blobPath(digest)).catch((e) => {
      if (errno(e) !== 'ENOENT') throw e;
    });
  }

  async list(): Promise<Digest[]> {
    try {
      const names = await fsp.readdir(this.blobDir);
      return names.filter((n) => HEX64.test(n)).map((n): Digest => `sha256:${n}`);
    } catch (e) {
      if (errno(e) === 'ENOENT') return [];
      throw e;
    }
  }

  /** Modification time of a blob in ms (gc spares recent ones), undefined when absent. */
  async mtimeMs(digest: Digest): Promise<number | undefined> {
    try {
      return (await fsp.stat(this.blobPath(digest))).mtimeMs;
    } catch {
      return undefined;
    }
  }

  /** Removes temp files and abandoned partial downloads older than `ageMs`; returns the count. */
  async removeLeftovers(ageMs: number): Promise<number> {
    let removed = 0;
    const cutoff = Date.now() - ageMs;
    for (const dir of [this.tmpDir, this.ingestDir]) {
      let names: string[];
      try {
        names = await fsp.readdir(dir);
      } catch {
        continue;
      }
      for (const n of names) {
        const p = join(dir, n);
        try {
          const st = await fsp.stat(p);
          if (st.mtimeMs > cutoff) continue;
          if (dir === this.ingestDir && HEX64.test(n)) {
            const held = await tryLock(`${p}.lock`, { staleMs: 86_400_000 });
            if (!held) continue;
            await fsp.unlink(p).catch(() => {});
            await held.release();
          } else if (!n.endsWith('.lock')) await fsp.unlink(p);
          removed++;
        } catch {
          // Raced with another process: fine.
        }
      }
    }
    return removed;
  }
}

/** Writes all of `chunks` at the file's end (an 'a' descriptor), through the thread pool. */
async function writeAll(fd: number, chunks: Uint8Array[]): Promise<void> {
  let views = chunks;
  while (views.length > 0) {
    let n = await new Promise<number>((resolve, reject) =>
      fs.writev(fd, views, (e, written) => (e ? reject(e) : resolve(written))),
    );
    const rest: Uint8Array[] = [];
    for (const v of views) {
      if (n >= v.byteLength) n -= v.byteLength;
      else {
        rest.push(n > 0 ? v.subarray(n) : v);
        n = 0;
      }
    }
    views = rest;
  }
}

/** fsync through the thread pool (it waits on the disk). */
function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (e) => (e ? reject(e) : resolve())));
}

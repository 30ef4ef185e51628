// An inter-process lock file: created atomically with its owner inside (written to a temp file,
// then hard-linked into place, which fails if the lock exists), so a lock is never seen empty.
// A lock whose owner process is gone (kill -9) is stale and broken at once; breaking goes
// through a second short-lived lock so two waiters never both break and then both own it.

import { linkSync, promises as fsp, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConflictError } from '../errors.ts';

interface LockOwner {
  pid: number;
  host: string;
  token: string;
  time: number;
}

export interface FileLock {
  release(): Promise<void>;
}

export interface LockOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** A lock older than this is stale even if its pid lives (pid reuse); default 5 min. */
  staleMs?: number;
}

const HOST = hostname();

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** Whether `pid` names a live process (EPERM: it lives, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errno(e) === 'EPERM';
  }
}

async function readOwner(path: string): Promise<LockOwner | null | undefined> {
  try {
    return JSON.parse(await fsp.readFile(path, 'utf8')) as LockOwner;
  } catch (e) {
    // undefined: no lock file; null: unreadable (treated as stale: we never write one partially).
    return errno(e) === 'ENOENT' ? undefined : null;
  }
}

function isStale(owner: LockOwner | null, staleMs: number): boolean {
  if (owner === null || typeof owner.pid !== 'number') return true;
  if (Date.now() - owner.time > staleMs) return true;
  return owner.host === HOST && !processAlive(owner.pid);
}

/** Creates `path` holding `owner`, or returns false if it exists. */
async function createExclusive(path: string, owner: LockOwner): Promise<boolean> {
  const tmp = `${path}.${owner.token}`;
  await fsp.writeFile(tmp, JSON.stringify(owner));
  try {
    await fsp.link(tmp, path);
    return true;
  } catch (e) {
    if (errno(e) === 'EEXIST') return false;
    throw e;
  } finally {
    await fsp.unlink(tmp).catch(() => {});
  }
}

async function removeIfOwner(path: string, token: string): Promise<void> {
  const owner = await readOwner(path);
  if (owner?.token === token) await fsp.unlink(path).catch(() => {});
}

/** Breaks `path` if it is (still) the stale lock `seen`; serialised by `path.break`. */
async function breakStale(path: string, seen: LockOwner | null, staleMs: number): Promise<void> {
  const breaker = `${path}.break`;
  const me = newOwner();
  if (!(await createExclusive(breaker, me))) {
    const other = await readOwner(breaker);
    if (other !== undefined && isStale(other, 10_000)) await fsp.unlink(breaker).catch(() => {});
    return;
  }
  try {
    const now = await readOwner(path);
    if (now === undefined) return;
    const same = now === null ? seen === null : now.token === seen?.token;
    if (same && isStale(now, staleMs)) await fsp.unlink(path).catch(() => {});
  } finally {
    await removeIfOwner(breaker, me.token);
  }
}

function newOwner(): LockOwner {
  return {
    pid: process.pid,
    host: HOST,
    token: `${process.pid.toString(36)}${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`,
    time: Date.now(),
  };
}

/**
 * One attempt: the lock, or undefined if a live process holds it. A free lock is taken and given
 * back with synchronous calls (microseconds): through the thread pool, each call would queue
 * behind whatever fills it (a pull's fsyncs take tens of ms each).
 */
export async function tryLock(path: string, options: LockOptions = {}): Promise<FileLock | undefined> {
  const quick = tryLockSync(path);
  if (quick) return { release: async () => quick.release() };
  const staleMs = options.staleMs ?? 300_000;
  for (let attempt = 0; attempt < 3; attempt++) {
    const me = newOwner();
    if (await createExclusive(path, me)) return { release: () => removeIfOwner(path, me.token) };
    const owner = await readOwner(path);
    if (owner === undefined) continue; // released meanwhile: try again at once
    if (!isStale(owner, staleMs)) return undefined;
    await breakStale(path, owner, staleMs);
  }
  return undefined;
}

/**
 * The lock if it is free right now, taken with synchronous calls (no event-loop turns: a short
 * critical section such as a small JSON update stays short); undefined when anyone holds it,
 * stale or not — the caller then waits with lock(), which also breaks stale locks.
 */
export function tryLockSync(path: string): { release(): void } | undefined {
  const me = newOwner();
  const tmp = `${path}.${me.token}`;
  writeFileSync(tmp, JSON.stringify(me));
  try {
    linkSync(tmp, path);
  } catch (e) {
    if (errno(e) === 'EEXIST') return undefined;
    throw e;
  } finally {
    try {
      unlinkSync(tmp);
    } catch {}
  }
  return {
    release() {
      try {
        if ((JSON.parse(readFileSync(path, 'utf8')) as LockOwner).token === me.token) unlinkSync(path);
      } catch {}
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function lock(path: string, options: LockOptions = {}): Promise<FileLock> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let wait = 1;
  for (;;) {
    const held = await tryLock(path, options);
    if (held) return held;
    if (Date.now() > deadline) {
      const owner = await readOwner(path);
      throw new ConflictError(`timed out waiting for the lock ${path} (held by pid ${owner?.pid ?? '?'})`);
    }
    await sleep(wait + Math.random() * wait);
    wait = Math.min(wait * 2, 25);
  }
}

/** Runs `fn` holding the lock at `path`. */
export async function withLock<T>(path: string, fn: () => Promise<T>, options?: LockOptions): Promise<T> {
  const held = await lock(path, options);
  try {
    return await fn();
  } finally {
    await held.release();
  }
}

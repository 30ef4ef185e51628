// All-or-nothing file writes: the bytes go to a unique temp file in the same filesystem, are
// fsynced, then renamed over the target. A reader sees the old file or the new one, never a
// part; a writer killed midway leaves only a temp file, which gc removes.

import { closeSync, fsync, promises as fsp, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

let tempCount = 0;

export function tempName(dir: string, base: string): string {
  return join(
    dir,
    `${base}.${process.pid}.${Math.random().toString(36).slice(2, 10)}${(tempCount++).toString(36)}.tmp`,
  );
}

/** Up to this size the temp file is opened, written, closed and renamed with synchronous calls. */
const SYNC_WRITE_MAX = 1024 * 1024;

export async function writeFileAtomic(
  path: string,
  bytes: Uint8Array,
  tmpDir: string,
  base: string,
): Promise<void> {
  if (bytes.byteLength <= SYNC_WRITE_MAX) {
    (await writeFileStaged(path, bytes, tmpDir, base)).commit();
    return;
  }
  const tmp = tempName(tmpDir, base);
  const fh = await fsp.open(tmp, 'wx', 0o644);
  try {
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, path);
  } catch (e) {
    await fsp.unlink(tmp).catch(() => {});
    throw e;
  }
}

/** A small file written and synced to its temp name: commit renames it into place, discard removes it. */
export interface StagedFile {
  commit(): void;
  discard(): void;
}

/**
 * writeFileAtomic's first half for a small file (a manifest, the image index): microseconds of
 * synchronous calls, where each trip through the thread pool could queue behind other writes'
 * fsyncs. Only the fsync waits there, off this thread.
 */
export async function writeFileStaged(
  path: string,
  bytes: Uint8Array,
  tmpDir: string,
  base: string,
): Promise<StagedFile> {
  const tmp = tempName(tmpDir, base);
  const discard = () => {
    try {
      unlinkSync(tmp);
    } catch {}
  };
  let fd: number | undefined = openSync(tmp, 'wx', 0o644);
  try {
    for (let at = 0; at < bytes.byteLength; ) at += writeSync(fd, bytes, at, bytes.byteLength - at);
    const synced = fd;
    await new Promise<void>((resolve, reject) => fsync(synced, (e) => (e ? reject(e) : resolve())));
    closeSync(fd);
    fd = undefined;
  } catch (e) {
    try {
      if (fd !== undefined) closeSync(fd);
    } catch {}
    discard();
    throw e;
  }
  return {
    commit: () => {
      try {
        renameSync(tmp, path);
      } catch (e) {
        discard();
        throw e;
      }
    },
    discard,
  };
}

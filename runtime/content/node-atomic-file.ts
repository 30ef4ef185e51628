// All-or-nothing file writes: the bytes go to a unique temp file in the same filesystem, are
// fsynced, then renamed over the target. A reader sees the old file or the new one, never a
// part; a writer killed midway leaves only a temp file, which gc removes.

import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export function tempName(dir: string, base: string): string {
  return join(dir, `${base}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

export async function writeFileAtomic(
  path: string,
  bytes: Uint8Array,
  tmpDir: string,
  base: string,
): Promise<void> {
  const tmp = tempName(tmpDir, base);
  const fh = await open(tmp, 'wx', 0o644);
  try {
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

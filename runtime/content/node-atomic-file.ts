// All-or-nothing file writes: the bytes go to a unique temp file in the same filesystem, are
// fsynced, then renamed over the target. A reader sees the old file or the new one, never a
// part; a writer killed midway leaves only a temp file, which gc removes.

import { promises as fsp } from 'node:fs';
import { join } from 'node:path';

let tempCount = 0;

export function tempName(dir: string, base: string): string {
  return join(
    dir,
    `${base}.${process.pid}.${Math.random().toString(36).slice(2, 10)}${(tempCount++).toString(36)}.tmp`,
  );
}

export async function writeFileAtomic(
  path: string,
  bytes: Uint8Array,
  tmpDir: string,
  base: string,
): Promise<void> {
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

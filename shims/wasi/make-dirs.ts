// mkdir -p inside the guest's filesystem, for directories Docker creates on its own: a WORKDIR
// and the mount points of volumes.

import type { GuestFs } from './guest-fs.ts';

/** Creates the missing directories of `path`; errors (a read-only parent, a file in the way) leave it. */
export function makeDirs(vfs: GuestFs, path: string): void {
  let at = '';
  for (const name of path.split('/')) {
    if (!name) continue;
    at += `/${name}`;
    if (vfs.stat(at, true) instanceof Error) vfs.mkdir(at, 0o755);
  }
}

// `export`: a container's filesystem flattened into one tar (what `import` reads back). The tree
// walk lives in overlay; this is the engine-side name for it.

import { exportTar } from '../../overlay/export.ts';
import type { FileSystem } from '../../overlay/types.ts';
import type { Vfs } from '../../overlay/vfs.ts';

export function exportRootfs(fs: Vfs | FileSystem): Promise<Uint8Array> {
  return exportTar(fs);
}

// The layer cache on disk: <root>/layers/<diffID hex>.parsed, overlay's binary index and file
// bytes (LayerTransfer) in a checked file (runtime/node-checked-file.ts), read into
// SharedArrayBuffers so workers get them uncopied.

import { join } from 'node:path';
import { allocBuffer } from '../../overlay/layer-index.ts';
import type { LayerTransfer } from '../../overlay/layer.ts';
import { processAlive } from '../content/node-file-lock.ts';
import { readCheckedFile, writeCheckedFile } from '../node-checked-file.ts';
import { fs } from '../../shims/platform/node/node-fs.ts';
import { type Digest, digestHex } from '../oci/digest.ts';
import type { LayerCache } from './layer-cache.ts';

const MAGIC = 'BRTHLYR2';

export class NodeLayerCache implements LayerCache {
  private readonly dir: string;
  private readonly blobs: string;

  constructor(root: string) {
    this.dir = join(root, 'layers');
    this.blobs = join(root, 'blobs', 'sha256');
  }

  private path(diffId: Digest): string {
    return join(this.dir, `${digestHex(diffId)}.parsed`);
  }

  get(diffId: Digest): LayerTransfer | undefined {
    const parts = readCheckedFile(this.path(diffId), MAGIC, 2, allocBuffer);
    return parts && { index: parts[0]!.buffer, bytes: parts[1]!.buffer };
  }

  put(diffId: Digest, layer: LayerTransfer): void {
    writeCheckedFile(this.dir, this.path(diffId), MAGIC, [
      new Uint8Array(layer.index),
      new Uint8Array(layer.bytes),
    ]);
    try {
      this.prune();
    } catch {} // a cache that cannot be tidied is no error
  }

  /**
   * Drops the parsed copies of layers whose tar is no longer stored (`rmi`, `system prune`), and
   * temp files of writers that died; done when a new one is kept, which is rare.
   */
  private prune(): void {
    for (const name of fs.readdirSync(this.dir)) {
      const hex = name.endsWith('.parsed') ? name.slice(0, -'.parsed'.length) : undefined;
      const gone = hex
        ? !fs.existsSync(join(this.blobs, hex))
        : name.startsWith('.tmp-') && !processAlive(Number(name.split('-')[1]));
      if (gone) fs.rmSync(join(this.dir, name), { force: true });
    }
  }
}

// The layer cache on disk: <root>/layers/<diffID hex>.parsed, one file per layer:
//   header  80 bytes: magic 'BRTHLYR1', index length (u32), bytes length (u32),
//           sha256 of the index and of the bytes (32 bytes each)
//   index, then bytes (overlay/layer-index.ts's buffers, as LayerTransfer holds them)
// Written whole to a temp file and renamed into place (no fsync: a torn or damaged file fails
// its hashes and is parsed again). Read into SharedArrayBuffers, so workers get them uncopied.

import { fs } from '../node-fs.ts';
import { join } from 'node:path';
import { allocBuffer } from '../../overlay/layer-index.ts';
import type { LayerTransfer } from '../../overlay/layer.ts';
import { type Digest, digestHex, sha256Hex } from '../oci/digest.ts';
import type { LayerCache } from './layer-cache.ts';

const MAGIC = 'BRTHLYR1';
const HEADER = 8 + 4 + 4 + 32 + 32;

const hexBytes = (hex: string): Uint8Array =>
  Uint8Array.from(hex.match(/../g)!, (h) => Number.parseInt(h, 16));
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

let temps = 0;

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
    let fd: number;
    try {
      fd = fs.openSync(this.path(diffId), 'r');
    } catch {
      return undefined;
    }
    try {
      const header = new Uint8Array(HEADER);
      if (fs.readSync(fd, header, 0, HEADER, 0) !== HEADER) return undefined;
      if (String.fromCharCode(...header.subarray(0, 8)) !== MAGIC) return undefined;
      const view = new DataView(header.buffer);
      const indexLength = view.getUint32(8, true);
      const bytesLength = view.getUint32(12, true);
      const index = allocBuffer(indexLength);
      const bytes = allocBuffer(bytesLength);
      const indexView = new Uint8Array(index);
      const bytesView = new Uint8Array(bytes);
      if (fs.readSync(fd, indexView, 0, indexLength, HEADER) !== indexLength) return undefined;
      if (fs.readSync(fd, bytesView, 0, bytesLength, HEADER + indexLength) !== bytesLength) return undefined;
      if (!sameBytes(hexBytes(sha256Hex(indexView)), header.subarray(16, 48))) return undefined;
      if (!sameBytes(hexBytes(sha256Hex(bytesView)), header.subarray(48, 80))) return undefined;
      return { index, bytes };
    } catch {
      return undefined;
    } finally {
      fs.closeSync(fd);
    }
  }

  put(diffId: Digest, layer: LayerTransfer): void {
    const index = new Uint8Array(layer.index);
    const bytes = new Uint8Array(layer.bytes);
    const header = new Uint8Array(HEADER);
    header.set(new TextEncoder().encode(MAGIC), 0);
    const view = new DataView(header.buffer);
    view.setUint32(8, index.length, true);
    view.setUint32(12, bytes.length, true);
    header.set(hexBytes(sha256Hex(index)), 16);
    header.set(hexBytes(sha256Hex(bytes)), 48);
    const target = this.path(diffId);
    const tmp = join(this.dir, `.tmp-${process.pid}-${temps++}`);
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      const out = new Uint8Array(HEADER + index.length + bytes.length);
      out.set(header, 0);
      out.set(index, HEADER);
      out.set(bytes, HEADER + index.length);
      fs.writeFileSync(tmp, out);
      fs.renameSync(tmp, target);
      this.prune();
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  }

  /**
   * Drops the parsed copies of layers whose tar is no longer stored (`rmi`, `system prune`), and
   * temp files of writers that died; done when a new one is kept, which is rare.
   */
  private prune(): void {
    for (const name of fs.readdirSync(this.dir)) {
      const hex = name.endsWith('.parsed') ? name.slice(0, -'.parsed'.length) : undefined;
      const gone = hex ? !fs.existsSync(join(this.blobs, hex)) : name.startsWith('.tmp-') && !isOurs(name);
      if (gone) fs.rmSync(join(this.dir, name), { force: true });
    }
  }
}

/** A temp file of a live process (`.tmp-<pid>-<n>`) is left alone. */
function isOurs(name: string): boolean {
  const pid = Number(name.split('-')[1]);
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

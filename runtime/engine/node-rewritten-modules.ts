// Modules rewritten for an inline run (memory limit, pause points: shims/process/inline-process.ts),
// kept between processes in <root>/modules/<sha256 of the original>-<limit>.wasm:
//   header  48 bytes: magic 'BRTHMOD1', length of the memory declarations (JSON), length of the
//           bytes, sha256 of both together (32 bytes)
//   the declarations, then the rewritten module's bytes
// The original is hashed on every run (microseconds for a small module); a damaged file fails its
// hash and the module is rewritten again. Written temp + rename, no fsync. At most KEEP files:
// the oldest go when a new one is kept.

import { fs } from '../node-fs.ts';
import { join } from 'node:path';
import type { MemoryDecl } from '../../shims/process/memory-limit.ts';
import type { RewrittenModule, RewrittenModules } from '../../shims/process/inline-process.ts';
import { sha256Hex } from '../oci/digest.ts';

const MAGIC = 'BRTHMOD1';
const HEADER = 8 + 4 + 4 + 32;
const KEEP = 64;

const hexBytes = (hex: string): Uint8Array =>
  Uint8Array.from(hex.match(/../g)!, (h) => Number.parseInt(h, 16));

/** ASCII text (the magic, the declarations' JSON) without a TextDecoder: its first use is slow. */
const ascii = (b: Uint8Array): string => String.fromCharCode(...b);

let temps = 0;

export class NodeRewrittenModules implements RewrittenModules {
  private readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, 'modules');
  }

  private path(original: Uint8Array, memoryLimit: number | undefined): string {
    return join(this.dir, `${sha256Hex(original)}-${memoryLimit ?? 'none'}.wasm`);
  }

  get(original: Uint8Array, memoryLimit: number | undefined): RewrittenModule | undefined {
    let fd: number;
    try {
      fd = fs.openSync(this.path(original, memoryLimit), 'r');
    } catch {
      return undefined;
    }
    try {
      const header = new Uint8Array(HEADER);
      if (fs.readSync(fd, header, 0, HEADER, 0) !== HEADER) return undefined;
      if (ascii(header.subarray(0, 8)) !== MAGIC) return undefined;
      const view = new DataView(header.buffer);
      const jsonLength = view.getUint32(8, true);
      const bytesLength = view.getUint32(12, true);
      const payload = new Uint8Array(jsonLength + bytesLength);
      if (fs.readSync(fd, payload, 0, payload.length, HEADER) !== payload.length) return undefined;
      const sum = hexBytes(sha256Hex(payload));
      if (!sum.every((b, i) => b === header[16 + i])) return undefined;
      const memories = JSON.parse(ascii(payload.subarray(0, jsonLength))) as MemoryDecl[];
      return { bytes: payload.subarray(jsonLength), memories };
    } catch {
      return undefined;
    } finally {
      fs.closeSync(fd);
    }
  }

  put(original: Uint8Array, memoryLimit: number | undefined, rewritten: RewrittenModule): void {
    const json = new TextEncoder().encode(JSON.stringify(rewritten.memories));
    const payload = new Uint8Array(json.length + rewritten.bytes.length);
    payload.set(json, 0);
    payload.set(rewritten.bytes, json.length);
    const out = new Uint8Array(HEADER + payload.length);
    out.set(new TextEncoder().encode(MAGIC), 0);
    const view = new DataView(out.buffer);
    view.setUint32(8, json.length, true);
    view.setUint32(12, rewritten.bytes.length, true);
    out.set(hexBytes(sha256Hex(payload)), 16);
    out.set(payload, HEADER);
    const tmp = join(this.dir, `.tmp-${process.pid}-${temps++}`);
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      fs.writeFileSync(tmp, out);
      fs.renameSync(tmp, this.path(original, memoryLimit));
      this.prune();
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  }

  /** Keeps the KEEP most recently written modules. */
  private prune(): void {
    const names = fs.readdirSync(this.dir).filter((n) => n.endsWith('.wasm'));
    if (names.length <= KEEP) return;
    const byAge = names
      .map((n) => ({ n, t: fs.statSync(join(this.dir, n), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
      .sort((a, b) => a.t - b.t);
    for (const { n } of byAge.slice(0, names.length - KEEP)) fs.rmSync(join(this.dir, n), { force: true });
  }
}

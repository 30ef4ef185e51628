// Modules rewritten for an inline run (memory limit, pause points: shims/process/inline-process.ts),
// kept between processes in <root>/modules/<sha256 of the original>-<limit>.wasm as a checked file
// (runtime/node-checked-file.ts) of two parts: the memory declarations (JSON) and the rewritten
// bytes. The original is hashed on every run (microseconds for a small module). At most KEEP
// files: the oldest go when a new one is kept.

import { join } from 'node:path';
import type { RewrittenModule, RewrittenModules } from '../../shims/process/inline-process.ts';
import type { MemoryDecl } from '../../shims/process/memory-limit.ts';
import { readCheckedFile, writeCheckedFile } from '../node-checked-file.ts';
import { fs } from '../../shims/platform/node/node-fs.ts';
import { sha256Hex } from '../oci/digest.ts';

const MAGIC = 'BRTHMOD2';
const KEEP = 64;

export class NodeRewrittenModules implements RewrittenModules {
  private readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, 'modules');
  }

  private path(original: Uint8Array, memoryLimit: number | undefined): string {
    return join(this.dir, `${sha256Hex(original)}-${memoryLimit ?? 'none'}.wasm`);
  }

  get(original: Uint8Array, memoryLimit: number | undefined): RewrittenModule | undefined {
    const parts = readCheckedFile(this.path(original, memoryLimit), MAGIC, 2);
    if (!parts) return undefined;
    try {
      // The declarations are ASCII JSON: no TextDecoder (slow on its first use).
      const memories = JSON.parse(String.fromCharCode(...parts[0]!)) as MemoryDecl[];
      return { bytes: parts[1]!, memories };
    } catch {
      return undefined;
    }
  }

  put(original: Uint8Array, memoryLimit: number | undefined, rewritten: RewrittenModule): void {
    const json = new TextEncoder().encode(JSON.stringify(rewritten.memories));
    writeCheckedFile(this.dir, this.path(original, memoryLimit), MAGIC, [json, rewritten.bytes]);
    try {
      this.prune();
    } catch {} // a cache that cannot be tidied is no error
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

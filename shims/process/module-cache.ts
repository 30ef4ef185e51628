// Compiled modules, cached by the digest of their bytes (plus the memory limit, which changes
// the bytes). Bytes are rewritten before compiling: memory limits, then pause points. A compiled WebAssembly.Module is structured-cloneable: workers receive it once,
// keep it under the same key, and later runs send only the key.

import { type MemoryDecl, WASM_PAGE, limitMemory } from './memory-limit.ts';
import { addPausePoints } from './pause-points.ts';

export interface CompiledModule {
  /** Cache key shared with workers: `sha256:<hex>` or `module:<n>`, plus `@<pages>` when limited. */
  readonly key: string;
  readonly module: WebAssembly.Module;
  readonly memories: readonly MemoryDecl[];
  /** Imports anything from "berth" (berth_proc.h). */
  readonly processImports: boolean;
  /** Imports berth.proc_spawn: its container gets a shared filesystem worker. */
  readonly spawns: boolean;
}

function processImportsOf(module: WebAssembly.Module): { processImports: boolean; spawns: boolean } {
  const berth = WebAssembly.Module.imports(module).filter((i) => i.module === 'berth');
  return { processImports: berth.length > 0, spawns: berth.some((i) => i.name === 'proc_spawn') };
}

export class ModuleInputError extends Error {
  readonly code = 'BERTH_MODULE_INPUT' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ModuleInputError';
  }
}

const hex = (buf: ArrayBuffer): string =>
  Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

export async function sha256Digest(bytes: Uint8Array): Promise<string> {
  const view = bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
  return `sha256:${hex(await crypto.subtle.digest('SHA-256', view as Uint8Array<ArrayBuffer>))}`;
}

/** `sha256:<hex>` of module bytes; the engine may pass a synchronous one (node:crypto). */
export type ModuleDigest = (bytes: Uint8Array) => string | Promise<string>;

export class ModuleCache {
  private readonly compiled = new Map<string, Promise<CompiledModule>>();
  private readonly digests = new WeakMap<Uint8Array, Promise<string>>();
  private readonly moduleIds = new WeakMap<WebAssembly.Module, string>();
  private nextModuleId = 1;

  /** crypto.subtle's first digest in a process costs milliseconds (a cold `berth run` pays it). */
  constructor(
    private readonly capacity = 64,
    private readonly digestOf: ModuleDigest = sha256Digest,
  ) {}

  /** Compiles (or finds) `input` with every memory capped at `memoryLimit` bytes. */
  get(input: WebAssembly.Module | Uint8Array, memoryLimit?: number): Promise<CompiledModule> {
    if (input instanceof WebAssembly.Module) return Promise.resolve(this.fromModule(input, memoryLimit));
    let digest = this.digests.get(input);
    if (!digest) {
      digest = Promise.resolve(this.digestOf(input));
      this.digests.set(input, digest);
    }
    return digest.then((d) => {
      const pages = memoryLimit === undefined ? undefined : Math.floor(memoryLimit / WASM_PAGE);
      const key = pages === undefined ? d : `${d}@${pages}`;
      let hit = this.compiled.get(key);
      if (hit) {
        this.compiled.delete(key);
        this.compiled.set(key, hit);
        return hit;
      }
      hit = (async () => {
        const { bytes, memories } = limitMemory(input, memoryLimit);
        const instrumented = addPausePoints(bytes) ?? bytes;
        const module = await WebAssembly.compile(instrumented as Uint8Array<ArrayBuffer>);
        return { key, module, memories, ...processImportsOf(module) };
      })();
      hit.catch(() => this.compiled.delete(key));
      this.compiled.set(key, hit);
      if (this.compiled.size > this.capacity) this.compiled.delete(this.compiled.keys().next().value!);
      return hit;
    });
  }

  private fromModule(module: WebAssembly.Module, memoryLimit: number | undefined): CompiledModule {
    if (memoryLimit !== undefined) {
      throw new ModuleInputError('a memory limit needs the module bytes (Uint8Array), not a compiled Module');
    }
    let key = this.moduleIds.get(module);
    if (!key) {
      key = `module:${this.nextModuleId++}`;
      this.moduleIds.set(module, key);
    }
    return { key, module, memories: [], ...processImportsOf(module) };
  }
}

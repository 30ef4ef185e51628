// The library's way to run a WebAssembly (WASI preview1) module as a sandboxed process:
// `runWasm` for run-to-completion, `spawnWasm` for a handle the engine and CLI control.

import { ModuleCache, sha256Digest } from '../shims/process/module-cache.ts';
import { digestOf } from './oci/digest.ts';
import { WorkerPool } from '../shims/process/pool.ts';
import { type ProcessExit, type ProcessOptions, WasmProcess } from '../shims/process/wasm-process.ts';
import { defaultPlatform } from '../shims/platform/default-platform.ts';
import type { Platform } from '../shims/platform/types.ts';

export type { InputSource, OutputSink } from '../shims/process/host-streams.ts';
export type {
  Mount,
  ProcessExit,
  ProcessOptions,
  ProcessState,
  Signal,
} from '../shims/process/wasm-process.ts';
export { WasmProcess } from '../shims/process/wasm-process.ts';

export interface ProcessRuntime {
  readonly pool: WorkerPool;
  readonly modules: ModuleCache;
}

let shared: ProcessRuntime | undefined;

/**
 * Small modules hash synchronously (node:crypto once the Node stores installed it, else pure JS):
 * crypto.subtle's first digest in a process costs milliseconds, a cold `berth run` pays it.
 * Big modules keep crypto.subtle, which beats pure JS on megabytes.
 */
const moduleDigest = (bytes: Uint8Array): string | Promise<string> =>
  bytes.length <= 256 * 1024 ? digestOf(bytes) : sha256Digest(bytes);

/** A pool and module cache of one's own (tests, an engine with its own platform). */
export function createProcessRuntime(
  platform: Platform,
  options: { poolSize?: number } = {},
): ProcessRuntime {
  return {
    pool: new WorkerPool(platform, { size: options.poolSize ?? 2 }),
    modules: new ModuleCache(64, moduleDigest),
  };
}

async function runtime(): Promise<ProcessRuntime> {
  shared ??= createProcessRuntime(await defaultPlatform());
  return shared;
}

/** Starts the default pool's workers now, so the first run does not pay for them. */
export async function warmProcessPool(count?: number): Promise<void> {
  (await runtime()).pool.warm(count);
}

/** Terminates the default pool's idle workers (a running process keeps its own). */
export async function closeProcessPool(): Promise<void> {
  const r = shared;
  shared = undefined;
  await r?.pool.close();
}

export interface SpawnOptions extends ProcessOptions {
  /** Defaults to the shared runtime over the default Platform. */
  readonly runtime?: ProcessRuntime;
}

/**
 * Starts `module` and returns its handle at once. Needs a runtime: pass `options.runtime`, or
 * await `warmProcessPool()` once before (it sets up the default one).
 */
export function spawnWasm(module: WebAssembly.Module | Uint8Array, options: SpawnOptions = {}): WasmProcess {
  const r = options.runtime ?? shared;
  if (!r)
    throw new Error('spawnWasm: no process runtime yet (await warmProcessPool() first, or pass runtime)');
  return new WasmProcess(module, options, r.pool, r.modules);
}

/** Runs `module` to its exit. Resolves with the exit code (and trap/signal/upper when they apply). */
export async function runWasm(
  module: WebAssembly.Module | Uint8Array,
  options: SpawnOptions = {},
): Promise<ProcessExit> {
  const r = options.runtime ?? (await runtime());
  return new WasmProcess(module, options, r.pool, r.modules).exited;
}

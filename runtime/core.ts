// The part of berth's API that runs anywhere (Node and the browser): processes, the overlay
// filesystems, in-memory stores, OCI helpers and error classes.

export * from './errors.ts';
export { familiarString, normalizeReference, parseReference } from './oci/reference.ts';
export { Layer } from '../overlay/layer.ts';
export { UnionFs } from '../overlay/union-fs.ts';
export { UpperLayer } from '../overlay/upper-layer.ts';
export { Vfs } from '../overlay/vfs.ts';
export { FsError } from '../overlay/types.ts';
export type { FileSystem, FileHandle, Stat, DirEntry } from '../overlay/types.ts';
export {
  closeProcessPool,
  createProcessRuntime,
  type InputSource,
  type Mount,
  type OutputSink,
  type ProcessExit,
  type ProcessOptions,
  type ProcessRuntime,
  type ProcessState,
  runWasm,
  type Signal,
  type SpawnOptions,
  spawnWasm,
  WasmProcess,
  warmProcessPool,
} from './run-wasm.ts';
export { setDefaultPlatform } from '../shims/platform/default-platform.ts';

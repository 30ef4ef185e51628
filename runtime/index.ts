// berth's package root: the public library API.

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

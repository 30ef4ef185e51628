// berth's package root on Node: the core (runWasm, overlay, errors) plus the in-process Engine
// over the on-disk stores, for test harnesses:
//   const engine = openNodeEngine({ root }); const { exitCode } = await engine.run({ image: 'hello-world' }, io);
// The browser build uses runtime/browser.ts instead.

export * from './core.ts';
export { Engine, type RunResult } from './engine.ts';
export { openNodeEngine, type NodeEngineOptions } from './engine/node-engine.ts';
export type { CreateSpec } from './containers/container-create.ts';
export { openNodeImageStore } from './images/node-image-store.ts';

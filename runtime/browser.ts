// berth's browser entry: the sandbox core (runWasm, spawnWasm) and in-memory stores, without the
// Node engine, disk stores or TCP. The browser platform is set with setDefaultPlatform.

export * from './core.ts';

// Node's own modules by name, loaded where first needed (process.getBuiltinModule, Node ≥ 20.16).
// An `import` of them would load each at every start of the CLI, and esbuild's CommonJS output
// would copy the module's exports into a new object for each importing file; most commands need
// few of them (a `berth run` of a small image needs no crypto, net, http or worker_threads).

interface Builtins {
  'node:crypto': typeof import('node:crypto');
  'node:fs': typeof import('node:fs');
  'node:http': typeof import('node:http');
  'node:https': typeof import('node:https');
  'node:net': typeof import('node:net');
  'node:readline': typeof import('node:readline');
  'node:stream': typeof import('node:stream');
  'node:vm': typeof import('node:vm');
  'node:worker_threads': typeof import('node:worker_threads');
}

type BuiltinId = keyof Builtins;

/** The built-in module `id` itself (the object Node keeps, not a copy). */
export function builtin<K extends BuiltinId>(id: K): Builtins[K] {
  return (process as unknown as { getBuiltinModule(id: string): unknown }).getBuiltinModule(
    id,
  ) as Builtins[K];
}

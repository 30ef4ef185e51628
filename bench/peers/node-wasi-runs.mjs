// Peer of the start-to-exit benchmark: runs images/bench/hello.wasm `count` times in this process
// with node:wasi (a new WASI and a new instance per run, the module compiled once, stdout on
// /dev/null) and prints the runs per second. Needs --no-turbo-fast-api-calls on Node 20.
import { openSync, readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const count = Number(process.argv[2] ?? 2000);
const module = await WebAssembly.compile(
  readFileSync(new URL('../../images/bench/hello.wasm', import.meta.url)),
);
const devNull = openSync('/dev/null', 'w');
const once = async () => {
  const wasi = new WASI({ version: 'preview1', args: ['hello'], stdout: devNull, returnOnExit: true });
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  if (wasi.start(instance) !== 0) throw new Error('hello failed');
};
for (let i = 0; i < 200; i++) await once();
const t0 = performance.now();
for (let i = 0; i < count; i++) await once();
process.stdout.write(`${(count / (performance.now() - t0)) * 1000}\n`);

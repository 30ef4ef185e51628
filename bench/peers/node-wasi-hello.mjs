// The bare launcher berth's cold `run --rm hello-world` is compared with: a node script that runs
// the same module (images/hello-world/hello-world.wasm) with node:wasi and exits with its code.
// Start it with --no-turbo-fast-api-calls: Node 20's node:wasi segfaults without it.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const wasm = readFileSync(new URL('../../images/hello-world/hello-world.wasm', import.meta.url));
const wasi = new WASI({ version: 'preview1', args: ['hello-world'], returnOnExit: true });
const instance = await WebAssembly.instantiate(await WebAssembly.compile(wasm), wasi.getImportObject());
process.exitCode = wasi.start(instance);

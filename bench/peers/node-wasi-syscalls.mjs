// Peer of the syscall benchmark: images/bench/syscalls.wasm under node:wasi, over a real
// directory (argv[2], preopened as /data) with stdout on /dev/null. Phase lines go to stderr.
// Run with --no-turbo-fast-api-calls: Node 20's node:wasi segfaults without it.
import { openSync, readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const [dataDir, count = '100000'] = process.argv.slice(2);
const wasm = readFileSync(new URL('../../images/bench/syscalls.wasm', import.meta.url));
const wasi = new WASI({
  version: 'preview1',
  args: ['syscalls', count],
  preopens: { '/data': dataDir },
  stdout: openSync('/dev/null', 'w'),
  stderr: 2,
  returnOnExit: true,
});
const instance = await WebAssembly.instantiate(await WebAssembly.compile(wasm), wasi.getImportObject());
process.exitCode = wasi.start(instance);

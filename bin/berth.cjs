#!/usr/bin/env node
// The `berth` command, kept tiny and CommonJS (Node's ES module loader costs milliseconds on a
// cold start): it loads dist/cli.cjs (built by `npm run build`, which `npm install` runs through
// `prepare`) through V8's code cache (dist/boot.cjs), so a warm machine deserialises the CLI's
// bytecode instead of compiling it.
'use strict';

const { join } = require('node:path');

const argv = process.argv.slice(2);
const dist = join(__dirname, '..', 'dist');

/** The command's name for its code cache: `run`, `ps`, `container-ls`, … */
function commandName(args) {
  const words = args.filter((a) => !a.startsWith('-')).slice(0, 2);
  const managed = ['container', 'image', 'network', 'volume', 'system', 'manifest', 'builder'];
  return (managed.includes(words[0]) ? words.join('-') : (words[0] ?? 'none')).toLowerCase();
}

/**
 * `run [--rm] IMAGE [COMMAND [ARG...]]` (or `container run …`): the plain shape dist/run.cjs
 * serves alone. Anything else — another flag, --help — takes the full CLI.
 */
function plainRun(args) {
  let i = args[0] === 'container' ? 1 : 0;
  if (args[i] !== 'run') return undefined;
  let rm = false;
  for (i++; args[i] === '--rm'; i++) rm = true;
  const image = args[i];
  if (image === undefined || image.startsWith('-')) return undefined;
  return { image, cmd: args.slice(i + 1), rm };
}

/** `pull [-q] NAME` (or `image pull …`): the plain shape dist/pull.cjs serves alone. */
function plainPull(args) {
  let i = args[0] === 'image' ? 1 : 0;
  if (args[i] !== 'pull') return undefined;
  let quiet = false;
  for (i++; args[i] === '-q' || args[i] === '--quiet'; i++) quiet = true;
  const name = args[i];
  if (name === undefined || name.startsWith('-') || args.length !== i + 1) return undefined;
  return { name, quiet };
}

// A pull: the blob store's helper thread boots now, on the core the CLI's loading leaves idle
// (~40 ms of CPU); runtime/content/node-ingest-workers.ts adopts it for the first big blob, or
// ends it when the pull needs none. Its boot script is that file's INGEST_WORKER_BOOT (it runs
// the ingest code it is sent); an unref'd thread never keeps the process alive.
if ((argv[0] === 'image' ? argv[1] : argv[0]) === 'pull') {
  try {
    const { Worker } = require('node:worker_threads');
    const boot = "require('node:worker_threads').parentPort.once('message', (m) => (0, eval)(m));";
    const spare = { worker: new Worker(boot, { eval: true, execArgv: [] }), online: false, alive: true };
    spare.worker.once('online', () => {
      spare.online = true;
    });
    spare.worker.on('error', () => {
      spare.alive = false;
    });
    spare.worker.on('exit', () => {
      spare.alive = false;
    });
    spare.worker.unref();
    globalThis[Symbol.for('berth.spareIngestWorker')] = spare;
  } catch {}
}

const plain = plainRun(argv);
const plainP = plain ? undefined : plainPull(argv);

/** Loads a bundle of dist/ through the code cache; `name` names its cache (the command). */
function load(bundle, name) {
  let loaded;
  try {
    const { loadBundle } = require(join(dist, 'boot.cjs'));
    loaded = loadBundle(join(dist, bundle), name);
  } catch (e) {
    process.stderr.write(`berth: cannot load dist/${bundle} (run \`npm run build\`): ${e.message}\n`);
    process.exit(125);
  }
  // A command that ran without a cache leaves one for the next start (only when it succeeded, so
  // a mistyped command does not leave a cache file behind).
  if (loaded.needsSave) process.once('exit', (code) => code === 0 && loaded.save());
  return loaded.exports;
}

const full = () => load('cli.cjs', commandName(argv)).main(argv);
if (plain) load('run.cjs', 'run').main(plain, full);
else if (plainP) load('pull.cjs', 'pull').main(plainP);
else full();

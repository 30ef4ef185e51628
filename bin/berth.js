#!/usr/bin/env node
// The `berth` command, kept tiny: it loads dist/cli.cjs (built by `npm run build`, which
// `npm install` runs through `prepare`) through V8's code cache (dist/boot.cjs), so a warm
// machine deserialises the CLI's bytecode instead of compiling it.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const argv = process.argv.slice(2);
const dist = new URL('../dist/', import.meta.url);

/** The command's name for its code cache: `run`, `ps`, `container-ls`, … */
function commandName(args) {
  const words = args.filter((a) => !a.startsWith('-')).slice(0, 2);
  const managed = ['container', 'image', 'network', 'volume', 'system', 'manifest', 'builder'];
  return (managed.includes(words[0]) ? words.join('-') : (words[0] ?? 'none')).toLowerCase();
}

/** `run` in the foreground (no -d): its process worker is needed in any case. */
function foregroundRun(args) {
  const verb = args[0] === 'container' ? args[1] : args[0];
  if (verb !== 'run') return false;
  return !args.some((a) => a === '--detach' || a.startsWith('--detach=') || /^-[a-zA-Z]*d[a-zA-Z]*$/.test(a));
}

// Start that worker now, so its thread boots on another core while this one loads the CLI and
// the engine; bin/commands/prestarted-worker.ts hands it to the process pool. A guess that turns
// out wrong (an image's argument looked like -d) only costs an idle worker, which never keeps the
// process alive (unref).
if (foregroundRun(argv)) {
  try {
    const worker = new Worker(new URL('worker.cjs', dist), { execArgv: [] });
    const slot = { worker, alive: true };
    worker.on('error', () => {
      slot.alive = false;
    });
    worker.on('exit', () => {
      slot.alive = false;
    });
    worker.unref();
    globalThis[Symbol.for('berth.prestartedWorker')] = slot;
  } catch {}
}

let cli;
try {
  const { loadBundle } = createRequire(import.meta.url)('../dist/boot.cjs');
  cli = loadBundle(new URL('cli.cjs', dist).pathname, commandName(argv));
} catch (e) {
  process.stderr.write(`berth: cannot load dist/cli.cjs (run \`npm run build\`): ${e.message}\n`);
  process.exit(125);
}
// A command that ran without a cache leaves one for the next start (only when it succeeded, so
// a mistyped command does not leave a cache file behind).
if (cli.needsSave) process.once('exit', (code) => code === 0 && cli.save());
cli.exports.main(argv);

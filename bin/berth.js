#!/usr/bin/env node
// The `berth` command: kept tiny so start-up is one bundle read (dist/cli.js, built by
// `npm run build`, which `npm install` runs through `prepare`).
import { Worker } from 'node:worker_threads';

const argv = process.argv.slice(2);

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
    const worker = new Worker(new URL('../dist/worker.js', import.meta.url), { execArgv: [] });
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

import('../dist/cli.js').then(
  (cli) => cli.main(argv),
  (e) => {
    process.stderr.write(`berth: cannot load dist/cli.js (run \`npm run build\`): ${e.message}\n`);
    process.exitCode = 125;
  },
);

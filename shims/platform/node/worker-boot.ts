// Entry of dist/worker.cjs: boots a process worker from dist/worker-main.cjs through the code
// cache (code-cache.ts), so a fresh worker deserialises its bytecode instead of compiling it. The
// cache is written once, right before the first run's exit report: by then the worker has run
// every function a run needs, and the report cannot race a terminate() that follows it.

import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { loadBundle } from './code-cache.ts';

if (!parentPort) throw new Error('dist/worker.cjs runs only as a worker thread');
const port = parentPort;
const bundle = loadBundle(join(__dirname, 'worker-main.cjs'), 'worker');
if (bundle.needsSave) {
  const post = port.postMessage.bind(port);
  port.postMessage = (message: unknown, transfer?: never) => {
    if ((message as { type?: unknown } | null)?.type === 'exit') {
      port.postMessage = post;
      bundle.save();
    }
    post(message, transfer);
  };
}
(bundle.exports.startNodeWorker as () => void)();

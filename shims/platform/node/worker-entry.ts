// Entry of dist/worker.js on Node: a process worker speaking worker-protocol over parentPort.

import { parentPort } from 'node:worker_threads';
import { startProcessWorker } from '../../process/worker-main.ts';
import { createNodePlatform } from './node-platform.ts';

if (!parentPort) throw new Error('dist/worker.js runs only as a worker thread');
const port = parentPort;
startProcessWorker(
  {
    postMessage: (message, transfer) => port.postMessage(message, transfer as never),
    onMessage: (handler) => port.on('message', handler),
  },
  createNodePlatform(),
);

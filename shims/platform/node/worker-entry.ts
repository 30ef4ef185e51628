// The process worker on Node (dist/worker-main.cjs, booted by worker-boot.ts): speaks
// worker-protocol over parentPort.

import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { startProcessWorker } from '../../process/worker-main.ts';
import { createNodePlatform } from './node-platform.ts';

export function startNodeWorker(): void {
  if (!parentPort) throw new Error('the process worker runs only as a worker thread');
  const port = parentPort;
  startProcessWorker(
    {
      postMessage: (message, transfer) => port.postMessage(message, transfer as never),
      onMessage: (handler) => port.on('message', handler),
      receiveSync: () => receiveMessageOnPort(port),
    },
    createNodePlatform(),
  );
}

// Entry of the browser process worker (a module Web Worker).

import { startProcessWorker } from '../../process/worker-main.ts';
import { createBrowserPlatform } from './browser-platform.ts';

const scope = globalThis as unknown as {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', handler: (e: MessageEvent) => void): void;
  location: { href: string };
};

startProcessWorker(
  {
    postMessage: (message, transfer) => scope.postMessage(message, transfer ?? []),
    onMessage: (handler) => scope.addEventListener('message', (e) => handler(e.data)),
  },
  // A worker never starts workers itself; the URL only satisfies the interface.
  createBrowserPlatform(scope.location.href),
);

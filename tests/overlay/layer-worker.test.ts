// A Layer handed to a real worker thread: the worker rebuilds it from the transfer and reads
// the very same memory (a write to the shared bytes on one side is seen on the other).

import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { Layer } from '../../overlay/layer.ts';
import { tarOf } from './fixture.ts';

const workerSource = async (): Promise<string> => {
  const out = await build({
    stdin: {
      contents: `
        import { parentPort } from 'node:worker_threads';
        import { Layer } from './overlay/layer.ts';
        parentPort.on('message', (t) => {
          const layer = Layer.fromTransfer(t);
          const h = layer.open('/etc/motd', { read: true });
          const buf = new Uint8Array(h.stat().size);
          h.read(buf, 0);
          new Uint8Array(t.bytes)[0] = 'J'.charCodeAt(0); // visible to the sender: same memory
          parentPort.postMessage({ text: new TextDecoder().decode(buf), names: layer.readdir('/etc').map((e) => e.name) });
        });`,
      resolveDir: new URL('../..', import.meta.url).pathname,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
};

describe('Layer in a worker', () => {
  it('is rebuilt from its transfer without copying the file bytes', async () => {
    const layer = await Layer.fromTar(await tarOf({ etc: { motd: 'hello', hosts: 'h' } }));
    const worker = new Worker(await workerSource(), { eval: true });
    try {
      const reply = await new Promise<{ text: string; names: string[] }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.postMessage(layer.transfer());
      });
      expect(reply).toEqual({ text: 'hello', names: ['hosts', 'motd'] });
      const h = layer.open('/etc/motd', { read: true });
      if (!('read' in h)) throw h;
      const buf = new Uint8Array(5);
      h.read(buf, 0);
      expect(new TextDecoder().decode(buf)).toBe('Jello');
    } finally {
      await worker.terminate();
    }
  });
});

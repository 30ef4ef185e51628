// The Node fetcher's idle limit: a connection that moves no bytes for the limit fails the
// request (no answer, or a body that stalls); one that keeps moving, however slowly, does not.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeFetcher } from '../../runtime/registry/node-transport.ts';

let server: Server | undefined;
afterEach(async () => {
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections();
  await new Promise((r) => s.close(r));
});

async function serve(handler: (res: ServerResponse) => void): Promise<string> {
  server = createServer((_req, res) => handler(res));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
}

const fetcher = () => createNodeFetcher({ env: {}, headersTimeout: 300, bodyTimeout: 300 });

async function readAll(res: Awaited<ReturnType<ReturnType<typeof fetcher>>>): Promise<number> {
  const reader = res.body!.getReader();
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return n;
    n += value.byteLength;
  }
}

describe('node fetcher idle limit', () => {
  it('fails a request that gets no answer', async () => {
    const url = await serve(() => {});
    await expect(fetcher()(url)).rejects.toThrow(/no answer for 300 ms/);
  });

  it('fails a body that stalls midway', async () => {
    const url = await serve((res) => {
      res.writeHead(200, { 'Content-Length': '1000' });
      res.write('x'.repeat(10));
    });
    const res = await fetcher()(url);
    await expect(readAll(res)).rejects.toThrow();
  });

  it('keeps a slow body that keeps moving', async () => {
    const url = await serve((res) => {
      res.writeHead(200, { 'Content-Length': '8' });
      let sent = 0;
      const tick = setInterval(() => {
        res.write('x');
        if (++sent === 8) {
          clearInterval(tick);
          res.end();
        }
      }, 100); // 800 ms in all, well past the 300 ms limit, never idle that long
    });
    expect(await readAll(await fetcher()(url))).toBe(8);
  });

  it('says which URLs it reaches directly (no proxy)', () => {
    const f = createNodeFetcher({ env: { HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: 'localhost' } });
    expect(f.direct?.('http://registry.example:5000/v2/')).toBeUndefined();
    expect(f.direct?.('http://localhost:5000/v2/')).toBeDefined();
  });
});

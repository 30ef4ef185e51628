// appendFromHttp: the disk store's writer reads a plain-HTTP body from its own socket, on this
// thread (small blobs) or a helper thread (big ones). Only a 200 (or a 206 from the asked offset)
// with the exact Content-Length is taken; anything else is declined with nothing written; a
// connection that breaks keeps a resumable prefix.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContentWriter, HttpIngestRequest } from '../../runtime/content/content-store.ts';
import { NodeContentStore } from '../../runtime/content/node-content-store.ts';
import { ingestWorkerOnline } from '../../runtime/content/node-ingest-workers.ts';
import { digestOf } from '../../runtime/oci/digest.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let dir = '';
let server: Server;
let port = 0;
let handler: Handler = (_req, res) => res.end();

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-http-ingest-'));
  server = createServer((req, res) => handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const store = () => new NodeContentStore(dir);

function request(offset: number, size: number, extra = ''): HttpIngestRequest {
  return {
    host: '127.0.0.1',
    port,
    head: `GET /blob HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${extra}Connection: close\r\n\r\n`,
    offset,
    size,
    idleMs: 5000,
  };
}

/** Serves `bytes` honouring a `Range: bytes=N-` header, as a registry does. */
function serving(bytes: Uint8Array): Handler {
  return (req, res) => {
    const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
    const body = bytes.subarray(from);
    const headers: Record<string, string> = { 'Content-Length': String(body.byteLength) };
    if (from > 0) headers['Content-Range'] = `bytes ${from}-${bytes.byteLength - 1}/${bytes.byteLength}`;
    res.writeHead(from > 0 ? 206 : 200, headers);
    res.end(body);
  };
}

async function fetchInto(w: ContentWriter, req: HttpIngestRequest) {
  const progress: number[] = [];
  const outcome = await w.appendFromHttp!(req, (n) => progress.push(n));
  return { outcome, progress };
}

describe('appendFromHttp', () => {
  for (const [what, size] of [
    ['a small blob (this thread)', 100_000],
    ['a big blob (a helper thread)', 3 * 1024 * 1024 + 17],
  ] as const) {
    it(`stores ${what} read from its own connection`, async () => {
      await ingestWorkerOnline(); // else a big blob waits on this thread rather than for the boot
      const bytes = randomBytes(size);
      handler = serving(bytes);
      const s = store();
      const d = digestOf(bytes);
      const w = await s.writer(d, size);
      const { outcome } = await fetchInto(w, request(0, size));
      expect(outcome).toEqual({ kind: 'complete', received: size });
      expect(await w.commit()).toBe(d);
      expect(Buffer.from(await s.get(d)).equals(bytes)).toBe(true);
    });
  }

  it('declines what it does not take (404, chunked, a wrong length), writing nothing', async () => {
    const bytes = randomBytes(50_000);
    const d = digestOf(bytes);
    const answers: Handler[] = [
      (_req, res) => res.writeHead(404, { 'Content-Length': '2' }).end('no'),
      (_req, res) => {
        res.writeHead(200); // no Content-Length: node:http sends it chunked
        res.write(bytes.subarray(0, 100));
        res.end(bytes.subarray(100));
      },
      (_req, res) => res.writeHead(200, { 'Content-Length': '10' }).end(bytes.subarray(0, 10)),
    ];
    const s = store();
    for (const answer of answers) {
      handler = answer;
      const w = await s.writer(d, bytes.byteLength);
      const { outcome } = await fetchInto(w, request(0, bytes.byteLength));
      expect(outcome.kind).toBe('declined');
      // Nothing was appended: the ordinary path can still write the whole blob.
      await w.write(bytes);
      expect(await w.commit()).toBe(d);
      await s.delete(d);
    }
  });

  for (const [what, size] of [
    ['this thread', 200_000],
    ['a helper thread', 2 * 1024 * 1024 + 5],
  ] as const) {
    it(`a broken connection (${what}) keeps a prefix; a ranged GET completes it`, async () => {
      await ingestWorkerOnline();
      const bytes = randomBytes(size);
      const half = Math.floor(size / 2);
      handler = (_req, res) => {
        res.writeHead(200, { 'Content-Length': String(size) });
        res.write(bytes.subarray(0, half), () => setTimeout(() => res.destroy(), 20));
      };
      const s = store();
      const d = digestOf(bytes);
      const first = await s.writer(d, size);
      const { outcome } = await fetchInto(first, request(0, size));
      expect(outcome.kind).toBe('interrupted');
      expect(outcome.kind === 'interrupted' && outcome.received).toBe(half);
      await first.close();
      expect(await s.has(d)).toBe(false);

      handler = serving(bytes);
      const second = await s.writer(d, size);
      expect(second.offset).toBe(half);
      // A 206 that starts elsewhere is declined.
      const wrong = await fetchInto(second, request(half, size, `Range: bytes=${half - 1}-\r\n`));
      expect(wrong.outcome.kind).toBe('declined');
      const right = await fetchInto(second, request(half, size, `Range: bytes=${half}-\r\n`));
      expect(right.outcome).toEqual({ kind: 'complete', received: size - half });
      expect(await second.commit()).toBe(d);
      expect(Buffer.from(await s.get(d)).equals(bytes)).toBe(true);
      expect(readdirSync(s.ingestDir).filter((n) => !n.endsWith('.lock'))).toEqual([]);
    });
  }

  it('a wrong body is refused at commit, nothing stored', async () => {
    const bytes = randomBytes(1_500_000);
    const other = randomBytes(bytes.byteLength);
    handler = serving(other);
    const s = store();
    const d = digestOf(bytes);
    const w = await s.writer(d, bytes.byteLength);
    expect((await fetchInto(w, request(0, bytes.byteLength))).outcome.kind).toBe('complete');
    await expect(w.commit()).rejects.toMatchObject({ code: 'BERTH_DIGEST_MISMATCH' });
    expect(await s.list()).toEqual([]);
  });

  it('a body that stalls past the idle limit ends as interrupted, its prefix kept', async () => {
    const bytes = randomBytes(300_000);
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Length': String(bytes.byteLength) });
      res.write(bytes.subarray(0, 1000)); // then nothing
    };
    const s = store();
    const w = await s.writer(digestOf(bytes), bytes.byteLength);
    const { outcome } = await fetchInto(w, { ...request(0, bytes.byteLength), idleMs: 200 });
    expect(outcome).toMatchObject({ kind: 'interrupted', received: 1000 });
    expect(outcome.kind === 'interrupted' && outcome.message).toMatch(/no data for 200 ms/);
    await w.close();
    const again = await s.writer(digestOf(bytes), bytes.byteLength);
    expect(again.offset).toBe(1000);
    await again.abort();
  });

  it('an abort signal ends the read as interrupted', async () => {
    const bytes = randomBytes(1_200_000);
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Length': String(bytes.byteLength) });
      res.write(bytes.subarray(0, 1000)); // then nothing: stalls
    };
    const s = store();
    const w = await s.writer(digestOf(bytes), bytes.byteLength);
    const ac = new AbortController();
    const pending = w.appendFromHttp!(request(0, bytes.byteLength), () => {}, ac.signal);
    setTimeout(() => ac.abort(), 100);
    const outcome = await pending;
    expect(outcome.kind).toBe('interrupted');
    await w.abort();
  });
});

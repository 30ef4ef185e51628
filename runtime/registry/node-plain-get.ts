// One small plain-HTTP/1.1 GET (a manifest) on a connection of its own, answered without an HTTP
// client: loading and first using node:http costs a cold `berth pull` ~10 ms of CPU before its
// first byte, more than the request itself on a local registry. Only the plain answer is taken:
// a 200 with a Content-Length within the limit. Anything else — a 401, a redirect, chunked, an
// error, a failed connection — is undefined, and the caller sends its ordinary request.

import type { PlainGet } from './registry-session.ts';
import type { PlainAnswer } from './transport.ts';
import { builtin } from '../../shims/platform/node/builtin.ts';

const MAX_HEAD = 64 * 1024;

export function plainSmallGet(
  req: PlainGet,
  maxBytes: number,
  onSent?: () => void,
): Promise<PlainAnswer | undefined> {
  const net = builtin('node:net');
  return new Promise((resolve) => {
    let head: Buffer | undefined;
    let fields: Map<string, string> | undefined;
    let status = 0;
    let body: Buffer | undefined;
    let filled = 0;
    let settled = false;
    const settle = (answer: PlainAnswer | undefined) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(answer);
    };
    const take = (chunk: Buffer) => {
      if (!body) return;
      const n = Math.min(chunk.length, body.length - filled);
      chunk.copy(body, filled, 0, n);
      filled += n;
      if (filled === body.length) settle({ status, headers: fields!, body });
    };
    const socket = net.connect({ host: req.host, port: req.port });
    socket.setNoDelay(true);
    socket.setTimeout(req.idleMs, () => settle(undefined));
    socket.on('connect', () => {
      socket.write(req.head);
      // The answer takes the registry a round trip and its own work: the caller's to use.
      onSent?.();
    });
    socket.on('error', () => settle(undefined));
    socket.on('close', () => settle(undefined));
    socket.on('data', (chunk: Buffer) => {
      if (fields) {
        take(chunk);
        return;
      }
      head = head ? Buffer.concat([head, chunk]) : chunk;
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_HEAD) settle(undefined);
        return;
      }
      const lines = head.toString('latin1', 0, end).split('\r\n');
      status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
      const parsed = new Map<string, string>();
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) {
          const name = line.slice(0, colon).trim().toLowerCase();
          const value = line.slice(colon + 1).trim();
          const before = parsed.get(name);
          parsed.set(name, before === undefined ? value : `${before}, ${value}`);
        }
      }
      const length = Number(parsed.get('content-length') ?? Number.NaN);
      if (status !== 200 || parsed.has('transfer-encoding') || !Number.isSafeInteger(length) || length < 0) {
        settle(undefined);
        return;
      }
      if (length > maxBytes) {
        settle(undefined);
        return;
      }
      fields = parsed;
      body = Buffer.allocUnsafe(length);
      const rest = head.subarray(end + 4);
      head = undefined;
      if (length === 0) settle({ status, headers: fields, body });
      else if (rest.length > 0) take(rest);
    });
  });
}

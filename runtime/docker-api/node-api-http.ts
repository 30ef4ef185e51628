// The Docker Engine API's HTTP conventions, shared by the route files: JSON bodies, errors as
// `{"message": …}` with Docker's status codes, streams of JSON lines (pull, push) and the
// multiplexed stdout/stderr framing of attach and logs. See docs.docker.com/reference/api/engine.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../engine.ts';
import type { EngineClient } from '../engine-server/node-engine-client.ts';
import type { RegistryCommands } from '../registry/commands.ts';

/** The API version berth speaks (Docker 24's); clients negotiate down to it (`/_ping`'s API-Version). */
export const API_VERSION = '1.43';
/** The oldest version berth accepts in a path (`/v1.24/…`): what the docker CLI still sends. */
export const MIN_API_VERSION = '1.24';

export interface ApiContext {
  readonly engine: Engine;
  /** The registry client over the engine's image store, opened on first use. */
  registry(): Promise<RegistryCommands>;
  /**
   * A connection to the per-user engine (started when none runs), which hosts every container
   * this API starts: attached or not, they share its networks, and `exec` reaches them all.
   */
  engineClient(): Promise<EngineClient>;
}

export interface ApiRequest {
  readonly method: string;
  /** The path without the `/vX.Y` prefix, e.g. `/containers/json`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The `X.Y` of the path's prefix, or API_VERSION. */
  readonly version: string;
  readonly raw: IncomingMessage;
}

/**
 * A route: `pattern` is matched against ApiRequest.path; its groups are passed on. A handler
 * writes the whole response, or throws (an ApiError or any berth error: see statusOf).
 */
export interface Route {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  readonly pattern: RegExp;
  handle(ctx: ApiContext, req: ApiRequest, res: ServerResponse, params: string[]): Promise<void>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Docker's status code for an error: 404 missing, 409 conflict or wrong state, 400 bad input, else 500. */
export function statusOf(error: unknown): number {
  if (error instanceof ApiError) return error.status;
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'BERTH_NOT_FOUND':
      return 404;
    case 'BERTH_CONFLICT':
    case 'BERTH_INVALID_STATE':
      return 409;
    case 'BERTH_USAGE':
    case 'BERTH_INVALID_REFERENCE':
    case 'BERTH_UNSUPPORTED':
      return 400;
    default:
      return 500;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': bytes.length });
  res.end(bytes);
}

export function sendEmpty(res: ServerResponse, status = 204): void {
  res.writeHead(status);
  res.end();
}

export function sendError(res: ServerResponse, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, statusOf(error), { message });
}

/** The request's body (bounded: API bodies are small JSON documents). */
export async function readBody(req: IncomingMessage, limit = 16 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new ApiError(413, `request body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A JSON body; an empty one is `{}`. */
export async function readJson<T>(req: IncomingMessage): Promise<T> {
  const body = await readBody(req);
  if (body.length === 0) return {} as T;
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch (e) {
    throw new ApiError(400, `invalid JSON body: ${(e as Error).message}`);
  }
}

/**
 * Docker's `?filters=` JSON, `{"status":{"running":true}}` (or the older `{"status":["running"]}`),
 * as key -> values; one reader for every route that takes filters.
 */
export function parseFilters(raw: string | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!raw) return out;
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw new ApiError(400, `invalid filters: ${raw}`);
  }
  if (typeof doc !== 'object' || doc === null) throw new ApiError(400, `invalid filters: ${raw}`);
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    const values = Array.isArray(value)
      ? value.map(String)
      : Object.keys((value ?? {}) as object).filter((k) => (value as Record<string, unknown>)[k]);
    out.set(key, values);
  }
  return out;
}

/** Docker's boolean query values: 1/true/True yes; 0/false/empty no. */
export function queryBool(query: URLSearchParams, name: string, fallback = false): boolean {
  const v = query.get(name);
  if (v === null) return fallback;
  return v === '1' || v.toLowerCase() === 'true';
}

/** One frame of the multiplexed stream: [stream, 0, 0, 0, size (u32 BE)] then the bytes. */
export function frame(stream: 1 | 2, bytes: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(bytes.length, 4);
  return Buffer.concat([head, bytes]);
}

/** Starts a stream of JSON lines (pull, push); each message is one `write`. */
export function jsonLines(res: ServerResponse): { write(message: unknown): void; end(): void } {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  return {
    write: (message) => void res.write(`${JSON.stringify(message)}\r\n`),
    end: () => void res.end(),
  };
}

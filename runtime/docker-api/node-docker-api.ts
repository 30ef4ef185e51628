// `berth system service`: the Docker Engine API on a unix socket (or 127.0.0.1), so Docker's own
// clients — the docker CLI with DOCKER_HOST, SDKs, testcontainers — drive berth's engine. It is
// what `podman system service` is to podman: a process the user starts, not a daemon berth needs.
// Routes live in node-*-routes.ts; this file is the HTTP server, the version prefix and the hijack.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Engine } from '../engine.ts';
import type { EngineClient } from '../engine-server/node-engine-client.ts';
import type { RegistryCommands } from '../registry/commands.ts';
import { builtin } from '../../shims/platform/node/builtin.ts';
import {
  type ApiContext,
  type ApiRequest,
  ApiError,
  API_VERSION,
  type Route,
  sendError,
} from './node-api-http.ts';
import { buildRoutes } from './node-build-routes.ts';
import { containerFsRoutes } from './node-container-fs-routes.ts';
import { containerRoutes } from './node-container-routes.ts';
import { eventRoutes } from './node-event-routes.ts';
import { execRoutes } from './node-exec-routes.ts';
import { imageRoutes } from './node-image-routes.ts';
import { systemRoutes } from './node-system-routes.ts';
import { volumeNetworkRoutes } from './node-volume-network-routes.ts';

/** A route that takes over the connection (attach): it gets the socket after the 101 answer. */
export interface HijackRoute extends Route {
  hijack(ctx: ApiContext, req: ApiRequest, socket: Socket, params: string[]): Promise<void>;
}

const isHijack = (r: Route): r is HijackRoute => typeof (r as HijackRoute).hijack === 'function';

export interface DockerApiOptions {
  engine: Engine;
  registry: () => Promise<RegistryCommands>;
  engineClient: () => Promise<EngineClient>;
}

export interface DockerApiServer {
  readonly server: Server;
  /** Where it listens: `unix:///path` or `tcp://127.0.0.1:PORT`. */
  readonly address: string;
  close(): Promise<void>;
}

const VERSIONED = /^\/v(\d+\.\d+)(\/.*)$/;

function parse(raw: IncomingMessage): ApiRequest {
  const url = new URL(raw.url ?? '/', 'http://berth');
  const m = VERSIONED.exec(url.pathname);
  const version = m ? m[1]! : API_VERSION;
  if (m && Number(version.split('.')[1]) > Number(API_VERSION.split('.')[1])) {
    throw new ApiError(
      400,
      `client version ${version} is too new. Maximum supported API version is ${API_VERSION}`,
    );
  }
  // Docker unescapes the path before matching: a name or id never holds a slash, a reference may.
  const path = decodeURIComponent(m ? m[2]! : url.pathname);
  return { method: raw.method ?? 'GET', path, query: url.searchParams, version, raw };
}

function match(routes: readonly Route[], req: ApiRequest): { route: Route; params: string[] } | undefined {
  for (const route of routes) {
    const method = req.method === 'HEAD' && route.method === 'GET' ? 'GET' : req.method;
    if (route.method !== method) continue;
    const m = route.pattern.exec(req.path);
    if (m) return { route, params: m.slice(1) };
  }
  return undefined;
}

export function createDockerApi(options: DockerApiOptions): Server {
  const { createServer } = builtin('node:http');
  let registry: Promise<RegistryCommands> | undefined;
  const ctx: ApiContext = {
    engine: options.engine,
    registry: () => (registry ??= options.registry()),
    engineClient: options.engineClient,
  };
  const routes: Route[] = [
    ...systemRoutes,
    ...containerFsRoutes,
    ...containerRoutes,
    ...execRoutes,
    ...buildRoutes,
    ...volumeNetworkRoutes,
    ...eventRoutes,
    ...imageRoutes,
  ];
  // BERTH_API_LOG=1: each request's method, path and status on stderr (what a client asked).
  const log = process.env.BERTH_API_LOG
    ? (line: string) => void process.stderr.write(`${line}\n`)
    : undefined;
  const server = createServer((raw: IncomingMessage, res: ServerResponse) => {
    if (log) res.on('finish', () => log(`${raw.method} ${raw.url} ${res.statusCode}`));
    res.setHeader('Api-Version', API_VERSION);
    res.setHeader('Server', `berth (Docker Engine API ${API_VERSION})`);
    void (async () => {
      try {
        const req = parse(raw);
        const found = match(routes, req);
        if (!found) throw new ApiError(404, `page not found: ${req.method} ${req.path}`);
        await found.route.handle(ctx, req, res, found.params);
      } catch (error) {
        sendError(res, error);
      }
    })();
  });
  // attach asks to take the connection over (`Connection: Upgrade`, `Upgrade: tcp`).
  server.on('upgrade', (raw: IncomingMessage, socket: Socket, head: Buffer) => {
    log?.(`${raw.method} ${raw.url} (upgrade)`);
    void (async () => {
      try {
        const req = parse(raw);
        const found = match(routes, req);
        if (!found || !isHijack(found.route)) throw new ApiError(404, `page not found: ${req.path}`);
        if (head.length > 0) socket.unshift(head);
        await found.route.hijack(ctx, req, socket, found.params);
      } catch (error) {
        const status = error instanceof ApiError ? error.status : 500;
        const body = JSON.stringify({ message: (error as Error).message });
        socket.end(
          `HTTP/1.1 ${status} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      }
    })();
  });
  return server;
}

/**
 * Listens on `unix:///path`, a bare path, or `tcp://127.0.0.1:PORT` (loopback only: the API
 * runs containers as this user, so it must not be reachable from other hosts).
 */
export async function listenDockerApi(options: DockerApiOptions, where: string): Promise<DockerApiServer> {
  const server = createDockerApi(options);
  const fs = builtin('node:fs');
  let address: string;
  if (where.startsWith('tcp://')) {
    const url = new URL(where.replace(/^tcp:/, 'http:'));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
      throw new ApiError(400, `refusing to serve the API on ${host}: only 127.0.0.1, ::1 or a unix socket`);
    }
    await listen(server, { host, port: Number(url.port || 2375) });
    const a = server.address() as { port: number };
    address = `tcp://${host.includes(':') ? `[${host}]` : host}:${a.port}`;
  } else {
    const path = where.replace(/^unix:\/\//, '');
    // A socket left by a service that died is removed; one that answers is in use.
    if (fs.existsSync(path)) {
      if (await answers(path)) throw new ApiError(409, `${path}: another service is listening there`);
      fs.rmSync(path, { force: true });
    }
    // Created 0600 (not chmod-ed after): no moment when another user could connect.
    const umask = process.umask(0o177);
    try {
      await listen(server, { path });
    } finally {
      process.umask(umask);
    }
    address = `unix://${path}`;
  }
  return {
    server,
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}

function listen(server: Server, at: { path: string } | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function answers(path: string): Promise<boolean> {
  const net = builtin('node:net');
  return new Promise((resolve) => {
    const s = net.connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

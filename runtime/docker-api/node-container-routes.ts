// The Docker Engine API's container endpoints over berth's engine: create, start, attach, wait,
// logs, stop, kill, restart, pause, rm, rename, inspect and the list. Every container runs in the
// per-user engine (runtime/engine-server), as `berth run -d` does, and outlives this service; one
// a client starts while attached (`docker run` without -d, `docker start -a`) has its output
// streamed from the engine and framed onto the attach connection.

import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type Attachment, UPGRADED, sessionInput, streamType, writer } from './node-attach-io.ts';
import type { ContainerRecord, ContainerSummary } from '../containers/container-record.ts';
import type { CreateSpec } from '../containers/container-create.ts';
import { containerInspectDocument } from '../engine/container-inspect.ts';
import { isActive } from '../containers/container-status.ts';
import { statusText } from '../containers/container-status-text.ts';
import { type LogEntry, lastLogLines } from '../containers/container-store.ts';
import { NotFoundError } from '../errors.ts';
import {
  type ApiContext,
  type ApiRequest,
  ApiError,
  frame,
  parseFilters,
  queryBool,
  readJson,
  type Route,
  sendEmpty,
  sendJson,
} from './node-api-http.ts';

/** What a client sends to POST /containers/create (ContainerConfig + HostConfig + NetworkingConfig). */
interface CreateBody {
  Hostname?: string;
  User?: string;
  AttachStdin?: boolean;
  Tty?: boolean;
  OpenStdin?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | string | null;
  Image?: string;
  WorkingDir?: string;
  Entrypoint?: string[] | string | null;
  Labels?: Record<string, string> | null;
  HostConfig?: {
    Binds?: string[] | null;
    PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
    AutoRemove?: boolean;
    Memory?: number;
    NetworkMode?: string;
    RestartPolicy?: { Name?: string; MaximumRetryCount?: number } | null;
    PublishAllPorts?: boolean;
    ExtraHosts?: string[] | null;
    /** `--mount type=bind|volume,source=…,target=…[,readonly]`. */
    Mounts?: { Type?: string; Source?: string; Target?: string; ReadOnly?: boolean }[] | null;
  } | null;
  NetworkingConfig?: { EndpointsConfig?: Record<string, { Aliases?: string[] | null } | null> | null } | null;
}

const asArray = (v: string[] | string | null | undefined): string[] | undefined =>
  v === null || v === undefined ? undefined : typeof v === 'string' ? [v] : v;

/** A `--mount` as the `-v` form the engine parses; tmpfs and others are refused. */
function mountSpec(m: { Type?: string; Source?: string; Target?: string; ReadOnly?: boolean }): string {
  if (m.Type !== 'bind' && m.Type !== 'volume') {
    throw new ApiError(400, `mount type "${m.Type}" is not supported by berth (bind and volume are)`);
  }
  if (!m.Target) throw new ApiError(400, 'invalid mount config: Target must not be empty');
  if (m.Type === 'bind' && !m.Source?.startsWith('/')) {
    throw new ApiError(
      400,
      `invalid mount config for type "bind": invalid mount path: '${m.Source ?? ''}' mount path must be absolute`,
    );
  }
  const source = m.Source ? `${m.Source}:` : '';
  return `${source}${m.Target}${m.ReadOnly ? ':ro' : ''}`;
}

/** The API's create body as the engine's CreateSpec (the CLI's flags in their string forms). */
export function createSpecOf(body: CreateBody, name: string | undefined): CreateSpec {
  if (!body.Image) throw new ApiError(400, 'config.Image is required');
  const host = body.HostConfig ?? {};
  const publish: string[] = [];
  for (const [port, bindings] of Object.entries(host.PortBindings ?? {})) {
    for (const b of bindings ?? [{}]) {
      const ip = b.HostIp ? (b.HostIp.includes(':') ? `[${b.HostIp}]:` : `${b.HostIp}:`) : '';
      // HostPort "" or "0" (what SDKs send): any free port, as `-p 80` asks.
      const hostPort = b.HostPort && b.HostPort !== '0' ? b.HostPort : '';
      publish.push(hostPort ? `${ip}${hostPort}:${port}` : ip ? `${ip}:${port}` : port);
    }
  }
  const network = host.NetworkMode && host.NetworkMode !== 'default' ? host.NetworkMode : undefined;
  const endpoint = network ? body.NetworkingConfig?.EndpointsConfig?.[network] : undefined;
  const restart = host.RestartPolicy?.Name
    ? { Name: host.RestartPolicy.Name, MaximumRetryCount: host.RestartPolicy.MaximumRetryCount ?? 0 }
    : undefined;
  const entrypoint = asArray(body.Entrypoint);
  return {
    image: body.Image,
    cmd: asArray(body.Cmd) ?? [],
    env: body.Env ?? [],
    volumes: [...(host.Binds ?? []), ...(host.Mounts ?? []).map(mountSpec)],
    publish,
    publishAll: host.PublishAllPorts === true,
    addHosts: host.ExtraHosts ?? [],
    networkAliases: endpoint?.Aliases ?? [],
    labels: body.Labels ?? {},
    tty: body.Tty === true,
    interactive: body.OpenStdin === true,
    autoRemove: host.AutoRemove === true,
    // Docker's API never pulls at create: a missing image is a 404 and the client pulls.
    pull: 'never',
    ...(network ? { network } : {}),
    ...(restart && restart.Name !== 'no' ? { restart } : {}),
    ...(name ? { name } : {}),
    ...(entrypoint ? { entrypoint } : {}),
    ...(body.WorkingDir ? { workdir: body.WorkingDir } : {}),
    ...(body.Hostname ? { hostname: body.Hostname } : {}),
    ...(body.User ? { user: body.User } : {}),
    ...(host.Memory ? { memory: host.Memory } : {}),
  };
}

/** One entry of GET /containers/json. */
function listEntry(rec: ContainerSummary, now: number) {
  const ports: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] = [];
  if (rec.State.Running) {
    const published = rec.NetworkSettings?.Ports ?? rec.HostConfig.PortBindings;
    for (const [key, bindings] of Object.entries(published ?? {})) {
      const [port, type] = key.split('/');
      if (!bindings || bindings.length === 0) ports.push({ PrivatePort: Number(port), Type: type ?? 'tcp' });
      for (const b of bindings ?? []) {
        ports.push({
          IP: b.HostIp || '0.0.0.0',
          PrivatePort: Number(port),
          ...(b.HostPort ? { PublicPort: Number(b.HostPort) } : {}),
          Type: type ?? 'tcp',
        });
      }
    }
  }
  const network = rec.HostConfig.NetworkMode === 'default' ? 'bridge' : rec.HostConfig.NetworkMode;
  return {
    Id: rec.Id,
    Names: [rec.Name.startsWith('/') ? rec.Name : `/${rec.Name}`],
    Image: rec.Config.Image,
    ImageID: rec.Image,
    Command: [rec.Path, ...rec.Args].join(' '),
    Created: Math.floor(Date.parse(rec.Created) / 1000),
    Ports: ports,
    SizeRw: rec.SizeRw,
    Labels: rec.Config.Labels ?? {},
    State: rec.State.Status,
    Status: statusText(rec, now),
    HostConfig: { NetworkMode: network },
    NetworkSettings: { Networks: { [network]: {} } },
    Mounts: rec.Mounts.map((m) => ({
      Type: m.Type,
      ...(m.Name ? { Name: m.Name } : {}),
      Source: m.Source,
      Destination: m.Destination,
      Mode: m.Mode,
      RW: m.RW,
      Propagation: m.Propagation,
    })),
  };
}

/** Docker's ps filters that berth's records can answer: id, name, status, label, ancestor, exited. */
function filtered(recs: ContainerSummary[], filters: Map<string, string[]>) {
  const id = filters.get('id');
  const name = filters.get('name');
  const status = filters.get('status');
  const ancestor = filters.get('ancestor');
  const label = filters.get('label');
  const exited = filters.get('exited');
  return recs.filter((r) => {
    if (id && !id.some((p) => r.Id.startsWith(p))) return false;
    if (name && !name.some((n) => new RegExp(n).test(r.Name.replace(/^\//, '')))) return false;
    if (status && !status.includes(r.State.Status)) return false;
    if (ancestor && !ancestor.some((a) => r.Config.Image === a || r.Image.startsWith(a) || r.Image === a))
      return false;
    if (
      label &&
      !label.every((l) => {
        const [k, ...v] = l.split('=');
        const have = r.Config.Labels?.[k!];
        return v.length === 0 ? have !== undefined : have === v.join('=');
      })
    )
      return false;
    if (exited && !(r.State.Status === 'exited' && exited.includes(String(r.State.ExitCode)))) return false;
    return true;
  });
}

// --- attach and the containers this service hosts ---------------------------------------------

/** Attach connections waiting for their container's start (`docker run` attaches before start). */
const pendingAttach = new Map<string, Attachment[]>();
/** Exit codes of containers this service ran in-process, by id, while someone may still ask. */
const hostedExits = new Map<string, Promise<number>>();

/** The attach connection's stdin for a container; with a TTY, Ctrl-C sends it SIGINT. */
function containerInput(ctx: ApiContext, rec: ContainerRecord, a: Attachment): AsyncIterable<Uint8Array> {
  return sessionInput(a, () => void ctx.engine.kill(rec.Id, 'SIGINT').catch(() => {}));
}

/**
 * Starts a container in the per-user engine with its attach connections: its output is framed
 * onto them, the first one that asked for stdin feeds it. Resolves once it runs (or ended).
 */
async function startAttached(ctx: ApiContext, rec: ContainerRecord, attached: Attachment[]): Promise<void> {
  const out = attached.map((a) => writer(a, 1));
  const err = attached.map((a) => writer(a, rec.Config.Tty ? 1 : 2));
  const input = attached.find((a) => a.stdin && rec.Config.OpenStdin);
  const client = await ctx.engineClient();
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const done = client.stream(
    { op: 'start', container: rec.Id },
    {
      stdout: (c) => {
        for (const w of out) w(c);
      },
      stderr: (c) => {
        for (const w of err) w(c);
      },
      ...(input ? { stdin: containerInput(ctx, rec, input) } : {}),
      started,
    },
  );
  // A --rm container's record is gone when it ends: its exit code is kept here for `wait` (a
  // start that failed counts with the failure's code, as the record says).
  const exit = done.catch((e: { exitCode?: number }) => e.exitCode ?? 125);
  hostedExits.set(rec.Id, exit);
  void exit.then(() => {
    for (const a of attached) a.socket.end();
    client.close();
    setTimeout(() => {
      if (hostedExits.get(rec.Id) === exit) hostedExits.delete(rec.Id);
    }, 60_000).unref();
  });
  await Promise.race([running, done]);
}

/** Attaches to a container that already runs in the engine, until it ends. */
async function attachRunning(ctx: ApiContext, rec: ContainerRecord, a: Attachment): Promise<void> {
  const client = await ctx.engineClient();
  try {
    await client.stream(
      { op: 'attach', container: rec.Id },
      {
        stdout: writer(a, 1),
        stderr: writer(a, rec.Config.Tty ? 1 : 2),
        ...(a.stdin && rec.Config.OpenStdin ? { stdin: containerInput(ctx, rec, a) } : {}),
      },
    );
  } finally {
    client.close();
    a.socket.end();
  }
}

async function attach(ctx: ApiContext, req: ApiRequest, socket: Socket, ref: string): Promise<void> {
  const rec = await ctx.engine.inspect(ref);
  const q = req.query;
  const a: Attachment = {
    socket,
    tty: rec.Config.Tty,
    stdin: queryBool(q, 'stdin'),
    stdout: queryBool(q, 'stdout'),
    stderr: queryBool(q, 'stderr'),
  };
  socket.write(UPGRADED(rec.Config.Tty));
  socket.on('error', () => {});
  // logs=1: what was written so far comes first (alone without stream=1).
  if (queryBool(q, 'logs') && (!queryBool(q, 'stream') || isActive(rec.State.Status))) {
    const { entries } = await ctx.engine.logs(rec.Id);
    for (const e of entries) writer(a, e.stream === 'stderr' ? 2 : 1)(e.bytes);
  }
  if (!queryBool(q, 'stream')) {
    socket.end();
    return;
  }
  if (isActive(rec.State.Status)) {
    await attachRunning(ctx, rec, a);
    return;
  }
  const list = pendingAttach.get(rec.Id) ?? [];
  list.push(a);
  pendingAttach.set(rec.Id, list);
  socket.once('close', () => {
    const left = (pendingAttach.get(rec.Id) ?? []).filter((x) => x !== a);
    if (left.length) pendingAttach.set(rec.Id, left);
    else pendingAttach.delete(rec.Id);
  });
}

/** POST /containers/{id}/wait: answers when the container's next run ends (or it is removed). */
async function waitFor(ctx: ApiContext, ref: string, condition: string): Promise<number> {
  const first = await ctx.engine.inspect(ref);
  const id = first.Id;
  const startedAt = first.State.StartedAt;
  if (condition === 'not-running' && !isActive(first.State.Status)) return first.State.ExitCode;
  let last = first;
  let ran = isActive(first.State.Status);
  for (let delay = 10; ; delay = Math.min(delay * 2, 100)) {
    const local = hostedExits.get(id);
    if (local) {
      const code = await local;
      if (condition === 'removed') await gone(ctx, id);
      return code;
    }
    let rec: ContainerRecord;
    try {
      rec = await ctx.engine.inspect(id);
    } catch (e) {
      if (e instanceof NotFoundError) return last.State.ExitCode;
      throw e;
    }
    last = rec;
    if (isActive(rec.State.Status)) ran = true;
    else if (ran || rec.State.StartedAt !== startedAt) {
      if (condition !== 'removed' || !rec.HostConfig.AutoRemove) return rec.State.ExitCode;
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

async function gone(ctx: ApiContext, id: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await ctx.engine.inspect(id);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** GET /containers/{id}/logs: the recorded output, framed unless the container has a TTY. */
async function logs(ctx: ApiContext, req: ApiRequest, res: ServerResponse, ref: string): Promise<void> {
  const q = req.query;
  const rec = await ctx.engine.inspect(ref);
  const stdout = queryBool(q, 'stdout');
  const stderr = queryBool(q, 'stderr');
  if (!stdout && !stderr) throw new ApiError(400, 'you must choose at least one stream');
  const timestamps = queryBool(q, 'timestamps');
  const since = Number(q.get('since') ?? 0) * 1000;
  const until = Number(q.get('until') ?? 0) * 1000;
  const tailOpt = q.get('tail') ?? 'all';
  const tty = rec.Config.Tty;
  res.writeHead(200, {
    'Content-Type': streamType(tty),
  });
  const send = (entries: LogEntry[]) => {
    for (const e of entries) {
      const stream = e.stream === 'stderr' ? 2 : 1;
      if ((stream === 1 && !stdout) || (stream === 2 && !stderr)) continue;
      const t = Date.parse(e.time);
      if ((since && t < since) || (until && t >= until)) continue;
      const bytes = timestamps
        ? Buffer.concat([Buffer.from(`${e.time.replace(/Z$/, '000000Z')} `), e.bytes])
        : Buffer.from(e.bytes);
      res.write(tty ? bytes : frame(stream, bytes));
    }
  };
  let first = await ctx.engine.logs(rec.Id);
  // Docker: "all", or a negative number (SDKs send -1), means every line.
  const tail = tailOpt === 'all' ? -1 : Number.parseInt(tailOpt, 10);
  send(Number.isNaN(tail) || tail < 0 ? first.entries : lastLogLines(first.entries, tail));
  let { offset, running } = first;
  while (queryBool(q, 'follow') && running && !res.destroyed) {
    await new Promise((r) => setTimeout(r, 100));
    first = await ctx.engine.logs(rec.Id, offset).catch(() => ({ entries: [], offset, running: false }));
    send(first.entries);
    ({ offset, running } = first);
  }
  res.end();
}

const ID = '([^/]+)';
const route = (
  method: Route['method'],
  path: string,
  handle: (ctx: ApiContext, req: ApiRequest, res: ServerResponse, params: string[]) => Promise<void>,
): Route => ({ method, pattern: new RegExp(`^${path}$`), handle });

export const containerRoutes: Route[] = [
  route('GET', '/containers/json', async (ctx, req, res) => {
    const filters = parseFilters(req.query.get('filters'));
    let recs = filtered(await ctx.engine.list(true), filters);
    // Without -a only running containers, unless the status filter says which.
    if (!queryBool(req.query, 'all') && !filters.has('status'))
      recs = recs.filter((r) => isActive(r.State.Status));
    recs.sort((a, b) => Date.parse(b.Created) - Date.parse(a.Created));
    const limit = Number(req.query.get('limit') ?? 0);
    if (limit > 0) recs = recs.slice(0, limit);
    const now = Date.now();
    sendJson(
      res,
      200,
      recs.map((r) => listEntry(r, now)),
    );
  }),
  route('POST', '/containers/create', async (ctx, req, res) => {
    const body = await readJson<CreateBody>(req.raw);
    const spec = createSpecOf(body, req.query.get('name') ?? undefined);
    let rec: ContainerRecord;
    try {
      rec = await ctx.engine.create(spec);
    } catch (error) {
      if ((error as { name?: string }).name === 'ImageNotFoundError') {
        throw new ApiError(404, `No such image: ${(error as { reference: string }).reference}`);
      }
      throw error;
    }
    sendJson(res, 201, { Id: rec.Id, Warnings: [] });
  }),
  route('GET', `/containers/${ID}/json`, async (ctx, req, res, [ref]) => {
    sendJson(
      res,
      200,
      containerInspectDocument(ctx.engine.root, await ctx.engine.inspect(ref!), queryBool(req.query, 'size')),
    );
  }),
  route('POST', `/containers/${ID}/start`, async (ctx, _req, res, [ref]) => {
    const rec = await ctx.engine.inspect(ref!);
    if (isActive(rec.State.Status)) return sendEmpty(res, 304);
    const attached = pendingAttach.get(rec.Id);
    pendingAttach.delete(rec.Id);
    hostedExits.delete(rec.Id); // an earlier run's exit; a wait from now on is for this run
    if (attached?.length) await startAttached(ctx, rec, attached);
    else {
      const after = await ctx.engine.startDetached(rec.Id);
      if (after.State.Error && !isActive(after.State.Status)) throw new ApiError(500, after.State.Error);
    }
    sendEmpty(res, 204);
  }),
  route('POST', `/containers/${ID}/stop`, async (ctx, req, res, [ref]) => {
    const rec = await ctx.engine.inspect(ref!);
    if (!isActive(rec.State.Status)) return sendEmpty(res, 304);
    const t = req.query.get('t');
    await ctx.engine.stop(rec.Id, t === null ? undefined : Number(t));
    sendEmpty(res, 204);
  }),
  route('POST', `/containers/${ID}/kill`, async (ctx, req, res, [ref]) => {
    await ctx.engine.kill(ref!, req.query.get('signal') ?? undefined);
    sendEmpty(res, 204);
  }),
  route('POST', `/containers/${ID}/restart`, async (ctx, req, res, [ref]) => {
    const rec = await ctx.engine.inspect(ref!);
    const t = req.query.get('t');
    if (isActive(rec.State.Status)) await ctx.engine.stop(rec.Id, t === null ? undefined : Number(t));
    await ctx.engine.startDetached(rec.Id);
    sendEmpty(res, 204);
  }),
  // WASI has one process per container (and its exec'd ones, kept by the engine): what `berth top` shows.
  route('GET', `/containers/${ID}/top`, async (ctx, _req, res, [ref]) => {
    const rec = await ctx.engine.inspect(ref!);
    if (!rec.State.Running) throw new ApiError(409, `container ${rec.Id} is not running`);
    const started = new Date(rec.State.StartedAt);
    const stime = `${String(started.getHours()).padStart(2, '0')}:${String(started.getMinutes()).padStart(2, '0')}`;
    sendJson(res, 200, {
      Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
      Processes: [
        ['root', String(rec.State.Pid), '1', '0', stime, '?', '00:00:00', [rec.Path, ...rec.Args].join(' ')],
      ],
    });
  }),
  route('GET', `/containers/${ID}/stats`, async (ctx, _req, _res, [ref]) => {
    await ctx.engine.inspect(ref!);
    throw new ApiError(501, 'berth does not measure container resource usage (stats) yet');
  }),
  route('POST', `/containers/${ID}/pause`, async (ctx, _req, res, [ref]) => {
    await ctx.engine.pause(ref!);
    sendEmpty(res, 204);
  }),
  route('POST', `/containers/${ID}/unpause`, async (ctx, _req, res, [ref]) => {
    await ctx.engine.unpause(ref!);
    sendEmpty(res, 204);
  }),
  route('POST', `/containers/${ID}/rename`, async (ctx, req, res, [ref]) => {
    const name = req.query.get('name');
    if (!name) throw new ApiError(400, 'name is required');
    await ctx.engine.rename(ref!, name);
    sendEmpty(res, 204);
  }),
  route('POST', `/containers/${ID}/wait`, async (ctx, req, res, [ref]) => {
    const condition = req.query.get('condition') || 'not-running';
    if (!['not-running', 'next-exit', 'removed'].includes(condition)) {
      throw new ApiError(400, `invalid condition: "${condition}"`);
    }
    await ctx.engine.inspect(ref!); // a missing container is a 404 before the 200 goes out
    // The answer's head goes now (the client knows the wait is in place), its body at the exit.
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    try {
      const code = await waitFor(ctx, ref!, condition);
      res.end(JSON.stringify({ StatusCode: code, Error: null }));
    } catch (error) {
      res.end(JSON.stringify({ StatusCode: -1, Error: { Message: (error as Error).message } }));
    }
  }),
  route('DELETE', `/containers/${ID}`, async (ctx, req, res, [ref]) => {
    await ctx.engine.remove(ref!, queryBool(req.query, 'force'));
    sendEmpty(res, 204);
  }),
  route('GET', `/containers/${ID}/logs`, async (ctx, req, res, [ref]) => logs(ctx, req, res, ref!)),
  {
    method: 'POST',
    pattern: new RegExp(`^/containers/${ID}/attach$`),
    async handle() {
      throw new ApiError(400, 'attach takes the connection over: send Connection: Upgrade and Upgrade: tcp');
    },
    hijack: (ctx: ApiContext, req: ApiRequest, socket: Socket, [ref]: string[]) =>
      attach(ctx, req, socket, ref!),
  } as Route,
];

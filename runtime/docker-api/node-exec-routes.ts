// `docker exec` over the Engine API: POST /containers/{id}/exec records what to run, POST
// /exec/{id}/start runs it in the per-user engine (which hosts the container) with its stdio on the
// taken-over connection, GET /exec/{id}/json tells the client the exit code afterwards.

import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { isActive } from '../containers/container-status.ts';
import { newContainerId } from '../containers/container-names.ts';
import {
  type ApiContext,
  type ApiRequest,
  ApiError,
  readJson,
  type Route,
  sendEmpty,
  sendJson,
} from './node-api-http.ts';
import {
  type Attachment,
  UPGRADED,
  endOutput,
  readUpgradeBody,
  sessionInput,
  streamType,
  writer,
} from './node-attach-io.ts';

interface ExecConfig {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Tty?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  User?: string;
}

interface ExecInstance {
  readonly id: string;
  readonly containerId: string;
  readonly config: ExecConfig;
  running: boolean;
  started: boolean;
  exitCode: number | null;
}

/** Exec instances by id; Docker keeps them until their container goes, berth for an hour. */
const execs = new Map<string, ExecInstance>();
const KEEP_MS = 60 * 60 * 1000;

function find(id: string): ExecInstance {
  const ex = execs.get(id);
  if (!ex) throw new ApiError(404, `No such exec instance: ${id}`);
  return ex;
}

function request(ex: ExecInstance) {
  const c = ex.config;
  return {
    op: 'exec' as const,
    container: ex.containerId,
    cmd: c.Cmd ?? [],
    env: c.Env ?? [],
    ...(c.WorkingDir ? { workdir: c.WorkingDir } : {}),
    interactive: c.AttachStdin === true,
    tty: c.Tty === true,
  };
}

function claim(ex: ExecInstance): void {
  if (ex.started) throw new ApiError(409, `exec instance ${ex.id} has already been started`);
  ex.started = true;
  ex.running = true;
}

/** Runs the exec'd process with its stdio on a taken-over connection; its exit code. */
async function runAttached(ctx: ApiContext, ex: ExecInstance, a: Attachment): Promise<void> {
  const client = await ctx.engineClient();
  let interrupted = false;
  // With a TTY, Ctrl-C ends the exec'd process: the engine kills it when this connection goes.
  const interrupt = () => {
    interrupted = true;
    client.socket.destroy();
  };
  try {
    ex.exitCode = await client.stream(request(ex), {
      stdout: writer(a, 1),
      stderr: writer(a, a.tty ? 1 : 2),
      ...(a.stdin ? { stdin: sessionInput(a, interrupt) } : {}),
    });
  } catch (error) {
    if (interrupted) ex.exitCode = 130;
    else {
      // Before the process ran (no such command: 126/127): the message goes to the client's stderr.
      ex.exitCode = (error as { exitCode?: number }).exitCode ?? 126;
      writer({ ...a, stderr: true }, a.tty ? 1 : 2)(Buffer.from(`${(error as Error).message}\n`));
    }
  } finally {
    ex.running = false;
    client.close();
    endOutput(a);
  }
}

async function startHijacked(ctx: ApiContext, req: ApiRequest, socket: Socket, id: string): Promise<void> {
  const ex = find(id);
  const length = Number(req.raw.headers['content-length'] ?? 0);
  const body = JSON.parse((await readUpgradeBody(socket, length)).toString('utf8') || '{}') as {
    Detach?: boolean;
    Tty?: boolean;
  };
  claim(ex);
  const tty = body.Tty ?? ex.config.Tty === true;
  socket.write(UPGRADED(tty));
  socket.on('error', () => {});
  await runAttached(ctx, ex, {
    socket,
    tty,
    stdin: ex.config.AttachStdin === true,
    stdout: ex.config.AttachStdout !== false,
    stderr: ex.config.AttachStderr !== false,
  });
}

/** Without an upgrade: detached (Detach: true), or the output as the answer's body. */
async function startPlain(ctx: ApiContext, req: ApiRequest, res: ServerResponse, id: string): Promise<void> {
  const ex = find(id);
  const body = await readJson<{ Detach?: boolean; Tty?: boolean }>(req.raw);
  claim(ex);
  if (body.Detach) {
    const client = await ctx.engineClient();
    try {
      await client.request({ ...request(ex), detach: true });
    } finally {
      // A detached exec's end is not reported back: it counts as running no more once started.
      ex.running = false;
      client.close();
    }
    return sendEmpty(res, 200);
  }
  const tty = body.Tty ?? ex.config.Tty === true;
  res.writeHead(200, {
    'Content-Type': streamType(tty),
  });
  await runAttached(ctx, ex, {
    socket: res.socket as Socket,
    body: res,
    tty,
    stdin: false,
    stdout: ex.config.AttachStdout !== false,
    stderr: ex.config.AttachStderr !== false,
  });
}

export const execRoutes: Route[] = [
  {
    method: 'POST',
    pattern: /^\/containers\/([^/]+)\/exec$/,
    async handle(ctx, req, res, [ref]) {
      const config = await readJson<ExecConfig>(req.raw);
      if (!config.Cmd || config.Cmd.length === 0) throw new ApiError(400, 'No exec command specified');
      const rec = await ctx.engine.inspect(ref!);
      if (rec.State.Status === 'paused') {
        throw new ApiError(409, `Container ${rec.Id} is paused, unpause the container before exec`);
      }
      if (!isActive(rec.State.Status)) throw new ApiError(409, `container ${rec.Id} is not running`);
      const id = newContainerId();
      execs.set(id, { id, containerId: rec.Id, config, running: false, started: false, exitCode: null });
      setTimeout(() => execs.delete(id), KEEP_MS).unref();
      sendJson(res, 201, { Id: id });
    },
  },
  {
    method: 'POST',
    pattern: /^\/exec\/([^/]+)\/start$/,
    handle: (ctx, req, res, [id]) => startPlain(ctx, req, res, id!),
    hijack: (ctx: ApiContext, req: ApiRequest, socket: Socket, [id]: string[]) =>
      startHijacked(ctx, req, socket, id!),
  } as Route,
  {
    method: 'GET',
    pattern: /^\/exec\/([^/]+)\/json$/,
    async handle(_ctx, _req, res, [id]) {
      const ex = find(id!);
      const cmd = ex.config.Cmd ?? [];
      sendJson(res, 200, {
        ID: ex.id,
        Running: ex.running,
        ExitCode: ex.running || !ex.started ? null : ex.exitCode,
        ProcessConfig: {
          tty: ex.config.Tty === true,
          entrypoint: cmd[0] ?? '',
          arguments: cmd.slice(1),
          privileged: false,
          user: ex.config.User ?? '',
        },
        OpenStdin: ex.config.AttachStdin === true,
        OpenStdout: ex.config.AttachStdout !== false,
        OpenStderr: ex.config.AttachStderr !== false,
        CanRemove: false,
        ContainerID: ex.containerId,
        DetachKeys: '',
        Pid: 0,
      });
    },
  },
  // A TTY's size: WASI has no terminal ioctls, so there is nothing to tell a running process.
  {
    method: 'POST',
    pattern: /^\/exec\/([^/]+)\/resize$/,
    handle: async (_c, _r, res) => sendEmpty(res, 200),
  },
  {
    method: 'POST',
    pattern: /^\/containers\/([^/]+)\/resize$/,
    handle: async (_c, _r, res) => sendEmpty(res, 200),
  },
];

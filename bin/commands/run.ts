// run, create, start, exec and the internal background host: the commands that turn flags into a
// container and, when attached, host its process in this berth process.

import { cookedInput } from '../../runtime/containers/tty-line-discipline.ts';
import { readFileSync, writeSync } from 'node:fs';
import type { CreateSpec } from '../../runtime/containers/container-create.ts';
import type { Engine } from '../../runtime/engine.ts';
import type { StartIo } from '../../runtime/containers/container-start.ts';
import { InvalidStateError, NotFoundError, UsageError } from '../../runtime/errors.ts';
import { parseRestartPolicy } from '../../runtime/engine-server/restart-policy.ts';
import { parseMemory } from '../format/units.ts';
import { type Opts, eachTarget, engine, list, out, str } from './context.ts';

/** `-e K=V` as given; `-e K` takes K from this shell's environment (dropped when unset). */
function envEntries(entries: string[]): string[] {
  return entries.flatMap((e) =>
    e.includes('=') ? [e] : process.env[e] !== undefined ? [`${e}=${process.env[e]}`] : [],
  );
}

function envFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(
      `open ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`,
    );
  }
  return envEntries(
    text
      .split(/\r?\n/)
      .map((l) => l.replace(/^\s+/, ''))
      .filter((l) => l !== '' && !l.startsWith('#')),
  );
}

function createSpec(args: string[], o: Opts): CreateSpec {
  const [image, ...cmd] = args;
  const memory = str(o.memory);
  let memoryBytes: number | undefined;
  if (memory !== undefined) {
    memoryBytes = parseMemory(memory);
    if (memoryBytes === undefined)
      throw new UsageError(`invalid argument "${memory}" for "-m, --memory" flag: invalid size: '${memory}'`);
  }
  const labels = Object.fromEntries(
    list(o.label).map((l) => [l.split('=')[0]!, l.split('=').slice(1).join('=')]),
  );
  return {
    image: image!,
    cmd,
    env: [...list(o.envFile).flatMap(envFile), ...envEntries(list(o.env))],
    volumes: list(o.volume),
    publish: list(o.publish),
    ...(str(o.network) !== undefined ? { network: str(o.network)! } : {}),
    networkAliases: list(o.networkAlias),
    addHosts: list(o.addHost),
    publishAll: o.publishAll === true,
    labels,
    tty: o.tty === true,
    interactive: o.interactive === true,
    autoRemove: o.rm === true,
    ...restartOption(o),
    ...(str(o.name) !== undefined ? { name: str(o.name)! } : {}),
    ...(str(o.entrypoint) !== undefined ? { entrypoint: str(o.entrypoint)! } : {}),
    ...(str(o.workdir) !== undefined ? { workdir: str(o.workdir)! } : {}),
    ...(str(o.hostname) !== undefined ? { hostname: str(o.hostname)! } : {}),
    ...(str(o.user) !== undefined ? { user: str(o.user)! } : {}),
    ...(memoryBytes !== undefined ? { memory: memoryBytes } : {}),
    ...pullOptions(o),
  };
}

/** `--restart`: Docker's policies; `--rm` with a policy other than no is Docker's conflict. */
function restartOption(o: Opts): Pick<CreateSpec, 'restart'> {
  const spec = str(o.restart);
  if (spec === undefined) return {};
  const restart = parseRestartPolicy(spec);
  if (restart.Name !== 'no' && o.rm === true) throw new UsageError('Conflicting options: --restart and --rm');
  return { restart };
}

/** `--pull` and `--platform`: the engine pulls a missing image through the CLI's registry client. */
function pullOptions(o: Opts): Pick<CreateSpec, 'pull' | 'platform'> {
  const pull = str(o.pull) ?? 'missing';
  if (pull !== 'always' && pull !== 'missing' && pull !== 'never')
    throw new UsageError(`invalid pull option: '${pull}': must be one of "always", "missing" or "never"`);
  return { pull, ...(str(o.platform) !== undefined ? { platform: str(o.platform)! } : {}) };
}

async function createWithNotice(e: Engine, spec: CreateSpec) {
  try {
    return await e.create(spec);
  } catch (error) {
    // Only with --pull=never (or an image id) does a missing image get here: Docker's wording.
    if ((error as { name?: string }).name === 'ImageNotFoundError') {
      throw new NotFoundError(`No such image: ${(error as { reference: string }).reference}`);
    }
    throw error;
  }
}

/**
 * Writes a container's output to this process's fd 1 or 2 as it comes: straight to the fd while
 * it takes the bytes (no stream object to set up, and an inline guest's thread needs it done
 * before it returns); through process.stdout/stderr, which waits for a full pipe, from the first
 * time the fd refuses (a non-blocking pipe that is full) on, so bytes stay in order.
 */
function hostWriter(fd: 1 | 2): (chunk: Uint8Array) => void {
  let direct = true;
  return (chunk) => {
    let at = 0;
    if (direct) {
      try {
        while (at < chunk.length) at += writeSync(fd, chunk, at);
        return;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK') return; // EPIPE: nobody reads
        direct = false;
      }
    }
    (fd === 1 ? process.stdout : process.stderr).write(chunk.subarray(at));
  };
}

/** Terminal and stream plumbing of an attached container; restore() undoes raw mode. */
function attachIo(
  e: Engine,
  id: () => string,
  o: { interactive: boolean; tty: boolean },
): StartIo & { restore(): void } {
  // process.stdin is created on first touch (a stream over the fd: milliseconds), so only -i does.
  const stdin = o.interactive ? process.stdin : undefined;
  const raw = o.tty && stdin?.isTTY === true;
  if (raw) stdin!.setRawMode(true);
  // (Node's raw mode keeps the terminal's own NL -> CR NL, so output goes out as it is.)
  const write = hostWriter(1);
  // In raw mode the keys come uncooked: berth cooks them as the container's pty would (echo,
  // Enter, erase; Ctrl-C is SIGINT for the container).
  const input = (): AsyncIterable<Uint8Array> =>
    raw
      ? cookedInput(stdin as AsyncIterable<Uint8Array>, {
          echo: write,
          interrupt: () => void e.kill(id(), 'SIGINT').catch(() => {}),
        })
      : (stdin as AsyncIterable<Uint8Array>);
  return {
    ...(o.interactive ? { stdin: input() } : {}),
    stdout: write,
    stderr: o.tty ? write : hostWriter(2),
    restore() {
      if (!stdin) return;
      if (raw) stdin.setRawMode(false);
      stdin.pause();
      stdin.unref?.();
    },
  };
}

/** Set once a process ran on this thread: no worker pool was started then, none to close. */
let ranInline = false;

async function finish(code: number): Promise<number> {
  if (ranInline) return code;
  const { closeProcessPool } = await import('../../runtime/run-wasm.ts');
  await closeProcessPool();
  return code;
}

async function attachAndWait(e: Engine, id: string, o: Opts, inline = false): Promise<number> {
  const io = attachIo(e, () => id, { interactive: o.interactive === true, tty: o.tty === true });
  if (o.tty === true && process.stdout.isTTY) {
    io.terminal = { columns: process.stdout.columns, rows: process.stdout.rows };
  }
  // Without -i nothing needs this process's event loop while the guest runs: the engine may run
  // it right here (runtime/engine/inline-launcher.ts) instead of on a worker thread.
  // BERTH_INLINE=0 keeps every process on a worker (4x the call stack of this thread).
  if (inline && o.interactive !== true && process.env.BERTH_INLINE !== '0') io.inline = true;
  const unforward = e.forwardSignals();
  try {
    const hosted = await e.start(id, io);
    if (hosted?.begin) {
      // This thread runs the guest now and no signal handler could run before it ends: Ctrl-C
      // stops the guest where it is (its exit, 130, is recorded: shims/process/inline-process.ts);
      // other signals to this process are left to the OS, which ends it (and so the guest) at once.
      unforward();
      ranInline = true;
      hosted.begin();
    }
    return hosted ? await hosted.done : 0;
  } finally {
    unforward();
    io.restore();
  }
}

export async function run(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const spec = createSpec(args, o);
  // Started right away: the address is taken then, and not at all if the process runs inline.
  if (!o.detach) spec.lazyNetwork = true;
  const rec = await createWithNotice(e, spec);
  if (o.detach) {
    const after = await e.startDetached(rec.Id);
    if (after.State.Error)
      throw Object.assign(new Error(after.State.Error), { exitCode: after.State.ExitCode || 125 });
    out(`${rec.Id}\n`);
    return 0;
  }
  if (joinsUserNetwork(spec)) {
    // Its peers live in the engine's network stack, so the container runs there too, attached.
    const { runInEngine } = await import('./engine.ts');
    return finish(await runInEngine(rec.Id, { interactive: o.interactive === true, tty: o.tty === true }));
  }
  return finish(await attachAndWait(e, rec.Id, { ...o, interactive: o.interactive === true }, true));
}

/** A network other than the default bridge or none: one other containers of the engine share. */
function joinsUserNetwork(spec: CreateSpec): boolean {
  const net = (spec as { network?: string }).network;
  return net !== undefined && !['bridge', 'default', 'none', 'host'].includes(net);
}

export async function create(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const rec = await createWithNotice(e, createSpec(args, o));
  out(`${rec.Id}\n`);
  return 0;
}

export async function start(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  if (o.attach || o.interactive) {
    if (args.length > 1) throw new UsageError('you cannot start and attach multiple containers at once');
    const rec = await e.find(args[0]!);
    return finish(
      await attachAndWait(e, rec.Id, { interactive: o.interactive === true, tty: rec.Config.Tty }),
    );
  }
  return eachTarget(args, async (ref) => {
    const after = await e.startDetached(ref);
    if (after.State.Error && after.State.Status !== 'running') {
      throw Object.assign(new Error(after.State.Error), { exitCode: 125 });
    }
    return ref;
  });
}

/** The background host of a detached container: logs only, ends when the container does. */
export async function host(args: string[]): Promise<number> {
  const e = await engine();
  const unforward = e.forwardSignals();
  try {
    const hosted = await e.start(args[0]!, {});
    return finish(hosted ? await hosted.done : 0);
  } catch (error) {
    const rec = await e.find(args[0]!).catch(() => undefined);
    if (rec && !rec.State.Error) {
      const { ctx } = e;
      await ctx.store.save({
        ...rec,
        State: { ...rec.State, Error: (error as Error).message, ExitCode: 125 },
      });
    }
    throw error;
  } finally {
    unforward();
  }
}

/**
 * `exec [-i] [-t] [-d] [-e K=V] [-w DIR] CONTAINER CMD…`: the process runs in the engine process,
 * which hosts every container exec can reach; its stdio cross the engine socket.
 */
export async function exec(args: string[], o: Opts): Promise<number> {
  const [ref, ...cmd] = args;
  const e = await engine();
  const rec = await e.inspect(ref!);
  const { engineStatus } = await import('../../runtime/engine-server/node-engine-client.ts');
  const status = engineStatus(e.root);
  // Checked here too so a stopped or foreground container never starts an engine for nothing.
  if (rec.State.Status !== 'running' && rec.State.Status !== 'paused') {
    throw new InvalidStateError(`container ${rec.Id} is not running`, { exitCode: 1 });
  }
  if (!status.alive || status.info?.pid !== rec.State.Pid) {
    const { NotExecableError } = await import('../../runtime/containers/container-exec.ts');
    throw new NotExecableError(
      `container ${rec.Id.slice(0, 12)} is not exec-able: it runs in the foreground of another berth process`,
    );
  }
  const { engineClient } = await import('./engine.ts');
  const client = await engineClient();
  const request = {
    op: 'exec' as const,
    container: rec.Id,
    cmd,
    env: envEntries(list(o.env)),
    ...(str(o.workdir) !== undefined ? { workdir: str(o.workdir)! } : {}),
    interactive: o.interactive === true,
    tty: o.tty === true,
  };
  if (o.detach) {
    try {
      await client.request({ ...request, detach: true });
      return 0;
    } finally {
      client.close();
    }
  }
  const tty = o.tty === true;
  const stdin = process.stdin;
  const raw = tty && o.interactive === true && stdin.isTTY;
  if (raw) stdin.setRawMode(true);
  let interrupted = false;
  // No pty: berth cooks the raw keys as one would; Ctrl-C ends the exec'd process (the engine
  // kills it when this connection closes).
  const write = (c: Uint8Array) => void process.stdout.write(c);
  const input = (): AsyncIterable<Uint8Array> =>
    raw
      ? cookedInput(stdin as AsyncIterable<Uint8Array>, {
          echo: write,
          interrupt: () => {
            interrupted = true;
            client.socket.destroy();
          },
        })
      : (stdin as AsyncIterable<Uint8Array>);
  try {
    return await client.stream(request, {
      stdout: write,
      stderr: (c) => (tty ? write(c) : void process.stderr.write(c)),
      ...(o.interactive ? { stdin: input() } : {}),
    });
  } catch (error) {
    if (interrupted) return 130;
    throw error;
  } finally {
    if (raw) stdin.setRawMode(false);
    stdin.pause();
    stdin.unref?.();
    client.close();
  }
}

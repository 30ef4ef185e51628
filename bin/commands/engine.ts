// The per-user engine from the CLI's side: `__engine` (the engine process itself, started by
// the CLI on demand), `attach`, and running a foreground container inside the engine with its
// stdio carried over the socket (for containers that must share the engine's networks).

import { cookedInput } from '../../runtime/containers/tty-line-discipline.ts';
import type { EngineClient } from '../../runtime/engine-server/node-engine-client.ts';
import { type Opts, err, launcherPath, str } from './context.ts';

export async function engineClient(): Promise<EngineClient> {
  const [{ EngineClient }, { berthRoot }] = await Promise.all([
    import('../../runtime/engine-server/node-engine-client.ts'),
    import('../../runtime/content/node-store-root.ts'),
  ]);
  return EngineClient.connect(berthRoot(), { launcher: launcherPath() });
}

/** `berth __engine`: serve until idle (BERTH_ENGINE_IDLE_MS, default 60 s) or told to stop. */
export async function serve(): Promise<number> {
  const [{ EngineServer }, { berthRoot }] = await Promise.all([
    import('../../runtime/engine-server/node-engine-server.ts'),
    import('../../runtime/content/node-store-root.ts'),
  ]);
  const idle = Number(process.env.BERTH_ENGINE_IDLE_MS);
  const server = await EngineServer.start({
    root: berthRoot(),
    launcher: launcherPath(),
    ...(Number.isFinite(idle) && idle > 0 ? { idleMs: idle } : {}),
  });
  await server.done;
  // Workers, timers and sockets are closed; exit now rather than wait for stragglers.
  process.exit(0);
}

/** stdin as chunks, and Ctrl-C (raw mode) / SIGINT forwarded to the container as SIGINT. */
function terminal(interactive: boolean, tty: boolean, onInterrupt: () => void) {
  const stdin = process.stdin;
  const raw = tty && interactive && stdin.isTTY;
  if (raw) stdin.setRawMode(true);
  // Raw keys cooked as the container's pty would (echo, Enter, erase, Ctrl-C). Node's raw mode
  // keeps the terminal's own NL -> CR NL, so output goes out as it is.
  const write = (c: Uint8Array) => void process.stdout.write(c);
  const input = (): AsyncIterable<Uint8Array> =>
    raw
      ? cookedInput(stdin as AsyncIterable<Uint8Array>, { echo: write, interrupt: onInterrupt })
      : (stdin as AsyncIterable<Uint8Array>);
  const sigint = () => onInterrupt();
  process.on('SIGINT', sigint);
  return {
    write,
    ...(interactive ? { stdin: input() } : {}),
    restore() {
      process.off('SIGINT', sigint);
      if (raw) stdin.setRawMode(false);
      stdin.pause();
      stdin.unref?.();
    },
  };
}

/** Streams a container's output from the engine until it exits; its exit code. */
async function streamFromEngine(
  op: 'start' | 'attach',
  id: string,
  o: { interactive: boolean; tty: boolean; noStdin?: boolean },
): Promise<number> {
  const client = await engineClient();
  const term = terminal(o.interactive && !o.noStdin, o.tty, () => {
    void client.request({ op: 'kill', container: id, signal: 'SIGINT' }).catch(() => {});
  });
  try {
    return await client.stream(
      {
        op,
        container: id,
        ...(op === 'start' && o.tty && process.stdout.isTTY
          ? { terminal: { columns: process.stdout.columns, rows: process.stdout.rows } }
          : {}),
      },
      {
        stdout: term.write,
        stderr: (c) => (o.tty ? term.write(c) : void process.stderr.write(c)),
        ...(term.stdin ? { stdin: term.stdin } : {}),
      },
    );
  } finally {
    term.restore();
    client.close();
  }
}

/** A foreground `run` whose container lives in the engine (user-defined network). */
export function runInEngine(id: string, o: { interactive: boolean; tty: boolean }): Promise<number> {
  return streamFromEngine('start', id, o);
}

/** `attach [--no-stdin] CONTAINER`. */
export async function attach(args: string[], o: Opts): Promise<number> {
  const { openNodeEngine } = await import('../../runtime/engine/node-engine.ts');
  const rec = await openNodeEngine().inspect(args[0]!);
  if (str(o.detachKeys) !== undefined) err('berth: --detach-keys is not supported; ignoring it\n');
  return streamFromEngine('attach', rec.Id, {
    interactive: rec.Config.OpenStdin,
    tty: rec.Config.Tty,
    noStdin: o.stdin === false,
  });
}

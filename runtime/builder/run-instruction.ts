// RUN: the command runs as a wasm process in a build container over the stage's layers, with the
// stage's ENV, ARGs, WORKDIR; its writable layer becomes the step's layer. Shell form goes to the
// image's SHELL (default /bin/sh -c, berthbox's sh in a berthbox image).

import { ExecError, findExecutable } from '../containers/container-executable.ts';
import { DockerfileError } from './build-errors.ts';
import type { BuildSession } from './build-session.ts';
import type { StageState } from './build-step.ts';
import type { Instruction } from './dockerfile.ts';

export const DEFAULT_SHELL = ['/bin/sh', '-c'];
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function shellOf(state: StageState): string[] {
  return state.config.config?.Shell ?? DEFAULT_SHELL;
}

/** The command line RUN executes (exec form as is; shell form through SHELL; heredocs). */
export function runArgv(inst: Instruction, shell: string[]): string[] {
  if (inst.json) return inst.json;
  if (inst.heredocs.length > 0) {
    const head = inst.args.replace(/<<-?(["']?)[A-Za-z0-9_]+\1/g, '').trim();
    if (head === '' && inst.heredocs.length === 1) return [...shell, inst.heredocs[0]!.content];
    const script = [inst.args, ...inst.heredocs.map((h) => `${h.content}${h.name}`)].join('\n');
    return [...shell, script];
  }
  return [...shell, inst.args];
}

/** ENV, then ARG values not shadowed by ENV; PATH defaulted like Docker's Linux images. */
export function runEnv(state: StageState): string[] {
  const env = [...(state.config.config?.Env ?? [])];
  const names = new Set(env.map((e) => e.slice(0, e.indexOf('=') < 0 ? e.length : e.indexOf('='))));
  for (const [k, v] of state.args) if (!names.has(k)) env.push(`${k}=${v}`);
  if (!env.some((e) => e.startsWith('PATH='))) env.unshift(DEFAULT_PATH);
  return env;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Runs the command; the exit's writable layer as a tar (undefined when nothing changed). */
export async function executeRun(
  session: BuildSession,
  state: StageState,
  inst: Instruction,
  file: string,
  command: string[],
  vertex: number,
): Promise<Uint8Array | undefined> {
  const argv = command;
  const cwd = state.config.config?.WorkingDir || '/';
  const env = [...runEnv(state).filter((e) => !e.startsWith('PWD=')), `PWD=${cwd}`];
  const layers = await session.layers(state.layers);
  let exe: { path: string; bytes: Uint8Array };
  try {
    exe = findExecutable(await session.openFs(state.layers), argv[0] ?? '', env, cwd);
  } catch (e) {
    if (e instanceof ExecError) throw new DockerfileError(file, inst.line, e.message, { cause: e });
    throw e;
  }
  const log = (chunk: Uint8Array) =>
    session.progress({ type: 'log', id: vertex, text: new TextDecoder().decode(chunk), at: session.now() });
  const output: Uint8Array[] = [];
  const proc = await session.deps.launch({
    module: exe.bytes,
    args: argv,
    env,
    cwd,
    layers,
    binds: [],
    stdout: (c) => {
      output.push(c.slice());
      log(c);
    },
    stderr: (c) => {
      output.push(c.slice());
      log(c);
    },
  });
  const exit = await proc.exited;
  if (exit.exitCode !== 0 || exit.error) {
    const shown = command.join(' ');
    const why = exit.error ? `: ${exit.error}` : '';
    const error = new DockerfileError(
      file,
      inst.line,
      `process "${shown}" did not complete successfully: exit code: ${exit.exitCode}${why}`,
    );
    error.output = new TextDecoder().decode(concat(output));
    throw error;
  }
  return exit.upper;
}

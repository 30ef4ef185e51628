// Runs one WASI command twice on the same inputs: under Node's node:wasi (the reference) and
// under berth's runWasm. Each gets its own copy of the input dirs, mounted at the same guest
// paths, so stdout, stderr, exit code and every file written can be compared byte for byte.

import { closeSync, cpSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { runWasm } from '../../runtime/index.ts';

export interface CommandRun {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
  /** Every file under each mounted dir after the run, keyed '<guest dir>/<relative path>'. */
  files: Map<string, Buffer>;
}

export interface CommandSpec {
  args: string[];
  env?: Record<string, string>;
  /** Guest dir -> host dir holding its initial content (copied per run). */
  dirs: Record<string, string>;
}

function copyDirs(dirs: Record<string, string>): Record<string, string> {
  const copies: Record<string, string> = {};
  for (const [guest, source] of Object.entries(dirs)) {
    const copy = mkdtempSync(join(tmpdir(), 'berth-3p-'));
    cpSync(source, copy, { recursive: true });
    copies[guest] = copy;
  }
  return copies;
}

function collectFiles(dirs: Record<string, string>): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (guest: string, host: string, rel: string): void => {
    for (const name of readdirSync(join(host, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(join(host, r)).isDirectory()) walk(guest, host, r);
      else files.set(`${guest}/${r}`, readFileSync(join(host, r)));
    }
  };
  for (const [guest, host] of Object.entries(dirs)) walk(guest, host, '');
  return files;
}

export function runUnderNodeWasi(module: WebAssembly.Module, spec: CommandSpec): CommandRun {
  const dirs = copyDirs(spec.dirs);
  const scratch = mkdtempSync(join(tmpdir(), 'berth-3p-stdio-'));
  const outPath = join(scratch, 'stdout');
  const errPath = join(scratch, 'stderr');
  const stdout = openSync(outPath, 'w');
  const stderr = openSync(errPath, 'w');
  const stdin = openSync('/dev/null', 'r');
  try {
    const wasi = new WASI({
      version: 'preview1',
      args: spec.args,
      env: spec.env ?? {},
      preopens: dirs,
      stdin,
      stdout,
      stderr,
      returnOnExit: true,
    });
    const instance = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
    const exitCode = wasi.start(instance);
    return {
      exitCode,
      stdout: readFileSync(outPath),
      stderr: readFileSync(errPath),
      files: collectFiles(dirs),
    };
  } finally {
    closeSync(stdout);
    closeSync(stderr);
    closeSync(stdin);
  }
}

export async function runUnderBerth(module: WebAssembly.Module, spec: CommandSpec): Promise<CommandRun> {
  const dirs = copyDirs(spec.dirs);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const exit = await runWasm(module, {
    args: spec.args,
    env: spec.env ?? {},
    mounts: [
      { type: 'tmpfs', target: '/' },
      ...Object.entries(dirs).map(([target, source]) => ({ source, target })),
    ],
    stdout: (c) => {
      out.push(Buffer.from(c));
    },
    stderr: (c) => {
      err.push(Buffer.from(c));
    },
  });
  if (exit.error) throw new Error(`berth could not run ${spec.args[0]}: ${exit.error}`);
  return {
    exitCode: exit.exitCode,
    stdout: Buffer.concat(out),
    stderr: Buffer.concat(err),
    files: collectFiles(dirs),
  };
}

/** Both runs, the reference first. */
export async function runBoth(
  module: WebAssembly.Module,
  spec: CommandSpec,
): Promise<[CommandRun, CommandRun]> {
  const reference = runUnderNodeWasi(module, spec);
  const berth = await runUnderBerth(module, spec);
  return [reference, berth];
}

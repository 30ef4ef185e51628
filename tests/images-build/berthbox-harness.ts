// Test support: runs berthbox.wasm under Node's node:wasi (a reference WASI, no berth code involved)
// in a temp directory preopened as "/", and the host's busybox in the same directory, so an applet's
// output can be compared with busybox's byte for byte. berth's process imports are stubbed to
// answer ENOSYS, which is what berthbox sees in a berth without process support.

import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const berthboxWasm = join(root, 'images/berthbox/berthbox.wasm');
export const busybox = '/bin/busybox';

let compiled: WebAssembly.Module | undefined;
function module(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(berthboxWasm));
  return compiled;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface RunOptions {
  stdin?: string;
  env?: Record<string, string>;
}

const WASI_ENOSYS = 52;
const noProcesses = {
  proc_spawn: () => WASI_ENOSYS,
  proc_wait: () => WASI_ENOSYS,
  proc_kill: () => WASI_ENOSYS,
  fd_pipe: () => WASI_ENOSYS,
  fd_dup: () => WASI_ENOSYS,
};

/** A scratch directory holding `files` (path -> content); it is "/" for berthbox and the cwd for busybox. */
export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'berthbox-test-'));

  constructor(files: Record<string, string> = {}) {
    for (const [path, text] of Object.entries(files)) this.write(path, text);
  }

  write(path: string, text: string): void {
    mkdirSync(dirname(join(this.dir, path)), { recursive: true });
    writeFileSync(join(this.dir, path), text);
  }

  read(path: string): string {
    return readFileSync(join(this.dir, path), 'utf8');
  }

  exists(path: string): boolean {
    return existsSync(join(this.dir, path));
  }

  /** berthbox with argv as given (argv[0] picks the applet). */
  run(argv: string[], options: RunOptions = {}): RunResult {
    const io = mkdtempSync(join(tmpdir(), 'berthbox-io-'));
    try {
      writeFileSync(join(io, 'in'), options.stdin ?? '');
      const fds = [
        openSync(join(io, 'in'), 'r'),
        openSync(join(io, 'out'), 'w'),
        openSync(join(io, 'err'), 'w'),
      ];
      const wasi = new WASI({
        version: 'preview1',
        args: argv,
        env: options.env ?? { HOME: '/', PATH: '/bin' },
        preopens: { '/': this.dir },
        stdin: fds[0],
        stdout: fds[1],
        stderr: fds[2],
        returnOnExit: true,
      });
      const imports = { ...wasi.getImportObject(), berth: noProcesses } as WebAssembly.Imports;
      const code = wasi.start(new WebAssembly.Instance(module(), imports));
      for (const fd of fds) closeSync(fd);
      return {
        code,
        stdout: readFileSync(join(io, 'out'), 'utf8'),
        stderr: readFileSync(join(io, 'err'), 'utf8'),
      };
    } finally {
      rmSync(io, { recursive: true, force: true });
    }
  }

  /** `sh -c script`. */
  sh(script: string, options: RunOptions = {}): RunResult {
    return this.run(['sh', '-c', script], options);
  }

  /** The host's busybox, in this directory. Fails clearly when busybox-static is not installed. */
  busybox(argv: string[], options: RunOptions = {}): RunResult {
    if (!existsSync(busybox))
      throw new Error(`${busybox} is missing: install busybox-static (node scripts/ensure-system-deps.js)`);
    const r = spawnSync(busybox, argv, {
      cwd: this.dir,
      input: options.stdin ?? '',
      env: options.env ?? { HOME: '/', PATH: '/bin' },
      encoding: 'utf8',
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

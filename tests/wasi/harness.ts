// Builds the C guests of images/tests with clang (cached under os.tmpdir() by source hash) and
// runs them in-process with berth's Wasi over an in-memory filesystem, or with node:wasi over a
// real temporary directory for comparison.

import { execFileSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WASI } from 'node:wasi';
import { UpperLayer } from '../../overlay/upper-layer.ts';
import { Vfs } from '../../overlay/vfs.ts';
import { SabDoorbell } from '../../shims/process/doorbell.ts';
import { ERRNO_SUCCESS, Fd, Filetype, type Result } from '../../shims/wasi/fd.ts';
import type { GuestFs } from '../../shims/wasi/guest-fs.ts';
import { Wasi } from '../../shims/wasi/index.ts';

const SOURCES = path.resolve(import.meta.dirname, '../../images/tests');
const CACHE = path.join(os.tmpdir(), 'berth-wasi-guests');

/** Compiles images/tests/<name>.c (once per source content). */
export const guest = (name: string): WebAssembly.Module => {
  const src = path.join(SOURCES, `${name}.c`);
  const hash = createHash('sha256').update(fs.readFileSync(src)).digest('hex').slice(0, 16);
  const out = path.join(CACHE, `${name}-${hash}.wasm`);
  if (!fs.existsSync(out)) {
    fs.mkdirSync(CACHE, { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    execFileSync('clang', ['--target=wasm32-wasi', '-O2', '-Wl,--strip-all', src, '-o', tmp]);
    fs.renameSync(tmp, out);
  }
  return new WebAssembly.Module(fs.readFileSync(out));
};

/** stdout/stderr that keeps what the guest writes. */
export class CaptureFd extends Fd {
  readonly filetype = Filetype.CHARACTER_DEVICE;
  readonly chunks: Uint8Array[] = [];
  override write(data: Uint8Array): Result<number> {
    this.chunks.push(data.slice());
    return { errno: ERRNO_SUCCESS, value: data.length };
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** stdin with fixed contents, then EOF. */
export class BufferFd extends Fd {
  readonly filetype = Filetype.CHARACTER_DEVICE;
  private at = 0;
  constructor(private readonly data: Uint8Array = new Uint8Array(0)) {
    super();
  }
  override read(into: Uint8Array): Result<number> {
    const n = Math.min(into.length, this.data.length - this.at);
    into.set(this.data.subarray(this.at, this.at + n));
    this.at += n;
    return { errno: ERRNO_SUCCESS, value: n };
  }
}

export const hostClock = {
  realtimeNs: (): bigint => BigInt(Date.now()) * 1_000_000n,
  monotonicNs: (): bigint => process.hrtime.bigint(),
};

export interface BerthRun {
  code: number;
  stdout: string;
  stderr: string;
  vfs: GuestFs;
  fs: UpperLayer;
}

export const newFs = (): { fs: UpperLayer; vfs: GuestFs } => {
  const upper = new UpperLayer();
  return { fs: upper, vfs: new Vfs(upper) };
};

export const runBerth = (
  module: WebAssembly.Module,
  opts: {
    args?: string[];
    env?: string[];
    stdin?: Fd;
    setup?: (vfs: GuestFs) => void;
    extra?: Partial<ConstructorParameters<typeof Wasi>[0]>;
  } = {},
): BerthRun => {
  const { fs: upper, vfs } = newFs();
  opts.setup?.(vfs);
  const stdout = new CaptureFd();
  const stderr = new CaptureFd();
  const wasi = new Wasi({
    args: opts.args ?? ['prog'],
    env: opts.env ?? [],
    vfs,
    preopens: ['/'],
    stdio: [opts.stdin ?? new BufferFd(), stdout, stderr],
    clock: hostClock,
    randomFill: (b) => randomFillSync(b),
    doorbell: new SabDoorbell(),
    ...opts.extra,
  });
  const instance = new WebAssembly.Instance(module, wasi.imports as WebAssembly.Imports);
  const code = wasi.start(instance);
  return { code, stdout: stdout.text(), stderr: stderr.text(), vfs, fs: upper };
};

/** Runs with node:wasi, '/' preopened onto a fresh temp dir; stdout/stderr via temp files. */
export const runNode = (
  module: WebAssembly.Module,
  opts: { args?: string[]; env?: Record<string, string>; setup?: (dir: string) => void } = {},
): { code: number; stdout: string; stderr: string; dir: string } => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-wasi-node-'));
  const root = path.join(dir, 'root');
  fs.mkdirSync(root);
  opts.setup?.(root);
  const outPath = path.join(dir, 'stdout');
  const errPath = path.join(dir, 'stderr');
  const out = fs.openSync(outPath, 'w');
  const err = fs.openSync(errPath, 'w');
  const wasi = new WASI({
    version: 'preview1',
    args: opts.args ?? ['prog'],
    env: opts.env ?? {},
    preopens: { '/': root },
    stdout: out,
    stderr: err,
    returnOnExit: true,
  });
  const instance = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
  const code = wasi.start(instance);
  fs.closeSync(out);
  fs.closeSync(err);
  const result = {
    code,
    stdout: fs.readFileSync(outPath, 'utf8'),
    stderr: fs.readFileSync(errPath, 'utf8'),
    dir,
  };
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
};

/** /bin/busybox and /bin/sh -> /bin/busybox, as in a busybox image. */
export const busyboxTree = (vfs: GuestFs): void => {
  vfs.mkdir('/bin', 0o755);
  const h = vfs.open('/bin/busybox', { write: true, create: true, mode: 0o755 });
  if (h instanceof Error) throw h;
  h.write(new TextEncoder().encode('BUSYBOX'), 0);
  h.close();
  vfs.symlink('/bin/busybox', '/bin/sh');
};

import { createHash } from 'node:crypto';
// Runs the real CLI (node bin/berth.cjs) as a subprocess against a temporary BERTH_ROOT, and
// builds the test guest (probe.c) into an importable rootfs tar.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTar } from '../../overlay/tar-write.ts';

export const repo = fileURLToPath(new URL('../..', import.meta.url));
const launcher = join(repo, 'bin', 'berth.cjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function newRoot(): string {
  return mkdtempSync(join(tmpdir(), 'berth-cli-'));
}

export function removeRoot(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

export function berth(
  root: string,
  args: string[],
  options: { input?: string | Uint8Array; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [launcher, ...args], {
      env: { ...process.env, BERTH_ROOT: root, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/** Starts a CLI and leaves it running (a foreground container); returns the child. */
export function berthBackground(root: string, args: string[]) {
  return spawn(process.execPath, [launcher, ...args], {
    env: { ...process.env, BERTH_ROOT: root },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

let built = false;
export function ensureBuilt(): void {
  if (built) return;
  execFileSync(process.execPath, [join(repo, 'scripts', 'build.js')], { cwd: repo, stdio: 'inherit' });
  built = true;
}

/** probe.wasm compiled now, packed as a rootfs tar with /probe.wasm and an /etc dir. */
export async function probeRootfs(): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-probe-'));
  const wasm = join(dir, 'probe.wasm');
  execFileSync('clang', [
    '--target=wasm32-wasi',
    '-O2',
    '-Wl,--strip-all',
    join(repo, 'tests/cli/fixtures/probe.c'),
    '-o',
    wasm,
  ]);
  const bytes = new Uint8Array(readFileSync(wasm));
  rmSync(dir, { recursive: true, force: true });
  const t = 1_700_000_000_000_000_000n;
  return writeTar([
    { name: 'etc', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtimeNs: t },
    {
      name: 'etc/motd',
      type: 'file',
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtimeNs: t,
      data: new TextEncoder().encode('welcome\n'),
    },
    { name: 'probe.wasm', type: 'file', mode: 0o755, uid: 0, gid: 0, mtimeNs: t, data: bytes },
  ]);
}

/** A fresh store (built dist/) holding the probe guest as image `probe` (ENTRYPOINT /probe.wasm). */
export async function probeStore(): Promise<string> {
  ensureBuilt();
  const root = newRoot();
  const imported = await berth(root, ['import', '--change', 'ENTRYPOINT ["/probe.wasm"]', '-', 'probe'], {
    input: await probeRootfs(),
  });
  if (imported.code !== 0) throw new Error(`berth import: ${imported.stderr}`);
  return root;
}

/** A listing of every file under root with its content hash: equal listings = store unchanged. */
export function snapshot(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      // The engine process's own pid/socket/heartbeat/log files are not store state, nor is the
      // containers' listing index (a copy of the records, runtime/containers/node-container-listing.ts).
      if (d === root && n === 'engine') continue;
      if (n === '.listing') continue;
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.push(`${p.slice(root.length)} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`);
    }
  };
  walk(root);
  return out;
}

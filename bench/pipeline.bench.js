// Issue "Dockerfile builds" / berthbox: `sh -c 'seq 1 100000 | grep 7 | wc -l'` in berthbox
// (three wasm processes in workers, SAB pipes between them) against the same pipeline with the
// host's native busybox (Debian busybox-static), in the same run. Reports the ratio.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, row } from './lib/report.js';

export const title = "pipeline: sh -c 'seq 1 100000 | grep 7 | wc -l' (median ms)";

const repo = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 7;
const SCRIPT = 'seq 1 100000 | grep 7 | wc -l';

function timed(cmd, args, env) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr || r.stdout}`);
  return { ms, out: r.stdout.trim() };
}

export async function run() {
  const store = mkdtempSync(join(tmpdir(), 'berth-bench-pipe-'));
  const env = { ...process.env, BERTH_ROOT: store };
  const berthCmd = [join(repo, 'bin/berth.cjs'), 'run', '--rm', 'berthbox', 'sh', '-c', SCRIPT];
  const inProcess = [];
  try {
    const first = timed(process.execPath, berthCmd, env); // creates the built-in image
    const native = timed('/bin/busybox', ['sh', '-c', SCRIPT], env);
    if (first.out !== native.out) throw new Error(`berthbox printed ${first.out}, busybox ${native.out}`);
    const b = [];
    const n = [];
    for (let i = 0; i < RUNS; i++) {
      b.push(timed(process.execPath, berthCmd, env).ms);
      n.push(timed('/bin/busybox', ['sh', '-c', SCRIPT], env).ms);
      inProcess.push(
        timed(process.execPath, [join(repo, 'bin/berth.cjs'), 'run', '--rm', 'berthbox', 'true'], env).ms,
      );
    }
    const pipeline = median(b) - median(inProcess);
    return [
      row({
        name: 'whole `berth run --rm berthbox sh -c …`',
        unit: 'ms',
        berth: median(b),
        peers: { 'busybox sh': median(n) },
        ratioTo: 'busybox sh',
        note: `output ${first.out} (busybox ${native.out})`,
      }),
      row({
        name: 'pipeline alone (minus `run --rm berthbox true`)',
        unit: 'ms',
        berth: pipeline,
        peers: { 'busybox sh': median(n) },
        ratioTo: 'busybox sh',
      }),
    ];
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
}

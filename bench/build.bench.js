// Issue "Dockerfile builds": cold build and warm (all-CACHED) rebuild of examples/friendlyhello,
// as whole CLI processes; and a rebuild after one copied file changed. Goal: warm rebuild
// <= 300 ms in all. No external peer builds wasm images, so the peer is `node -e 0` (the floor
// any Node CLI pays on this machine), measured in the same run.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, row } from './lib/report.js';

export const title = 'build: examples/friendlyhello (whole CLI process, median ms)';

const repo = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 5;

function timed(cmd, args, opts) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.stdout}`);
  return { ms, out: r.stdout + r.stderr };
}

export async function run() {
  const cold = [];
  const warm = [];
  const changed = [];
  const floor = [];
  for (let i = 0; i < RUNS; i++) {
    const root = mkdtempSync(join(tmpdir(), 'berth-bench-build-'));
    const ctx = join(root, 'ctx');
    cpSync(join(repo, 'examples/friendlyhello'), ctx, { recursive: true });
    const env = { ...process.env, BERTH_ROOT: join(root, 'store') };
    const build = () =>
      timed(
        process.execPath,
        [join(repo, 'bin/berth.cjs'), 'build', '--progress=plain', '-t', 'friendlyhello', '.'],
        {
          cwd: ctx,
          env,
        },
      );
    try {
      cold.push(build().ms);
      const w = build();
      if (!/CACHED/.test(w.out)) throw new Error(`warm rebuild was not cached:\n${w.out}`);
      warm.push(w.ms);
      writeFileSync(join(ctx, 'README.md'), `changed ${i}\n`);
      changed.push(build().ms);
      floor.push(timed(process.execPath, ['-e', '0'], {}).ms);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  const node = median(floor);
  return [
    row({
      name: 'cold build',
      unit: 'ms',
      berth: median(cold),
      peers: { 'node -e 0': node },
      ratioTo: 'node -e 0',
    }),
    row({
      name: 'warm rebuild (all CACHED)',
      unit: 'ms',
      berth: median(warm),
      peers: { 'node -e 0': node },
      ratioTo: 'node -e 0',
      goal: '<= 300 ms',
      met: median(warm) <= 300,
    }),
    row({
      name: 'rebuild after one copied file changed',
      unit: 'ms',
      berth: median(changed),
      peers: { 'node -e 0': node },
      ratioTo: 'node -e 0',
    }),
  ];
}

// 4. Cold `berth run --rm hello-world` as a whole process, against a bare node script running the
// same module with node:wasi, and `podman run --rm` busybox /bin/true where podman can run.
// Goals: <= 100 ms, no slower than the node:wasi launcher, <= 0.45x podman.
//
// This machine is a 2-core VM whose speed drifts by up to 2x within a minute, so the commands are
// interleaved run by run (berth, launcher, berth, launcher…, each pair in alternating order) and
// each is timed from spawn to exit; the medians compare runs made under the same conditions.
// (hyperfine runs all of one command, then all of the other: a drift lands on one side.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PODMAN_IMAGE, preparePodman } from './lib/podman.js';
import { row } from './lib/report.js';

export const title = 'cli-run: cold process, spawn to exit (median of interleaved runs, ms)';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Interleaved pairs of berth and the launcher; podman (~0.4 s a run) every PODMAN_EVERY pairs. */
const PAIRS = 60;
const WARMUP = 3;
const PODMAN_EVERY = 4;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function run() {
  const store = mkdtempSync(join(tmpdir(), 'berth-bench-root-'));
  const podman = preparePodman();
  const env = { ...(podman.env ?? process.env), BERTH_ROOT: store };
  const commands = {
    berth: [process.execPath, ['bin/berth.cjs', 'run', '--rm', 'hello-world']],
    'node-wasi': [process.execPath, ['--no-turbo-fast-api-calls', 'bench/peers/node-wasi-hello.mjs']],
    podman: ['podman', ['run', '--rm', PODMAN_IMAGE, '/bin/true']],
  };
  const timed = (name) => {
    const [file, args] = commands[name];
    const t0 = process.hrtime.bigint();
    const r = spawnSync(file, args, { cwd: root, env, stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${name} exited with ${r.status ?? r.signal}`);
    return ms;
  };
  const times = { berth: [], 'node-wasi': [], podman: [] };
  try {
    for (let i = 0; i < WARMUP; i++) for (const n of ['berth', 'node-wasi']) timed(n);
    if (podman.ok) timed('podman');
    for (let i = 0; i < PAIRS; i++) {
      const order = i % 2 ? ['berth', 'node-wasi'] : ['node-wasi', 'berth'];
      for (const n of order) times[n].push(timed(n));
      if (podman.ok && i % PODMAN_EVERY === 0) times.podman.push(timed('podman'));
    }
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
  const ms = Object.fromEntries(Object.entries(times).map(([n, t]) => [n, t.length ? median(t) : undefined]));
  const berth = ms.berth;
  const rows = [
    row({
      name: 'run --rm hello-world',
      unit: 'ms',
      berth,
      peers: { 'node:wasi launcher': ms['node-wasi'] },
      ratioTo: 'node:wasi launcher',
      goal: '<= 100 ms and <= 1.0x launcher',
      met: berth <= 100 && berth <= ms['node-wasi'],
    }),
  ];
  rows.push(
    podman.ok
      ? row({
          name: 'vs podman run --rm busybox true',
          unit: 'ms',
          berth,
          peers: { podman: ms.podman },
          ratioTo: 'podman',
          goal: '<= 0.45x podman',
          met: berth <= 0.45 * ms.podman,
        })
      : row({ name: 'vs podman run --rm', berth, unit: 'ms', goal: '<= 0.45x podman', note: podman.why }),
  );
  return rows;
}

// 4. Cold `berth run --rm hello-world` as a whole process (hyperfine, median), against a bare
// node script running the same module with node:wasi, and `podman run --rm` busybox /bin/true
// where podman can run. Goals: <= 100 ms, no slower than the node:wasi launcher, <= 0.45x podman.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PODMAN_IMAGE, preparePodman } from './lib/podman.js';
import { row } from './lib/report.js';

export const title = 'cli-run: cold process, start to exit (hyperfine median, ms)';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Rounds of hyperfine, berth and its peers alternating, and runs per command in each round. */
const ROUNDS = 10;
const RUNS = 5;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function run() {
  const store = mkdtempSync(join(tmpdir(), 'berth-bench-root-'));
  const out = fileURLToPath(new URL('./.out/', import.meta.url));
  mkdirSync(out, { recursive: true });
  const json = join(out, 'cli-run.json');
  const podman = preparePodman();
  const commands = [
    ['berth', `${process.execPath} bin/berth.cjs run --rm hello-world`],
    ['node-wasi', `${process.execPath} --no-turbo-fast-api-calls bench/peers/node-wasi-hello.mjs`],
    ...(podman.ok ? [['podman', `podman run --rm ${PODMAN_IMAGE} /bin/true`]] : []),
  ];
  // The machine's load drifts over a run of minutes (2 cores, other work): rounds that alternate
  // the commands give each the same share of quiet and busy moments; medians over all runs.
  const times = Object.fromEntries(commands.map(([n]) => [n, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const r = spawnSync(
        'hyperfine',
        [
          '-N',
          '-w',
          '2',
          '-r',
          String(RUNS),
          '--export-json',
          json,
          ...commands.flatMap(([n, c]) => ['-n', n, c]),
        ],
        { cwd: root, encoding: 'utf8', env: { ...(podman.env ?? process.env), BERTH_ROOT: store } },
      );
      if (r.status !== 0) throw new Error(`hyperfine: ${r.stderr || r.stdout}`);
      for (const x of JSON.parse(readFileSync(json, 'utf8')).results) times[x.command].push(...x.times);
      commands.reverse(); // the next round starts with the other command
    }
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
  const ms = Object.fromEntries(Object.entries(times).map(([n, t]) => [n, median(t) * 1000]));
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

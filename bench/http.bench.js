// HTTP through a published port: friendlyhello (`berth run -d -p PORT:80`, hosted by the
// per-user engine) against the same C sources compiled natively with gcc and run on the host,
// measured in the same run with wrk (keep-alive, -t2 -c32 -d10s --latency). No Redis: berth's
// container has no "redis" host, the native one points at a closed loopback port, so both serve
// the "counter disabled" page. Goal: >= 0.5x native req/s, p99 <= 2x native. Loopback only.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, row } from './lib/report.js';

export const title = 'http: friendlyhello via -p, wrk -t2 -c32 -d10s keep-alive (median of rounds)';

const repo = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 2);
const DURATION = process.env.BENCH_HTTP_DURATION ?? '10s';

export const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Node and the CLI as a user runs them, against `root`. */
export function berth(root, args) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(repo, 'bin', 'berth.cjs'), ...args],
      { env: { ...process.env, BERTH_ROOT: root }, encoding: 'utf8' },
      (error, stdout, stderr) =>
        error ? reject(new Error(`berth ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
}

/**
 * Kills the engine a bench started under `root` and waits until it is gone: the kernel frees an
 * engine's memory (9 GB after the density bench) as it exits, which would otherwise run under the
 * next benchmark.
 */
export async function stopEngine(root) {
  let pid;
  try {
    ({ pid } = JSON.parse(readFileSync(join(root, 'engine', 'engine.json'), 'utf8')));
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(50);
  }
}

/** The first byte of the answer to GET / (retried until the server is up). */
export async function waitHttp(port, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      return await res.text();
    } catch (e) {
      if (Date.now() > until) throw e;
      await sleep(50);
    }
  }
}

function buildNative(dir) {
  const src = join(repo, 'images', 'friendlyhello');
  const files = readdirSync(src)
    .filter((f) => f.endsWith('.c'))
    .map((f) => join(src, f));
  const out = join(dir, 'friendlyhello');
  execFileSync('gcc', ['-O2', `-I${join(repo, 'images', 'include')}`, ...files, '-o', out]);
  return out;
}

const toMs = (text) => {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text);
  if (!m) throw new Error(`wrk latency ${text}`);
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]];
};

/** wrk's req/s and latency percentiles; fails on socket errors or non-2xx answers. */
export function wrk(port, duration = DURATION, connections = 32) {
  const out = execFileSync(
    'wrk',
    ['-t2', `-c${connections}`, `-d${duration}`, '--latency', `http://127.0.0.1:${port}/`],
    { encoding: 'utf8' },
  );
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const pct = (p) => toMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out)?.[1] ?? '?');
  if (/Non-2xx|Socket errors/.test(out)) throw new Error(`wrk reported errors:\n${out}`);
  return { rps, p50: pct(50), p99: pct(99) };
}

async function measureBerth(dir) {
  const root = mkdtempSync(join(dir, 'root-'));
  const port = await freePort();
  try {
    const id = (await berth(root, ['run', '-d', '-p', `${port}:80`, 'friendlyhello'])).trim();
    const page = await waitHttp(port);
    if (!/Hello World!.*counter disabled/.test(page)) throw new Error(`berth page: ${page}`);
    wrk(port, '2s'); // warm-up: JIT of the engine and the worker
    const r = wrk(port);
    await berth(root, ['rm', '-f', id]);
    return r;
  } finally {
    await stopEngine(root);
  }
}

async function measureNative(bin) {
  const port = await freePort();
  const closed = await freePort();
  const child = spawn(bin, [], {
    env: { PORT: String(port), REDIS_HOST: '127.0.0.1', REDIS_PORT: String(closed), NAME: 'World' },
    stdio: 'ignore',
  });
  try {
    const page = await waitHttp(port);
    if (!/Hello World!.*counter disabled/.test(page)) throw new Error(`native page: ${page}`);
    wrk(port, '2s');
    return wrk(port);
  } finally {
    child.kill('SIGKILL');
  }
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'berth-http-bench-'));
  const berthRuns = [];
  const nativeRuns = [];
  try {
    const bin = buildNative(dir);
    for (let i = 0; i < ROUNDS; i++) {
      berthRuns.push(await measureBerth(dir));
      nativeRuns.push(await measureNative(bin));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const pick = (runs, k) => median(runs.map((r) => r[k]));
  const rps = pick(berthRuns, 'rps');
  const nativeRps = pick(nativeRuns, 'rps');
  const p99 = pick(berthRuns, 'p99');
  const nativeP99 = pick(nativeRuns, 'p99');
  const all = (runs, k) => runs.map((r) => r[k].toFixed(k === 'rps' ? 0 : 2)).join(', ');
  return [
    row({
      name: 'requests/s',
      unit: 'req/s',
      berth: rps,
      peers: { native: nativeRps },
      ratioTo: 'native',
      goal: '>= 0.5x native',
      met: rps >= 0.5 * nativeRps,
      note: `rounds berth ${all(berthRuns, 'rps')}; native ${all(nativeRuns, 'rps')}`,
    }),
    row({
      name: 'latency p50',
      unit: 'ms',
      berth: pick(berthRuns, 'p50'),
      peers: { native: pick(nativeRuns, 'p50') },
      ratioTo: 'native',
    }),
    row({
      name: 'latency p99',
      unit: 'ms',
      berth: p99,
      peers: { native: nativeP99 },
      ratioTo: 'native',
      goal: '<= 2x native',
      met: p99 <= 2 * nativeP99,
      note: `rounds berth ${all(berthRuns, 'p99')}; native ${all(nativeRuns, 'p99')}`,
    }),
  ];
}

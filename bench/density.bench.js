// Density: how many detached friendlyhello containers one per-user engine hosts, each serving
// HTTP on its own published port (-P), and what each costs in engine RSS. Steps of N (50, 100,
// 200, 500, 1000), stopping at the first step where some container does not answer curl, when
// the next step's RSS would pass ~20 GB, or when the ~5 min budget is spent. Records are created
// in this process (the engine's own create, on the same store) and started through the engine's
// socket, so the time goes to the engine, not to 1,000 CLI start-ups. Goal: 1,000 containers,
// <= 10 MB each. Loopback only.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openNodeEngine } from '../dist/index.js';
import { berth, stopEngine } from './http.bench.js';
import { row } from './lib/report.js';

// BERTH_ENGINE_SHARE_FS=0 (read by the engine) starts containers that `berth exec` cannot join.
// Either way a container is one worker: an exec-able one serves its files to exec'd processes
// itself, only once one exists (shims/process/leader-fs.ts).
const SHARE_FS = process.env.BERTH_ENGINE_SHARE_FS !== '0';

export const title = `density: detached friendlyhello containers on published ports, one engine (${
  SHARE_FS ? 'default: exec-able' : 'BERTH_ENGINE_SHARE_FS=0: not exec-able'
})`;

const STEPS = (process.env.BENCH_DENSITY_STEPS ?? '50,100,200,500,1000').split(',').map(Number);
const BUDGET_MS = Number(process.env.BENCH_DENSITY_BUDGET_MS ?? 300_000);
const RSS_CAP = 20 * 1024 ** 3;
const GOAL_BYTES = 10 * 1024 ** 2;
const START_CONCURRENCY = 8;

const rssOf = (pid) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
const threadsOf = (pid) => Number(/Threads:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const mb = (bytes) => bytes / 1024 ** 2;

/** Newline-delimited JSON requests to the engine (runtime/engine-server/engine-protocol.ts). */
function engineClient(socketPath) {
  const socket = connect(socketPath);
  const waiting = new Map();
  let nextId = 1;
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (text) => {
    buffered += text;
    for (let nl; (nl = buffered.indexOf('\n')) >= 0; ) {
      const msg = JSON.parse(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      const w = waiting.get(msg.id);
      if (!w || msg.event) continue;
      waiting.delete(msg.id);
      if (msg.ok) w.resolve(msg.result);
      else w.reject(new Error(msg.error?.message ?? JSON.stringify(msg)));
    }
  });
  return {
    call: (req) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        socket.write(`${JSON.stringify({ id, ...req })}\n`);
      }),
    close: () => socket.end(),
  };
}

/** GETs every port with curl (parallel transfers in one process); the ports that answered 200. */
function curlAll(ports, dir) {
  const config = join(dir, 'curl.cfg');
  writeFileSync(config, ports.map((p) => `url = "http://127.0.0.1:${p}/"\noutput = "/dev/null"\n`).join(''));
  let out = '';
  try {
    out = execFileSync(
      'curl',
      [
        '-sS',
        '--no-progress-meter',
        '--noproxy',
        '*',
        '-Z',
        '--parallel-max',
        '50',
        '--max-time',
        '20',
        '-w',
        '%{http_code} %{url}\n',
        '-K',
        config,
      ],
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (e) {
    out = e.stdout ?? '';
  }
  const ok = new Set();
  for (const line of out.split('\n')) {
    const m = /^200 http:\/\/127\.0\.0\.1:(\d+)\//.exec(line);
    if (m) ok.add(Number(m[1]));
  }
  return ok;
}

export async function run() {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'berth-density-'));
  const root = join(dir, 'root');
  const rows = [];
  let client;
  try {
    // The CLI starts the engine (and imports the image); that first container goes again so the
    // baseline is an engine that has hosted one.
    const first = (await berth(root, ['run', '-d', '-P', 'friendlyhello'])).trim();
    await berth(root, ['rm', '-f', first]);
    const info = JSON.parse(readFileSync(join(root, 'engine', 'engine.json'), 'utf8'));
    const base = rssOf(info.pid);
    const engine = openNodeEngine({ root });
    client = engineClient(info.socket);
    const ports = [];
    const idOfPort = new Map();
    const passed = [];
    let lastPer = 0;
    for (const n of STEPS) {
      if (Date.now() - started > BUDGET_MS) break;
      if (lastPer && base + lastPer * n > RSS_CAP) break;
      const t0 = Date.now();
      const before = ports.length;
      const todo = [];
      for (let i = ports.length; i < n; i++) {
        const rec = await engine.create({
          image: 'friendlyhello',
          cmd: [],
          env: [],
          volumes: [],
          publish: [],
          publishAll: true,
        });
        todo.push(rec.Id);
      }
      let failedStart = 0;
      const lane = async () => {
        for (let id; (id = todo.pop()); ) {
          try {
            const rec = await client.call({ op: 'start', container: id });
            const binding = rec?.NetworkSettings?.Ports?.['80/tcp']?.[0];
            if (binding) {
              ports.push(Number(binding.HostPort));
              idOfPort.set(Number(binding.HostPort), id);
            } else failedStart++;
          } catch {
            failedStart++;
          }
        }
      };
      await Promise.all(Array.from({ length: START_CONCURRENCY }, lane));
      const startS = (Date.now() - t0) / 1000;
      const ok = curlAll(ports, dir);
      const missing = ports.filter((p) => !ok.has(p));
      // A container that missed the first pass gets one more try: says whether it is slow or dead.
      const late = missing.length ? curlAll(missing, dir).size : 0;
      // What the store says of (up to 3 of) those: running, or exited and why.
      const states = missing.slice(0, 3).map((p) => {
        const id = idOfPort.get(p);
        try {
          const st = JSON.parse(readFileSync(join(root, 'containers', id, 'config.v2.json'), 'utf8')).State;
          return `${id.slice(0, 12)} ${st.Status} ${st.ExitCode ?? ''} ${st.Error ?? ''}`.trim();
        } catch {
          return `${id?.slice(0, 12)} (no record)`;
        }
      });
      const rss = rssOf(info.pid);
      const per = (rss - base) / n;
      lastPer = per;
      const all = failedStart === 0 && ok.size === n;
      rows.push(
        row({
          name: `N=${n}`,
          unit: 'MB/ctr',
          berth: mb(per),
          goal: '<= 10 MB/ctr, all answer',
          met: all && per <= GOAL_BYTES,
          note:
            `${ok.size}/${n} answered curl; engine RSS ${mb(rss).toFixed(0)} MB (idle ${mb(base).toFixed(0)} MB), ` +
            `${threadsOf(info.pid)} threads; ${n - before} started in ${startS.toFixed(1)} s` +
            (failedStart ? `; ${failedStart} failed to start` : '') +
            (missing.length
              ? `; of the ${missing.length} that did not, ${late} answered a second try (${states.join('; ')})`
              : ''),
        }),
      );
      if (!all) break;
      passed.push(n);
    }
    rows.push(
      row({
        name: 'largest N, all answering',
        berth: passed.length ? Math.max(...passed) : 0,
        goal: '>= 1000',
        met: passed.includes(1000),
        note: `total ${((Date.now() - started) / 1000).toFixed(0)} s`,
      }),
    );
    return rows;
  } finally {
    client?.close();
    if (process.env.BENCH_DENSITY_KEEP) process.stderr.write(`density: kept ${root} (engine running)\n`);
    else {
      await stopEngine(root);
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

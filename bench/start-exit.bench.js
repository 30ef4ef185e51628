// 2. Start-to-exit of a hello module in-process with the pool warm: runs per second, one at a time
// and two at a time. Peer: node:wasi in-process (new WASI + instantiate per run; a child process,
// since node:wasi needs --no-turbo-fast-api-calls on Node 20). Goal: >= 1,000 runs/s.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { closeProcessPool, runWasm, warmProcessPool } from '../dist/index.js';
import { median, row } from './lib/report.js';

export const title = 'start-exit: hello.wasm start to exit, in-process, pool warm (median of 3 rounds)';

const ROUND = 1000;
const ROUNDS = 3;
const wasm = readFileSync(new URL('../images/bench/hello.wasm', import.meta.url));

async function hello() {
  const exit = await runWasm(wasm, { args: ['hello'] });
  if (exit.exitCode !== 0) throw new Error(`hello: exit ${exit.exitCode} ${exit.error ?? ''}`);
}

async function runsPerSecond(concurrency) {
  let left = ROUND;
  const t0 = performance.now();
  const lane = async () => {
    while (left-- > 0) await hello();
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return (ROUND / (performance.now() - t0)) * 1000;
}

function nodeWasi() {
  const peer = new URL('./peers/node-wasi-runs.mjs', import.meta.url).pathname;
  const r = spawnSync(process.execPath, ['--no-turbo-fast-api-calls', peer, String(ROUND)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`node:wasi: exit ${r.status} ${r.signal ?? ''} ${r.stderr}`);
  return Number(r.stdout.trim());
}

export async function run() {
  await warmProcessPool(2);
  for (let i = 0; i < 200; i++) await hello(); // warm: compile, JIT of both workers
  const seq = [];
  const par = [];
  const peer = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      seq.push(await runsPerSecond(1));
      par.push(await runsPerSecond(2));
      peer.push(nodeWasi());
    }
  } finally {
    await closeProcessPool();
  }
  const nodeWasiRate = median(peer);
  const mk = (name, xs) => {
    const berth = median(xs);
    return row({
      name,
      unit: 'runs/s',
      berth,
      peers: { 'node:wasi': nodeWasiRate },
      ratioTo: 'node:wasi',
      goal: '>= 1000 runs/s',
      met: berth >= 1000,
    });
  };
  return [mk('sequential', seq), mk('concurrency 2', par)];
}

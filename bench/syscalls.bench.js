// 1. Syscall cost: images/bench/syscalls.wasm runs 100k of fd_write, open+read+close, stat and
// readdir, timing each phase inside the guest. berth (container root = one Layer, stdout
// discarded) vs node:wasi (real files, child process) vs @wasmer/wasi (its MemFS). Goal: berth
// <= 1.0x node:wasi per op.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeProcessPool, runWasm } from '../dist/index.js';
import { internals } from './lib/internals.js';
import { median, row } from './lib/report.js';

export const title = 'syscalls: ns per op inside the guest (median of 3 runs, 100k ops each)';

const COUNT = 100_000;
const RUNS = 3;
const SMALL = new Uint8Array(100).fill(65);
const ENTRIES = ['a', 'b', 'c', 'd', 'e'];
const PHASES = ['write', 'open', 'stat', 'readdir'];
const wasm = readFileSync(new URL('../images/bench/syscalls.wasm', import.meta.url));

const parse = (text) =>
  Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .filter(([k]) => PHASES.includes(k))
      .map(([k, v]) => [k, Number(v) / COUNT]),
  );

async function berthOnce(layer) {
  let err = '';
  const exit = await runWasm(wasm, {
    args: ['syscalls', String(COUNT)],
    mounts: [{ type: 'layers', target: '/', layers: [layer] }],
    stderr: (c) => {
      err += Buffer.from(c).toString();
    },
  });
  if (exit.exitCode !== 0) throw new Error(`berth: exit ${exit.exitCode} ${exit.error ?? ''} ${err}`);
  return parse(err);
}

function nodeWasiOnce(dataDir) {
  const peer = new URL('./peers/node-wasi-syscalls.mjs', import.meta.url).pathname;
  const r = spawnSync(process.execPath, ['--no-turbo-fast-api-calls', peer, dataDir, String(COUNT)], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`node:wasi: exit ${r.status} ${r.signal ?? ''} ${r.stderr}`);
  return parse(r.stderr);
}

async function wasmerOnce() {
  const { init, MemFS, WASI } = await import('@wasmer/wasi');
  await init();
  const fs = new MemFS();
  fs.createDir('/data');
  fs.createDir('/data/dir');
  const create = { read: true, write: true, create: true };
  fs.open('/data/small.txt', create).write(SMALL);
  for (const e of ENTRIES) fs.open(`/data/dir/${e}`, create).write(SMALL);
  const wasi = new WASI({ args: ['syscalls', String(COUNT)], env: {}, preopens: { '/data': '/data' }, fs });
  const module = await WebAssembly.compile(wasm);
  const instance = await wasi.instantiate(module, {});
  const code = wasi.start(instance);
  const err = wasi.getStderrString();
  if (code !== 0) throw new Error(`@wasmer/wasi: exit ${code} ${err}`);
  return parse(err);
}

export async function run() {
  const { Layer, writeTar } = await internals();
  const file = (name, data) => ({ name, type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeNs: 0n, data });
  const dir = (name) => ({ name, type: 'dir', mode: 0o755, uid: 0, gid: 0, mtimeNs: 0n });
  const layer = await Layer.fromTar(
    await writeTar([
      dir('data'),
      file('data/small.txt', SMALL),
      dir('data/dir'),
      ...ENTRIES.map((e) => file(`data/dir/${e}`, SMALL)),
    ]),
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-'));
  writeFileSync(join(dataDir, 'small.txt'), SMALL);
  mkdirSync(join(dataDir, 'dir'));
  for (const e of ENTRIES) writeFileSync(join(dataDir, 'dir', e), SMALL);

  const samples = { berth: [], 'node:wasi': [], '@wasmer/wasi': [] };
  try {
    await berthOnce(layer); // warm: worker start and module compile are not syscall costs
    for (let i = 0; i < RUNS; i++) {
      samples.berth.push(await berthOnce(layer));
      samples['node:wasi'].push(nodeWasiOnce(dataDir));
      samples['@wasmer/wasi'].push(await wasmerOnce());
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await closeProcessPool();
  }
  const med = (who, phase) => median(samples[who].map((s) => s[phase]));
  return PHASES.map((phase) => {
    const berth = med('berth', phase);
    const nodeWasi = med('node:wasi', phase);
    return row({
      name: phase,
      unit: 'ns/op',
      berth,
      peers: { 'node:wasi': nodeWasi, '@wasmer/wasi': med('@wasmer/wasi', phase) },
      ratioTo: 'node:wasi',
      goal: '<= 1.0x node:wasi',
      met: berth <= nodeWasi,
    });
  });
}

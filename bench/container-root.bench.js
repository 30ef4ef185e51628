// 3. A container root over an image of 10,000 files: one Layer built from a generated tar with
// Layer.fromTar, then UnionFs roots over it. Time to create one root (goal <= 5 ms) and heap per
// extra container before it writes (1,000 roots held at once, heap measured after gc; goal
// <= 64 KB each). No peer runs in-process; podman's figure for a root is in cli-run.
import { internals } from './lib/internals.js';
import { median, row } from './lib/report.js';

export const title = 'container-root: UnionFs roots over a 10,000-file layer';

const FILES = 10_000;
const PER_DIR = 100;

function gcHeap() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

export async function run() {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc (bench/run.js does)');
  const { Layer, UnionFs, UpperLayer, writeTar } = await internals();
  const meta = { mode: 0o755, uid: 0, gid: 0, mtimeNs: 1_700_000_000_000_000_000n };
  const entries = [];
  const data = new Uint8Array(64).fill(120);
  for (let d = 0; d < FILES / PER_DIR; d++) {
    entries.push({ name: `usr/share/d${d}`, type: 'dir', ...meta });
    for (let f = 0; f < PER_DIR; f++)
      entries.push({ name: `usr/share/d${d}/file-${f}.txt`, type: 'file', ...meta, mode: 0o644, data });
  }
  const tar = await writeTar(entries);
  let t0 = performance.now();
  const layer = await Layer.fromTar(tar);
  const buildMs = performance.now() - t0;

  // Create one root (and, separately, create + the first lookup a process makes).
  const create = [];
  const firstStat = [];
  for (let i = 0; i < 200; i++) {
    t0 = performance.now();
    const fs = new UnionFs([layer], new UpperLayer());
    create.push(performance.now() - t0);
    t0 = performance.now();
    const st = fs.lstat('/usr/share/d42/file-7.txt');
    firstStat.push(performance.now() - t0);
    if (st instanceof Error || st?.size === undefined) throw new Error(`stat failed: ${st}`);
  }

  const N = 1000;
  const held = [];
  const before = gcHeap();
  for (let i = 0; i < N; i++) held.push(new UnionFs([layer], new UpperLayer()));
  const perRoot = (gcHeap() - before) / N;
  const heldAfterStat = [];
  const before2 = gcHeap();
  for (let i = 0; i < N; i++) {
    const fs = new UnionFs([layer], new UpperLayer());
    fs.lstat('/usr/share/d42/file-7.txt');
    heldAfterStat.push(fs);
  }
  const perRootStat = (gcHeap() - before2) / N;
  if (held.length + heldAfterStat.length !== 2 * N) throw new Error('unreachable');

  return [
    row({ name: 'build layer (10k files, once)', unit: 'ms', berth: buildMs }),
    row({
      name: 'create root',
      unit: 'ms',
      berth: median(create),
      goal: '<= 5 ms',
      met: median(create) <= 5,
    }),
    row({ name: 'first stat in a new root', unit: 'ms', berth: median(firstStat) }),
    row({
      name: 'heap per root (1,000 held)',
      unit: 'KB',
      berth: perRoot / 1024,
      goal: '<= 64 KB',
      met: perRoot / 1024 <= 64,
    }),
    row({
      name: 'heap per root after one stat',
      unit: 'KB',
      berth: perRootStat / 1024,
      goal: '<= 64 KB',
      met: perRootStat / 1024 <= 64,
    }),
  ];
}

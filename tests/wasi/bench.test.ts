// The syscall hot paths against node:wasi (real files, real fds): 100k of fd_write, open+read+
// close, stat and opendir+readdir+closedir, timed inside the guest. Goal: no slower than node:wasi.
// berth runs from an esbuild bundle (bench-guest.ts), as it ships.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { WASI } from 'node:wasi';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import type { berthNs as BerthNs } from './bench-guest.ts';
import { guest } from './harness.ts';

const COUNT = 100_000;
const OPS = ['write', 'open', 'stat', 'readdir'] as const;
const FILE = new Uint8Array(100).fill(65);
const ENTRIES = ['a', 'b', 'c', 'd', 'e'];

const elapsed = (stderr: string): number => Number(stderr.trim().split(' ')[2]);

let berthNs: typeof BerthNs;

beforeAll(async () => {
  const out = path.join(os.tmpdir(), `berth-wasi-bench-${process.pid}.mjs`);
  await build({
    entryPoints: [path.join(import.meta.dirname, 'bench-guest.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: out,
    logLevel: 'warning',
  });
  berthNs = ((await import(pathToFileURL(out).href)) as { berthNs: typeof BerthNs }).berthNs;
  fs.rmSync(out);
});

const nodeNs = (op: string): number => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-wasi-bench-'));
  try {
    fs.writeFileSync(path.join(dir, 'f.txt'), FILE);
    fs.mkdirSync(path.join(dir, 'd'));
    for (const e of ENTRIES) fs.writeFileSync(path.join(dir, 'd', e), '');
    const devnull = fs.openSync('/dev/null', 'w');
    const errPath = path.join(dir, 'stderr');
    const err = fs.openSync(errPath, 'w');
    const wasi = new WASI({
      version: 'preview1',
      args: ['bench', op, String(COUNT)],
      env: {},
      preopens: { '/': dir },
      stdout: devnull,
      stderr: err,
      returnOnExit: true,
    });
    const code = wasi.start(
      new WebAssembly.Instance(guest('bench'), wasi.getImportObject() as WebAssembly.Imports),
    );
    fs.closeSync(devnull);
    fs.closeSync(err);
    expect(code).toBe(0);
    return elapsed(fs.readFileSync(errPath, 'utf8'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};

describe('syscall speed against node:wasi', () => {
  for (const op of OPS) {
    it(`${op} x${COUNT}`, () => {
      // Best of three each, interleaved, to ride out the noise of a shared machine.
      let berth = Number.POSITIVE_INFINITY;
      let node = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 3; i++) {
        berth = Math.min(berth, berthNs(guest('bench'), op, COUNT, FILE, ENTRIES));
        node = Math.min(node, nodeNs(op));
      }
      const ratio = berth / node;
      console.log(
        `${op}: berth ${(berth / 1e6).toFixed(1)} ms, node:wasi ${(node / 1e6).toFixed(1)} ms, ratio ${ratio.toFixed(2)}`,
      );
      expect(ratio).toBeLessThanOrEqual(1.0);
    });
  }
});

// The syscall hot paths against node:wasi (real files, real fds): 100k of fd_write, open+read+
// close, stat and opendir+readdir+closedir, timed inside the guest. Goal: no slower than node:wasi.

import { randomFillSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WASI } from 'node:wasi';
import { describe, expect, it } from 'vitest';
import { SabDoorbell } from '../../shims/process/doorbell.ts';
import { ERRNO_SUCCESS, Fd, Filetype, type Result } from '../../shims/wasi/fd.ts';
import type { GuestFs } from '../../shims/wasi/guest-fs.ts';
import { Wasi } from '../../shims/wasi/index.ts';
import { BufferFd, CaptureFd, guest, hostClock, newFs } from './harness.ts';

const COUNT = 100_000;
const OPS = ['write', 'open', 'stat', 'readdir'] as const;

/** /dev/null. */
class NullFd extends Fd {
  readonly filetype = Filetype.CHARACTER_DEVICE;
  override write(data: Uint8Array): Result<number> {
    return { errno: ERRNO_SUCCESS, value: data.length };
  }
}

const FILE = new Uint8Array(100).fill(65);
const ENTRIES = ['a', 'b', 'c', 'd', 'e'];

const berthSetup = (vfs: GuestFs): void => {
  const h = vfs.open('/f.txt', { write: true, create: true });
  if (h instanceof Error) throw h;
  h.write(FILE, 0);
  h.close();
  vfs.mkdir('/d', 0o755);
  for (const e of ENTRIES) {
    const f = vfs.open(`/d/${e}`, { write: true, create: true });
    if (!(f instanceof Error)) f.close();
  }
};

const elapsed = (stderr: string): number => Number(stderr.trim().split(' ')[2]);

const berthNs = (op: string): number => {
  const { vfs } = newFs();
  berthSetup(vfs);
  const stderr = new CaptureFd();
  const wasi = new Wasi({
    args: ['bench', op, String(COUNT)],
    env: [],
    vfs,
    preopens: ['/'],
    stdio: [new BufferFd(), new NullFd(), stderr],
    clock: hostClock,
    randomFill: (b) => randomFillSync(b),
    doorbell: new SabDoorbell(),
  });
  expect(wasi.start(new WebAssembly.Instance(guest('bench'), wasi.imports as WebAssembly.Imports))).toBe(0);
  return elapsed(stderr.text());
};

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
    const code = wasi.start(new WebAssembly.Instance(guest('bench'), wasi.getImportObject() as WebAssembly.Imports));
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
        berth = Math.min(berth, berthNs(op));
        node = Math.min(node, nodeNs(op));
      }
      const ratio = berth / node;
      console.log(`${op}: berth ${(berth / 1e6).toFixed(1)} ms, node:wasi ${(node / 1e6).toFixed(1)} ms, ratio ${ratio.toFixed(2)}`);
      expect(ratio).toBeLessThanOrEqual(1.0);
    });
  }
});

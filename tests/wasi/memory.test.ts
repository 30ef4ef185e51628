// Syscalls called straight from JS over a bare memory: views follow memory.grow, pointers past
// the end are EFAULT, and the fd table counts references.

import { randomFillSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SabDoorbell } from '../../shims/process/doorbell.ts';
import { ERRNO_BADF, ERRNO_SUCCESS } from '../../shims/wasi/fd.ts';
import { Wasi } from '../../shims/wasi/index.ts';
import { BufferFd, CaptureFd, hostClock, newFs } from './harness.ts';

const ERRNO_FAULT = 21;
const PAGE = 65536;

const setup = () => {
  const stdout = new CaptureFd();
  const wasi = new Wasi({
    args: ['x'],
    env: [],
    vfs: newFs().vfs,
    preopens: ['/'],
    stdio: [new BufferFd(), stdout, new CaptureFd()],
    clock: hostClock,
    randomFill: (b) => randomFillSync(b),
    doorbell: new SabDoorbell(),
  });
  const memory = new WebAssembly.Memory({ initial: 1 });
  wasi.bind({ exports: { memory } } as unknown as WebAssembly.Instance);
  const calls = wasi.imports.wasi_snapshot_preview1 as Record<string, (...a: unknown[]) => number>;
  return { wasi, memory, calls, stdout };
};

/** Writes an iovec for `text` placed at `at` (iovec at at-16, nwritten at at-8). */
const putText = (memory: WebAssembly.Memory, at: number, text: string): void => {
  const bytes = new TextEncoder().encode(text);
  new Uint8Array(memory.buffer).set(bytes, at);
  const view = new DataView(memory.buffer);
  view.setUint32(at - 16, at, true);
  view.setUint32(at - 12, bytes.length, true);
};

describe('guest memory', () => {
  it('follows memory.grow', () => {
    const { memory, calls, stdout } = setup();
    putText(memory, 1024, 'before ');
    expect(calls.fd_write!(1, 1024 - 16, 1, 1024 - 8)).toBe(ERRNO_SUCCESS);
    memory.grow(2);
    const at = 2 * PAGE + 100; // only exists after the grow
    putText(memory, at, 'after');
    expect(calls.fd_write!(1, at - 16, 1, at - 8)).toBe(ERRNO_SUCCESS);
    expect(new DataView(memory.buffer).getUint32(at - 8, true)).toBe(5);
    expect(stdout.text()).toBe('before after');
  });

  it('answers EFAULT for pointers past the end, never throws', () => {
    const { calls } = setup();
    expect(calls.fd_write!(1, PAGE - 4, 1, 0)).toBe(ERRNO_FAULT);
    expect(calls.args_sizes_get!(PAGE - 2, 0)).toBe(ERRNO_FAULT);
    expect(calls.clock_time_get!(1, 0n, -8)).toBe(ERRNO_FAULT);
    expect(calls.random_get!(PAGE - 10, 11)).toBe(ERRNO_FAULT);
    expect(calls.poll_oneoff!(PAGE - 8, 0, 1, 0)).toBe(ERRNO_FAULT);
  });
});

describe('paths from guest memory', () => {
  it('refuses bytes that are not UTF-8 (EILSEQ) and embedded NULs (EINVAL)', () => {
    const { memory, calls } = setup();
    const u8 = new Uint8Array(memory.buffer);
    u8.set([0x61, 0xff, 0xfe], 100);
    expect(calls.path_filestat_get!(3, 1, 100, 3, 200)).toBe(25);
    u8.set([0x61, 0x00, 0x62], 100);
    expect(calls.path_filestat_get!(3, 1, 100, 3, 200)).toBe(28);
    u8.set(new TextEncoder().encode('ü'), 100);
    expect(calls.path_create_directory!(3, 100, 2)).toBe(ERRNO_SUCCESS);
    expect(calls.path_filestat_get!(3, 1, 100, 2, 200)).toBe(ERRNO_SUCCESS);
    expect(new DataView(memory.buffer).getUint8(200 + 16)).toBe(3); // a directory
  });
});

describe('fd table', () => {
  it('closes an Fd only when its last slot goes, and renumbers onto open slots only', () => {
    const { wasi } = setup();
    const extra = new CaptureFd();
    let closed = 0;
    extra.close = () => {
      closed++;
    };
    const a = wasi.fds.add(extra);
    expect(a).toBe(4); // 0-2 stdio, 3 the preopen
    wasi.fds.set(10, extra);
    expect(wasi.fds.close(a)).toBe(ERRNO_SUCCESS);
    expect(closed).toBe(0);
    expect(wasi.fds.renumber(10, 11)).toBe(ERRNO_BADF);
    expect(wasi.fds.renumber(10, 1)).toBe(ERRNO_SUCCESS);
    expect(wasi.fds.get(1)).toBe(extra);
    expect(wasi.fds.get(10)).toBeUndefined();
    expect(closed).toBe(0);
    expect(wasi.fds.add(new CaptureFd())).toBe(4); // lowest free number again
    expect(wasi.fds.close(1)).toBe(ERRNO_SUCCESS);
    expect(closed).toBe(1);
    expect([...wasi.fds.numbers()]).toEqual([0, 2, 3, 4]);
  });
});

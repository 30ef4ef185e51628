// The berth side of bench.test.ts. The test bundles this file with esbuild, as the product is
// shipped, because vitest's module transform slows every imported-binding access in hot loops.

import { randomFillSync } from 'node:crypto';
import { UpperLayer } from '../../overlay/upper-layer.ts';
import { Vfs } from '../../overlay/vfs.ts';
import { SabDoorbell } from '../../shims/process/doorbell.ts';
import { ERRNO_SUCCESS, Fd, Filetype, type Result } from '../../shims/wasi/fd.ts';
import { Wasi } from '../../shims/wasi/index.ts';

/** /dev/null. */
class NullFd extends Fd {
  readonly filetype = Filetype.CHARACTER_DEVICE;
  override write(data: Uint8Array): Result<number> {
    return { errno: ERRNO_SUCCESS, value: data.length };
  }
}

class TextFd extends Fd {
  readonly filetype = Filetype.CHARACTER_DEVICE;
  text = '';
  override write(data: Uint8Array): Result<number> {
    this.text += new TextDecoder().decode(data);
    return { errno: ERRNO_SUCCESS, value: data.length };
  }
}

/** Runs `bench <op> <count>` over /f.txt (`file`) and /d (`entries`); returns the guest's ns. */
export const berthNs = (
  module: WebAssembly.Module,
  op: string,
  count: number,
  file: Uint8Array,
  entries: string[],
): number => {
  const upper = new UpperLayer();
  const vfs = new Vfs(upper);
  const h = vfs.open('/f.txt', { write: true, create: true });
  if (h instanceof Error) throw h;
  h.write(file, 0);
  h.close();
  vfs.mkdir('/d', 0o755);
  for (const e of entries) {
    const f = vfs.open(`/d/${e}`, { write: true, create: true });
    if (f instanceof Error) throw f;
    f.close();
  }
  const stderr = new TextFd();
  const wasi = new Wasi({
    args: ['bench', op, String(count)],
    env: [],
    vfs,
    preopens: ['/'],
    stdio: [new NullFd(), new NullFd(), stderr],
    clock: {
      realtimeNs: () => BigInt(Date.now()) * 1_000_000n,
      monotonicNs: () => process.hrtime.bigint(),
    },
    randomFill: (b) => randomFillSync(b),
    doorbell: new SabDoorbell(),
  });
  const code = wasi.start(new WebAssembly.Instance(module, wasi.imports as WebAssembly.Imports));
  if (code !== 0) throw new Error(`bench exited ${code}: ${stderr.text}`);
  return Number(stderr.text.trim().split(' ')[2]);
};

// random_get. Filled in 64 KiB chunks: getRandomValues refuses more per call.

import type { WasiContext } from '../context.ts';
import { ERRNO_FAULT, ERRNO_SUCCESS } from '../defs.ts';

const CHUNK = 65536;

export const randomSyscalls = (ctx: WasiContext) => ({
  random_get(bufPtr: number, len: number): number {
    const mem = ctx.mem;
    mem.refresh();
    bufPtr >>>= 0;
    len >>>= 0;
    if (!mem.ok(bufPtr, len)) return ERRNO_FAULT;
    for (let at = 0; at < len; at += CHUNK) {
      ctx.randomFill(mem.u8.subarray(bufPtr + at, bufPtr + Math.min(len, at + CHUNK)));
    }
    return ERRNO_SUCCESS;
  },
});

// clock_res_get, clock_time_get. The cputime clocks are approximated by time since start: a
// process runs on its own worker, so wall time is an upper bound of its CPU time.

import type { WasiContext } from '../context.ts';
import {
  CLOCKID_MONOTONIC,
  CLOCKID_PROCESS_CPUTIME_ID,
  CLOCKID_REALTIME,
  CLOCKID_THREAD_CPUTIME_ID,
  ERRNO_FAULT,
  ERRNO_INVAL,
  ERRNO_SUCCESS,
} from '../defs.ts';

/** Resolution reported for every clock: 1 µs (what performance.now() gives at best). */
export const CLOCK_RESOLUTION_NS = 1000n;

/** The time of `id` in ns, or -1n for an unknown clock. */
export const clockNow = (ctx: WasiContext, id: number): bigint => {
  switch (id) {
    case CLOCKID_REALTIME:
      return ctx.clock.realtimeNs();
    case CLOCKID_MONOTONIC:
      return ctx.clock.monotonicNs();
    case CLOCKID_PROCESS_CPUTIME_ID:
    case CLOCKID_THREAD_CPUTIME_ID:
      return ctx.clock.monotonicNs() - ctx.startNs;
    default:
      return -1n;
  }
};

export const clockSyscalls = (ctx: WasiContext) => ({
  clock_res_get(id: number, resPtr: number): number {
    const mem = ctx.mem;
    mem.refresh();
    resPtr >>>= 0;
    if (id < CLOCKID_REALTIME || id > CLOCKID_THREAD_CPUTIME_ID) return ERRNO_INVAL;
    if (!mem.ok(resPtr, 8)) return ERRNO_FAULT;
    mem.setBigU64(resPtr, CLOCK_RESOLUTION_NS);
    return ERRNO_SUCCESS;
  },
  clock_time_get(id: number, _precision: bigint, timePtr: number): number {
    const mem = ctx.mem;
    mem.refresh();
    timePtr >>>= 0;
    const now = clockNow(ctx, id);
    if (now < 0n) return ERRNO_INVAL;
    if (!mem.ok(timePtr, 8)) return ERRNO_FAULT;
    mem.setBigU64(timePtr, now);
    return ERRNO_SUCCESS;
  },
});

// poll_oneoff. Never spins: read the doorbell's seq, check every subscription, and if nothing is
// ready wait on the doorbell until it rings (an fd may have changed) or the nearest clock is due.

import { type WasiContext, hasRights } from '../context.ts';
import * as d from '../defs.ts';
import { event, subscription } from '../structs.ts';
import { clockNow } from './clock.ts';

const NEVER = -1n;
/** A clock subscription with an unknown clock id: its event carries EINVAL. */
const UNKNOWN_CLOCK = -2n;

export const pollSyscalls = (ctx: WasiContext) => {
  const { mem, fds, clock, doorbell } = ctx;

  return {
    poll_oneoff(inPtr: number, outPtr: number, nsubs: number, neventsPtr: number): number {
      mem.refresh();
      inPtr >>>= 0;
      outPtr >>>= 0;
      nsubs >>>= 0;
      neventsPtr >>>= 0;
      if (nsubs === 0) return d.ERRNO_INVAL;
      if (!mem.ok(inPtr, nsubs * subscription.size) || !mem.ok(outPtr, nsubs * event.size)) {
        return d.ERRNO_FAULT;
      }
      if (!mem.ok(neventsPtr, 4)) return d.ERRNO_FAULT;

      // Clock deadlines on the monotonic clock, computed once (NEVER for fd subscriptions).
      const start = clock.monotonicNs();
      const deadlines: bigint[] = [];
      let hasClock = false;
      for (let i = 0; i < nsubs; i++) {
        const at = inPtr + i * subscription.size;
        const tag = subscription.tag(mem.view, at);
        if (tag === d.EVENTTYPE_CLOCK) {
          hasClock = true;
          const id = subscription.clockId(mem.view, at);
          const timeout = subscription.clockTimeout(mem.view, at);
          const now = clockNow(ctx, id);
          if (now < 0n) {
            deadlines.push(UNKNOWN_CLOCK);
          } else if (subscription.clockFlags(mem.view, at) & d.SUBCLOCKFLAGS_ABSTIME) {
            deadlines.push(start + (timeout - now));
          } else {
            deadlines.push(start + timeout);
          }
        } else if (tag === d.EVENTTYPE_FD_READ || tag === d.EVENTTYPE_FD_WRITE) {
          deadlines.push(NEVER);
        } else return d.ERRNO_INVAL;
      }

      for (;;) {
        const seq = doorbell.seq();
        // Only clocks need the time (a server polling its sockets has none).
        const now = hasClock ? clock.monotonicNs() : 0n;
        const view = mem.view;
        let nevents = 0;
        let nearest = NEVER;
        for (let i = 0; i < nsubs; i++) {
          const at = inPtr + i * subscription.size;
          const tag = subscription.tag(view, at);
          const out = outPtr + nevents * event.size;
          if (tag === d.EVENTTYPE_CLOCK) {
            const due = deadlines[i]!;
            const userdata = subscription.userdata(view, at);
            if (due === UNKNOWN_CLOCK) event.write(view, out, userdata, d.ERRNO_INVAL, tag, 0, 0);
            else if (due <= now) event.write(view, out, userdata, d.ERRNO_SUCCESS, tag, 0, 0);
            else {
              if (nearest === NEVER || due < nearest) nearest = due;
              continue;
            }
            nevents++;
            continue;
          }
          const fd = fds.get(subscription.fd(view, at));
          if (fd === undefined)
            event.write(view, out, subscription.userdata(view, at), d.ERRNO_BADF, tag, 0, 0);
          else if (!hasRights(fd.rightsBase, d.RIGHT_POLL_FD_READWRITE)) {
            event.write(view, out, subscription.userdata(view, at), d.ERRNO_NOTCAPABLE, tag, 0, 0);
          } else {
            const r = fd.readiness();
            const ready = r.hangup || (tag === d.EVENTTYPE_FD_READ ? r.readable : r.writable);
            if (!ready) continue;
            const flags = r.hangup ? d.EVENTRWFLAGS_FD_READWRITE_HANGUP : 0;
            // The 64-bit userdata (a BigInt) is read only for the events written.
            event.write(view, out, subscription.userdata(view, at), d.ERRNO_SUCCESS, tag, r.nbytes, flags);
          }
          nevents++;
        }
        if (nevents > 0) {
          mem.setU32(neventsPtr, nevents);
          return d.ERRNO_SUCCESS;
        }
        const timeoutMs = nearest === NEVER ? Number.POSITIVE_INFINITY : Number(nearest - now) / 1e6;
        doorbell.wait(seq, timeoutMs);
        mem.refresh();
      }
    },
  };
};

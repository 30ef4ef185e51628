// sock_accept, sock_recv, sock_send, sock_shutdown: dispatched to the Fd, whose defaults answer
// ENOTSOCK; a socket Fd kind overrides them (and validates flags: Linux says ENOTSOCK first).

import type { WasiContext } from '../context.ts';
import * as d from '../defs.ts';
import type { GuestMemory } from '../memory.ts';

/** Views of the guest buffers an iovec array names, or undefined when one is out of bounds. */
const buffers = (mem: GuestMemory, iovs: number, count: number): Uint8Array[] | undefined => {
  if (!mem.ok(iovs, count * 8)) return undefined;
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const ptr = mem.u32(iovs + i * 8);
    const len = mem.u32(iovs + i * 8 + 4);
    if (!mem.ok(ptr, len)) return undefined;
    out.push(mem.u8.subarray(ptr, ptr + len));
  }
  return out;
};

export const sockSyscalls = (ctx: WasiContext) => {
  const { mem, fds } = ctx;
  return {
    sock_accept(n: number, flags: number, fdPtr: number): number {
      mem.refresh();
      fdPtr >>>= 0;
      const fd = fds.get(n);
      if (fd === undefined) return d.ERRNO_BADF;
      if (!mem.ok(fdPtr, 4)) return d.ERRNO_FAULT;
      const r = fd.sockAccept(flags);
      if (r.errno) return r.errno;
      mem.setU32(fdPtr, fds.add(r.value!));
      return d.ERRNO_SUCCESS;
    },
    sock_recv(
      n: number,
      iovs: number,
      count: number,
      riFlags: number,
      sizePtr: number,
      roFlagsPtr: number,
    ): number {
      mem.refresh();
      sizePtr >>>= 0;
      roFlagsPtr >>>= 0;
      const fd = fds.get(n);
      if (fd === undefined) return d.ERRNO_BADF;
      const into = buffers(mem, iovs >>> 0, count >>> 0);
      if (!into || !mem.ok(sizePtr, 4) || !mem.ok(roFlagsPtr, 2)) return d.ERRNO_FAULT;
      const r = fd.sockRecv(into, riFlags);
      if (r.errno) return r.errno;
      mem.refresh();
      mem.setU32(sizePtr, r.value!.size);
      mem.view.setUint16(roFlagsPtr, r.value!.roFlags, true);
      return d.ERRNO_SUCCESS;
    },
    sock_send(n: number, iovs: number, count: number, siFlags: number, sizePtr: number): number {
      mem.refresh();
      sizePtr >>>= 0;
      const fd = fds.get(n);
      if (fd === undefined) return d.ERRNO_BADF;
      const data = buffers(mem, iovs >>> 0, count >>> 0);
      if (!data || !mem.ok(sizePtr, 4)) return d.ERRNO_FAULT;
      const r = fd.sockSend(data, siFlags);
      if (r.errno) return r.errno;
      mem.refresh();
      mem.setU32(sizePtr, r.value!);
      return d.ERRNO_SUCCESS;
    },
    sock_shutdown(n: number, how: number): number {
      const fd = fds.get(n);
      if (fd === undefined) return d.ERRNO_BADF;
      return fd.sockShutdown(how);
    },
  };
};

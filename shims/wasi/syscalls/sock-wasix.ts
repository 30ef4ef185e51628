// WASIX socket calls (import module `wasix_32v1`), the subset a TCP client or server needs:
// sock_open, sock_bind, sock_listen, sock_accept_v2, sock_connect, sock_addr_local/peer,
// sock_recv/sock_send (+ _from/_to on streams), sock_shutdown, sock_get/set_opt_flag/size,
// sock_status and resolve. Signatures and structs follow the published wasix_32v1 ABI
// (wasix-org/wasix-libc api.h; address layout in shims/net/address.ts). IPv4 TCP only: other
// families answer EAFNOSUPPORT, datagram sockets EPROTONOSUPPORT. Without a network (a bare
// spawnWasm) sock_open answers ENOTSUP.

import type { GuestNet } from '../../net/guest-net.ts';
import { ADDR_SIZE, readAddrPort, writeAddr, writeAddrPort } from '../../net/address.ts';
import { SocketFd } from '../../net/socket-fd.ts';
import type { WasiContext } from '../context.ts';
import * as d from '../defs.ts';
import { sockSyscalls } from './sock.ts';

const ERRNO_AFNOSUPPORT = 5;
const ERRNO_NOPROTOOPT = 50;
const ERRNO_PROTONOSUPPORT = 66;
const SOCKTYPE_STREAM = 1;
const FAMILY_INET4 = 1;

// sock_option numbers (wasix witx `sock_option`).
const OPT_LISTENING = 10;
const OPT_RECV_BUF_SIZE = 15;
const OPT_SEND_BUF_SIZE = 16;
const OPT_TTL = 23;
const OPT_TYPE = 25;
const OPT_PROTO = 26;
const OPT_MAX = 26;
const DEFAULT_SIZES: Record<number, bigint> = {
  [OPT_RECV_BUF_SIZE]: 65536n,
  [OPT_SEND_BUF_SIZE]: 65536n,
  [OPT_TTL]: 64n,
  [OPT_TYPE]: BigInt(SOCKTYPE_STREAM),
  [OPT_PROTO]: 6n,
};

export const wasixSockSyscalls = (ctx: WasiContext, net: GuestNet | undefined) => {
  const { mem, fds } = ctx;
  const preview1 = sockSyscalls(ctx);

  /** The socket at `n`, or an errno. */
  const socket = (n: number): SocketFd | number => {
    const fd = fds.get(n);
    if (fd === undefined) return d.ERRNO_BADF;
    return fd instanceof SocketFd ? fd : d.ERRNO_NOTSOCK;
  };

  const address = (ptr: number) => {
    ptr >>>= 0;
    if (!mem.ok(ptr, 20)) return d.ERRNO_FAULT;
    const a = readAddrPort(mem.view, ptr);
    return typeof a === 'number' ? ERRNO_AFNOSUPPORT : a;
  };

  return {
    sock_open(af: number, socktype: number, _proto: number, fdPtr: number): number {
      mem.refresh();
      fdPtr >>>= 0;
      if (!mem.ok(fdPtr, 4)) return d.ERRNO_FAULT;
      if (!net) return d.ERRNO_NOTSUP;
      if (af !== FAMILY_INET4) return ERRNO_AFNOSUPPORT;
      if (socktype !== SOCKTYPE_STREAM) return ERRNO_PROTONOSUPPORT;
      mem.setU32(fdPtr, fds.add(new SocketFd(net, net.bell)));
      return d.ERRNO_SUCCESS;
    },
    sock_bind(n: number, addrPtr: number): number {
      mem.refresh();
      const s = socket(n);
      if (typeof s === 'number') return s;
      const a = address(addrPtr);
      return typeof a === 'number' ? a : s.bind(a);
    },
    sock_listen(n: number, backlog: number): number {
      const s = socket(n);
      return typeof s === 'number' ? s : s.listen(backlog);
    },
    sock_connect(n: number, addrPtr: number): number {
      mem.refresh();
      const s = socket(n);
      if (typeof s === 'number') return s;
      const a = address(addrPtr);
      return typeof a === 'number' ? a : s.connect(a);
    },
    sock_accept: preview1.sock_accept,
    sock_accept_v2(n: number, flags: number, fdPtr: number, addrPtr: number): number {
      mem.refresh();
      fdPtr >>>= 0;
      addrPtr >>>= 0;
      const s = socket(n);
      if (typeof s === 'number') return s;
      if (!mem.ok(fdPtr, 4) || !mem.ok(addrPtr, 20)) return d.ERRNO_FAULT;
      const r = s.sockAccept(flags);
      if (r.errno) return r.errno;
      const accepted = r.value as SocketFd;
      mem.refresh();
      mem.setU32(fdPtr, fds.add(accepted));
      writeAddrPort(mem.view, addrPtr, accepted.peer);
      return d.ERRNO_SUCCESS;
    },
    sock_addr_local(n: number, addrPtr: number): number {
      mem.refresh();
      addrPtr >>>= 0;
      const s = socket(n);
      if (typeof s === 'number') return s;
      if (!mem.ok(addrPtr, 20)) return d.ERRNO_FAULT;
      writeAddrPort(mem.view, addrPtr, s.local ?? { ip: '0.0.0.0', port: 0 });
      return d.ERRNO_SUCCESS;
    },
    sock_addr_peer(n: number, addrPtr: number): number {
      mem.refresh();
      addrPtr >>>= 0;
      const s = socket(n);
      if (typeof s === 'number') return s;
      if (!mem.ok(addrPtr, 20)) return d.ERRNO_FAULT;
      if (!s.peer) return 53; // ENOTCONN
      writeAddrPort(mem.view, addrPtr, s.peer);
      return d.ERRNO_SUCCESS;
    },
    sock_recv: preview1.sock_recv,
    sock_send: preview1.sock_send,
    sock_recv_from(
      n: number,
      iovs: number,
      count: number,
      riFlags: number,
      sizePtr: number,
      roFlagsPtr: number,
      addrPtr: number,
    ): number {
      mem.refresh();
      addrPtr >>>= 0;
      const s = socket(n);
      if (typeof s === 'number') return s;
      if (!mem.ok(addrPtr, 20)) return d.ERRNO_FAULT;
      const errno = preview1.sock_recv(n, iovs, count, riFlags, sizePtr, roFlagsPtr);
      if (errno === d.ERRNO_SUCCESS) {
        mem.refresh();
        writeAddrPort(mem.view, addrPtr, s.peer);
      }
      return errno;
    },
    sock_send_to(
      n: number,
      iovs: number,
      count: number,
      siFlags: number,
      _addrPtr: number,
      sizePtr: number,
    ): number {
      // A stream socket ignores the address (as Linux does for a connected TCP socket).
      return preview1.sock_send(n, iovs, count, siFlags, sizePtr);
    },
    sock_shutdown: preview1.sock_shutdown,
    sock_status(n: number, statusPtr: number): number {
      mem.refresh();
      statusPtr >>>= 0;
      const s = socket(n);
      if (typeof s === 'number') return s;
      if (!mem.ok(statusPtr, 1)) return d.ERRNO_FAULT;
      mem.view.setUint8(statusPtr, 1); // opened
      return d.ERRNO_SUCCESS;
    },
    sock_set_opt_flag(n: number, opt: number, flag: number): number {
      const s = socket(n);
      if (typeof s === 'number') return s;
      if (opt < 0 || opt > OPT_MAX) return ERRNO_NOPROTOOPT;
      s.options.set(opt, flag ? 1n : 0n);
      return d.ERRNO_SUCCESS;
    },
    sock_get_opt_flag(n: number, opt: number, flagPtr: number): number {
      mem.refresh();
      flagPtr >>>= 0;
      const s = socket(n);
      if (typeof s === 'number') return s;
      if (opt < 0 || opt > OPT_MAX) return ERRNO_NOPROTOOPT;
      if (!mem.ok(flagPtr, 1)) return d.ERRNO_FAULT;
      const on = opt === OPT_LISTENING ? s.isListening : (s.options.get(opt) ?? 0n) !== 0n;
      mem.view.setUint8(flagPtr, on ? 1 : 0);
      return d.ERRNO_SUCCESS;
    },
    sock_set_opt_size(n: number, opt: number, size: bigint): number {
      const s = socket(n);
      if (typeof s === 'number') return s;
      if (opt < 0 || opt > OPT_MAX) return ERRNO_NOPROTOOPT;
      s.options.set(opt, BigInt.asUintN(64, BigInt(size)));
      return d.ERRNO_SUCCESS;
    },
    sock_get_opt_size(n: number, opt: number, sizePtr: number): number {
      mem.refresh();
      sizePtr >>>= 0;
      const s = socket(n);
      if (typeof s === 'number') return s;
      if (opt < 0 || opt > OPT_MAX) return ERRNO_NOPROTOOPT;
      if (!mem.ok(sizePtr, 8)) return d.ERRNO_FAULT;
      mem.setBigU64(sizePtr, s.options.get(opt) ?? DEFAULT_SIZES[opt] ?? 0n);
      return d.ERRNO_SUCCESS;
    },
    resolve(
      hostPtr: number,
      hostLen: number,
      _port: number,
      addrsPtr: number,
      naddrs: number,
      countPtr: number,
    ): number {
      mem.refresh();
      hostPtr >>>= 0;
      hostLen >>>= 0;
      addrsPtr >>>= 0;
      naddrs >>>= 0;
      countPtr >>>= 0;
      if (!mem.ok(hostPtr, hostLen) || !mem.ok(addrsPtr, naddrs * ADDR_SIZE) || !mem.ok(countPtr, 4)) {
        return d.ERRNO_FAULT;
      }
      if (!net) return d.ERRNO_NOTSUP;
      const name = mem.string(hostPtr, hostLen);
      const reply = net.request({ op: 'resolve', name });
      if (reply.errno) return reply.errno;
      mem.refresh();
      const addresses = (reply.addresses ?? []).slice(0, naddrs);
      for (let i = 0; i < addresses.length; i++) writeAddr(mem.view, addrsPtr + i * ADDR_SIZE, addresses[i]!);
      mem.setU32(countPtr, addresses.length);
      return d.ERRNO_SUCCESS;
    },
  };
};

/* berth sockets for guest programs: the WASIX socket calls (import module "wasix_32v1", the
 * published wasix ABI, so the same binary runs on wasmer) plus small helpers.
 *
 * wasi-libc already has accept/recv/send/shutdown (wasi_snapshot_preview1 sock_*), read/write
 * and poll() on sockets; it lacks socket/bind/listen/connect and name lookup, declared here.
 *
 * Two ways to serve:
 *  - Pre-opened listeners (systemd socket activation): berth opens a listening socket for every
 *    port the image EXPOSEs or `-p` publishes and announces them in the environment:
 *    LISTEN_FDS=<n>, LISTEN_FDNAMES=<port>:<port>…, LISTEN_FDS_START=4. They are fds 4, 5, …
 *    (0-2 stdio, 3 the "/" preopen), in LISTEN_FDNAMES order, sorted by port. accept() them.
 *  - bs_listen(port): sock_open + sock_bind(0.0.0.0:port) + sock_listen. Binding a port berth
 *    pre-opened hands back that same listener, so either way works with -p.
 *
 * Names: bs_resolve asks berth's DNS — containers by name, --network-alias and hostname on the
 * networks the caller shares, --add-host entries, "localhost", and host.berth.internal (the
 * host's 127.0.0.1). 127.0.0.1 is the container's own loopback, never the host's.
 *
 * Every function returns 0 / a fd on success, or -1 with errno set (wasi-libc's errno values
 * are WASI's: ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, ENOENT for an unknown name, …).
 */
#ifndef BERTH_SOCKET_H
#define BERTH_SOCKET_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BS_IMPORT(name) __attribute__((import_module("wasix_32v1"), import_name(name)))

#define BS_AF_INET4 1
#define BS_SOCK_STREAM 1
#define BS_LISTEN_FDS_START 4

/* __wasi_addr_port_t (20 bytes): family tag, then port (host order) and address bytes. */
typedef struct bs_addr_port {
  uint8_t tag;
  uint8_t pad;
  uint16_t port;
  uint8_t addr[16];
} bs_addr_port_t;

/* __wasi_addr_t (18 bytes): family tag, then the address bytes at offset 2. */
typedef struct bs_addr {
  uint8_t tag;
  uint8_t pad;
  uint8_t addr[16];
} bs_addr_t;

_Static_assert(sizeof(bs_addr_port_t) == 20, "wasix addr_port layout");
_Static_assert(sizeof(bs_addr_t) == 18, "wasix addr layout");

/* socket options (wasix sock_option) */
#define BS_OPT_REUSE_ADDR 2
#define BS_OPT_NO_DELAY 3
#define BS_OPT_LISTENING 10
#define BS_OPT_KEEP_ALIVE 12
#define BS_OPT_RECV_BUF_SIZE 15
#define BS_OPT_SEND_BUF_SIZE 16

uint16_t bs_sock_open(uint32_t af, uint32_t socktype, uint32_t proto, uint32_t *fd) BS_IMPORT("sock_open");
uint16_t bs_sock_bind(uint32_t fd, const bs_addr_port_t *addr) BS_IMPORT("sock_bind");
uint16_t bs_sock_listen(uint32_t fd, uint32_t backlog) BS_IMPORT("sock_listen");
uint16_t bs_sock_connect(uint32_t fd, const bs_addr_port_t *addr) BS_IMPORT("sock_connect");
uint16_t bs_sock_accept_v2(uint32_t fd, uint32_t flags, uint32_t *out_fd, bs_addr_port_t *peer)
    BS_IMPORT("sock_accept_v2");
uint16_t bs_sock_addr_local(uint32_t fd, bs_addr_port_t *out) BS_IMPORT("sock_addr_local");
uint16_t bs_sock_addr_peer(uint32_t fd, bs_addr_port_t *out) BS_IMPORT("sock_addr_peer");
uint16_t bs_sock_set_opt_flag(uint32_t fd, uint32_t opt, uint32_t flag) BS_IMPORT("sock_set_opt_flag");
uint16_t bs_sock_get_opt_flag(uint32_t fd, uint32_t opt, uint8_t *flag) BS_IMPORT("sock_get_opt_flag");
uint16_t bs_sock_set_opt_size(uint32_t fd, uint32_t opt, uint64_t size) BS_IMPORT("sock_set_opt_size");
uint16_t bs_sock_get_opt_size(uint32_t fd, uint32_t opt, uint64_t *size) BS_IMPORT("sock_get_opt_size");
uint16_t bs_resolve_raw(const char *host, uint32_t host_len, uint32_t port, bs_addr_t *addrs, uint32_t naddrs,
                        uint32_t *count) BS_IMPORT("resolve");

static inline int bs_fail(uint16_t e) {
  errno = e;
  return -1;
}

/* Number of pre-opened listeners (LISTEN_FDS), 0 when none. */
static inline int bs_listen_fds(void) {
  const char *n = getenv("LISTEN_FDS");
  return n ? atoi(n) : 0;
}

/* The pre-opened listener for `port`, or -1 (from LISTEN_FDNAMES). */
static inline int bs_listen_fd_for(uint16_t port) {
  const char *names = getenv("LISTEN_FDNAMES");
  int i = 0;
  while (names && *names) {
    if ((uint16_t)atoi(names) == port) return BS_LISTEN_FDS_START + i;
    names = strchr(names, ':');
    if (!names) break;
    names++;
    i++;
  }
  return -1;
}

/* A listening TCP socket on 0.0.0.0:port (port 0: any free port, see bs_local_port). */
static inline int bs_listen(uint16_t port) {
  uint32_t fd;
  uint16_t e = bs_sock_open(BS_AF_INET4, BS_SOCK_STREAM, 0, &fd);
  if (e) return bs_fail(e);
  bs_sock_set_opt_flag(fd, BS_OPT_REUSE_ADDR, 1);
  bs_addr_port_t a = {BS_AF_INET4, 0, port, {0}};
  if ((e = bs_sock_bind(fd, &a)) || (e = bs_sock_listen(fd, 128))) {
    close((int)fd);
    return bs_fail(e);
  }
  return (int)fd;
}

/* The port a socket is bound to, or -1. */
static inline int bs_local_port(int fd) {
  bs_addr_port_t a;
  uint16_t e = bs_sock_addr_local((uint32_t)fd, &a);
  return e ? bs_fail(e) : a.port;
}

/* First IPv4 address of `host` into ip[4]. A dotted address is returned as is. */
static inline int bs_resolve(const char *host, uint8_t ip[4]) {
  bs_addr_t addrs[4];
  uint32_t count = 0;
  uint16_t e = bs_resolve_raw(host, (uint32_t)strlen(host), 0, addrs, 4, &count);
  if (e) return bs_fail(e);
  for (uint32_t i = 0; i < count; i++) {
    if (addrs[i].tag == BS_AF_INET4) {
      memcpy(ip, addrs[i].addr, 4);
      return 0;
    }
  }
  return bs_fail(ENOENT);
}

/* A connected TCP socket to host:port (host: a name or a dotted IPv4 address). */
static inline int bs_connect(const char *host, uint16_t port) {
  uint8_t ip[4];
  if (bs_resolve(host, ip) < 0) return -1;
  uint32_t fd;
  uint16_t e = bs_sock_open(BS_AF_INET4, BS_SOCK_STREAM, 0, &fd);
  if (e) return bs_fail(e);
  bs_addr_port_t a = {BS_AF_INET4, 0, port, {ip[0], ip[1], ip[2], ip[3]}};
  if ((e = bs_sock_connect(fd, &a))) {
    close((int)fd);
    return bs_fail(e);
  }
  return (int)fd;
}

/* Accepts a connection; peer address into *peer when not NULL. */
static inline int bs_accept(int listener, bs_addr_port_t *peer) {
  uint32_t fd;
  bs_addr_port_t scratch;
  uint16_t e = bs_sock_accept_v2((uint32_t)listener, 0, &fd, peer ? peer : &scratch);
  return e ? bs_fail(e) : (int)fd;
}

#endif

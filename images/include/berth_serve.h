/* berth_serve.h: the listening socket of a small TCP server that runs on berth (wasm32-wasi) or
 * natively (gcc, for benchmarks against the same C code). Header-only, static functions.
 *
 * On berth the container's published/exposed ports arrive pre-opened, announced like systemd
 * socket activation (LISTEN_FDS, LISTEN_FDNAMES). The fds are found by their file type (the
 * socket fds after the preopened directories), so this does not depend on how many preopens
 * there are; with several, the one whose LISTEN_FDNAMES entry names the port wins. Without a
 * pre-opened socket it falls back to berth's WASIX sockets (berth_socket.h: bs_listen).
 * Natively it binds 127.0.0.1 (loopback only, on purpose).
 */
#ifndef BERTH_SERVE_H
#define BERTH_SERVE_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __wasi__
#if __has_include(<berth_socket.h>)
#include <berth_socket.h>
#define BERTH_SERVE_HAVE_WASIX 1
#endif
#define BERTH_SEND_FLAGS 0
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#define BERTH_SEND_FLAGS MSG_NOSIGNAL
#endif

static inline int serve_set_nonblock(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0) return -1;
  return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* The port to serve: $PORT when set (handy natively), else `fallback`. */
static inline int serve_port(int fallback) {
  const char *p = getenv("PORT");
  if (p && *p) {
    int v = atoi(p);
    if (v > 0 && v < 65536) return v;
  }
  return fallback;
}

#ifdef __wasi__
/* The n-th name of LISTEN_FDNAMES (colon-separated) into out; 0 when absent. */
static inline int serve_fd_name(int n, char *out, size_t cap) {
  const char *names = getenv("LISTEN_FDNAMES");
  if (!names) return 0;
  for (int i = 0; i < n; i++) {
    names = strchr(names, ':');
    if (!names) return 0;
    names++;
  }
  size_t len = strcspn(names, ":");
  if (len >= cap) len = cap - 1;
  memcpy(out, names, len);
  out[len] = 0;
  return 1;
}

/* Does a LISTEN_FDNAMES entry name `port` ("80", "80/tcp", "http:80" ...)? */
static inline int serve_name_has_port(const char *name, int port) {
  char want[8];
  snprintf(want, sizeof want, "%d", port);
  size_t wl = strlen(want);
  for (const char *p = name; (p = strstr(p, want)) != NULL; p++) {
    int left_ok = p == name || p[-1] < '0' || p[-1] > '9';
    int right_ok = p[wl] < '0' || p[wl] > '9';
    if (left_ok && right_ok) return 1;
  }
  return 0;
}
#endif

/* A listening, non-blocking TCP socket for `port`, or -1 (message on stderr). */
static inline int serve_listen(int port) {
#ifdef __wasi__
  const char *count_env = getenv("LISTEN_FDS");
  int count = count_env ? atoi(count_env) : 0;
  int first = -1, found = 0;
  for (int fd = 3; count > 0 && fd < 3 + 64 && found < count; fd++) {
    struct stat st;
    if (fstat(fd, &st) != 0) {
      if (errno == EBADF && found > 0) break;
      continue;
    }
    if (!S_ISSOCK(st.st_mode)) continue;
    char name[64];
    if (first < 0) first = fd;
    if (serve_fd_name(found, name, sizeof name) && serve_name_has_port(name, port)) {
      serve_set_nonblock(fd);
      return fd;
    }
    found++;
  }
  if (first >= 0) {
    serve_set_nonblock(first);
    return first;
  }
#ifdef BERTH_SERVE_HAVE_WASIX
  int fd = bs_listen(port);
  if (fd >= 0) {
    serve_set_nonblock(fd);
    return fd;
  }
#endif
  fprintf(stderr, "no listening socket for port %d (publish or expose it)\n", port);
  return -1;
#else
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return perror("socket"), -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 511) != 0) {
    perror("bind/listen");
    close(fd);
    return -1;
  }
  serve_set_nonblock(fd);
  return fd;
#endif
}

/* Accepts one connection as a non-blocking fd; -1 with errno EAGAIN when none is waiting. */
static inline int serve_accept(int listener) {
  int fd = accept(listener, NULL, NULL);
  if (fd < 0) return -1;
  serve_set_nonblock(fd);
#ifndef __wasi__
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
#endif
  return fd;
}

#endif

/* The page counter: one persistent connection to the Redis server, opened on demand and
 * dropped on any error. Blocking on purpose (as the Flask app), bounded by a 2 s timeout.
 * After a failed connect the counter stays disabled for RETRY_MS instead of resolving and
 * connecting again on every request: a page without Redis should cost no more than the page. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <berth_serve.h>

#ifdef __wasi__
#if __has_include(<berth_socket.h>)
#define HAVE_CONNECT 1
#endif
#else
#include <netdb.h>
#define HAVE_CONNECT 1
#endif

#include "friendlyhello.h"

#define TIMEOUT_MS 2000
#define RETRY_MS 1000

static int conn = -1;
static long long retry_at; /* no connect attempt before this (ms, monotonic) */

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for `events` or the deadline passes; 1 ready, 0 not. */
static int wait_for(int fd, short events, long long deadline) {
  for (;;) {
    long long left = deadline - now_ms();
    if (left <= 0) return 0;
    struct pollfd p = {.fd = fd, .events = events};
    int r = poll(&p, 1, (int)left);
    if (r > 0) return 1;
    if (r < 0 && errno != EINTR) return 0;
  }
}

static int open_connection(const char *host, int port, long long deadline) {
#ifndef HAVE_CONNECT
  (void)host, (void)port, (void)deadline;
  return -1;
#elif defined(__wasi__)
  (void)deadline;
  int fd = bs_connect(host, port);
  if (fd >= 0) serve_set_nonblock(fd);
  return fd;
#else
  char service[8];
  snprintf(service, sizeof service, "%d", port);
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
  if (getaddrinfo(host, service, &hints, &res) != 0) return -1;
  int fd = -1;
  for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) continue;
    serve_set_nonblock(fd);
    int r = connect(fd, ai->ai_addr, ai->ai_addrlen);
    int err = r == 0 ? 0 : errno;
    if (err == EINPROGRESS && wait_for(fd, POLLOUT, deadline)) {
      socklen_t len = sizeof err;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    }
    if (err != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  return fd;
#endif
}

static void drop(void) {
  if (conn >= 0) close(conn);
  conn = -1;
}

long long counter_incr(void) {
  long long now = now_ms();
  long long deadline = now + TIMEOUT_MS;
  if (conn < 0) {
    if (now < retry_at) return -1;
    const char *host = getenv("REDIS_HOST");
    const char *port = getenv("REDIS_PORT");
    conn = open_connection(host && *host ? host : "redis", port && *port ? atoi(port) : 6379, deadline);
    if (conn < 0) {
      retry_at = now_ms() + RETRY_MS;
      return -1;
    }
  }
  static const char request[] = "*2\r\n$4\r\nINCR\r\n$7\r\ncounter\r\n";
  size_t sent = 0;
  while (sent < sizeof request - 1) {
    ssize_t n = send(conn, request + sent, sizeof request - 1 - sent, BERTH_SEND_FLAGS);
    if (n > 0) {
      sent += (size_t)n;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_for(conn, POLLOUT, deadline)) {
      continue;
    } else {
      drop();
      return -1;
    }
  }
  /* The answer is one line: ":<n>\r\n" (or "-ERR ..." when counter is not a number). */
  char line[64];
  size_t got = 0;
  while (got == 0 || line[got - 1] != '\n') {
    if (got == sizeof line) break;
    ssize_t n = recv(conn, line + got, sizeof line - got, 0);
    if (n > 0) {
      got += (size_t)n;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_for(conn, POLLIN, deadline)) {
      continue;
    } else {
      drop();
      return -1;
    }
  }
  if (got < 4 || line[0] != ':' || line[got - 1] != '\n') {
    drop();
    return -1;
  }
  line[got - 1] = 0;
  return strtoll(line + 1, NULL, 10);
}

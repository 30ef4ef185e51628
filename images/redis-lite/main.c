/* redis-lite's server loop: one poll() over the listener and every client. Each client has an
 * input buffer (commands are parsed as soon as they are complete, so pipelining works) and an
 * output buffer flushed when the socket can take it. A client whose output keeps growing
 * (it never reads) is read no further until it drains, so memory stays bounded. */
#include <errno.h>
#include <poll.h>
#ifndef __wasi__
#include <signal.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <berth_serve.h>

#include "redis-lite.h"

#define MAX_CLIENTS 10000
#define OUT_HIGH_WATER (4 * 1024 * 1024)
#define IN_LIMIT (1024L * 1024 * 1024)

typedef struct {
  int fd;
  Buf in, out;
  int closing; /* close once `out` is flushed (QUIT, protocol error) */
} Client;

static Client *clients;
static size_t nclients, cap_clients;

static void add_client(int fd) {
  if (nclients == cap_clients) {
    cap_clients = cap_clients ? cap_clients * 2 : 16;
    clients = realloc(clients, cap_clients * sizeof *clients);
    if (!clients) abort();
  }
  memset(&clients[nclients], 0, sizeof clients[0]);
  clients[nclients++].fd = fd;
  stats.connected_clients++;
  stats.total_connections++;
}

static void drop_client(size_t i) {
  close(clients[i].fd);
  buf_free(&clients[i].in);
  buf_free(&clients[i].out);
  clients[i] = clients[--nclients];
  stats.connected_clients--;
}

/* Runs every complete command in c->in. */
static void process_input(Client *c) {
  size_t off = 0;
  while (!c->closing && off < c->in.len && c->out.len < OUT_HIGH_WATER) {
    Arg *argv = NULL;
    int argc = 0;
    const char *err = NULL;
    long used = parse_command(c->in.data + off, c->in.len - off, &argv, &argc, &err);
    if (used == 0) break;
    if (used < 0) {
      reply_error(&c->out, err);
      c->closing = 1;
      break;
    }
    off += (size_t)used;
    if (argc > 0 && run_command(argv, argc, &c->out)) c->closing = 1;
    free_command(argv, argc);
  }
  buf_drop(&c->in, off);
}

/* Sends what the socket takes; 0 ok, -1 when the connection is gone. */
static int flush_output(Client *c) {
  while (c->out.len > 0) {
    ssize_t n = send(c->fd, c->out.data, c->out.len, BERTH_SEND_FLAGS);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    buf_drop(&c->out, (size_t)n);
  }
  return 0;
}

/* Reads what is there; 0 ok, -1 on EOF or error. */
static int read_input(Client *c) {
  char chunk[16384];
  for (;;) {
    ssize_t n = recv(c->fd, chunk, sizeof chunk, 0);
    if (n == 0) return -1;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    buf_put(&c->in, chunk, (size_t)n);
    if ((long)c->in.len > IN_LIMIT) return -1;
    if ((size_t)n < sizeof chunk) return 0;
  }
}

int main(void) {
#ifndef __wasi__
  signal(SIGPIPE, SIG_IGN);
#endif
  setvbuf(stdout, NULL, _IOLBF, 0);
  stats.port = serve_port(6379);
  stats.started_ms = now_ms();
  int listener = serve_listen(stats.port);
  if (listener < 0) return 1;
  printf("redis-lite: ready to accept connections on port %d\n", stats.port);
  struct pollfd *fds = NULL;
  size_t cap_fds = 0;
  for (;;) {
    if (cap_fds < nclients + 1) {
      cap_fds = (nclients + 1) * 2;
      fds = realloc(fds, cap_fds * sizeof *fds);
      if (!fds) abort();
    }
    fds[0].fd = listener;
    fds[0].events = nclients < MAX_CLIENTS ? POLLIN : 0;
    fds[0].revents = 0;
    for (size_t i = 0; i < nclients; i++) {
      Client *c = &clients[i];
      fds[i + 1].fd = c->fd;
      fds[i + 1].events = (c->out.len < OUT_HIGH_WATER && !c->closing ? POLLIN : 0) | (c->out.len ? POLLOUT : 0);
      fds[i + 1].revents = 0;
    }
    int ready = poll(fds, nclients + 1, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      perror("poll");
      return 1;
    }
    /* Walk clients backwards: drop_client moves the last one into the hole. */
    size_t polled = nclients;
    for (size_t k = polled; k-- > 0;) {
      short re = fds[k + 1].revents;
      if (!re) continue;
      Client *c = &clients[k];
      int eof = (re & (POLLIN | POLLHUP | POLLERR)) && read_input(c) < 0;
      process_input(c);
      int dead = flush_output(c) < 0;
      /* Output drained below the high-water mark: run the input that waited for it. */
      if (!dead && c->in.len && c->out.len < OUT_HIGH_WATER) {
        process_input(c);
        dead = flush_output(c) < 0;
      }
      if (eof || (c->closing && c->out.len == 0)) dead = 1;
      if (dead) drop_client(k);
    }
    if (fds[0].revents & POLLIN) {
      for (int fd; nclients < MAX_CLIENTS && (fd = serve_accept(listener)) >= 0;) add_client(fd);
    }
  }
}

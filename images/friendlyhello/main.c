/* friendlyhello's server loop: one poll() over the listener and every connection. Requests are
 * parsed as soon as their headers (and body, if any) are in; several per connection
 * (keep-alive, pipelining). A connection that never reads its responses is read no further
 * until it drains. */
#include <errno.h>
#include <poll.h>
#ifndef __wasi__
#include <signal.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <berth_serve.h>

#include "friendlyhello.h"

#define MAX_CONNS 10000
#define IN_CAP 16384
#define OUT_HIGH_WATER (256 * 1024)

typedef struct {
  int fd;
  size_t in_len;
  size_t skip;   /* body bytes of the current request still to discard */
  int closing;   /* close once `out` is flushed */
  char *out;
  size_t out_len, out_cap;
  char in[IN_CAP];
} Conn;

static Conn **conns;
static size_t nconns, cap_conns;

static void out_put(Conn *c, const char *p, size_t n) {
  if (c->out_len + n > c->out_cap) {
    size_t cap = c->out_cap ? c->out_cap : 4096;
    while (cap < c->out_len + n) cap *= 2;
    char *q = realloc(c->out, cap);
    if (!q) abort();
    c->out = q;
    c->out_cap = cap;
  }
  memcpy(c->out + c->out_len, p, n);
  c->out_len += n;
}

static void simple_error(Conn *c, const char *status) {
  char buf[256];
  int n = snprintf(buf, sizeof buf, "HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
  out_put(c, buf, (size_t)n);
  c->closing = 1;
}

/* The value of header `name` in the header block [p, end), copied into out; 0 when absent. */
static int header(const char *p, const char *end, const char *name, char *out, size_t cap) {
  size_t nl = strlen(name);
  while (p < end) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol) eol = end;
    if ((size_t)(eol - p) > nl && p[nl] == ':' && strncasecmp(p, name, nl) == 0) {
      const char *v = p + nl + 1;
      while (v < eol && (*v == ' ' || *v == '\t')) v++;
      const char *ve = eol;
      while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t')) ve--;
      size_t len = (size_t)(ve - v) < cap - 1 ? (size_t)(ve - v) : cap - 1;
      memcpy(out, v, len);
      out[len] = 0;
      return 1;
    }
    p = eol + 1;
  }
  return 0;
}

/* The next blank-separated word of [*p, end) into out (cap bytes with its NUL); 0 when there is
 * none or it is too long. */
static int token(const char **p, const char *end, char *out, size_t cap) {
  const char *q = *p;
  while (q < end && (*q == ' ' || *q == '\t')) q++;
  const char *w = q;
  while (q < end && *q != ' ' && *q != '\t') q++;
  size_t n = (size_t)(q - w);
  if (n == 0 || n >= cap) return 0;
  memcpy(out, w, n);
  out[n] = 0;
  *p = q;
  return 1;
}

/* Answers every complete request in c->in. */
static void process_input(Conn *c) {
  size_t off = 0;
  while (!c->closing && c->out_len < OUT_HIGH_WATER) {
    if (c->skip) {
      size_t n = c->in_len - off < c->skip ? c->in_len - off : c->skip;
      off += n;
      c->skip -= n;
      if (c->skip) break;
    }
    char *start = c->in + off;
    size_t avail = c->in_len - off;
    /* Blank lines before a request are allowed (RFC 9112 2.2). */
    while (avail > 0 && (*start == '\r' || *start == '\n')) start++, avail--, off++;
    if (avail == 0) break;
    char *end = NULL;
    for (size_t i = 0; i + 1 < avail; i++) {
      if (start[i] == '\n' && (start[i + 1] == '\n' || (start[i + 1] == '\r' && i + 2 < avail && start[i + 2] == '\n'))) {
        end = start + i + (start[i + 1] == '\n' ? 2 : 3);
        break;
      }
    }
    if (!end) {
      if (avail >= IN_CAP) simple_error(c, "431 Request Header Fields Too Large");
      break;
    }
    char method[16], path[1024], version[16];
    const char *line = start, *line_end = memchr(start, '\n', (size_t)(end - start));
    if (line_end > line && line_end[-1] == '\r') line_end--;
    if (!token(&line, line_end, method, sizeof method) || !token(&line, line_end, path, sizeof path) ||
        !token(&line, line_end, version, sizeof version) || strncmp(version, "HTTP/1.", 7) != 0) {
      simple_error(c, "400 Bad Request");
      break;
    }
    char value[64];
    int keep_alive = strcmp(version, "HTTP/1.0") != 0;
    if (header(start, end, "Connection", value, sizeof value))
      keep_alive = strcasecmp(value, "close") == 0 ? 0 : strcasecmp(value, "keep-alive") == 0 ? 1 : keep_alive;
    if (header(start, end, "Transfer-Encoding", value, sizeof value)) {
      simple_error(c, "411 Length Required");
      break;
    }
    long long body = 0;
    if (header(start, end, "Content-Length", value, sizeof value)) {
      char *stop;
      body = strtoll(value, &stop, 10);
      if (*stop || body < 0) {
        simple_error(c, "400 Bad Request");
        break;
      }
    }
    off += (size_t)(end - start);
    c->skip = (size_t)body;
    char response[2048];
    size_t n = render_response(response, sizeof response, method, path, keep_alive);
    out_put(c, response, n);
    if (!keep_alive) c->closing = 1;
  }
  memmove(c->in, c->in + off, c->in_len - off);
  c->in_len -= off;
}

static int flush_output(Conn *c) {
  size_t done = 0;
  while (done < c->out_len) {
    ssize_t n = send(c->fd, c->out + done, c->out_len - done, BERTH_SEND_FLAGS);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return -1;
    }
    done += (size_t)n;
  }
  memmove(c->out, c->out + done, c->out_len - done);
  c->out_len -= done;
  return 0;
}

/* 0 ok, -1 on EOF or error. A short read means the socket is drained for now: stop there
 * rather than pay one more recv for its EAGAIN (poll reports whatever comes next). */
static int read_input(Conn *c) {
  while (c->in_len < IN_CAP) {
    size_t want = IN_CAP - c->in_len;
    ssize_t n = recv(c->fd, c->in + c->in_len, want, 0);
    if (n == 0) return -1;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    c->in_len += (size_t)n;
    if (c->skip) process_input(c); /* discard body bytes early so a big body fits */
    if ((size_t)n < want) break;
  }
  return 0;
}

static void add_conn(int fd) {
  if (nconns == cap_conns) {
    cap_conns = cap_conns ? cap_conns * 2 : 16;
    conns = realloc(conns, cap_conns * sizeof *conns);
    if (!conns) abort();
  }
  Conn *c = calloc(1, sizeof *c);
  if (!c) abort();
  c->fd = fd;
  conns[nconns++] = c;
}

static void drop_conn(size_t i) {
  close(conns[i]->fd);
  free(conns[i]->out);
  free(conns[i]);
  conns[i] = conns[--nconns];
}

int main(void) {
#ifndef __wasi__
  signal(SIGPIPE, SIG_IGN);
#endif
  setvbuf(stdout, NULL, _IOLBF, 0);
  int port = serve_port(80);
  int listener = serve_listen(port);
  if (listener < 0) return 1;
  printf("friendlyhello: serving HTTP on port %d\n", port);
  struct pollfd *fds = NULL;
  size_t cap_fds = 0;
  for (;;) {
    if (cap_fds < nconns + 1) {
      cap_fds = (nconns + 1) * 2;
      fds = realloc(fds, cap_fds * sizeof *fds);
      if (!fds) abort();
    }
    fds[0] = (struct pollfd){.fd = listener, .events = nconns < MAX_CONNS ? POLLIN : 0};
    for (size_t i = 0; i < nconns; i++) {
      Conn *c = conns[i];
      short ev = (c->in_len < IN_CAP && !c->closing && c->out_len < OUT_HIGH_WATER ? POLLIN : 0) |
                 (c->out_len ? POLLOUT : 0);
      fds[i + 1] = (struct pollfd){.fd = c->fd, .events = ev};
    }
    if (poll(fds, nconns + 1, -1) < 0) {
      if (errno == EINTR) continue;
      perror("poll");
      return 1;
    }
    for (size_t k = nconns; k-- > 0;) {
      short re = fds[k + 1].revents;
      if (!re) continue;
      Conn *c = conns[k];
      int eof = (re & (POLLIN | POLLHUP | POLLERR)) && read_input(c) < 0;
      process_input(c);
      int dead = flush_output(c) < 0;
      if (!dead && c->in_len && c->out_len < OUT_HIGH_WATER) {
        process_input(c);
        dead = flush_output(c) < 0;
      }
      if (eof || (c->closing && c->out_len == 0)) dead = 1;
      if (dead) drop_conn(k);
    }
    if (fds[0].revents & POLLIN) {
      for (int fd; nconns < MAX_CONNS && (fd = serve_accept(listener)) >= 0;) add_conn(fd);
    }
  }
}

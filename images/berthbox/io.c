/* io.c: berthbox streams: buffered output to an fd or memory, line reading from an fd or memory. */
#include "bb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bb_src std_in = {0, NULL, 0, 0};
bb_src *bb_in = &std_in;
bb_sink bb_out = {1, NULL};
bb_sink bb_err = {2, NULL};
char **bb_env;
int bb_write_failed;

void buf_add(bb_buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + n + 1) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) abort();
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
}
void buf_addc(bb_buf *b, char c) { buf_add(b, &c, 1); }
void buf_adds(bb_buf *b, const char *s) { buf_add(b, s, strlen(s)); }
char *buf_cstr(bb_buf *b) {
  buf_add(b, "", 0);
  b->data[b->len] = 0;
  return b->data;
}
void buf_free(bb_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

void sink_write(bb_sink s, const char *p, size_t n) {
  if (s.mem) {
    buf_add(s.mem, p, n);
    return;
  }
  while (n > 0) {
    ssize_t w = write(s.fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) { /* reader gone (EPIPE) or bad fd: drop, like a shell whose stdout closed */
      bb_write_failed = 1;
      return;
    }
    p += w;
    n -= (size_t)w;
  }
}

/* stdout is buffered (flushed before blocking reads and when an applet ends); stderr is not. */
static char out_buf[8192];
static size_t out_len;

void out_flush(void) {
  if (out_len) sink_write(bb_out, out_buf, out_len);
  out_len = 0;
}
void out_write(const char *s, size_t n) {
  if (out_len + n > sizeof out_buf) {
    out_flush();
    if (n > sizeof out_buf) {
      sink_write(bb_out, s, n);
      return;
    }
  }
  memcpy(out_buf + out_len, s, n);
  out_len += n;
}
void out_puts(const char *s) { out_write(s, strlen(s)); }
void out_putc(char c) { out_write(&c, 1); }

static void vsink_printf(int to_err, const char *fmt, va_list ap) {
  char small[512];
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  char *p = small;
  if (n >= (int)sizeof small) {
    p = malloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
  }
  va_end(ap2);
  if (n > 0) {
    if (to_err) {
      out_flush();
      sink_write(bb_err, p, (size_t)n);
    } else {
      out_write(p, (size_t)n);
    }
  }
  if (p != small) free(p);
}
void out_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsink_printf(0, fmt, ap);
  va_end(ap);
}
void err_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsink_printf(1, fmt, ap);
  va_end(ap);
}
int bb_perror(const char *applet, const char *what) {
  int e = errno;
  if (what)
    err_printf("%s: %s: %s\n", applet, what, strerror(e));
  else
    err_printf("%s: %s\n", applet, strerror(e));
  return 1;
}

ssize_t src_read(bb_src *s, char *out, size_t n) {
  if (s->mem) {
    size_t left = s->len - s->pos;
    if (n > left) n = left;
    memcpy(out, s->mem + s->pos, n);
    s->pos += n;
    return (ssize_t)n;
  }
  if (s->fd == 0) out_flush(); /* show what was written before waiting for input */
  for (;;) {
    ssize_t r = read(s->fd, out, n);
    if (r < 0 && errno == EINTR) continue;
    return r;
  }
}

int reader_open(bb_reader *r, const char *path) {
  memset(r, 0, sizeof *r);
  if (!path || strcmp(path, "-") == 0) {
    r->src = bb_in;
    return 0;
  }
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  r->own.fd = fd;
  r->src = &r->own;
  return 0;
}
void reader_close(bb_reader *r) {
  if (r->src == &r->own && r->own.fd > 2) close(r->own.fd);
  r->src = NULL;
}
static int reader_fill(bb_reader *r) {
  if (r->eof) return 0;
  if (r->start > 0 && r->start == r->end) r->start = r->end = 0;
  ssize_t n = src_read(r->src, r->buf + r->end, sizeof r->buf - r->end);
  if (n <= 0) {
    r->eof = 1;
    return 0;
  }
  r->end += (size_t)n;
  return 1;
}
ssize_t reader_read(bb_reader *r, char *out, size_t n) {
  if (r->start == r->end && !reader_fill(r)) return 0;
  size_t k = r->end - r->start;
  if (k > n) k = n;
  memcpy(out, r->buf + r->start, k);
  r->start += k;
  return (ssize_t)k;
}
size_t reader_line(bb_reader *r, bb_buf *line) {
  line->len = 0;
  for (;;) {
    if (r->start == r->end) {
      r->start = r->end = 0;
      if (!reader_fill(r)) break;
    }
    char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
    size_t k = nl ? (size_t)(nl - (r->buf + r->start)) + 1 : r->end - r->start;
    buf_add(line, r->buf + r->start, k);
    r->start += k;
    if (nl) break;
  }
  buf_cstr(line);
  return line->len;
}

const char *bb_getenv(const char *name) {
  size_t n = strlen(name);
  for (char **e = bb_env; e && *e; e++)
    if (strncmp(*e, name, n) == 0 && (*e)[n] == '=') return *e + n + 1;
  return NULL;
}
const char *bb_basename(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}
int bb_parse_long(const char *s, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (end == s || *end || errno) return -1;
  *out = v;
  return 0;
}

void sl_push(strlist *l, char *s) {
  if (l->n + 2 > l->cap) {
    l->cap = l->cap ? l->cap * 2 : 8;
    l->v = realloc(l->v, sizeof(char *) * (size_t)l->cap);
  }
  l->v[l->n++] = s;
  l->v[l->n] = NULL;
}
void sl_free(strlist *l) {
  for (int i = 0; i < l->n; i++) free(l->v[i]);
  free(l->v);
  l->v = NULL;
  l->n = l->cap = 0;
}

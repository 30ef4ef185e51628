/* RESP2: growable buffers, reply encoders and the request parser (multibulk and inline). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis-lite.h"

/* Limits as Redis's defaults: a bulk at most 512 MB, a multibulk at most 1M args, an inline
 * request at most 64 KB. */
#define MAX_BULK (512L * 1024 * 1024)
#define MAX_ARGS (1024 * 1024)
#define MAX_INLINE (64 * 1024)

static void buf_reserve(Buf *b, size_t extra) {
  if (b->len + extra <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra) cap *= 2;
  char *p = realloc(b->data, cap);
  if (!p) abort();
  b->data = p;
  b->cap = cap;
}

void buf_put(Buf *b, const void *p, size_t n) {
  buf_reserve(b, n);
  memcpy(b->data + b->len, p, n);
  b->len += n;
}

void buf_puts(Buf *b, const char *s) { buf_put(b, s, strlen(s)); }

void buf_printf(Buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  buf_reserve(b, (size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void buf_drop(Buf *b, size_t n) {
  if (n >= b->len) {
    b->len = 0;
  } else {
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
  }
  /* Give memory back after a big burst. */
  if (b->cap > 65536 && b->len < b->cap / 8) {
    size_t cap = b->len < 256 ? 256 : b->len;
    char *p = realloc(b->data, cap);
    if (p) {
      b->data = p;
      b->cap = cap;
    }
  }
}

void buf_free(Buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

void reply_simple(Buf *b, const char *s) { buf_printf(b, "+%s\r\n", s); }
void reply_error(Buf *b, const char *s) { buf_printf(b, "-%s\r\n", s); }
void reply_int(Buf *b, long long v) { buf_printf(b, ":%lld\r\n", v); }
void reply_nil(Buf *b) { buf_puts(b, "$-1\r\n"); }
void reply_array(Buf *b, long long n) { buf_printf(b, "*%lld\r\n", n); }

void reply_bulk(Buf *b, const char *p, size_t n) {
  buf_printf(b, "$%zu\r\n", n);
  buf_put(b, p, n);
  buf_put(b, "\r\n", 2);
}

void free_command(Arg *argv, int argc) {
  for (int i = 0; i < argc; i++) free(argv[i].p);
  free(argv);
}

static Arg make_arg(const char *p, size_t n) {
  Arg a;
  a.p = malloc(n + 1);
  if (!a.p) abort();
  memcpy(a.p, p, n);
  a.p[n] = 0;
  a.n = n;
  return a;
}

/* Reads "<prefix><integer>\r\n" at in[*pos]; 1 ok, 0 incomplete, -1 malformed. */
static int read_count(const char *in, size_t len, size_t *pos, long *out) {
  const char *end = memchr(in + *pos, '\r', len - *pos);
  if (!end) return len - *pos > 32 ? -1 : 0;
  if ((size_t)(end - in) + 1 >= len) return 0;
  if (end[1] != '\n') return -1;
  char tmp[32];
  size_t n = (size_t)(end - (in + *pos + 1));
  if (n == 0 || n >= sizeof tmp) return -1;
  memcpy(tmp, in + *pos + 1, n);
  tmp[n] = 0;
  char *stop;
  long v = strtol(tmp, &stop, 10);
  if (*stop) return -1;
  *out = v;
  *pos = (size_t)(end - in) + 2;
  return 1;
}

static long parse_multibulk(const char *in, size_t len, Arg **out, int *argc, const char **err) {
  size_t pos = 0;
  long count;
  int r = read_count(in, len, &pos, &count);
  if (r <= 0) {
    if (r < 0) *err = "Protocol error: invalid multibulk length";
    return r;
  }
  if (count > MAX_ARGS) {
    *err = "Protocol error: invalid multibulk length";
    return -1;
  }
  if (count <= 0) {
    *out = NULL;
    *argc = 0;
    return (long)pos;
  }
  /* First a dry pass: is the whole command here? Then copy. */
  size_t scan = pos;
  for (long i = 0; i < count; i++) {
    if (scan >= len) return 0;
    if (in[scan] != '$') {
      *err = "Protocol error: expected '$'";
      return -1;
    }
    long n;
    r = read_count(in, len, &scan, &n);
    if (r <= 0) {
      if (r < 0) *err = "Protocol error: invalid bulk length";
      return r;
    }
    if (n < 0 || n > MAX_BULK) {
      *err = "Protocol error: invalid bulk length";
      return -1;
    }
    if (scan + (size_t)n + 2 > len) return 0;
    scan += (size_t)n + 2;
  }
  Arg *argv = calloc((size_t)count, sizeof *argv);
  if (!argv) abort();
  for (long i = 0; i < count; i++) {
    long n;
    read_count(in, len, &pos, &n);
    argv[i] = make_arg(in + pos, (size_t)n);
    pos += (size_t)n + 2;
  }
  *out = argv;
  *argc = (int)count;
  return (long)pos;
}

/* An inline command: words split on blanks, with "..." (C escapes) and '...' quoting. */
static long parse_inline(const char *in, size_t len, Arg **out, int *argc, const char **err) {
  const char *nl = memchr(in, '\n', len);
  if (!nl) {
    if (len > MAX_INLINE) {
      *err = "Protocol error: too big inline request";
      return -1;
    }
    return 0;
  }
  size_t line = (size_t)(nl - in);
  Arg *argv = NULL;
  int n = 0, cap = 0;
  Buf word = {0};
  size_t i = 0;
  while (i < line) {
    while (i < line && (in[i] == ' ' || in[i] == '\t' || in[i] == '\r')) i++;
    if (i >= line) break;
    word.len = 0;
    char q = 0;
    while (i < line) {
      char c = in[i];
      if (q) {
        if (c == q) {
          q = 0;
          i++;
          continue;
        }
        if (q == '"' && c == '\\' && i + 1 < line) {
          char e = in[++i];
          c = e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
        }
      } else if (c == '"' || c == '\'') {
        q = c;
        i++;
        continue;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        break;
      }
      buf_put(&word, &c, 1);
      i++;
    }
    if (q) {
      buf_free(&word);
      free_command(argv, n);
      *err = "Protocol error: unbalanced quotes in request";
      return -1;
    }
    if (n == cap) {
      cap = cap ? cap * 2 : 4;
      argv = realloc(argv, (size_t)cap * sizeof *argv);
      if (!argv) abort();
    }
    argv[n++] = make_arg(word.data ? word.data : "", word.len);
  }
  buf_free(&word);
  *out = argv;
  *argc = n;
  return (long)line + 1;
}

long parse_command(const char *in, size_t len, Arg **out, int *argc, const char **err) {
  if (len == 0) return 0;
  return in[0] == '*' ? parse_multibulk(in, len, out, argc, err) : parse_inline(in, len, out, argc, err);
}

/* redis-lite: a small Redis-protocol (RESP2) key-value server, berth's built-in demo image.
 * One thread, one poll() loop, many clients; string values only; lazy expiry. */
#ifndef REDIS_LITE_H
#define REDIS_LITE_H

#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer. */
typedef struct {
  char *data;
  size_t len, cap;
} Buf;

void buf_put(Buf *b, const void *p, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_drop(Buf *b, size_t n);
void buf_free(Buf *b);

/* RESP replies appended to a buffer. */
void reply_simple(Buf *b, const char *s);
void reply_error(Buf *b, const char *s);
void reply_int(Buf *b, long long v);
void reply_bulk(Buf *b, const char *p, size_t n);
void reply_nil(Buf *b);
void reply_array(Buf *b, long long n);

/* One argument of a command: bytes (binary safe, also NUL-terminated for convenience). */
typedef struct {
  char *p;
  size_t n;
} Arg;

/* Parses one command from `in` (RESP multibulk or an inline line). Returns bytes consumed,
 * 0 when incomplete, -1 on a protocol error (message in *err). argv is malloc'd into *out. */
long parse_command(const char *in, size_t len, Arg **out, int *argc, const char **err);
void free_command(Arg *argv, int argc);

/* The keyspace. Times are milliseconds on the monotonic clock; expire_at 0 = never. */
int64_t now_ms(void);
typedef struct Entry Entry;
struct Entry {
  Entry *next;
  char *key;
  size_t klen;
  char *val;
  size_t vlen;
  int64_t expire_at;
};
Entry *store_get(const char *k, size_t kn);
Entry *store_set(const char *k, size_t kn, const char *v, size_t vn);
int store_del(const char *k, size_t kn);
void store_flush(void);
size_t store_count(void);
size_t store_expiring(void);
/* Calls fn for each live key. */
void store_each(void (*fn)(Entry *e, void *ctx), void *ctx);
int glob_match(const char *pat, size_t pn, const char *s, size_t sn);

/* Server-wide counters for INFO. */
typedef struct {
  int64_t started_ms;
  long long connected_clients, total_connections, total_commands;
  int port;
} ServerStats;
extern ServerStats stats;

/* Runs one command; appends the reply to out. Returns 1 when the client asked to quit. */
int run_command(Arg *argv, int argc, Buf *out);

#endif

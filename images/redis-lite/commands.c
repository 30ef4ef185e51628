/* The commands redis-lite understands, with Redis's replies and error texts. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "redis-lite.h"

ServerStats stats;

static int is(const Arg *a, const char *name) { return strcasecmp(a->p, name) == 0; }

/* A whole-string base-10 int64, as Redis's string2ll (no spaces, no '+'). */
static int to_ll(const char *p, size_t n, long long *out) {
  if (n == 0 || n > 20 || p[0] == '+' || p[0] == ' ' || memchr(p, 0, n)) return 0;
  char tmp[24];
  memcpy(tmp, p, n);
  tmp[n] = 0;
  if (n > 1 && (tmp[0] == '0' || (tmp[0] == '-' && tmp[1] == '0'))) return 0;
  char *end;
  errno = 0;
  long long v = strtoll(tmp, &end, 10);
  if (errno || *end) return 0;
  *out = v;
  return 1;
}

static void wrong_args(Buf *out, const char *cmd) {
  char msg[128];
  char lower[32];
  size_t i = 0;
  for (; cmd[i] && i < sizeof lower - 1; i++) lower[i] = (char)(cmd[i] | 0x20);
  lower[i] = 0;
  snprintf(msg, sizeof msg, "ERR wrong number of arguments for '%s' command", lower);
  reply_error(out, msg);
}

static void cmd_set(Arg *argv, int argc, Buf *out) {
  int nx = 0, xx = 0, keepttl = 0, get = 0;
  long long ttl_ms = -1;
  for (int i = 3; i < argc; i++) {
    if (is(&argv[i], "NX")) {
      nx = 1;
    } else if (is(&argv[i], "XX")) {
      xx = 1;
    } else if (is(&argv[i], "KEEPTTL")) {
      keepttl = 1;
    } else if (is(&argv[i], "GET")) {
      get = 1;
    } else if ((is(&argv[i], "EX") || is(&argv[i], "PX")) && i + 1 < argc && ttl_ms < 0) {
      long long v;
      int seconds = is(&argv[i], "EX");
      if (!to_ll(argv[i + 1].p, argv[i + 1].n, &v)) {
        reply_error(out, "ERR value is not an integer or out of range");
        return;
      }
      if (v <= 0 || (seconds && v > LLONG_MAX / 1000)) {
        reply_error(out, "ERR invalid expire time in 'set' command");
        return;
      }
      ttl_ms = seconds ? v * 1000 : v;
      i++;
    } else {
      reply_error(out, "ERR syntax error");
      return;
    }
  }
  if ((nx && xx) || (keepttl && ttl_ms >= 0)) {
    reply_error(out, "ERR syntax error");
    return;
  }
  Entry *old = store_get(argv[1].p, argv[1].n);
  if (get) {
    if (old) reply_bulk(out, old->val, old->vlen);
    else reply_nil(out);
  }
  if ((nx && old) || (xx && !old)) {
    if (!get) reply_nil(out);
    return;
  }
  int64_t keep = old && keepttl ? old->expire_at : 0;
  Entry *e = store_set(argv[1].p, argv[1].n, argv[2].p, argv[2].n);
  e->expire_at = ttl_ms >= 0 ? now_ms() + ttl_ms : keep;
  if (!get) reply_simple(out, "OK");
}

static void cmd_incrby(Arg *key, long long by, Buf *out) {
  Entry *e = store_get(key->p, key->n);
  long long v = 0;
  if (e && !to_ll(e->val, e->vlen, &v)) {
    reply_error(out, "ERR value is not an integer or out of range");
    return;
  }
  if ((by > 0 && v > LLONG_MAX - by) || (by < 0 && v < LLONG_MIN - by)) {
    reply_error(out, "ERR increment or decrement would overflow");
    return;
  }
  v += by;
  char tmp[24];
  int n = snprintf(tmp, sizeof tmp, "%lld", v);
  int64_t expire_at = e ? e->expire_at : 0; /* INCR keeps the key's TTL */
  e = store_set(key->p, key->n, tmp, (size_t)n);
  e->expire_at = expire_at;
  reply_int(out, v);
}

static void expire_key(Arg *argv, Buf *out, long long unit) {
  long long v;
  if (!to_ll(argv[2].p, argv[2].n, &v)) {
    reply_error(out, "ERR value is not an integer or out of range");
    return;
  }
  Entry *e = store_get(argv[1].p, argv[1].n);
  if (!e) {
    reply_int(out, 0);
    return;
  }
  if (v <= 0) {
    store_del(argv[1].p, argv[1].n); /* Redis deletes a key given a past expiry */
  } else {
    if (v > LLONG_MAX / unit) {
      reply_error(out, "ERR invalid expire time in 'expire' command");
      return;
    }
    e->expire_at = now_ms() + v * unit;
  }
  reply_int(out, 1);
}

static void ttl_key(Arg *key, Buf *out, int millis) {
  Entry *e = store_get(key->p, key->n);
  long long left = e && e->expire_at ? e->expire_at - now_ms() : 0;
  if (left < 0) left = 0;
  if (!e) reply_int(out, -2);
  else if (!e->expire_at) reply_int(out, -1);
  else reply_int(out, millis ? left : (left + 500) / 1000);
}

typedef struct {
  Buf *items;
  const Arg *pattern;
  long long n;
} KeysCtx;

static void collect_key(Entry *e, void *ctx) {
  KeysCtx *k = ctx;
  if (glob_match(k->pattern->p, k->pattern->n, e->key, e->klen)) {
    reply_bulk(k->items, e->key, e->klen);
    k->n++;
  }
}

static void cmd_info(Arg *argv, int argc, Buf *out) {
  const char *section = argc > 1 ? argv[1].p : "default";
  int all = strcasecmp(section, "default") == 0 || strcasecmp(section, "all") == 0 ||
            strcasecmp(section, "everything") == 0;
  Buf b = {0};
  if (all || strcasecmp(section, "server") == 0)
    buf_printf(&b,
               "# Server\r\nredis_version:7.0.0\r\nberth_server:redis-lite\r\nredis_mode:standalone\r\n"
               "arch_bits:%d\r\nmultiplexing_api:poll\r\ntcp_port:%d\r\nuptime_in_seconds:%lld\r\n\r\n",
               (int)(sizeof(void *) * 8), stats.port, (long long)(now_ms() - stats.started_ms) / 1000);
  if (all || strcasecmp(section, "clients") == 0)
    buf_printf(&b, "# Clients\r\nconnected_clients:%lld\r\n\r\n", stats.connected_clients);
  if (all || strcasecmp(section, "stats") == 0)
    buf_printf(&b, "# Stats\r\ntotal_connections_received:%lld\r\ntotal_commands_processed:%lld\r\n\r\n",
               stats.total_connections, stats.total_commands);
  if (all || strcasecmp(section, "keyspace") == 0) {
    buf_puts(&b, "# Keyspace\r\n");
    size_t keys = store_count();
    if (keys) buf_printf(&b, "db0:keys=%zu,expires=%zu,avg_ttl=0\r\n", keys, store_expiring());
  }
  reply_bulk(out, b.data ? b.data : "", b.len);
  buf_free(&b);
}

int run_command(Arg *argv, int argc, Buf *out) {
  stats.total_commands++;
  const char *name = argv[0].p;
  /* Arity: exact (n > 0) or at least -n, as Redis's command table. */
  static const struct {
    const char *name;
    int arity;
  } table[] = {
      {"PING", -1},    {"ECHO", 2},    {"GET", 2},      {"SET", -3},    {"INCR", 2},   {"INCRBY", 3},
      {"DECR", 2},     {"DECRBY", 3},  {"DEL", -2},     {"EXISTS", -2}, {"EXPIRE", 3}, {"PEXPIRE", 3},
      {"TTL", 2},      {"PTTL", 2},    {"PERSIST", 2},  {"KEYS", 2},    {"FLUSHALL", -1}, {"FLUSHDB", -1},
      {"DBSIZE", 1},   {"INFO", -1},   {"SELECT", 2},   {"QUIT", -1},   {"COMMAND", -1}, {"CLIENT", -2},
      {"CONFIG", -2},
  };
  int known = -1;
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcasecmp(name, table[i].name) == 0) known = (int)i;
  if (known < 0) {
    Buf msg = {0};
    buf_printf(&msg, "ERR unknown command '%.128s', with args beginning with: ", name);
    for (int i = 1; i < argc && i < 8; i++) buf_printf(&msg, "'%.128s' ", argv[i].p);
    buf_put(&msg, "", 1);
    for (char *c = msg.data; *c; c++)
      if (*c == '\r' || *c == '\n') *c = ' ';
    reply_error(out, msg.data);
    buf_free(&msg);
    return 0;
  }
  int arity = table[known].arity;
  if ((arity > 0 && argc != arity) || (arity < 0 && argc < -arity)) {
    wrong_args(out, table[known].name);
    return 0;
  }
  Arg *a = argv;
  long long v;
  if (is(a, "PING")) {
    if (argc > 2) wrong_args(out, "PING");
    else if (argc == 2) reply_bulk(out, a[1].p, a[1].n);
    else reply_simple(out, "PONG");
  } else if (is(a, "ECHO")) {
    reply_bulk(out, a[1].p, a[1].n);
  } else if (is(a, "GET")) {
    Entry *e = store_get(a[1].p, a[1].n);
    if (e) reply_bulk(out, e->val, e->vlen);
    else reply_nil(out);
  } else if (is(a, "SET")) {
    cmd_set(a, argc, out);
  } else if (is(a, "INCR") || is(a, "DECR")) {
    cmd_incrby(&a[1], is(a, "INCR") ? 1 : -1, out);
  } else if (is(a, "INCRBY") || is(a, "DECRBY")) {
    if (!to_ll(a[2].p, a[2].n, &v)) reply_error(out, "ERR value is not an integer or out of range");
    else if (is(a, "DECRBY") && v == LLONG_MIN) reply_error(out, "ERR decrement would overflow");
    else cmd_incrby(&a[1], is(a, "INCRBY") ? v : -v, out);
  } else if (is(a, "DEL") || is(a, "EXISTS")) {
    long long n = 0;
    int del = is(a, "DEL");
    for (int i = 1; i < argc; i++) n += del ? store_del(a[i].p, a[i].n) : store_get(a[i].p, a[i].n) != NULL;
    reply_int(out, n);
  } else if (is(a, "EXPIRE") || is(a, "PEXPIRE")) {
    expire_key(a, out, is(a, "EXPIRE") ? 1000 : 1);
  } else if (is(a, "TTL") || is(a, "PTTL")) {
    ttl_key(&a[1], out, is(a, "PTTL"));
  } else if (is(a, "PERSIST")) {
    Entry *e = store_get(a[1].p, a[1].n);
    reply_int(out, e && e->expire_at ? (e->expire_at = 0, 1) : 0);
  } else if (is(a, "KEYS")) {
    Buf items = {0};
    KeysCtx ctx = {&items, &a[1], 0};
    store_each(collect_key, &ctx);
    reply_array(out, ctx.n);
    if (items.len) buf_put(out, items.data, items.len);
    buf_free(&items);
  } else if (is(a, "FLUSHALL") || is(a, "FLUSHDB")) {
    if (argc > 2 || (argc == 2 && !is(&a[1], "ASYNC") && !is(&a[1], "SYNC"))) {
      reply_error(out, "ERR syntax error");
    } else {
      store_flush();
      reply_simple(out, "OK");
    }
  } else if (is(a, "DBSIZE")) {
    reply_int(out, (long long)store_count());
  } else if (is(a, "INFO")) {
    cmd_info(a, argc, out);
  } else if (is(a, "SELECT")) {
    if (!to_ll(a[1].p, a[1].n, &v)) reply_error(out, "ERR value is not an integer or out of range");
    else if (v != 0) reply_error(out, "ERR DB index is out of range");
    else reply_simple(out, "OK");
  } else if (is(a, "QUIT")) {
    reply_simple(out, "OK");
    return 1;
  } else if (is(a, "COMMAND")) {
    /* redis-cli asks for COMMAND DOCS to build its hints; an empty answer means "no hints". */
    if (argc >= 2 && is(&a[1], "COUNT")) reply_int(out, (long long)(sizeof table / sizeof table[0]));
    else reply_array(out, 0);
  } else if (is(a, "CLIENT")) {
    if (is(&a[1], "SETNAME") || is(&a[1], "SETINFO")) reply_simple(out, "OK");
    else if (is(&a[1], "GETNAME")) reply_nil(out);
    else reply_error(out, "ERR unknown subcommand or wrong number of arguments for 'client' command");
  } else if (is(a, "CONFIG")) {
    /* CONFIG GET answers an empty map: there is nothing to configure. */
    if (is(&a[1], "GET")) reply_array(out, 0);
    else reply_error(out, "ERR CONFIG is not supported by redis-lite");
  }
  return 0;
}

/* The keyspace: a chained hash table that doubles when full; expired keys are removed when
 * touched (lazy expiry, enough for a demo server with no background work). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "redis-lite.h"

static Entry **table;
static size_t buckets, count;

int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t hash(const char *k, size_t n) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
  return h;
}

static void free_entry(Entry *e) {
  free(e->key);
  free(e->val);
  free(e);
}

static void grow(void) {
  size_t nb = buckets ? buckets * 2 : 64;
  Entry **nt = calloc(nb, sizeof *nt);
  if (!nt) abort();
  for (size_t i = 0; i < buckets; i++) {
    for (Entry *e = table[i], *next; e; e = next) {
      next = e->next;
      size_t b = hash(e->key, e->klen) & (nb - 1);
      e->next = nt[b];
      nt[b] = e;
    }
  }
  free(table);
  table = nt;
  buckets = nb;
}

/* The link that points at key's entry (or the bucket's tail link). */
static Entry **find(const char *k, size_t kn) {
  if (!buckets) grow();
  Entry **link = &table[hash(k, kn) & (buckets - 1)];
  while (*link && !((*link)->klen == kn && memcmp((*link)->key, k, kn) == 0)) link = &(*link)->next;
  return link;
}

static int expired(const Entry *e) { return e->expire_at && e->expire_at <= now_ms(); }

Entry *store_get(const char *k, size_t kn) {
  Entry **link = find(k, kn);
  Entry *e = *link;
  if (e && expired(e)) {
    *link = e->next;
    free_entry(e);
    count--;
    return NULL;
  }
  return e;
}

Entry *store_set(const char *k, size_t kn, const char *v, size_t vn) {
  Entry *e = store_get(k, kn);
  char *val = malloc(vn + 1);
  if (!val) abort();
  memcpy(val, v, vn);
  val[vn] = 0;
  if (e) {
    free(e->val);
    e->val = val;
    e->vlen = vn;
    return e;
  }
  if (count + 1 > buckets) grow();
  e = calloc(1, sizeof *e);
  if (!e) abort();
  e->key = malloc(kn + 1);
  if (!e->key) abort();
  memcpy(e->key, k, kn);
  e->key[kn] = 0;
  e->klen = kn;
  e->val = val;
  e->vlen = vn;
  Entry **head = &table[hash(k, kn) & (buckets - 1)];
  e->next = *head;
  *head = e;
  count++;
  return e;
}

int store_del(const char *k, size_t kn) {
  if (!store_get(k, kn)) return 0;
  Entry **link = find(k, kn);
  Entry *e = *link;
  *link = e->next;
  free_entry(e);
  count--;
  return 1;
}

void store_flush(void) {
  for (size_t i = 0; i < buckets; i++) {
    for (Entry *e = table[i], *next; e; e = next) {
      next = e->next;
      free_entry(e);
    }
  }
  free(table);
  table = NULL;
  buckets = count = 0;
}

/* Drops every expired key, then calls fn for each remaining one. */
void store_each(void (*fn)(Entry *e, void *ctx), void *ctx) {
  for (size_t i = 0; i < buckets; i++) {
    Entry **link = &table[i];
    while (*link) {
      Entry *e = *link;
      if (expired(e)) {
        *link = e->next;
        free_entry(e);
        count--;
      } else {
        link = &e->next;
      }
    }
  }
  for (size_t i = 0; i < buckets; i++)
    for (Entry *e = table[i]; e; e = e->next) fn(e, ctx);
}

static void count_expiring(Entry *e, void *ctx) {
  if (e->expire_at) ++*(size_t *)ctx;
}

size_t store_count(void) {
  size_t ignored = 0;
  store_each(count_expiring, &ignored);
  return count;
}

size_t store_expiring(void) {
  size_t n = 0;
  store_each(count_expiring, &n);
  return n;
}

/* Redis's glob: * ? [abc] [^a-z] and \ escapes, byte-wise. */
int glob_match(const char *p, size_t pn, const char *s, size_t sn) {
  while (pn > 0) {
    switch (*p) {
    case '*':
      while (pn > 1 && p[1] == '*') p++, pn--;
      if (pn == 1) return 1;
      for (size_t i = 0; i <= sn; i++)
        if (glob_match(p + 1, pn - 1, s + i, sn - i)) return 1;
      return 0;
    case '?':
      if (sn == 0) return 0;
      s++, sn--;
      break;
    case '[': {
      if (sn == 0) return 0;
      p++, pn--;
      int negate = pn > 0 && *p == '^';
      if (negate) p++, pn--;
      int match = 0;
      while (pn > 0 && *p != ']') {
        if (*p == '\\' && pn >= 2) {
          p++, pn--;
          if (*p == *s) match = 1;
        } else if (pn >= 3 && p[1] == '-' && p[2] != ']') {
          unsigned char lo = (unsigned char)p[0], hi = (unsigned char)p[2], c = (unsigned char)*s;
          if (lo > hi) {
            unsigned char t = lo;
            lo = hi;
            hi = t;
          }
          if (c >= lo && c <= hi) match = 1;
          p += 2, pn -= 2;
        } else if (*p == *s) {
          match = 1;
        }
        p++, pn--;
      }
      if (negate) match = !match;
      if (!match) return 0;
      s++, sn--;
      if (pn == 0) return sn == 0;
      break;
    }
    case '\\':
      if (pn >= 2) p++, pn--;
      /* fall through */
    default:
      if (sn == 0 || *p != *s) return 0;
      s++, sn--;
      break;
    }
    p++, pn--;
  }
  return sn == 0;
}

/* applets/sort-uniq.c: sort (-r -n -u -f -k -t) and uniq (-c -d -u -i). */
#include "../bb.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct {
  int reverse, numeric, fold, key_start, key_end, stable;
  char sep;
} so;

/* The part of the line the -k/-t options select (the whole line by default). */
static const char *key_of(const char *line, size_t *len) {
  size_t n = strlen(line);
  if (so.key_start <= 1 && so.key_end == 0) {
    *len = n;
    return line;
  }
  const char *p = line, *end = line + n;
  int field = 1;
  const char *start = NULL, *stop = end;
  while (p <= end) {
    if (field == so.key_start && !start) start = p;
    const char *q = p;
    if (so.sep) {
      while (q < end && *q != so.sep) q++;
    } else {
      while (q < end && isblank((unsigned char)*q)) q++; /* blanks belong to the following field */
      while (q < end && !isblank((unsigned char)*q)) q++;
    }
    if (so.key_end && field == so.key_end) {
      stop = q;
      break;
    }
    if (q >= end) break;
    p = so.sep ? q + 1 : q;
    field++;
  }
  if (!start) start = end;
  if (stop < start) stop = start;
  *len = (size_t)(stop - start);
  return start;
}

static int cmp_lines(const void *pa, const void *pb) {
  const char *a = *(char *const *)pa, *b = *(char *const *)pb;
  size_t la, lb;
  const char *ka = key_of(a, &la), *kb = key_of(b, &lb);
  int r;
  if (so.numeric) {
    double x = strtod(ka, NULL), y = strtod(kb, NULL);
    r = x < y ? -1 : x > y;
  } else {
    size_t n = la < lb ? la : lb;
    r = so.fold ? strncasecmp(ka, kb, n) : memcmp(ka, kb, n);
    if (r == 0) r = la < lb ? -1 : la > lb;
  }
  /* Equal keys: the whole lines decide (the "last resort" of POSIX sort), unless -u or -s. */
  if (r == 0 && !so.stable) r = strcmp(a, b);
  return so.reverse ? -r : r;
}

int applet_sort(int argc, char **argv) {
  int unique = 0, c, st = 0;
  memset(&so, 0, sizeof so);
  const char *out_name = NULL;
  while ((c = bb_getopt(argc, argv, "rnufk:t:o:bs")) != -1) {
    if (c == 'r') so.reverse = 1;
    else if (c == 'n') so.numeric = 1;
    else if (c == 'u') unique = 1;
    else if (c == 'f') so.fold = 1;
    else if (c == 't') so.sep = bb_optarg[0];
    else if (c == 'o') out_name = bb_optarg;
    else if (c == 'k') {
      so.key_start = atoi(bb_optarg);
      const char *comma = strchr(bb_optarg, ',');
      so.key_end = comma ? atoi(comma + 1) : 0;
      for (const char *f = bb_optarg; *f; f++) {
        if (*f == 'n') so.numeric = 1;
        if (*f == 'r') so.reverse = 1;
      }
    } else if (c == 's') {
      so.stable = 1;
    } else if (c == 'b') {
    } else return 1;
  }
  char **lines = NULL;
  size_t n = 0, cap = 0;
  int nf = argc - bb_optind;
  bb_buf line = {0};
  for (int i = 0; i < (nf ? nf : 1); i++) {
    bb_reader r;
    const char *name = nf ? argv[bb_optind + i] : NULL;
    if (reader_open(&r, name) < 0) {
      st = bb_perror("sort", name);
      continue;
    }
    while (reader_line(&r, &line) > 0) {
      if (line.data[line.len - 1] == '\n') line.data[--line.len] = 0;
      if (n == cap) {
        cap = cap ? cap * 2 : 256;
        lines = realloc(lines, cap * sizeof(char *));
      }
      lines[n++] = strdup(line.data);
    }
    reader_close(&r);
  }
  buf_free(&line);
  so.stable = so.stable || unique;
  qsort(lines, n, sizeof(char *), cmp_lines);
  bb_buf out = {0};
  for (size_t i = 0; i < n; i++) {
    int dup = unique && i > 0 && cmp_lines(&lines[i - 1], &lines[i]) == 0;
    if (!dup) {
      buf_adds(&out, lines[i]);
      buf_addc(&out, '\n');
    }
  }
  for (size_t i = 0; i < n; i++) free(lines[i]);
  free(lines);
  if (out_name) {
    FILE *f = fopen(out_name, "w");
    if (!f) st = bb_perror("sort", out_name);
    else {
      fwrite(out.data, 1, out.len, f);
      fclose(f);
    }
  } else if (out.len) {
    out_write(out.data, out.len);
  }
  buf_free(&out);
  return st;
}

int applet_uniq(int argc, char **argv) {
  int count = 0, dups = 0, singles = 0, fold = 0, c;
  while ((c = bb_getopt(argc, argv, "cdui")) != -1) {
    if (c == 'c') count = 1;
    else if (c == 'd') dups = 1;
    else if (c == 'u') singles = 1;
    else if (c == 'i') fold = 1;
    else return 1;
  }
  bb_reader r;
  const char *in = bb_optind < argc ? argv[bb_optind] : NULL;
  if (reader_open(&r, in) < 0) return bb_perror("uniq", in);
  bb_buf prev = {0}, line = {0};
  long n = 0;
  for (;;) {
    size_t len = reader_line(&r, &line);
    if (len && line.data[len - 1] == '\n') line.data[--line.len] = 0;
    int same = len && n && (fold ? strcasecmp(prev.data, line.data) : strcmp(prev.data, line.data)) == 0;
    if (same) {
      n++;
      continue;
    }
    if (n && !(dups && n == 1) && !(singles && n > 1)) {
      if (count) out_printf("%7ld ", n);
      out_printf("%s\n", prev.data);
    }
    if (!len) break;
    prev.len = 0;
    buf_add(&prev, line.data, line.len);
    buf_cstr(&prev);
    n = 1;
  }
  reader_close(&r);
  buf_free(&prev);
  buf_free(&line);
  return 0;
}

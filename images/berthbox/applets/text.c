/* applets/text.c: stream applets: cat head tail wc tee. */
#include "../bb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Calls each(reader, name) for each operand ("-" or none = stdin); returns 1 if any could not be opened. */
static int for_each_input(const char *applet, int argc, char **argv, int first,
                          void (*each)(bb_reader *, const char *, void *), void *ctx) {
  int st = 0;
  int n = argc - first;
  for (int i = 0; i < (n ? n : 1); i++) {
    const char *name = n ? argv[first + i] : NULL;
    bb_reader r;
    if (reader_open(&r, name) < 0) {
      st = bb_perror(applet, name);
      continue;
    }
    each(&r, name ? name : "-", ctx);
    reader_close(&r);
  }
  return st;
}

typedef struct cat_opts {
  int number;
  long line;
} cat_opts;

static void cat_one(bb_reader *r, const char *name, void *ctx) {
  cat_opts *o = ctx;
  if (!o->number) {
    char buf[4096];
    ssize_t n;
    while ((n = reader_read(r, buf, sizeof buf)) > 0 && !bb_write_failed) {
      out_write(buf, (size_t)n);
      if (r->src->fd == 0 || !r->src->mem) out_flush();
    }
    return;
  }
  bb_buf line = {0};
  while (reader_line(r, &line) > 0) {
    out_printf("%6ld\t", ++o->line);
    out_write(line.data, line.len);
  }
  buf_free(&line);
}

int applet_cat(int argc, char **argv) {
  cat_opts o = {0, 0};
  int c;
  while ((c = bb_getopt(argc, argv, "nu")) != -1) {
    if (c == 'n') o.number = 1;
    else if (c == '?') return 1;
  }
  return for_each_input("cat", argc, argv, bb_optind, cat_one, &o);
}

/* -n N / -c N / -N; returns 0 or -1 on a bad count. A leading '+' (tail) is reported in *from_start. */
static int count_opts(const char *applet, int argc, char **argv, long *count, int *bytes, int *from_start,
                      int *quiet, int *first) {
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i], *v = NULL;
    if (a[0] != '-' || !a[1]) break;
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    }
    if (a[1] >= '0' && a[1] <= '9') v = a + 1;
    else if (a[1] == 'q') {
      *quiet = 1;
      continue;
    } else if (a[1] == 'n' || a[1] == 'c') {
      *bytes = a[1] == 'c';
      v = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
    } else {
      err_printf("%s: invalid option -- '%c'\n", applet, a[1]);
      return -1;
    }
    if (!v) return -1;
    if (*v == '+') {
      *from_start = 1;
      v++;
    } else if (*v == '-') {
      v++;
    }
    if (bb_parse_long(v, count) < 0) {
      err_printf("%s: invalid number '%s'\n", applet, v);
      return -1;
    }
  }
  *first = i;
  return 0;
}

int applet_head(int argc, char **argv) {
  long count = 10;
  int bytes = 0, plus = 0, quiet = 0, first;
  if (count_opts("head", argc, argv, &count, &bytes, &plus, &quiet, &first) < 0) return 1;
  int n = argc - first, st = 0;
  bb_buf line = {0};
  for (int i = 0; i < (n ? n : 1); i++) {
    const char *name = n ? argv[first + i] : NULL;
    bb_reader r;
    if (reader_open(&r, name) < 0) {
      st = bb_perror("head", name);
      continue;
    }
    if (n > 1 && !quiet) out_printf("%s==> %s <==\n", i ? "\n" : "", name);
    if (bytes) {
      char buf[4096];
      long left = count;
      ssize_t k;
      while (left > 0 && (k = reader_read(&r, buf, (size_t)(left < 4096 ? left : 4096))) > 0) {
        out_write(buf, (size_t)k);
        left -= k;
      }
    } else {
      for (long k = 0; k < count && reader_line(&r, &line) > 0; k++) out_write(line.data, line.len);
    }
    reader_close(&r);
  }
  buf_free(&line);
  return st;
}

int applet_tail(int argc, char **argv) {
  long count = 10;
  int bytes = 0, from_start = 0, quiet = 0, first;
  if (count_opts("tail", argc, argv, &count, &bytes, &from_start, &quiet, &first) < 0) return 1;
  int n = argc - first, st = 0;
  for (int i = 0; i < (n ? n : 1); i++) {
    const char *name = n ? argv[first + i] : NULL;
    bb_reader r;
    if (reader_open(&r, name) < 0) {
      st = bb_perror("tail", name);
      continue;
    }
    if (n > 1 && !quiet) out_printf("%s==> %s <==\n", i ? "\n" : "", name);
    bb_buf all = {0};
    char buf[4096];
    ssize_t k;
    while ((k = reader_read(&r, buf, sizeof buf)) > 0) buf_add(&all, buf, (size_t)k);
    reader_close(&r);
    size_t start = 0;
    if (bytes) {
      if (from_start) start = count > 0 ? (size_t)count - 1 : 0;
      else start = all.len > (size_t)count ? all.len - (size_t)count : 0;
    } else if (from_start) {
      long line = 1;
      while (start < all.len && line < count) {
        if (all.data[start++] == '\n') line++;
      }
    } else {
      size_t e = all.len;
      if (e > 0 && all.data[e - 1] == '\n') e--; /* the last line's own newline */
      long seen = 0;
      start = 0;
      for (size_t p = e; p > 0; p--) {
        if (all.data[p - 1] == '\n' && ++seen == count) {
          start = p;
          break;
        }
      }
      if (count == 0) start = all.len;
    }
    if (start < all.len) out_write(all.data + start, all.len - start);
    buf_free(&all);
  }
  return st;
}

typedef struct wc_counts {
  long lines, words, bytes;
} wc_counts;

static void wc_print(wc_counts *c, int l, int w, int b, const char *name) {
  long v[3] = {c->lines, c->words, c->bytes};
  int on[3] = {l, w, b}, cols = l + w + b, first = 1;
  for (int i = 0; i < 3; i++) {
    if (!on[i]) continue;
    if (cols == 1) out_printf("%ld", v[i]);
    else out_printf(first ? "%9ld" : " %9ld", v[i]);
    first = 0;
  }
  if (name) out_printf(" %s", name);
  out_putc('\n');
}

int applet_wc(int argc, char **argv) {
  int l = 0, w = 0, b = 0, c;
  while ((c = bb_getopt(argc, argv, "lwcm")) != -1) {
    if (c == 'l') l = 1;
    else if (c == 'w') w = 1;
    else if (c == 'c' || c == 'm') b = 1;
    else return 1;
  }
  if (!l && !w && !b) l = w = b = 1;
  int n = argc - bb_optind, st = 0;
  wc_counts total = {0, 0, 0};
  for (int i = 0; i < (n ? n : 1); i++) {
    const char *name = n ? argv[bb_optind + i] : NULL;
    bb_reader r;
    if (reader_open(&r, name) < 0) {
      st = bb_perror("wc", name);
      continue;
    }
    wc_counts cnt = {0, 0, 0};
    char buf[4096];
    ssize_t k;
    int in_word = 0;
    while ((k = reader_read(&r, buf, sizeof buf)) > 0) {
      cnt.bytes += k;
      for (ssize_t j = 0; j < k; j++) {
        char ch = buf[j];
        if (ch == '\n') cnt.lines++;
        int space = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
        if (!space && !in_word) cnt.words++;
        in_word = !space;
      }
    }
    reader_close(&r);
    wc_print(&cnt, l, w, b, name);
    total.lines += cnt.lines;
    total.words += cnt.words;
    total.bytes += cnt.bytes;
  }
  if (n > 1) wc_print(&total, l, w, b, "total");
  return st;
}

int applet_tee(int argc, char **argv) {
  int append = 0, c;
  while ((c = bb_getopt(argc, argv, "ai")) != -1) {
    if (c == 'a') append = 1;
    else if (c == '?') return 1;
  }
  int nf = argc - bb_optind, st = 0;
  int *fds = calloc((size_t)(nf ? nf : 1), sizeof(int));
  for (int i = 0; i < nf; i++) {
    fds[i] = open(argv[bb_optind + i], O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0666);
    if (fds[i] < 0) st = bb_perror("tee", argv[bb_optind + i]);
  }
  char buf[4096];
  ssize_t k;
  while ((k = src_read(bb_in, buf, sizeof buf)) > 0) {
    out_write(buf, (size_t)k);
    out_flush();
    for (int i = 0; i < nf; i++)
      if (fds[i] >= 0) sink_write((bb_sink){fds[i], NULL}, buf, (size_t)k);
  }
  for (int i = 0; i < nf; i++)
    if (fds[i] >= 0) close(fds[i]);
  free(fds);
  return st;
}

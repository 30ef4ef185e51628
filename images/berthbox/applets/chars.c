/* applets/chars.c: character and field applets: tr cut. */
#include "../bb.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Expands a tr set: ranges a-z, classes [:alpha:] etc., escapes \n \t \\ \NNN. Returns its length. */
static int tr_set(const char *s, unsigned char *out) {
  int n = 0;
  while (*s && n < 512) {
    if (s[0] == '[' && s[1] == ':') {
      const char *end = strstr(s, ":]");
      if (end) {
        char cls[16] = {0};
        size_t l = (size_t)(end - s - 2);
        if (l < sizeof cls) memcpy(cls, s + 2, l);
        for (int c = 0; c < 256 && n < 512; c++) {
          int m = (!strcmp(cls, "alpha") && isalpha(c)) || (!strcmp(cls, "digit") && isdigit(c)) ||
                  (!strcmp(cls, "alnum") && isalnum(c)) || (!strcmp(cls, "upper") && isupper(c)) ||
                  (!strcmp(cls, "lower") && islower(c)) || (!strcmp(cls, "space") && isspace(c)) ||
                  (!strcmp(cls, "blank") && (c == ' ' || c == '\t')) || (!strcmp(cls, "punct") && ispunct(c)) ||
                  (!strcmp(cls, "print") && isprint(c)) || (!strcmp(cls, "cntrl") && iscntrl(c)) ||
                  (!strcmp(cls, "xdigit") && isxdigit(c));
          if (m) out[n++] = (unsigned char)c;
        }
        s = end + 2;
        continue;
      }
    }
    int c = (unsigned char)*s++;
    if (c == '\\' && *s) {
      c = (unsigned char)*s++;
      if (c == 'n') c = '\n';
      else if (c == 't') c = '\t';
      else if (c == 'r') c = '\r';
      else if (c >= '0' && c <= '7') {
        int v = c - '0';
        for (int k = 0; k < 2 && *s >= '0' && *s <= '7'; k++) v = v * 8 + (*s++ - '0');
        c = v;
      }
    }
    if (s[0] == '-' && s[1]) {
      int hi = (unsigned char)s[1];
      s += 2;
      for (int x = c; x <= hi && n < 512; x++) out[n++] = (unsigned char)x;
      continue;
    }
    out[n++] = (unsigned char)c;
  }
  return n;
}

int applet_tr(int argc, char **argv) {
  int del = 0, squeeze = 0, complement = 0, c;
  while ((c = bb_getopt(argc, argv, "dscC")) != -1) {
    if (c == 'd') del = 1;
    else if (c == 's') squeeze = 1;
    else if (c == 'c' || c == 'C') complement = 1;
    else return 1;
  }
  int nargs = argc - bb_optind;
  if (nargs < 1 || (nargs < 2 && !del && !squeeze)) {
    err_printf("tr: missing operand\n");
    return 1;
  }
  unsigned char s1[512], s2[512];
  int n1 = tr_set(argv[bb_optind], s1), n2 = nargs > 1 ? tr_set(argv[bb_optind + 1], s2) : 0;
  unsigned char in1[256] = {0}, map[256], in_sq[256] = {0};
  for (int i = 0; i < n1; i++) in1[s1[i]] = 1;
  if (complement)
    for (int i = 0; i < 256; i++) in1[i] = !in1[i];
  for (int i = 0; i < 256; i++) map[i] = (unsigned char)i;
  int translate = !del && n2 > 0;
  if (translate) {
    if (complement) {
      for (int i = 0; i < 256; i++)
        if (in1[i]) map[i] = s2[n2 - 1];
    } else {
      for (int i = 0; i < n1; i++) map[s1[i]] = s2[i < n2 ? i : n2 - 1];
    }
  }
  /* -s squeezes characters of the last set given. */
  if (squeeze) {
    if (translate || (del && n2)) {
      for (int i = 0; i < n2; i++) in_sq[s2[i]] = 1;
    } else {
      for (int i = 0; i < 256; i++) in_sq[i] = in1[i];
    }
  }
  char buf[4096];
  ssize_t k;
  int last = -1;
  while ((k = src_read(bb_in, buf, sizeof buf)) > 0) {
    for (ssize_t j = 0; j < k; j++) {
      unsigned char ch = (unsigned char)buf[j];
      if (del && in1[ch]) continue;
      ch = map[ch];
      if (squeeze && in_sq[ch] && last == ch) continue;
      last = ch;
      out_putc((char)ch);
    }
  }
  return 0;
}

/* A list like 1,3-5,7- as a bitmap over positions 1..1023 (beyond that: open-ended flag). */
typedef struct ranges {
  unsigned char on[1024];
  long open_from; /* N- : everything from N on; 0 if none */
} ranges;

static int parse_ranges(const char *s, ranges *r) {
  memset(r, 0, sizeof *r);
  while (*s) {
    char *end;
    long a = 1, b;
    if (*s != '-') {
      a = strtol(s, &end, 10);
      if (end == s || a < 1) return -1;
      s = end;
    }
    b = a;
    if (*s == '-') {
      s++;
      if (*s >= '0' && *s <= '9') {
        b = strtol(s, &end, 10);
        s = end;
      } else {
        b = -1;
      }
    }
    if (b == -1) {
      if (!r->open_from || a < r->open_from) r->open_from = a;
    } else {
      for (long k = a; k <= b && k < 1024; k++) r->on[k] = 1;
    }
    if (*s == ',') s++;
    else if (*s) return -1;
  }
  return 0;
}

static int in_ranges(ranges *r, long k) { return (r->open_from && k >= r->open_from) || (k < 1024 && r->on[k]); }

int applet_cut(int argc, char **argv) {
  int c, mode = 0, only_delim = 0;
  char delim = '\t';
  const char *list = NULL;
  while ((c = bb_getopt(argc, argv, "b:c:f:d:s")) != -1) {
    if (c == 'b' || c == 'c' || c == 'f') {
      mode = c;
      list = bb_optarg;
    } else if (c == 'd') delim = bb_optarg[0];
    else if (c == 's') only_delim = 1;
    else return 1;
  }
  ranges r;
  if (!list || parse_ranges(list, &r) < 0) {
    err_printf("cut: you must specify a list of bytes, characters, or fields\n");
    return 1;
  }
  int n = argc - bb_optind, st = 0;
  bb_buf line = {0};
  for (int i = 0; i < (n ? n : 1); i++) {
    bb_reader rd;
    const char *name = n ? argv[bb_optind + i] : NULL;
    if (reader_open(&rd, name) < 0) {
      st = bb_perror("cut", name);
      continue;
    }
    while (reader_line(&rd, &line) > 0) {
      size_t len = line.len;
      if (len && line.data[len - 1] == '\n') len--;
      if (mode != 'f') {
        for (size_t k = 0; k < len; k++)
          if (in_ranges(&r, (long)k + 1)) out_putc(line.data[k]);
        out_putc('\n');
        continue;
      }
      if (!memchr(line.data, delim, len)) {
        if (!only_delim) {
          out_write(line.data, len);
          out_putc('\n');
        }
        continue;
      }
      long field = 1;
      int printed = 0;
      size_t start = 0;
      for (size_t k = 0; k <= len; k++) {
        if (k == len || line.data[k] == delim) {
          if (in_ranges(&r, field)) {
            if (printed++) out_putc(delim);
            out_write(line.data + start, k - start);
          }
          field++;
          start = k + 1;
        }
      }
      out_putc('\n');
    }
    reader_close(&rd);
  }
  buf_free(&line);
  return st;
}

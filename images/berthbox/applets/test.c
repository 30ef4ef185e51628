/* applets/test.c: test and [ : file tests, string and integer comparisons, ! ( ) -a -o. */
#include "../bb.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct tst {
  char **a;
  int n, pos, err;
} tst;

static int t_or(tst *t);

static int is_int(const char *s, long *v) {
  while (*s == ' ') s++;
  return bb_parse_long(s, v) == 0;
}

static int unary_file(char op, const char *path) {
  struct stat st;
  if (op == 'h' || op == 'L') return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
  if (stat(path, &st) != 0) return 0;
  switch (op) {
  case 'e': return 1;
  case 'f': return S_ISREG(st.st_mode);
  case 'd': return S_ISDIR(st.st_mode);
  case 's': return st.st_size > 0;
  case 'p': return S_ISFIFO(st.st_mode);
  case 'S': return S_ISSOCK(st.st_mode);
  case 'b': return S_ISBLK(st.st_mode);
  case 'c': return S_ISCHR(st.st_mode);
  case 'r': return access(path, R_OK) == 0;
  case 'w': return access(path, W_OK) == 0;
  /* No permission bits in WASI: a regular file or a directory counts as executable/searchable. */
  case 'x': return access(path, X_OK) == 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode);
  }
  return 0;
}

static int binary(tst *t, const char *l, const char *op, const char *r) {
  if (!strcmp(op, "=") || !strcmp(op, "==")) return strcmp(l, r) == 0;
  if (!strcmp(op, "!=")) return strcmp(l, r) != 0;
  if (!strcmp(op, "<")) return strcmp(l, r) < 0;
  if (!strcmp(op, ">")) return strcmp(l, r) > 0;
  if (!strcmp(op, "-nt") || !strcmp(op, "-ot") || !strcmp(op, "-ef")) {
    struct stat a, b;
    int ha = stat(l, &a) == 0, hb = stat(r, &b) == 0;
    if (!strcmp(op, "-ef")) return ha && hb && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
    if (!ha || !hb) return !strcmp(op, "-nt") ? ha && !hb : !ha && hb;
    long long ta = a.st_mtim.tv_sec * 1000000000LL + a.st_mtim.tv_nsec;
    long long tb = b.st_mtim.tv_sec * 1000000000LL + b.st_mtim.tv_nsec;
    return !strcmp(op, "-nt") ? ta > tb : ta < tb;
  }
  long x, y;
  if (!is_int(l, &x) || !is_int(r, &y)) {
    err_printf("test: %s: integer expression expected\n", is_int(l, &x) ? r : l);
    t->err = 1;
    return 0;
  }
  if (!strcmp(op, "-eq")) return x == y;
  if (!strcmp(op, "-ne")) return x != y;
  if (!strcmp(op, "-lt")) return x < y;
  if (!strcmp(op, "-le")) return x <= y;
  if (!strcmp(op, "-gt")) return x > y;
  if (!strcmp(op, "-ge")) return x >= y;
  t->err = 1;
  return 0;
}

static int is_binop(const char *s) {
  static const char *ops[] = {"=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef", NULL};
  for (int i = 0; ops[i]; i++)
    if (!strcmp(s, ops[i])) return 1;
  return 0;
}

static int t_primary(tst *t) {
  if (t->pos >= t->n) {
    t->err = 1;
    return 0;
  }
  char *a = t->a[t->pos];
  if (t->pos + 2 < t->n && is_binop(t->a[t->pos + 1])) {
    t->pos += 3;
    return binary(t, a, t->a[t->pos - 2], t->a[t->pos - 1]);
  }
  if (!strcmp(a, "!")) {
    t->pos++;
    return !t_primary(t);
  }
  if (!strcmp(a, "(")) {
    t->pos++;
    int v = t_or(t);
    if (t->pos < t->n && !strcmp(t->a[t->pos], ")")) t->pos++;
    else t->err = 1;
    return v;
  }
  if (a[0] == '-' && a[1] && !a[2] && t->pos + 1 < t->n) {
    char op = a[1];
    const char *arg = t->a[t->pos + 1];
    if (op == 'z') return t->pos += 2, *arg == 0;
    if (op == 'n') return t->pos += 2, *arg != 0;
    if (op == 't') {
      long fd;
      t->pos += 2;
      return is_int(arg, &fd) && isatty((int)fd);
    }
    if (strchr("efdsprwxhLSbc", op)) return t->pos += 2, unary_file(op, arg);
  }
  t->pos++;
  return *a != 0; /* a lone string: true if not empty */
}

static int t_and(tst *t) {
  int v = t_primary(t);
  while (t->pos < t->n && !strcmp(t->a[t->pos], "-a")) {
    t->pos++;
    int r = t_primary(t);
    v = v && r;
  }
  return v;
}

static int t_or(tst *t) {
  int v = t_and(t);
  while (t->pos < t->n && !strcmp(t->a[t->pos], "-o")) {
    t->pos++;
    int r = t_and(t);
    v = v || r;
  }
  return v;
}

int applet_test(int argc, char **argv) {
  if (!strcmp(bb_basename(argv[0]), "[")) {
    if (strcmp(argv[argc - 1], "]") != 0) {
      err_printf("[: missing ]\n");
      return 2;
    }
    argc--;
  }
  tst t = {argv + 1, argc - 1, 0, 0};
  if (t.n == 0) return 1;
  /* POSIX rules by argument count keep `test "$x" = ...` right even when $x looks like an operator. */
  int v;
  if (t.n == 1) v = argv[1][0] != 0;
  else if (t.n == 2 && !strcmp(argv[1], "!")) v = argv[2][0] == 0;
  else if (t.n == 3 && is_binop(argv[2])) v = binary(&t, argv[1], argv[2], argv[3]), t.pos = 3;
  else v = t_or(&t);
  if (t.n > 1 && t.pos < t.n && !t.err) {
    err_printf("test: %s: unexpected operator\n", t.a[t.pos]);
    return 2;
  }
  return t.err ? 2 : !v;
}

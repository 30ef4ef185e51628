/* applets/ls.c: ls with -l -a -A -1 -d -R -F -h; columns on a terminal, one name a line otherwise. */
#include "../bb.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct ls_opts {
  int all, almost, long_fmt, one, dir_only, recursive, classify, human;
} ls_opts;

typedef struct entry {
  char *name, *path;
  struct stat st;
  int ok;
} entry;

static int by_name(const void *a, const void *b) { return strcmp(((const entry *)a)->name, ((const entry *)b)->name); }

/* WASI reports no permission bits; show what a root-owned container file would usually have. */
static void mode_string(mode_t m, char *out) {
  char t = S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : S_ISCHR(m) ? 'c' : S_ISBLK(m) ? 'b' : S_ISFIFO(m) ? 'p'
           : S_ISSOCK(m) ? 's' : '-';
  mode_t perm = m & 07777;
  if (!perm) perm = S_ISDIR(m) || S_ISLNK(m) ? 0777 & (S_ISLNK(m) ? 0777 : 0755) : 0644;
  const char *rwx = "rwxrwxrwx";
  out[0] = t;
  for (int i = 0; i < 9; i++) out[i + 1] = perm & (0400 >> i) ? rwx[i] : '-';
  out[10] = 0;
}

static void human_size(long long n, char *out, size_t sz) {
  const char *units = "BKMGTP";
  double v = (double)n;
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    u++;
  }
  if (u == 0) snprintf(out, sz, "%lld", n);
  else snprintf(out, sz, v < 10 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

static char suffix(entry *e, ls_opts *o) {
  if (!o->classify || !e->ok) return 0;
  if (S_ISDIR(e->st.st_mode)) return '/';
  if (S_ISLNK(e->st.st_mode)) return '@';
  if (S_ISFIFO(e->st.st_mode)) return '|';
  if (e->st.st_mode & 0111) return '*';
  return 0;
}

static void print_long(entry *e, ls_opts *o) {
  char mode[11], size[32], when[32];
  mode_string(e->st.st_mode, mode);
  if (o->human) human_size((long long)e->st.st_size, size, sizeof size);
  else snprintf(size, sizeof size, "%lld", (long long)e->st.st_size);
  struct tm tm;
  time_t t = e->st.st_mtim.tv_sec;
  gmtime_r(&t, &tm);
  strftime(when, sizeof when, "%b %e %H:%M", &tm);
  out_printf("%s %4lu root     root     %8s %s %s", mode, (unsigned long)e->st.st_nlink, size, when, e->name);
  if (S_ISLNK(e->st.st_mode)) {
    char target[4096];
    ssize_t n = readlink(e->path, target, sizeof target - 1);
    if (n >= 0) {
      target[n] = 0;
      out_printf(" -> %s", target);
    }
  }
  char s = suffix(e, o);
  if (s && !S_ISLNK(e->st.st_mode)) out_putc(s);
  out_putc('\n');
}

static void print_entries(entry *es, size_t n, ls_opts *o) {
  if (o->long_fmt) {
    for (size_t i = 0; i < n; i++) print_long(&es[i], o);
    return;
  }
  int tty = !bb_out.mem && isatty(bb_out.fd);
  if (o->one || !tty || n == 0) {
    for (size_t i = 0; i < n; i++) {
      char s = suffix(&es[i], o);
      out_printf("%s%s\n", es[i].name, s ? (char[]){s, 0} : "");
    }
    return;
  }
  const char *cols_env = bb_getenv("COLUMNS");
  int width = cols_env ? atoi(cols_env) : 80;
  if (width < 20) width = 80;
  size_t maxlen = 0;
  for (size_t i = 0; i < n; i++) {
    size_t l = strlen(es[i].name) + (suffix(&es[i], o) ? 1 : 0);
    if (l > maxlen) maxlen = l;
  }
  size_t colw = maxlen + 2, cols = (size_t)width / colw;
  if (cols < 1) cols = 1;
  size_t rows = (n + cols - 1) / cols;
  for (size_t r = 0; r < rows; r++) {
    for (size_t c = 0; c < cols; c++) {
      size_t i = c * rows + r;
      if (i >= n) break;
      char s = suffix(&es[i], o);
      int len = (int)strlen(es[i].name) + (s ? 1 : 0);
      out_printf("%s%s", es[i].name, s ? (char[]){s, 0} : "");
      if ((c + 1) * rows + r < n) out_printf("%*s", (int)colw - len, "");
    }
    out_putc('\n');
  }
}

static int list_dir(const char *path, ls_opts *o, int header, int *first_block) {
  DIR *d = opendir(path);
  if (!d) return bb_perror("ls", path);
  entry *es = NULL;
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    const char *nm = de->d_name;
    if (nm[0] == '.' && !o->all && !o->almost) continue;
    if (o->almost && !o->all && (!strcmp(nm, ".") || !strcmp(nm, ".."))) continue;
    es = realloc(es, sizeof(entry) * (n + 1));
    entry *e = &es[n++];
    e->name = strdup(nm);
    size_t sz = strlen(path) + strlen(nm) + 2;
    e->path = malloc(sz);
    snprintf(e->path, sz, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", nm);
    e->ok = lstat(e->path, &e->st) == 0;
  }
  closedir(d);
  if (o->all) { /* WASI readdir may not list . and .. */
    int dot = 0, dotdot = 0;
    for (size_t i = 0; i < n; i++) {
      if (!strcmp(es[i].name, ".")) dot = 1;
      if (!strcmp(es[i].name, "..")) dotdot = 1;
    }
    const char *add[2] = {dot ? NULL : ".", dotdot ? NULL : ".."};
    for (int k = 0; k < 2; k++) {
      if (!add[k]) continue;
      es = realloc(es, sizeof(entry) * (n + 1));
      entry *e = &es[n++];
      e->name = strdup(add[k]);
      size_t sz = strlen(path) + 4;
      e->path = malloc(sz);
      snprintf(e->path, sz, "%s/%s", path, add[k]);
      e->ok = stat(e->path, &e->st) == 0;
    }
  }
  qsort(es, n, sizeof(entry), by_name);
  if (header) out_printf("%s%s:\n", *first_block ? "" : "\n", path);
  *first_block = 0;
  if (o->long_fmt) {
    long long blocks = 0;
    for (size_t i = 0; i < n; i++) blocks += (es[i].st.st_size + 1023) / 1024;
    out_printf("total %lld\n", blocks);
  }
  print_entries(es, n, o);
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    if (o->recursive && es[i].ok && S_ISDIR(es[i].st.st_mode) && strcmp(es[i].name, ".") && strcmp(es[i].name, ".."))
      rc |= list_dir(es[i].path, o, 1, first_block);
    free(es[i].name);
    free(es[i].path);
  }
  free(es);
  return rc;
}

int applet_ls(int argc, char **argv) {
  ls_opts o;
  memset(&o, 0, sizeof o);
  int c;
  while ((c = bb_getopt(argc, argv, "laA1dRFhC")) != -1) {
    switch (c) {
    case 'l': o.long_fmt = 1; break;
    case 'a': o.all = 1; break;
    case 'A': o.almost = 1; break;
    case '1': o.one = 1; break;
    case 'd': o.dir_only = 1; break;
    case 'R': o.recursive = 1; break;
    case 'F': o.classify = 1; break;
    case 'h': o.human = 1; break;
    case 'C': break;
    default: return 2;
    }
  }
  int n = argc - bb_optind, rc = 0, first_block = 1;
  char *dot[] = {".", NULL};
  char **ops = n ? argv + bb_optind : dot;
  if (!n) n = 1;
  entry *files = NULL;
  size_t nf = 0;
  char **dirs = malloc(sizeof(char *) * (size_t)n);
  int nd = 0;
  for (int i = 0; i < n; i++) {
    struct stat st;
    if (stat(ops[i], &st) != 0 && lstat(ops[i], &st) != 0) {
      rc = bb_perror("ls", ops[i]);
      continue;
    }
    if (S_ISDIR(st.st_mode) && !o.dir_only) {
      dirs[nd++] = ops[i];
      continue;
    }
    files = realloc(files, sizeof(entry) * (nf + 1));
    entry *e = &files[nf++];
    e->name = ops[i];
    e->path = ops[i];
    e->ok = lstat(ops[i], &e->st) == 0;
  }
  qsort(files, nf, sizeof(entry), by_name);
  print_entries(files, nf, &o);
  if (nf) first_block = 0;
  free(files);
  for (int i = 0; i < nd; i++) rc |= list_dir(dirs[i], &o, n > 1 || o.recursive, &first_block);
  free(dirs);
  return rc;
}

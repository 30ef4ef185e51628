/* applets/find.c: find (-name -iname -path -type -maxdepth -mindepth -newer -empty -print -exec -delete
   ! -a -o parentheses) and xargs (-n -I -0 -r -d -t). */
#include "../bb.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { E_TRUE, E_FALSE, E_NAME, E_INAME, E_PATH, E_TYPE, E_PRINT, E_EXEC, E_DELETE, E_NOT, E_AND, E_OR, E_NEWER,
       E_EMPTY };

typedef struct expr {
  int kind;
  const char *arg;
  char **cmd; /* -exec argv up to ; or + */
  int ncmd, plus;
  struct stat ref;
  struct expr *l, *r;
} expr;

typedef struct find_state {
  char **args;
  int n, pos;
  long maxdepth, mindepth;
  int has_action, depth_first, error;
  char **batch; /* -exec ... {} + */
  int nbatch;
  expr *batch_cmd;
} find_state;

static expr *mk(int kind, expr *l, expr *r) {
  expr *e = calloc(1, sizeof *e);
  e->kind = kind;
  e->l = l;
  e->r = r;
  return e;
}

static expr *parse_or(find_state *f);

static const char *need_arg(find_state *f, const char *opt) {
  if (f->pos >= f->n) {
    err_printf("find: missing argument to '%s'\n", opt);
    f->error = 1;
    return "";
  }
  return f->args[f->pos++];
}

static expr *parse_primary(find_state *f) {
  if (f->pos >= f->n) return mk(E_TRUE, NULL, NULL);
  const char *a = f->args[f->pos++];
  if (!strcmp(a, "!") || !strcmp(a, "-not")) return mk(E_NOT, parse_primary(f), NULL);
  if (!strcmp(a, "(")) {
    expr *e = parse_or(f);
    if (f->pos < f->n && !strcmp(f->args[f->pos], ")")) f->pos++;
    else {
      err_printf("find: missing ')'\n");
      f->error = 1;
    }
    return e;
  }
  expr *e = mk(E_TRUE, NULL, NULL);
  if (!strcmp(a, "-name")) e->kind = E_NAME, e->arg = need_arg(f, a);
  else if (!strcmp(a, "-iname")) e->kind = E_INAME, e->arg = need_arg(f, a);
  else if (!strcmp(a, "-path") || !strcmp(a, "-wholename")) e->kind = E_PATH, e->arg = need_arg(f, a);
  else if (!strcmp(a, "-type")) e->kind = E_TYPE, e->arg = need_arg(f, a);
  else if (!strcmp(a, "-print")) e->kind = E_PRINT, f->has_action = 1;
  else if (!strcmp(a, "-delete")) e->kind = E_DELETE, f->has_action = 1, f->depth_first = 1;
  else if (!strcmp(a, "-empty")) e->kind = E_EMPTY;
  else if (!strcmp(a, "-true")) e->kind = E_TRUE;
  else if (!strcmp(a, "-false")) e->kind = E_FALSE;
  else if (!strcmp(a, "-depth")) f->depth_first = 1;
  else if (!strcmp(a, "-maxdepth") || !strcmp(a, "-mindepth")) {
    long v;
    const char *s = need_arg(f, a);
    if (bb_parse_long(s, &v) < 0) {
      err_printf("find: invalid number '%s'\n", s);
      f->error = 1;
    }
    if (a[2] == 'a') f->maxdepth = v;
    else f->mindepth = v;
  } else if (!strcmp(a, "-newer")) {
    e->kind = E_NEWER;
    const char *s = need_arg(f, a);
    if (stat(s, &e->ref) != 0) {
      bb_perror("find", s);
      f->error = 1;
    }
  } else if (!strcmp(a, "-exec")) {
    e->kind = E_EXEC;
    f->has_action = 1;
    e->cmd = f->args + f->pos;
    while (f->pos < f->n && strcmp(f->args[f->pos], ";") && strcmp(f->args[f->pos], "+")) f->pos++;
    if (f->pos >= f->n) {
      err_printf("find: missing argument to '-exec'\n");
      f->error = 1;
    } else {
      e->plus = f->args[f->pos][0] == '+';
      e->ncmd = (int)(f->args + f->pos - e->cmd);
      f->pos++;
    }
  } else {
    err_printf("find: unknown predicate '%s'\n", a);
    f->error = 1;
  }
  return e;
}

static expr *parse_and(find_state *f) {
  expr *l = parse_primary(f);
  while (f->pos < f->n && strcmp(f->args[f->pos], "-o") && strcmp(f->args[f->pos], "-or") &&
         strcmp(f->args[f->pos], ")")) {
    if (!strcmp(f->args[f->pos], "-a") || !strcmp(f->args[f->pos], "-and")) f->pos++;
    l = mk(E_AND, l, parse_primary(f));
  }
  return l;
}

static expr *parse_or(find_state *f) {
  expr *l = parse_and(f);
  while (f->pos < f->n && (!strcmp(f->args[f->pos], "-o") || !strcmp(f->args[f->pos], "-or"))) {
    f->pos++;
    l = mk(E_OR, l, parse_and(f));
  }
  return l;
}

static int run_exec(expr *e, char **extra, int nextra, const char *path) {
  char **argv = calloc((size_t)(e->ncmd + nextra + 1), sizeof(char *));
  int n = 0;
  for (int i = 0; i < e->ncmd; i++) {
    if (e->plus && !strcmp(e->cmd[i], "{}")) {
      for (int k = 0; k < nextra; k++) argv[n++] = extra[k];
      continue;
    }
    const char *s = e->cmd[i];
    const char *at = path ? strstr(s, "{}") : NULL;
    if (!at) {
      argv[n++] = strdup(s);
      continue;
    }
    bb_buf b = {0};
    for (; (at = strstr(s, "{}")); s = at + 2) {
      buf_add(&b, s, (size_t)(at - s));
      buf_adds(&b, path);
    }
    buf_adds(&b, s);
    argv[n++] = strdup(buf_cstr(&b));
    buf_free(&b);
  }
  argv[n] = NULL;
  int st = bb_run_command(argv, bb_env);
  for (int i = 0; i < n; i++) {
    int is_extra = 0;
    for (int k = 0; k < nextra; k++) is_extra |= argv[i] == extra[k];
    if (!is_extra) free(argv[i]);
  }
  free(argv);
  return st;
}

static int is_empty(const char *path, struct stat *st) {
  if (S_ISREG(st->st_mode)) return st->st_size == 0;
  if (!S_ISDIR(st->st_mode)) return 0;
  DIR *d = opendir(path);
  if (!d) return 0;
  struct dirent *de;
  int empty = 1;
  while (empty && (de = readdir(d))) empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
  closedir(d);
  return empty;
}

static int eval(find_state *f, expr *e, const char *path, struct stat *st) {
  const char *base = bb_basename(path);
  char tmp[4096];
  if (!*base) base = path;
  /* The name of "dir/" is "dir". */
  size_t pl = strlen(path);
  if (pl > 1 && path[pl - 1] == '/' && pl < sizeof tmp) {
    memcpy(tmp, path, pl - 1);
    tmp[pl - 1] = 0;
    base = bb_basename(tmp);
  }
  switch (e->kind) {
  case E_TRUE: return 1;
  case E_FALSE: return 0;
  case E_NAME: return fnmatch(e->arg, base, 0) == 0;
  case E_INAME: return fnmatch(e->arg, base, FNM_CASEFOLD) == 0;
  case E_PATH: return fnmatch(e->arg, path, 0) == 0;
  case E_TYPE: {
    char t = e->arg[0];
    mode_t m = st->st_mode;
    return (t == 'f' && S_ISREG(m)) || (t == 'd' && S_ISDIR(m)) || (t == 'l' && S_ISLNK(m)) ||
           (t == 'p' && S_ISFIFO(m)) || (t == 's' && S_ISSOCK(m)) || (t == 'c' && S_ISCHR(m)) ||
           (t == 'b' && S_ISBLK(m));
  }
  case E_NEWER:
    return st->st_mtim.tv_sec > e->ref.st_mtim.tv_sec ||
           (st->st_mtim.tv_sec == e->ref.st_mtim.tv_sec && st->st_mtim.tv_nsec > e->ref.st_mtim.tv_nsec);
  case E_EMPTY: return is_empty(path, st);
  case E_PRINT: out_printf("%s\n", path); return 1;
  case E_DELETE:
    if ((S_ISDIR(st->st_mode) ? rmdir(path) : unlink(path)) != 0) {
      bb_perror("find", path);
      f->error = 1;
      return 0;
    }
    return 1;
  case E_EXEC:
    if (e->plus) {
      f->batch = realloc(f->batch, sizeof(char *) * (size_t)(f->nbatch + 1));
      f->batch[f->nbatch++] = strdup(path);
      f->batch_cmd = e;
      return 1;
    }
    return run_exec(e, NULL, 0, path) == 0;
  case E_NOT: return !eval(f, e->l, path, st);
  case E_AND: return eval(f, e->l, path, st) && eval(f, e->r, path, st);
  case E_OR: return eval(f, e->l, path, st) || eval(f, e->r, path, st);
  }
  return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void walk(find_state *f, expr *e, const char *path, long depth) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    bb_perror("find", path);
    f->error = 1;
    return;
  }
  int here = depth >= f->mindepth;
  if (here && !f->depth_first) eval(f, e, path, &st);
  if (S_ISDIR(st.st_mode) && (f->maxdepth < 0 || depth < f->maxdepth)) {
    DIR *d = opendir(path);
    if (!d) {
      bb_perror("find", path);
      f->error = 1;
    } else {
      char **names = NULL;
      size_t n = 0;
      struct dirent *de;
      while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        names = realloc(names, sizeof(char *) * (n + 1));
        names[n++] = strdup(de->d_name);
      }
      closedir(d);
      qsort(names, n, sizeof(char *), cmp_str); /* a stable order, whatever the filesystem's */
      for (size_t i = 0; i < n; i++) {
        size_t sz = strlen(path) + strlen(names[i]) + 2;
        char *child = malloc(sz);
        snprintf(child, sz, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", names[i]);
        walk(f, e, child, depth + 1);
        free(child);
        free(names[i]);
      }
      free(names);
    }
  }
  if (here && f->depth_first) eval(f, e, path, &st);
}

int applet_find(int argc, char **argv) {
  find_state f;
  memset(&f, 0, sizeof f);
  f.maxdepth = -1;
  int i = 1;
  while (i < argc && argv[i][0] != '-' && strcmp(argv[i], "!") && strcmp(argv[i], "(")) i++;
  f.args = argv + i;
  f.n = argc - i;
  expr *e = f.n ? parse_or(&f) : mk(E_TRUE, NULL, NULL);
  if (f.pos < f.n) {
    err_printf("find: unexpected '%s'\n", f.args[f.pos]);
    return 1;
  }
  if (f.error) return 1;
  if (!f.has_action) e = mk(E_AND, e, mk(E_PRINT, NULL, NULL));
  if (i == 1) walk(&f, e, ".", 0);
  for (int k = 1; k < i; k++) walk(&f, e, argv[k], 0);
  if (f.nbatch) {
    if (run_exec(f.batch_cmd, f.batch, f.nbatch, NULL) != 0) f.error = 1;
    for (int k = 0; k < f.nbatch; k++) free(f.batch[k]);
    free(f.batch);
  }
  return f.error ? 1 : 0;
}

/* Next xargs item: split on delim if given, else on blanks/newlines with quotes and backslashes. */
static int next_item(bb_reader *r, int delim, bb_buf *item) {
  item->len = 0;
  char c;
  int any = 0, quote = 0;
  if (delim >= 0) {
    while (reader_read(r, &c, 1) == 1) {
      if (c == delim) {
        buf_cstr(item);
        return 1;
      }
      buf_addc(item, c);
      any = 1;
    }
    buf_cstr(item);
    return any;
  }
  while (reader_read(r, &c, 1) == 1) {
    if (quote) {
      if (c == quote) quote = 0;
      else buf_addc(item, c);
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n') {
      if (any) break;
      continue;
    }
    any = 1;
    if (c == '\'' || c == '"') quote = c;
    else if (c == '\\') {
      if (reader_read(r, &c, 1) == 1) buf_addc(item, c);
    } else buf_addc(item, c);
  }
  buf_cstr(item);
  return any;
}

int applet_xargs(int argc, char **argv) {
  int c, delim = -1, no_empty = 0, trace = 0;
  long max_args = 0;
  const char *replace = NULL;
  while ((c = bb_getopt(argc, argv, "+n:I:0rd:t")) != -1) {
    if (c == 'n' && bb_parse_long(bb_optarg, &max_args) < 0) return 1;
    else if (c == 'I') replace = bb_optarg;
    else if (c == '0') delim = 0;
    else if (c == 'd') delim = bb_optarg[0] == '\\' && bb_optarg[1] == 'n' ? '\n' : bb_optarg[0];
    else if (c == 'r') no_empty = 1;
    else if (c == 't') trace = 1;
    else if (c == '?') return 1;
  }
  char *echo_cmd[] = {"echo", NULL};
  char **base = bb_optind < argc ? argv + bb_optind : echo_cmd;
  int nbase = bb_optind < argc ? argc - bb_optind : 1;
  if (replace && delim < 0) delim = '\n';
  bb_reader r;
  reader_open(&r, NULL);
  bb_buf item = {0};
  strlist items = {0};
  int st = 0, ran = 0, done = 0;
  while (!done) {
    int got = next_item(&r, delim, &item);
    if (got) sl_push(&items, strdup(item.data));
    done = !got;
    int full = replace ? items.n >= 1 : (max_args && items.n >= max_args);
    if (!(full || (done && (items.n || (!ran && !no_empty && !replace))))) continue;
    strlist cmdv = {0};
    for (int k = 0; k < nbase; k++) {
      if (!replace || !strstr(base[k], replace)) {
        sl_push(&cmdv, strdup(base[k]));
        continue;
      }
      bb_buf b = {0};
      const char *s = base[k], *at;
      for (; (at = strstr(s, replace)); s = at + strlen(replace)) {
        buf_add(&b, s, (size_t)(at - s));
        buf_adds(&b, items.v[0]);
      }
      buf_adds(&b, s);
      sl_push(&cmdv, strdup(buf_cstr(&b)));
      buf_free(&b);
    }
    if (!replace)
      for (int k = 0; k < items.n; k++) sl_push(&cmdv, strdup(items.v[k]));
    if (trace) {
      for (int k = 0; k < cmdv.n; k++) err_printf("%s%s", k ? " " : "", cmdv.v[k]);
      err_printf("\n");
    }
    int rc = bb_run_command(cmdv.v, bb_env);
    if (rc == 127 || rc == 126) st = rc;
    else if (rc) st = 123;
    ran = 1;
    sl_free(&cmdv);
    sl_free(&items);
  }
  sl_free(&items);
  buf_free(&item);
  reader_close(&r);
  return st;
}

/* sh-exec.c: runs the command tree: lists, control flow, redirections, builtins/applets in-process. */
#include "sh.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

shell sh = {.spawn_ok = -1};
extern int sh_last_subst_status;
int sh_run_pipeline(node *n, sh_io *io); /* sh-pipe.c */
int sh_run_external(char **argv, char **env, sh_io *io); /* sh-pipe.c */
int sh_run_background(node *n, sh_io *io);                /* sh-pipe.c */

void sh_error(const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  err_printf("sh: %s\n", msg);
}

static int stop_running(void) { return sh.exiting || sh.breaking || sh.continuing || sh.returning; }

/* Files opened for one command's redirections, closed when it ends. */
typedef struct redir_scope {
  sh_io io;
  int fds[10];
  int nfds;
  bb_src *srcs[10];
  int nsrcs;
} redir_scope;

static bb_src *new_src(redir_scope *rs, int fd, char *mem) {
  bb_src *s = calloc(1, sizeof *s);
  s->fd = fd;
  s->mem = mem;
  s->len = mem ? strlen(mem) : 0;
  if (rs->nsrcs < 10) rs->srcs[rs->nsrcs++] = s;
  return s;
}

static void close_scope(redir_scope *rs) {
  out_flush();
  for (int i = 0; i < rs->nfds; i++) close(rs->fds[i]);
  for (int i = 0; i < rs->nsrcs; i++) {
    free((char *)rs->srcs[i]->mem);
    free(rs->srcs[i]);
  }
  rs->nfds = rs->nsrcs = 0;
}

static int open_target(const char *path, int flags) {
  int fd = open(path, flags, 0666);
  /* A container may have no /dev/null; it is then a sink that drops everything. */
  if (fd < 0 && strcmp(path, "/dev/null") == 0) return -2;
  return fd;
}

static int apply_redirs(redir *r, sh_io *base, redir_scope *rs) {
  rs->io = *base;
  rs->nfds = rs->nsrcs = 0;
  for (; r; r = r->next) {
    if (r->kind == R_HEREDOC) {
      char *body = r->quoted ? strdup(r->word) : expand_heredoc(r->word);
      if (r->fd == 0) rs->io.in = new_src(rs, -1, body);
      else free(body);
      continue;
    }
    char *target = expand_word(r->word);
    if (!target) return -1;
    if (r->kind == R_DUP_OUT || r->kind == R_DUP_IN) {
      bb_sink s;
      if (strcmp(target, "1") == 0) s = rs->io.out;
      else if (strcmp(target, "2") == 0) s = rs->io.err;
      else if (strcmp(target, "-") == 0) s = (bb_sink){-1, NULL};
      else if (strcmp(target, "0") == 0 && r->fd == 0) s = (bb_sink){0, NULL};
      else {
        sh_error("%s: bad file descriptor", target);
        free(target);
        return -1;
      }
      if (r->fd == 1) rs->io.out = s;
      else if (r->fd == 2) rs->io.err = s;
      free(target);
      continue;
    }
    int flags = r->kind == R_IN ? O_RDONLY
                : r->kind == R_RDWR ? O_RDWR | O_CREAT
                : O_WRONLY | O_CREAT | (r->kind == R_APPEND ? O_APPEND : O_TRUNC);
    int fd = open_target(target, flags);
    if (fd == -1) {
      sh_error("%s: %s", target, strerror(errno));
      free(target);
      return -1;
    }
    free(target);
    if (fd >= 0 && rs->nfds < 10) rs->fds[rs->nfds++] = fd;
    if (r->fd == 0) rs->io.in = fd >= 0 ? new_src(rs, fd, NULL) : new_src(rs, -1, strdup(""));
    else if (r->fd == 1) rs->io.out = (bb_sink){fd >= 0 ? fd : -1, NULL};
    else if (r->fd == 2) rs->io.err = (bb_sink){fd >= 0 ? fd : -1, NULL};
  }
  return 0;
}

/* Makes io the streams the shell itself writes to (builtins, error messages). */
static void use_io(sh_io *io) {
  out_flush();
  bb_in = io->in;
  bb_out = io->out;
  bb_err = io->err;
}

static void trace(char **argv, int argc) {
  bb_buf line = {0};
  buf_adds(&line, "+");
  for (int i = 0; i < argc; i++) {
    buf_addc(&line, ' ');
    buf_adds(&line, argv[i]);
  }
  err_printf("%s\n", buf_cstr(&line));
  buf_free(&line);
}

/* `local` saves a variable's value here; the function's return restores it. */
typedef struct saved_var {
  char *name, *value;
  int depth;
  struct saved_var *next;
} saved_var;
static saved_var *locals;

int sh_make_local(const char *name) {
  if (sh.func_depth == 0) return -1;
  for (saved_var *l = locals; l && l->depth == sh.func_depth; l = l->next)
    if (strcmp(l->name, name) == 0) return 0;
  saved_var *l = malloc(sizeof *l);
  const char *v = var_get(name);
  l->name = strdup(name);
  l->value = v ? strdup(v) : NULL;
  l->depth = sh.func_depth;
  l->next = locals;
  locals = l;
  return 0;
}

static void restore_locals(void) {
  while (locals && locals->depth == sh.func_depth) {
    saved_var *l = locals;
    locals = l->next;
    if (l->value) var_set(l->name, l->value, 0);
    else var_unset(l->name);
    free(l->name);
    free(l->value);
    free(l);
  }
}

static int run_function(node *body, char **argv, int argc, sh_io *io) {
  char **saved = sh.params;
  int nsaved = sh.nparams;
  sh.params = argv + 1;
  sh.nparams = argc - 1;
  sh.func_depth++;
  int st = sh_exec(body, io);
  restore_locals();
  sh.func_depth--;
  if (sh.returning) {
    sh.returning = 0;
    st = sh.status;
  }
  sh.params = saved;
  sh.nparams = nsaved;
  return st;
}

static int exec_simple(node *n, sh_io *io) {
  strlist args = {0};
  sh_last_subst_status = -1;
  use_io(io);
  if (expand_words(n->words, n->nwords, &args) < 0) {
    sl_free(&args);
    return 1;
  }
  strlist assigns = {0};
  for (int i = 0; i < n->nassigns; i++) {
    char *eq = strchr(n->assigns[i], '=');
    char *val = expand_word(eq + 1);
    if (!val) {
      sl_free(&args);
      sl_free(&assigns);
      return 1;
    }
    size_t nl = (size_t)(eq - n->assigns[i]);
    char *kv = malloc(nl + strlen(val) + 2);
    memcpy(kv, n->assigns[i], nl + 1);
    strcpy(kv + nl + 1, val);
    free(val);
    sl_push(&assigns, kv);
  }
  if (sh.opt_x && (args.n || assigns.n)) {
    if (assigns.n) trace(assigns.v, assigns.n);
    if (args.n) trace(args.v, args.n);
  }
  int status = 0;
  redir_scope rs;
  if (apply_redirs(n->redirs, io, &rs) < 0) {
    status = 1;
    goto out;
  }
  if (args.n == 0) {
    for (int i = 0; i < assigns.n; i++) {
      char *eq = strchr(assigns.v[i], '=');
      *eq = 0;
      var_set(assigns.v[i], eq + 1, 0);
      *eq = '=';
    }
    status = sh_last_subst_status >= 0 ? sh_last_subst_status : 0;
    goto out;
  }
  int exec_then_exit = 0;
  if (strcmp(args.v[0], "exec") == 0) { /* no process replacement in WASI: run it, then leave */
    if (args.n == 1) goto out;
    free(args.v[0]);
    memmove(args.v, args.v + 1, sizeof(char *) * (size_t)args.n);
    args.n--;
    exec_then_exit = 1;
  }
  const char *name = args.v[0];
  node *fn = func_get(name);
  sh_builtin_fn bi = fn ? NULL : sh_find_builtin(name);
  const bb_applet *ap = fn || bi ? NULL : bb_find_applet(name);
  if (ap && strcmp(name, "berthbox") == 0) ap = NULL;
  if (fn || bi) { /* assignments before functions and builtins stay, as for POSIX special builtins */
    for (int i = 0; i < assigns.n; i++) {
      char *eq = strchr(assigns.v[i], '=');
      *eq = 0;
      var_set(assigns.v[i], eq + 1, 0);
      *eq = '=';
    }
  }
  if (fn) {
    status = run_function(fn, args.v, args.n, &rs.io);
  } else if (bi) {
    use_io(&rs.io);
    status = bi(args.n, args.v, &rs.io);
    use_io(io);
  } else if (ap) {
    char **env = var_environ(assigns.v, assigns.n);
    status = bb_run_applet(ap, args.n, args.v, rs.io.in, rs.io.out, rs.io.err, env);
    var_free_environ(env);
  } else {
    char **env = var_environ(assigns.v, assigns.n);
    status = sh_run_external(args.v, env, &rs.io);
    var_free_environ(env);
  }
  if (exec_then_exit) {
    sh.exiting = 1;
    sh.exit_status = status;
  }
out:
  close_scope(&rs);
  use_io(io);
  sl_free(&args);
  sl_free(&assigns);
  return status;
}

static int exec_for(node *n, sh_io *io) {
  strlist items = {0};
  if (n->has_in) {
    if (expand_words(n->words, n->nwords, &items) < 0) return 1;
  } else {
    for (int i = 0; i < sh.nparams; i++) sl_push(&items, strdup(sh.params[i]));
  }
  int status = 0;
  sh.loop_depth++;
  for (int i = 0; i < items.n; i++) {
    var_set(n->name, items.v[i], 0);
    status = sh_exec(n->a, io);
    if (sh.breaking) {
      sh.breaking--;
      break;
    }
    if (sh.continuing && --sh.continuing) break;
    if (stop_running()) break;
  }
  sh.loop_depth--;
  sl_free(&items);
  return status;
}

static int exec_while(node *n, sh_io *io) {
  int status = 0;
  sh.loop_depth++;
  for (;;) {
    sh.in_condition++;
    int c = sh_exec(n->a, io);
    sh.in_condition--;
    if (stop_running()) break;
    if ((c == 0) != (n->type == N_WHILE)) break;
    status = sh_exec(n->b, io);
    if (sh.breaking) {
      sh.breaking--;
      break;
    }
    if (sh.continuing && --sh.continuing) break;
    if (stop_running()) break;
  }
  sh.loop_depth--;
  return status;
}

static int exec_case(node *n, sh_io *io) {
  char *subject = expand_word(n->words[0]);
  if (!subject) return 1;
  int status = 0;
  for (case_item *it = n->items; it; it = it->next) {
    int hit = 0;
    for (int k = 0; k < it->npats && !hit; k++) {
      char *pat = expand_pattern(it->pats[k]);
      hit = pat && fnmatch(pat, subject, 0) == 0;
      free(pat);
    }
    if (hit) {
      status = it->body ? sh_exec(it->body, io) : 0;
      break;
    }
  }
  free(subject);
  return status;
}

/* ( list ) and command substitution: changes to variables, cwd and `exit` stay inside. */
static int exec_subshell(node *body, sh_io *io) {
  var_snapshot *vs = var_save();
  char cwd[1024];
  int have_cwd = getcwd(cwd, sizeof cwd) != NULL;
  int e = sh.opt_e, f = sh.opt_f, x = sh.opt_x, u = sh.opt_u;
  int st = body ? sh_exec(body, io) : 0;
  if (sh.exiting) {
    st = sh.exit_status;
    sh.exiting = 0;
  }
  sh.breaking = sh.continuing = sh.returning = 0;
  if (have_cwd) chdir(cwd);
  var_restore(vs);
  sh.opt_e = e;
  sh.opt_f = f;
  sh.opt_x = x;
  sh.opt_u = u;
  return st;
}

int sh_run_capture(const char *text, bb_buf *out) {
  parser p;
  node *n = sh_parse(&p, text);
  if (!n) {
    if (p.incomplete) sh_error("syntax error: unexpected end of file");
    return 2;
  }
  sh_io io = {bb_in, {-1, out}, bb_err};
  sh_io outer = {bb_in, bb_out, bb_err};
  int st = exec_subshell(n, &io);
  use_io(&outer);
  return st;
}

int sh_eval_string(const char *text, sh_io *io) {
  parser p;
  node *n = sh_parse(&p, text);
  if (!n) {
    if (p.incomplete) sh_error("syntax error: unexpected end of file");
    return 2;
  }
  return sh_exec(n, io);
}

static int exec_node(node *n, sh_io *io) {
  switch (n->type) {
  case N_CMD:
    return exec_simple(n, io);
  case N_PIPE:
    return sh_run_pipeline(n, io);
  case N_SEQ: {
    int st = 0;
    if (n->a) st = sh_exec(n->a, io);
    if (n->b && !stop_running()) st = sh_exec(n->b, io);
    return st;
  }
  case N_AND:
  case N_OR: {
    sh.in_condition++;
    int st = sh_exec(n->a, io);
    sh.in_condition--;
    if (stop_running()) return st;
    if ((st == 0) == (n->type == N_AND)) return sh_exec(n->b, io);
    return st;
  }
  case N_NOT: {
    sh.in_condition++;
    int st = sh_exec(n->a, io);
    sh.in_condition--;
    return !st;
  }
  case N_IF: {
    sh.in_condition++;
    int c = sh_exec(n->a, io);
    sh.in_condition--;
    if (stop_running()) return c;
    if (c == 0) return n->b ? sh_exec(n->b, io) : 0;
    return n->c ? sh_exec(n->c, io) : 0;
  }
  case N_WHILE:
  case N_UNTIL:
    return exec_while(n, io);
  case N_FOR:
    return exec_for(n, io);
  case N_CASE:
    return exec_case(n, io);
  case N_SUBSHELL:
    return exec_subshell(n->a, io);
  case N_GROUP:
    return n->a ? sh_exec(n->a, io) : 0;
  case N_FUNC:
    func_set(n->name, n->a);
    return 0;
  case N_BG:
    return sh_run_background(n, io);
  }
  return 0;
}

int sh_exec(node *n, sh_io *io) {
  if (!n || sh.exiting) return sh.status;
  int st;
  if (n->redirs && n->type != N_CMD) {
    redir_scope rs;
    if (apply_redirs(n->redirs, io, &rs) < 0) {
      close_scope(&rs);
      st = 1;
    } else {
      st = exec_node(n, &rs.io);
      close_scope(&rs);
      use_io(io);
    }
  } else {
    st = exec_node(n, io);
  }
  sh.status = st;
  if (st != 0 && sh.opt_e && !sh.in_condition && !sh.exiting && n->type != N_SEQ && n->type != N_AND &&
      n->type != N_OR && n->type != N_NOT) {
    sh.exiting = 1;
    sh.exit_status = st;
  }
  return st;
}

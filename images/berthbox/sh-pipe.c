/* sh-pipe.c: pipelines, external commands and `&` through berth's process imports (spawn.c). */
#include "sh.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ENOSYS_WASI ENOSYS /* wasi-libc errno values are WASI errno values */

static const char *self_path(void) {
  const char *p = var_get("BERTHBOX_PATH");
  return p && *p ? p : "/bin/berthbox";
}

/* PATH lookup in the container's filesystem; returns a malloc'd path or NULL. */
static char *find_program(const char *name) {
  struct stat st;
  if (strchr(name, '/')) return stat(name, &st) == 0 ? strdup(name) : NULL;
  const char *path = var_get("PATH");
  if (!path) path = "/usr/local/bin:/usr/bin:/bin";
  while (*path) {
    const char *colon = strchr(path, ':');
    size_t n = colon ? (size_t)(colon - path) : strlen(path);
    char *cand = malloc(n + strlen(name) + 2);
    snprintf(cand, n + strlen(name) + 2, "%.*s/%s", (int)n, n ? path : ".", name);
    if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) return cand;
    free(cand);
    path += n + (colon ? 1 : 0);
  }
  return NULL;
}

static int fd_of_src(bb_src *s, int *to_close) {
  if (!s->mem) return s->fd;
  /* In-memory input (heredoc): hand the child a pipe holding it. Fine for heredoc-sized data. */
  int fds[2];
  if (bb_pipe(fds) != 0) return -1;
  const char *p = s->mem + s->pos;
  size_t left = s->len - s->pos;
  while (left > 0) {
    ssize_t w = write(fds[1], p, left);
    if (w <= 0) break;
    p += w;
    left -= (size_t)w;
  }
  close(fds[1]);
  *to_close = fds[0];
  return fds[0];
}

/* Spawns argv with io; output meant for memory goes through a pipe that `collect` drains. */
typedef struct child {
  int pid;
  int drain_fd; /* read end to copy into mem, or -1 */
  bb_buf *mem;
  int close_fd;
} child;

static int spawn_with_io(const char *path, char **argv, char **env, sh_io *io, child *c) {
  int in_close = -1;
  c->drain_fd = c->close_fd = -1;
  c->mem = NULL;
  int in = fd_of_src(io->in, &in_close);
  int out = io->out.fd, err = io->err.fd, wr = -1;
  if (io->out.mem || (io->err.mem && io->err.mem == io->out.mem)) {
    int fds[2];
    int r = bb_pipe(fds);
    if (r != 0) {
      if (in_close >= 0) close(in_close);
      return r;
    }
    c->drain_fd = fds[0];
    c->mem = io->out.mem ? io->out.mem : io->err.mem;
    wr = fds[1];
    if (io->out.mem) out = wr;
    if (io->err.mem == c->mem) err = wr;
  }
  if (io->err.mem && io->err.mem != c->mem) err = 2;
  int r = bb_spawn(path, argv, env, in, out, err, &c->pid);
  if (wr >= 0) close(wr);
  if (in_close >= 0) close(in_close);
  if (r != 0 && c->drain_fd >= 0) {
    close(c->drain_fd);
    c->drain_fd = -1;
  }
  return r;
}

static int finish(child *c) {
  if (c->drain_fd >= 0) {
    char tmp[4096];
    ssize_t n;
    while ((n = read(c->drain_fd, tmp, sizeof tmp)) > 0) buf_add(c->mem, tmp, (size_t)n);
    close(c->drain_fd);
  }
  int status = 0;
  if (bb_wait(c->pid, &status) != 0) status = 1;
  return status;
}

static void note_spawn_error(int r) {
  if (r == ENOSYS_WASI) sh.spawn_ok = 0;
}

int sh_run_external(char **argv, char **env, sh_io *io) {
  char *path = find_program(argv[0]);
  if (!path) {
    sh_error("%s: not found", argv[0]);
    return 127;
  }
  child c;
  out_flush();
  int r = spawn_with_io(path, argv, env, io, &c);
  free(path);
  if (r != 0) {
    note_spawn_error(r);
    sh_error("%s: cannot run: %s", argv[0], r == ENOSYS_WASI ? "this berth has no process support" : strerror(r));
    return r == ENOENT ? 127 : 126;
  }
  sh.spawn_ok = 1;
  return finish(&c);
}

/* argv that runs one pipeline stage in its own process. */
static char **stage_argv(node *k, int *is_self) {
  *is_self = 1;
  strlist a = {0};
  sl_push(&a, strdup("berthbox"));
  int simple = k->type == N_CMD && !k->redirs && k->nassigns == 0 && k->nwords > 0;
  if (simple) {
    strlist w = {0};
    if (expand_words(k->words, k->nwords, &w) < 0 || w.n == 0) {
      sl_free(&w);
      simple = 0;
    } else if (!func_get(w.v[0]) && !sh_find_builtin(w.v[0]) && bb_find_applet(w.v[0])) {
      for (int i = 0; i < w.n; i++) sl_push(&a, strdup(w.v[i]));
      sl_free(&w);
      return a.v;
    } else if (!func_get(w.v[0]) && !sh_find_builtin(w.v[0])) {
      sl_free(&a);
      *is_self = 0;
      return w.v; /* external program */
    } else {
      sl_free(&w);
    }
  }
  sl_push(&a, strdup("sh"));
  sl_push(&a, strdup("-c"));
  sl_push(&a, strdup(k->src ? k->src : ":"));
  sl_push(&a, strdup(sh.arg0 ? sh.arg0 : "sh"));
  for (int i = 0; i < sh.nparams; i++) sl_push(&a, strdup(sh.params[i]));
  return a.v;
}

static void free_argv(char **v) {
  for (char **p = v; p && *p; p++) free(*p);
  free(v);
}

/* Without process support: run the stages one after another, each reading the previous one's output. */
static int run_sequential(node *n, sh_io *io) {
  bb_buf prev = {0};
  int have_prev = 0, st = 0;
  for (int i = 0; i < n->nkids; i++) {
    bb_buf cur = {0};
    bb_src in = {-1, prev.data ? prev.data : "", prev.len, 0};
    sh_io sio = {have_prev ? &in : io->in, io->out, io->err};
    if (i < n->nkids - 1) sio.out = (bb_sink){-1, &cur};
    st = sh_exec(n->kids[i], &sio);
    if (sh.exiting && i < n->nkids - 1) sh.exiting = 0; /* exit in a stage ends only that stage */
    buf_free(&prev);
    prev = cur;
    have_prev = 1;
  }
  buf_free(&prev);
  return st;
}

int sh_run_pipeline(node *n, sh_io *io) {
  if (sh.spawn_ok == 0) return run_sequential(n, io);
  int nk = n->nkids;
  child *kids = calloc((size_t)nk, sizeof(child));
  bb_src *in = io->in;
  bb_src pipe_in = {-1, NULL, 0, 0};
  int spawned = 0, st = 0, failed = 0;
  out_flush();
  for (int i = 0; i < nk - 1; i++) {
    int fds[2];
    int r = bb_pipe(fds);
    if (r != 0) {
      note_spawn_error(r);
      failed = r;
      break;
    }
    int is_self;
    char **argv = stage_argv(n->kids[i], &is_self);
    char **env = var_environ(NULL, 0);
    char *path = is_self ? strdup(self_path()) : find_program(argv[0]);
    sh_io sio = {in, {fds[1], NULL}, io->err};
    if (!path) {
      sh_error("%s: not found", argv[0]);
      close(fds[1]);
      kids[i].pid = -1;
    } else {
      r = spawn_with_io(path, argv, env, &sio, &kids[i]);
      close(fds[1]);
      if (r != 0) {
        note_spawn_error(r);
        close(fds[0]);
        free(path);
        free_argv(argv);
        var_free_environ(env);
        failed = r;
        break;
      }
      spawned++;
    }
    free(path);
    free_argv(argv);
    var_free_environ(env);
    if (in == &pipe_in) close(pipe_in.fd);
    pipe_in.fd = fds[0];
    in = &pipe_in;
  }
  if (failed && spawned == 0 && sh.spawn_ok == 0) {
    if (in == &pipe_in) close(pipe_in.fd);
    free(kids);
    return run_sequential(n, io);
  }
  if (failed) {
    sh_error("pipeline: cannot start a process: %s", strerror(failed));
    st = 126;
  } else {
    sh.spawn_ok = 1;
    /* The last stage runs in this shell, so `... | while read x` keeps its variables. */
    sh_io last = {in, io->out, io->err};
    st = sh_exec(n->kids[nk - 1], &last);
  }
  if (in == &pipe_in) close(pipe_in.fd);
  for (int i = 0; i < nk - 1; i++)
    if (kids[i].pid > 0) finish(&kids[i]);
  free(kids);
  return st;
}

static int *bg_pids;
static int nbg;

int sh_run_background(node *n, sh_io *io) {
  if (sh.spawn_ok != 0 && n->src) {
    char *argv[] = {"berthbox", "sh", "-c", n->src, NULL};
    char **env = var_environ(NULL, 0);
    child c;
    sh_io bio = *io;
    int r = spawn_with_io(self_path(), argv, env, &bio, &c);
    var_free_environ(env);
    if (r == 0 && c.drain_fd < 0) {
      sh.spawn_ok = 1;
      bg_pids = realloc(bg_pids, sizeof(int) * (size_t)(nbg + 1));
      bg_pids[nbg++] = c.pid;
      sh.last_bg = c.pid;
      return 0;
    }
    if (r == 0) return finish(&c);
    note_spawn_error(r);
  }
  return sh_exec(n->a, io); /* no processes: run it in the foreground */
}

int sh_wait_all(void) {
  int st = 0;
  for (int i = 0; i < nbg; i++) bb_wait(bg_pids[i], &st);
  nbg = 0;
  return st;
}

/* command.c: option parsing for applets, and running a command from an applet (env, xargs, find -exec). */
#include "bb.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *bb_optarg;
int bb_optind = 1;
int bb_opt_fresh = 1;

int bb_getopt(int argc, char **argv, const char *opts) {
  if (bb_opt_fresh) { /* the first call of an applet run: start over */
    bb_opt_fresh = 0;
    optind = 0;
  }
  opterr = 0;
  int c = getopt(argc, argv, opts);
  bb_optarg = optarg;
  bb_optind = optind;
  if (c == '?') err_printf("%s: invalid option -- '%c'\n", bb_basename(argv[0]), optopt);
  return c;
}

static char *find_on_path(const char *name, char **env) {
  struct stat st;
  if (strchr(name, '/')) return stat(name, &st) == 0 ? strdup(name) : NULL;
  const char *path = NULL;
  for (char **e = env; e && *e; e++)
    if (strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
  if (!path) path = "/usr/local/bin:/usr/bin:/bin";
  while (*path) {
    const char *colon = strchr(path, ':');
    size_t n = colon ? (size_t)(colon - path) : strlen(path);
    size_t sz = n + strlen(name) + 2;
    char *cand = malloc(sz);
    snprintf(cand, sz, "%.*s/%s", (int)n, path, name);
    if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) return cand;
    free(cand);
    path += n + (colon ? 1 : 0);
  }
  return NULL;
}

int bb_run_command(char **argv, char **env) {
  const bb_applet *a = bb_find_applet(argv[0]);
  if (a && strcmp(a->name, "berthbox") != 0) {
    int argc = 0;
    while (argv[argc]) argc++;
    return bb_run_applet(a, argc, argv, bb_in, bb_out, bb_err, env);
  }
  char *path = find_on_path(argv[0], env);
  if (!path) {
    err_printf("%s: not found\n", argv[0]);
    return 127;
  }
  int pid, st = 0;
  int in = bb_in->mem ? 0 : bb_in->fd;
  out_flush();
  int r = bb_spawn(path, argv, env, in, bb_out.mem ? 1 : bb_out.fd, bb_err.mem ? 2 : bb_err.fd, &pid);
  free(path);
  if (r != 0) {
    err_printf("%s: cannot run: %s\n", argv[0], strerror(r));
    return r == ENOENT ? 127 : 126;
  }
  if (bb_wait(pid, &st) != 0) return 1;
  return st;
}

int bb_mkdir_p(const char *path) {
  char *p = strdup(path);
  for (char *s = p + 1; *s; s++) {
    if (*s != '/') continue;
    *s = 0;
    mkdir(p, 0777);
    *s = '/';
  }
  int r = mkdir(p, 0777);
  struct stat st;
  if (r != 0 && errno == EEXIST && stat(p, &st) == 0 && S_ISDIR(st.st_mode)) r = 0;
  free(p);
  return r;
}

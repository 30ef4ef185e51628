/* sh-builtins.c: commands that must run inside the shell: cd export unset exit set read shift eval ... */
#include "sh.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int sh_wait_all(void); /* sh-pipe.c */

/* cwd + dir with . and .. resolved by name, as `cd` does (wasi-libc keeps ".." in its cwd). */
static char *logical_path(const char *cwd, const char *dir) {
  bb_buf in = {0}, out = {0};
  if (dir[0] != '/') {
    buf_adds(&in, cwd);
    buf_addc(&in, '/');
  }
  buf_adds(&in, dir);
  char *s = buf_cstr(&in);
  for (char *part = strtok(s, "/"); part; part = strtok(NULL, "/")) {
    if (!strcmp(part, ".")) continue;
    if (!strcmp(part, "..")) {
      while (out.len > 0 && out.data[out.len - 1] != '/') out.len--;
      if (out.len > 0) out.len--;
      continue;
    }
    buf_addc(&out, '/');
    buf_adds(&out, part);
  }
  if (out.len == 0) buf_addc(&out, '/');
  char *r = strdup(buf_cstr(&out));
  buf_free(&in);
  buf_free(&out);
  return r;
}

static int bi_cd(int argc, char **argv, sh_io *io) {
  const char *dir = argc > 1 ? argv[1] : var_get("HOME");
  int print = 0;
  if (!dir) dir = "/";
  if (strcmp(dir, "-") == 0) {
    dir = var_get("OLDPWD");
    if (!dir) {
      sh_error("cd: OLDPWD not set");
      return 1;
    }
    print = 1;
  }
  char old[1024];
  if (!getcwd(old, sizeof old)) strcpy(old, "/");
  char *target = logical_path(old, dir);
  if (chdir(target) != 0) {
    sh_error("cd: %s: %s", target, strerror(errno));
    free(target);
    return 1;
  }
  free(target);
  char now[1024];
  if (!getcwd(now, sizeof now)) strcpy(now, "/");
  var_set("OLDPWD", old, 0);
  var_set("PWD", now, 0);
  if (print) out_printf("%s\n", now);
  return 0;
}

static int bi_export(int argc, char **argv, sh_io *io) {
  if (argc == 1 || (argc == 2 && strcmp(argv[1], "-p") == 0)) {
    var_print(1);
    return 0;
  }
  int st = 0;
  for (int i = 1; i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    if (eq) *eq = 0;
    if (var_set(argv[i], eq ? eq + 1 : NULL, 1) < 0) {
      sh_error("export: %s: bad variable name", argv[i]);
      st = 1;
    }
    if (eq) *eq = '=';
  }
  return st;
}

int sh_make_local(const char *name); /* sh-exec.c */

static int bi_local(int argc, char **argv, sh_io *io) {
  int st = 0;
  for (int i = 1; i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    if (eq) *eq = 0;
    if (sh_make_local(argv[i]) < 0) {
      sh_error("local: not in a function");
      st = 1;
    } else if (eq) {
      var_set(argv[i], eq + 1, 0);
    }
    if (eq) *eq = '=';
  }
  return st;
}

static int bi_unset(int argc, char **argv, sh_io *io) {
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "-v") != 0 && strcmp(argv[i], "-f") != 0) var_unset(argv[i]);
  return 0;
}

static int bi_exit(int argc, char **argv, sh_io *io) {
  sh.exiting = 1;
  sh.exit_status = argc > 1 ? atoi(argv[1]) & 255 : sh.status;
  return sh.exit_status;
}

static int bi_return(int argc, char **argv, sh_io *io) {
  int st = argc > 1 ? atoi(argv[1]) & 255 : sh.status;
  if (sh.func_depth == 0) {
    sh_error("return: not in a function");
    return 1;
  }
  sh.returning = 1;
  sh.status = st;
  return st;
}

static int loop_ctl(int argc, char **argv, int *flag) {
  int n = argc > 1 ? atoi(argv[1]) : 1;
  if (n < 1) n = 1;
  if (sh.loop_depth == 0) return 0;
  if (n > sh.loop_depth) n = sh.loop_depth;
  *flag = n;
  return 0;
}
static int bi_break(int argc, char **argv, sh_io *io) { return loop_ctl(argc, argv, &sh.breaking); }
static int bi_continue(int argc, char **argv, sh_io *io) { return loop_ctl(argc, argv, &sh.continuing); }

static int set_flag(char c, int on) {
  switch (c) {
  case 'e': sh.opt_e = on; return 0;
  case 'x': sh.opt_x = on; return 0;
  case 'u': sh.opt_u = on; return 0;
  case 'f': sh.opt_f = on; return 0;
  case 'n': sh.opt_n = on; return 0;
  }
  sh_error("set: -%c: invalid option", c);
  return 1;
}

int sh_set_options(int argc, char **argv, int *consumed) {
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    }
    if ((a[0] != '-' && a[0] != '+') || !a[1]) break;
    int on = a[0] == '-';
    if (a[1] == 'o') {
      if (i + 1 >= argc) return 1;
      const char *o = argv[++i];
      if (!strcmp(o, "errexit")) sh.opt_e = on;
      else if (!strcmp(o, "xtrace")) sh.opt_x = on;
      else if (!strcmp(o, "nounset")) sh.opt_u = on;
      else if (!strcmp(o, "noglob")) sh.opt_f = on;
      else if (strcmp(o, "pipefail") != 0) return 1;
      continue;
    }
    for (const char *c = a + 1; *c; c++)
      if (set_flag(*c, on)) return 1;
  }
  *consumed = i;
  return 0;
}

static int bi_set(int argc, char **argv, sh_io *io) {
  if (argc == 1) {
    var_print(0);
    return 0;
  }
  int i;
  if (sh_set_options(argc, argv, &i)) return 1;
  if (i < argc || (i > 1 && strcmp(argv[i - 1], "--") == 0)) {
    char **p = malloc(sizeof(char *) * (size_t)(argc - i + 1));
    for (int k = i; k < argc; k++) p[k - i] = strdup(argv[k]);
    p[argc - i] = NULL;
    sh.params = p; /* the previous array is leaked: it may be a function's argv still in use */
    sh.nparams = argc - i;
  }
  return 0;
}

static int bi_shift(int argc, char **argv, sh_io *io) {
  int n = argc > 1 ? atoi(argv[1]) : 1;
  if (n < 0 || n > sh.nparams) {
    sh_error("shift: can't shift that many");
    return 1;
  }
  sh.params += n;
  sh.nparams -= n;
  return 0;
}

/* read [-r] [-p prompt] name...: one line, byte by byte so the rest stays for the next reader. */
static int bi_read(int argc, char **argv, sh_io *io) {
  int raw = 0, i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
    if (strcmp(argv[i], "-r") == 0) raw = 1;
    else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc) err_printf("%s", argv[++i]);
    else if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    }
  }
  bb_buf line = {0};
  int got_nl = 0, any = 0;
  for (;;) {
    char c;
    if (src_read(io->in, &c, 1) != 1) break;
    any = 1;
    if (c == '\n') {
      got_nl = 1;
      break;
    }
    if (c == '\\' && !raw) {
      if (src_read(io->in, &c, 1) != 1) break;
      if (c == '\n') continue;
    }
    buf_addc(&line, c);
  }
  char *s = buf_cstr(&line);
  const char *ifs = var_get("IFS");
  if (!ifs) ifs = " \t\n";
  int nnames = argc - i;
  if (nnames == 0) {
    var_set("REPLY", s, 0);
  }
  for (int k = 0; k < nnames; k++) {
    while (*s && strchr(ifs, *s)) s++;
    if (k == nnames - 1) {
      size_t n = strlen(s);
      while (n > 0 && strchr(ifs, s[n - 1]) && strchr(" \t\n", s[n - 1])) s[--n] = 0;
      var_set(argv[i + k], s, 0);
      break;
    }
    char *e = s;
    while (*e && !strchr(ifs, *e)) e++;
    char save = *e;
    *e = 0;
    var_set(argv[i + k], s, 0);
    *e = save;
    s = e;
  }
  int ok = got_nl || (any && line.len);
  buf_free(&line);
  return ok ? 0 : 1;
}

static int bi_eval(int argc, char **argv, sh_io *io) {
  bb_buf b = {0};
  for (int i = 1; i < argc; i++) {
    if (i > 1) buf_addc(&b, ' ');
    buf_adds(&b, argv[i]);
  }
  int st = sh_eval_string(buf_cstr(&b), io);
  buf_free(&b);
  return st;
}

static int bi_source(int argc, char **argv, sh_io *io) {
  if (argc < 2) {
    sh_error(".: filename argument required");
    return 2;
  }
  bb_reader r;
  if (reader_open(&r, argv[1]) < 0) {
    sh_error(".: %s: %s", argv[1], strerror(errno));
    return 1;
  }
  bb_buf text = {0};
  char tmp[4096];
  ssize_t n;
  while ((n = reader_read(&r, tmp, sizeof tmp)) > 0) buf_add(&text, tmp, (size_t)n);
  reader_close(&r);
  int st = sh_eval_string(buf_cstr(&text), io);
  return st; /* the text stays: functions defined in it keep pointing into its parse tree */
}

static int bi_colon(int argc, char **argv, sh_io *io) { return 0; }

static int bi_wait(int argc, char **argv, sh_io *io) { return sh_wait_all(); }

static int bi_command(int argc, char **argv, sh_io *io) {
  if (argc >= 3 && (strcmp(argv[1], "-v") == 0 || strcmp(argv[1], "-V") == 0)) {
    const char *name = argv[2];
    if (func_get(name) || sh_find_builtin(name) || bb_find_applet(name)) {
      out_printf("%s\n", name);
      return 0;
    }
    return 1;
  }
  sh_error("command: only -v is supported");
  return 2;
}

static const struct {
  const char *name;
  sh_builtin_fn fn;
  int special;
} builtins[] = {
    {"cd", bi_cd, 0},         {"export", bi_export, 1}, {"unset", bi_unset, 1},     {"exit", bi_exit, 1},
    {"return", bi_return, 1}, {"break", bi_break, 1},   {"continue", bi_continue, 1}, {"set", bi_set, 1},
    {"shift", bi_shift, 1},   {"read", bi_read, 0},     {"eval", bi_eval, 1},       {".", bi_source, 1},
    {"source", bi_source, 1}, {":", bi_colon, 1},       {"wait", bi_wait, 0},       {"command", bi_command, 0},
    {"local", bi_local, 0},
};

sh_builtin_fn sh_find_builtin(const char *name) {
  for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
    if (strcmp(builtins[i].name, name) == 0) return builtins[i].fn;
  return NULL;
}

int sh_is_special_builtin(const char *name) {
  for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
    if (strcmp(builtins[i].name, name) == 0) return builtins[i].special;
  return 0;
}

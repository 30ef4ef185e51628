/* sh-main.c: the `sh` applet: options, -c, script files and the interactive read-eval loop. */
#include "sh.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int sh_set_options(int argc, char **argv, int *consumed); /* sh-builtins.c */

static int depth;

static void prompt(const char *ps, const char *dflt) {
  const char *p = var_get(ps);
  if (p) {
    char *x = expand_word(p);
    err_printf("%s", x ? x : p);
    free(x);
    return;
  }
  if (strcmp(ps, "PS1") == 0) {
    char cwd[1024];
    if (!getcwd(cwd, sizeof cwd)) strcpy(cwd, "?");
    err_printf("%s # ", cwd);
  } else {
    err_printf("%s", dflt);
  }
}

/* Reads one line (without '\n') byte by byte so commands that read stdin get the rest. */
static int read_line(bb_src *in, bb_buf *line) {
  int any = 0;
  char c;
  while (src_read(in, &c, 1) == 1) {
    any = 1;
    buf_addc(line, c);
    if (c == '\n') return 1;
  }
  return any;
}

static int repl(sh_io *io) {
  bb_buf text = {0};
  int more = 0;
  for (;;) {
    if (sh.interactive) prompt(more ? "PS2" : "PS1", more ? "> " : "# ");
    size_t before = text.len;
    int got = read_line(io->in, &text);
    if (!got && text.len == before && !more) break;
    buf_cstr(&text);
    parser p;
    node *n = sh_parse(&p, text.data);
    if (!n && p.incomplete && got) {
      more = 1;
      continue;
    }
    more = 0;
    if (!n) {
      if (p.incomplete) sh_error("syntax error: unexpected end of file");
      sh.status = 2;
      if (!sh.interactive) break;
    } else {
      sh_exec(n, io);
    }
    out_flush();
    text.len = 0;
    if (sh.exiting) break;
    if (!got) break;
  }
  buf_free(&text);
  return sh.exiting ? sh.exit_status : sh.status;
}

static int run(int argc, char **argv) {
  int i;
  const char *command = NULL;
  int force_interactive = 0, read_stdin = 0;
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-c") == 0) {
      if (i + 1 >= argc) {
        sh_error("-c requires an argument");
        return 2;
      }
      command = argv[++i];
    } else if (strcmp(a, "-i") == 0) {
      force_interactive = 1;
    } else if (strcmp(a, "-s") == 0) {
      read_stdin = 1;
    } else if (strcmp(a, "--") == 0) {
      i++;
      break;
    } else if ((a[0] == '-' || a[0] == '+') && a[1]) {
      char *one[] = {"set", (char *)a, NULL};
      int consumed;
      if (sh_set_options(2, one, &consumed)) return 2;
    } else {
      break;
    }
  }
  sh_io io = {bb_in, bb_out, bb_err};
  if (command) {
    sh.arg0 = i < argc ? argv[i++] : argv[0];
    sh.params = argv + i;
    sh.nparams = argc - i;
    sh.status = sh_eval_string(command, &io);
    return sh.exiting ? sh.exit_status : sh.status;
  }
  if (i < argc && !read_stdin) {
    sh.arg0 = argv[i];
    bb_reader r;
    if (reader_open(&r, argv[i]) < 0) {
      sh_error("%s: %s", argv[i], strerror(errno));
      return 127;
    }
    sh.params = argv + i + 1;
    sh.nparams = argc - i - 1;
    bb_buf text = {0};
    char tmp[4096];
    ssize_t n;
    while ((n = reader_read(&r, tmp, sizeof tmp)) > 0) buf_add(&text, tmp, (size_t)n);
    reader_close(&r);
    sh.status = sh_eval_string(buf_cstr(&text), &io);
    return sh.exiting ? sh.exit_status : sh.status;
  }
  sh.arg0 = argv[0];
  sh.params = argv + i;
  sh.nparams = argc - i;
  sh.interactive = force_interactive || (!io.in->mem && isatty(io.in->fd));
  return repl(&io);
}

int sh_main(int argc, char **argv) {
  /* `sh` run as a command of a shell in this same process is a subshell: keep the outer state. */
  shell saved = sh;
  var_snapshot *vs = depth ? var_save() : NULL;
  char cwd[1024];
  int have_cwd = depth && getcwd(cwd, sizeof cwd);
  if (!depth) {
    var_import(bb_env);
    if (!var_get("PATH")) var_set("PATH", "/usr/local/bin:/usr/bin:/bin", 1);
    if (!var_get("PWD") && getcwd(cwd, sizeof cwd)) var_set("PWD", cwd, 1);
    var_set("IFS", " \t\n", 0);
  }
  sh.status = sh.exiting = sh.breaking = sh.continuing = sh.returning = 0;
  sh.loop_depth = sh.func_depth = sh.in_condition = sh.interactive = 0;
  sh.opt_e = sh.opt_x = sh.opt_u = sh.opt_f = sh.opt_n = 0;
  depth++;
  int st = run(argc, argv);
  out_flush();
  depth--;
  if (depth) {
    int spawn_ok = sh.spawn_ok;
    sh = saved;
    sh.spawn_ok = spawn_ok;
    var_restore(vs);
    if (have_cwd) chdir(cwd);
  }
  return st;
}

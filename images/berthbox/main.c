/* main.c: berthbox entry: dispatches on basename(argv[0]) or `berthbox <applet> args...`. */
#include "bb.h"
#include "berth_cwd.h"

#include <string.h>
#include <unistd.h>

#define APPLETS(X)                                                                                        \
  X(basename) X(cat) X(printf) X(chmod) X(cp) X(cut) X(date) X(dirname) X(echo) X(env) X(false) X(find) X(grep)   \
  X(head) X(hostname) X(id) X(ln) X(ls) X(mkdir) X(mv) X(printenv) X(pwd) X(rm) X(rmdir) X(sed) X(seq) \
  X(sleep) X(sort) X(tail) X(tee) X(test) X(touch) X(tr) X(true) X(uname) X(uniq) X(wc) X(whoami)      \
  X(xargs) X(yes)

#define DECLARE(n) int applet_##n(int argc, char **argv);
APPLETS(DECLARE)
int applet_berthbox(int argc, char **argv);

#define ENTRY(n) {#n, applet_##n},
const bb_applet bb_applets[] = {
    {"[", applet_test}, APPLETS(ENTRY){"berthbox", applet_berthbox}, {"sh", sh_main}, {NULL, NULL},
};

const bb_applet *bb_find_applet(const char *name) {
  for (const bb_applet *a = bb_applets; a->name; a++)
    if (strcmp(a->name, name) == 0) return a;
  return NULL;
}

int bb_run_applet(const bb_applet *a, int argc, char **argv, bb_src *in, bb_sink out, bb_sink err, char **env) {
  bb_src *saved_in = bb_in;
  bb_sink saved_out = bb_out, saved_err = bb_err;
  char **saved_env = bb_env;
  /* getopt state belongs to the caller (a shell or xargs); the applet starts its own. */
  extern int bb_opt_fresh, optind;
  int saved_fresh = bb_opt_fresh, saved_optind = optind;
  bb_opt_fresh = 1;
  out_flush();
  bb_write_failed = 0;
  bb_in = in;
  bb_out = out;
  bb_err = err;
  bb_env = env;
  int status = a->main(argc, argv);
  out_flush();
  bb_in = saved_in;
  bb_out = saved_out;
  bb_err = saved_err;
  bb_env = saved_env;
  bb_opt_fresh = saved_fresh;
  optind = saved_optind;
  return status;
}

int applet_berthbox(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "--list") == 0) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0)
      out_puts("berthbox: berth's toolbox; usage: berthbox <applet> [args...] or link it as <applet>\n"
               "Applets:\n");
    for (const bb_applet *a = bb_applets; a->name; a++)
      if (strcmp(a->name, "berthbox") != 0) out_printf("%s\n", a->name);
    return argc < 2 ? 1 : 0;
  }
  const bb_applet *a = bb_find_applet(argv[1]);
  if (!a || a->main == applet_berthbox) {
    err_printf("berthbox: applet not found: %s\n", argv[1]);
    return 127;
  }
  return a->main(argc - 1, argv + 1);
}

extern char **environ;

int main(int argc, char **argv) {
  bb_env = environ;
  const char *name = argc > 0 ? bb_basename(argv[0]) : "berthbox";
  size_t n = strlen(name);
  char base[64];
  /* `cat.wasm` names the cat applet too, so an image may lay out its links either way. */
  if (n > 5 && n < sizeof base && strcmp(name + n - 5, ".wasm") == 0) {
    memcpy(base, name, n - 5);
    base[n - 5] = 0;
    name = base;
  }
  const bb_applet *a = bb_find_applet(name);
  if (!a) a = bb_find_applet("berthbox");
  if (a->main == applet_berthbox && argc < 1) return applet_berthbox(0, argv);
  int status = a->main(argc, argv);
  out_flush();
  return status;
}

/* applets/basic.c: small applets: echo true false yes pwd env printenv sleep basename dirname seq. */
#include "../bb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void echo_escapes(const char *s, int *stop) {
  for (; *s; s++) {
    if (*s != '\\' || !s[1]) {
      out_putc(*s);
      continue;
    }
    char c = *++s;
    switch (c) {
    case 'n': out_putc('\n'); break;
    case 't': out_putc('\t'); break;
    case 'r': out_putc('\r'); break;
    case 'a': out_putc('\a'); break;
    case 'b': out_putc('\b'); break;
    case 'f': out_putc('\f'); break;
    case 'v': out_putc('\v'); break;
    case 'e': out_putc(27); break;
    case '\\': out_putc('\\'); break;
    case 'c': *stop = 1; return;
    case '0': {
      int v = 0, k = 0;
      while (k < 3 && s[1] >= '0' && s[1] <= '7') v = v * 8 + (*++s - '0'), k++;
      out_putc((char)v);
      break;
    }
    default: out_putc('\\'); out_putc(c);
    }
  }
}

int applet_echo(int argc, char **argv) {
  int newline = 1, escapes = 0, i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
    const char *f = argv[i] + 1;
    if (strspn(f, "neE") != strlen(f)) break;
    for (; *f; f++) {
      if (*f == 'n') newline = 0;
      else if (*f == 'e') escapes = 1;
      else escapes = 0;
    }
  }
  int stop = 0;
  for (; i < argc && !stop; i++) {
    if (escapes) echo_escapes(argv[i], &stop);
    else out_puts(argv[i]);
    if (i + 1 < argc && !stop) out_putc(' ');
  }
  if (newline && !stop) out_putc('\n');
  return 0;
}

int applet_true(int argc, char **argv) { return 0; }
int applet_false(int argc, char **argv) { return 1; }

int applet_yes(int argc, char **argv) {
  bb_buf line = {0};
  for (int i = 1; i < argc; i++) {
    if (i > 1) buf_addc(&line, ' ');
    buf_adds(&line, argv[i]);
  }
  if (argc < 2) buf_addc(&line, 'y');
  buf_addc(&line, '\n');
  /* Ends when the reader goes away (write fails) or, in memory, after a bounded amount. */
  for (size_t total = 0; !bb_write_failed && (total < ((size_t)1 << 20) || !bb_out.mem); total += line.len) {
    out_write(line.data, line.len);
    if (line.len > 64 || total % 4096 < line.len) out_flush();
  }
  buf_free(&line);
  return 0;
}

int applet_pwd(int argc, char **argv) {
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) return bb_perror("pwd", NULL);
  out_printf("%s\n", cwd);
  return 0;
}

int applet_printenv(int argc, char **argv) {
  if (argc < 2) {
    for (char **e = bb_env; e && *e; e++) out_printf("%s\n", *e);
    return 0;
  }
  int st = 0;
  for (int i = 1; i < argc; i++) {
    const char *v = bb_getenv(argv[i]);
    if (v) out_printf("%s\n", v);
    else st = 1;
  }
  return st;
}

int applet_env(int argc, char **argv) {
  int clear = 0, c;
  char *unset[32];
  int nunset = 0;
  while ((c = bb_getopt(argc, argv, "+iu:0")) != -1) {
    if (c == 'i') clear = 1;
    else if (c == 'u' && nunset < 32) unset[nunset++] = bb_optarg;
    else if (c == '?') return 125;
  }
  int i = bb_optind;
  if (i < argc && strcmp(argv[i], "-") == 0) {
    clear = 1;
    i++;
  }
  size_t n = 0;
  for (char **e = bb_env; e && *e; e++) n++;
  char **env = calloc(n + (size_t)argc + 1, sizeof(char *));
  size_t k = 0;
  for (char **e = bb_env; !clear && e && *e; e++) {
    int drop = 0;
    for (int u = 0; u < nunset; u++) {
      size_t l = strlen(unset[u]);
      if (strncmp(*e, unset[u], l) == 0 && (*e)[l] == '=') drop = 1;
    }
    if (!drop) env[k++] = *e;
  }
  for (; i < argc && strchr(argv[i], '='); i++) {
    size_t l = (size_t)(strchr(argv[i], '=') - argv[i]);
    size_t j = 0;
    while (j < k && !(strncmp(env[j], argv[i], l) == 0 && env[j][l] == '=')) j++;
    env[j] = argv[i];
    if (j == k) k++;
  }
  env[k] = NULL;
  int st = 0;
  if (i >= argc) {
    for (size_t j = 0; j < k; j++) out_printf("%s\n", env[j]);
  } else {
    st = bb_run_command(argv + i, env);
  }
  free(env);
  return st;
}

int applet_sleep(int argc, char **argv) {
  if (argc < 2) {
    err_printf("sleep: missing operand\n");
    return 1;
  }
  double total = 0;
  for (int i = 1; i < argc; i++) {
    char *end;
    double v = strtod(argv[i], &end);
    if (end == argv[i] || v < 0) {
      err_printf("sleep: invalid number '%s'\n", argv[i]);
      return 1;
    }
    if (*end == 'm') v *= 60;
    else if (*end == 'h') v *= 3600;
    else if (*end == 'd') v *= 86400;
    else if (*end && *end != 's') {
      err_printf("sleep: invalid number '%s'\n", argv[i]);
      return 1;
    }
    total += v;
  }
  out_flush();
  struct timespec ts = {(time_t)total, (long)((total - (double)(time_t)total) * 1e9)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
  return 0;
}

int applet_basename(int argc, char **argv) {
  if (argc < 2) {
    err_printf("basename: missing operand\n");
    return 1;
  }
  char *s = strdup(argv[1]);
  size_t n = strlen(s);
  while (n > 1 && s[n - 1] == '/') s[--n] = 0;
  char *b = strrchr(s, '/');
  b = b && b[1] ? b + 1 : (b && n > 1 ? b + 1 : s);
  if (argc > 2) {
    size_t bl = strlen(b), sl = strlen(argv[2]);
    if (sl < bl && strcmp(b + bl - sl, argv[2]) == 0) b[bl - sl] = 0;
  }
  out_printf("%s\n", b);
  free(s);
  return 0;
}

int applet_dirname(int argc, char **argv) {
  if (argc < 2) {
    err_printf("dirname: missing operand\n");
    return 1;
  }
  char *s = strdup(argv[1]);
  size_t n = strlen(s);
  while (n > 1 && s[n - 1] == '/') s[--n] = 0;
  char *slash = strrchr(s, '/');
  if (!slash) out_puts(".\n");
  else {
    while (slash > s && *slash == '/') slash--;
    if (slash == s && *s == '/') out_puts("/\n");
    else {
      slash[1] = 0;
      out_printf("%s\n", s);
    }
  }
  free(s);
  return 0;
}

static int decimals(const char *s) {
  const char *dot = strchr(s, '.');
  return dot ? (int)strlen(dot + 1) : 0;
}

int applet_seq(int argc, char **argv) {
  const char *sep = "\n";
  int i = 1, width = 0;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] && !(argv[i][1] >= '0' && argv[i][1] <= '9'); i++) {
    if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) sep = argv[++i];
    else if (strcmp(argv[i], "-w") == 0) width = 1;
    else {
      err_printf("seq: invalid option '%s'\n", argv[i]);
      return 1;
    }
  }
  int n = argc - i;
  if (n < 1 || n > 3) {
    err_printf("seq: usage: seq [-s SEP] [-w] [FIRST [INC]] LAST\n");
    return 1;
  }
  double v[3];
  int prec = 0;
  for (int k = 0; k < n; k++) {
    char *end;
    v[k] = strtod(argv[i + k], &end);
    if (end == argv[i + k] || *end) {
      err_printf("seq: invalid number '%s'\n", argv[i + k]);
      return 1;
    }
    if (k < 2 || n == 2) prec = decimals(argv[i + k]) > prec ? decimals(argv[i + k]) : prec;
  }
  double first = n > 1 ? v[0] : 1, inc = n == 3 ? v[1] : 1, last = v[n - 1];
  if (inc == 0) return 1;
  char buf[64];
  int w = 0;
  if (width) {
    int a = snprintf(buf, sizeof buf, "%.*f", prec, first), b = snprintf(buf, sizeof buf, "%.*f", prec, last);
    w = a > b ? a : b;
  }
  int count = 0;
  for (long k = 0;; k++) {
    double x = first + (double)k * inc;
    if ((inc > 0 && x > last + 1e-9) || (inc < 0 && x < last - 1e-9)) break;
    if (count++) out_puts(sep);
    out_printf("%0*.*f", w, prec, x);
  }
  if (count) out_putc('\n');
  return 0;
}

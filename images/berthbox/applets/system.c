/* applets/system.c: what the sandbox says about itself: hostname id whoami uname date. */
#include "../bb.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* $HOSTNAME, else the first line of /etc/hostname (berth writes it), else "localhost". */
static void get_hostname(char *out, size_t n) {
  const char *h = bb_getenv("HOSTNAME");
  if (h && *h) {
    snprintf(out, n, "%s", h);
    return;
  }
  snprintf(out, n, "localhost");
  int fd = open("/etc/hostname", O_RDONLY);
  if (fd < 0) return;
  char buf[256];
  ssize_t r = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (r <= 0) return;
  buf[r] = 0;
  buf[strcspn(buf, "\r\n")] = 0;
  if (*buf) snprintf(out, n, "%s", buf);
}

int applet_hostname(int argc, char **argv) {
  char h[256];
  get_hostname(h, sizeof h);
  if (argc > 1 && strcmp(argv[1], "-s") == 0) h[strcspn(h, ".")] = 0;
  out_printf("%s\n", h);
  return 0;
}

/* WASI has no users: everything runs as root (uid 0). */
int applet_id(int argc, char **argv) {
  int c, u = 0, g = 0, G = 0, name = 0;
  while ((c = bb_getopt(argc, argv, "ugGnr")) != -1) {
    if (c == 'u') u = 1;
    else if (c == 'g') g = 1;
    else if (c == 'G') G = 1;
    else if (c == 'n') name = 1;
    else if (c == '?') return 1;
  }
  if (u || g || G) out_puts(name ? "root\n" : "0\n");
  else out_puts("uid=0(root) gid=0(root) groups=0(root)\n");
  return 0;
}

int applet_whoami(int argc, char **argv) {
  out_puts("root\n");
  return 0;
}

int applet_uname(int argc, char **argv) {
  struct utsname u;
  memset(&u, 0, sizeof u);
  uname(&u);
  char host[256];
  get_hostname(host, sizeof host);
  int c, s = 0, n = 0, r = 0, v = 0, m = 0;
  while ((c = bb_getopt(argc, argv, "asnrvmpio")) != -1) {
    if (c == 'a') s = n = r = v = m = 1;
    else if (c == 's' || c == 'o') s = 1;
    else if (c == 'n') n = 1;
    else if (c == 'r') r = 1;
    else if (c == 'v') v = 1;
    else if (c == 'm' || c == 'p' || c == 'i') m = 1;
    else return 1;
  }
  if (!(s || n || r || v || m)) s = 1;
  const char *parts[5] = {s ? u.sysname : NULL, n ? host : NULL, r ? u.release : NULL, v ? u.version : NULL,
                          m ? u.machine : NULL};
  int first = 1;
  for (int i = 0; i < 5; i++) {
    if (!parts[i]) continue;
    out_printf("%s%s", first ? "" : " ", parts[i]);
    first = 0;
  }
  out_putc('\n');
  return 0;
}

int applet_date(int argc, char **argv) {
  const char *fmt = "%a %b %e %H:%M:%S UTC %Y";
  const char *when = NULL;
  int c;
  while ((c = bb_getopt(argc, argv, "uRId:r:")) != -1) {
    if (c == 'R') fmt = "%a, %d %b %Y %H:%M:%S +0000";
    else if (c == 'I') fmt = "%Y-%m-%d";
    else if (c == 'd') when = bb_optarg;
    else if (c == '?') return 1;
  }
  if (bb_optind < argc && argv[bb_optind][0] == '+') fmt = argv[bb_optind] + 1;
  else if (bb_optind < argc) {
    err_printf("date: setting the time is not supported\n");
    return 1;
  }
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  time_t t = ts.tv_sec;
  if (when) {
    long v;
    if (when[0] != '@' || bb_parse_long(when + 1, &v) < 0) {
      err_printf("date: invalid date '%s' (only @SECONDS is supported)\n", when);
      return 1;
    }
    t = (time_t)v;
  }
  struct tm tm;
  gmtime_r(&t, &tm); /* containers run in UTC */
  char out[512];
  size_t n = strftime(out, sizeof out, fmt, &tm);
  out_write(out, n);
  out_putc('\n');
  return 0;
}

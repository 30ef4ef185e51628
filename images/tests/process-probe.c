/* A guest with one subcommand per behaviour the process tests check:
   exit N | trap | loop | cat | flood MiB | malloc | ticks N MS | args | write PATH TEXT |
   read PATH | fds | leak */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

extern char **environ;

static int cmd_cat(void) {
  char buf[65536];
  ssize_t n;
  size_t total = 0;
  while ((n = read(0, buf, sizeof buf)) > 0) {
    total += (size_t)n;
    if (write(1, buf, (size_t)n) != n) return 3;
  }
  fprintf(stderr, "cat: %zu bytes\n", total);
  return n < 0 ? 2 : 0;
}

static int cmd_flood(long mib) {
  static char buf[1 << 20];
  memset(buf, 'x', sizeof buf);
  for (long i = 0; i < mib; i++) {
    size_t done = 0;
    while (done < sizeof buf) {
      ssize_t n = write(1, buf + done, sizeof buf - done);
      if (n <= 0) return 4;
      done += (size_t)n;
    }
  }
  return 0;
}

static char *volatile last_block;

static int cmd_malloc(void) {
  int count = 0;
  for (; count < 100000; count++) {
    /* Touch each block so the compiler cannot elide the allocation. */
    char *p = malloc(1 << 20);
    if (!p) break;
    p[0] = (char)count;
    last_block = p;
  }
  printf("allocated %d MiB\n", count);
  return 0;
}

static int cmd_ticks(int n, int ms) {
  for (int i = 0; i < n; i++) {
    printf("tick %d\n", i);
    fflush(stdout);
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
  }
  return 0;
}

static int cmd_write(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    printf("open %s: %s\n", path, strerror(errno));
    return 1;
  }
  write(fd, text, strlen(text));
  close(fd);
  printf("wrote %s\n", path);
  return 0;
}

static int cmd_read(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    printf("open %s: %s\n", path, strerror(errno));
    return 1;
  }
  char buf[4096];
  size_t n = fread(buf, 1, sizeof buf, f);
  fwrite(buf, 1, n, stdout);
  fclose(f);
  return 0;
}

/* Lists every fd number below 1024 that is open, as the guest sees them. */
static int cmd_fds(void) {
  for (int fd = 0; fd < 1024; fd++) {
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(fd, &st) == 0) printf("fd %d type %d\n", fd, st.fs_filetype);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) return 100;
  const char *cmd = argv[1];
  if (!strcmp(cmd, "exit")) return argc > 2 ? atoi(argv[2]) : 0;
  if (!strcmp(cmd, "exit-call")) exit(argc > 2 ? atoi(argv[2]) : 0);
  if (!strcmp(cmd, "trap")) __builtin_trap();
  if (!strcmp(cmd, "loop")) {
    volatile uint64_t i = 0;
    for (;;) i++;
  }
  if (!strcmp(cmd, "cat")) return cmd_cat();
  if (!strcmp(cmd, "flood")) return cmd_flood(atol(argv[2]));
  if (!strcmp(cmd, "malloc")) return cmd_malloc();
  if (!strcmp(cmd, "ticks")) return cmd_ticks(atoi(argv[2]), atoi(argv[3]));
  if (!strcmp(cmd, "args")) {
    for (int i = 0; i < argc; i++) printf("arg %s\n", argv[i]);
    for (char **e = environ; *e; e++) printf("env %s\n", *e);
    char cwd[256];
    printf("cwd %s\n", getcwd(cwd, sizeof cwd) ? cwd : strerror(errno));
    return 0;
  }
  if (!strcmp(cmd, "write")) return cmd_write(argv[2], argv[3]);
  if (!strcmp(cmd, "read")) return cmd_read(argv[2]);
  if (!strcmp(cmd, "fds")) return cmd_fds();
  if (!strcmp(cmd, "leak")) {
    /* With no stdout/stderr given these must go nowhere, least of all to the host's fds. */
    write(1, "LEAK-OUT\n", 9);
    write(2, "LEAK-ERR\n", 9);
    for (int fd = 3; fd < 64; fd++) write(fd, "LEAK-FD\n", 8);
    return 0;
  }
  return 101;
}

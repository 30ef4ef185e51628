// Syscall cost benchmark: `syscalls [count]` runs `count` (default 100000) of each operation and
// prints one line per phase, "<phase> <elapsed monotonic ns>", on stderr. Phases: write (one
// fd_write of 2 bytes to stdout, which the runner discards), open (open + read + close of
// /data/small.txt), stat (of that file), readdir (rewind + read every entry of /data/dir).
// Calls go straight to WASI or to thin libc wrappers, so each op is the same syscalls everywhere.
#pragma clang diagnostic ignored "-Wunused-result"
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static uint64_t mono(void) {
  uint64_t t = 0;
  __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
  return t;
}

static void report(const char *phase, uint64_t ns) {
  char line[64];
  int n = snprintf(line, sizeof line, "%s %llu\n", phase, (unsigned long long)ns);
  write(2, line, n);
}

int main(int argc, char **argv) {
  int count = argc > 1 ? atoi(argv[1]) : 100000;
  char buf[256];
  long sink = 0;

  uint64_t t0 = mono();
  __wasi_ciovec_t iov = {(const uint8_t *)"x\n", 2};
  __wasi_size_t written;
  for (int i = 0; i < count; i++) __wasi_fd_write(1, &iov, 1, &written);
  report("write", mono() - t0);

  t0 = mono();
  for (int i = 0; i < count; i++) {
    int fd = open("/data/small.txt", O_RDONLY);
    if (fd < 0) return 3;
    sink += read(fd, buf, sizeof buf);
    close(fd);
  }
  report("open", mono() - t0);

  struct stat st;
  t0 = mono();
  for (int i = 0; i < count; i++) {
    if (stat("/data/small.txt", &st) != 0) return 4;
    sink += st.st_size;
  }
  report("stat", mono() - t0);

  DIR *d = opendir("/data/dir");
  if (!d) return 5;
  t0 = mono();
  for (int i = 0; i < count; i++) {
    rewinddir(d);
    while (readdir(d)) sink++;
  }
  report("readdir", mono() - t0);
  closedir(d);
  return sink > 0 ? 0 : 6;
}

// Syscall micro-benchmark: `bench <op> <count>` runs one operation <count> times and prints the
// elapsed monotonic nanoseconds. Ops: write (fd_write to stdout), open (open + read + close of a
// small file), stat, readdir (opendir + read all + closedir). Setup: /f.txt and /d with 5 files.
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

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  const char *op = argv[1];
  int count = atoi(argv[2]);
  char buf[256];
  long sink = 0;
  uint64_t t0 = mono();
  if (!strcmp(op, "write")) {
    __wasi_ciovec_t iov = {(const uint8_t *)"x\n", 2};
    __wasi_size_t n;
    for (int i = 0; i < count; i++) __wasi_fd_write(1, &iov, 1, &n);
  } else if (!strcmp(op, "open")) {
    for (int i = 0; i < count; i++) {
      int fd = open("/f.txt", O_RDONLY);
      sink += read(fd, buf, sizeof buf);
      close(fd);
    }
  } else if (!strcmp(op, "stat")) {
    struct stat st;
    for (int i = 0; i < count; i++) sink += stat("/f.txt", &st) + st.st_size;
  } else if (!strcmp(op, "readdir")) {
    for (int i = 0; i < count; i++) {
      DIR *d = opendir("/d");
      while (readdir(d)) sink++;
      closedir(d);
    }
  } else {
    return 2;
  }
  uint64_t ns = mono() - t0;
  fprintf(stderr, "%s %d %llu %ld\n", op, count, (unsigned long long)ns, sink);
  return 0;
}

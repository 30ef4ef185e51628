/* proof-hello: the browser proof's guest. Writes a file through the overlay, reads it back,
 * prints its argv and one environment variable, and exits with $EXIT_CODE (default 0). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int main(int argc, char **argv) {
  for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  const char *greeting = getenv("GREETING");
  printf("env GREETING=%s\n", greeting ? greeting : "(unset)");

  if (mkdir("/tmp", 0755) != 0 && errno != EEXIST) {
    printf("mkdir /tmp: %s\n", strerror(errno));
    return 1;
  }
  const char *path = "/tmp/proof-hello.txt";
  FILE *f = fopen(path, "w");
  if (!f) {
    printf("open for write: %s\n", strerror(errno));
    return 1;
  }
  fprintf(f, "written through the overlay by %s\n", argv[0]);
  if (fclose(f) != 0) {
    printf("close: %s\n", strerror(errno));
    return 1;
  }
  char buf[256] = {0};
  f = fopen(path, "r");
  if (!f) {
    printf("open for read: %s\n", strerror(errno));
    return 1;
  }
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  struct stat st;
  if (stat(path, &st) != 0) {
    printf("stat: %s\n", strerror(errno));
    return 1;
  }
  printf("read back %zu bytes (size %lld): %s", n, (long long)st.st_size, buf);
  fflush(stdout);
  const char *code = getenv("EXIT_CODE");
  return code ? atoi(code) : 0;
}

// The smallest useful process: one line on stdout, exit 0 (start-to-exit benchmarks).
#include <unistd.h>

int main(void) {
  write(1, "hello\n", 6);
  return 0;
}

/* The smallest useful guest: one line on stdout, exit 0. Used by the process tests and the
   runs-per-second measurement. */
#include <stdio.h>

int main(void) {
  puts("hello from berth");
  return 0;
}

/* A library-style module (no libc, no _start) for the pause-point rewriter's tests: a loop, an
   indirect call through the table and an imported function, so renumbering is exercised. */
__attribute__((import_module("env"), import_name("note"))) void note(int);

int spin(int n) {
  volatile int x = 0;
  for (int i = 0; i < n; i++) x++;
  return x;
}

static int twice(int n) { return 2 * spin(n); }

int (*volatile table[])(int) = {spin, twice};

int call_through_table(int which, int n) {
  note(which);
  return table[which & 1](n);
}

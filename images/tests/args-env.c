// Prints argc, every argument and every environment string exactly, one per line, bracketed.
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; i++) printf("arg[%d]=[%s]\n", i, argv[i]);
  int n = 0;
  for (char **e = environ; *e; e++) printf("env[%d]=[%s]\n", n++, *e);
  const char *code = getenv("EXIT_CODE");
  return code ? atoi(code) : 0;
}

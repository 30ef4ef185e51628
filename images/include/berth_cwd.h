/* berth_cwd.h: start in the container's working directory.
 * WASI preview1 has no working directory and wasi-libc starts every program in "/", so berth
 * passes the container's WorkingDir (-w, WORKDIR) as PWD, and a program that includes this
 * header changes to it before main(). Harmless elsewhere: no PWD, or a bad one, changes nothing. */
#ifndef BERTH_CWD_H
#define BERTH_CWD_H
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void berth_enter_pwd(void) {
  const char *pwd = getenv("PWD");
  if (pwd && pwd[0] == '/') (void)chdir(pwd);
}
#endif

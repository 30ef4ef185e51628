/* spawn.c: the only file that calls berth's process imports (images/include/berth_proc.h). */
#include "bb.h"

#include <berth_proc.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

static uint32_t pack(bb_buf *b, char *const list[]) {
  uint32_t n = 0;
  for (; list && list[n]; n++) buf_add(b, list[n], strlen(list[n]) + 1);
  return n;
}

int bb_spawn(const char *path, char *const argv[], char *const envp[], int fd_in, int fd_out, int fd_err,
             int *pid) {
  bb_buf a = {0}, e = {0};
  uint32_t argc = pack(&a, argv), envc = pack(&e, envp);
  char cwd[1024];
  if (!getcwd(cwd, sizeof cwd)) strcpy(cwd, "/");
  berth_pid_t p = 0;
  out_flush(); /* keep the order of our output and the child's */
  int32_t r = berth_proc_spawn(path, strlen(path), a.data ? a.data : "", a.len, argc, e.data ? e.data : "", e.len,
                               envc, cwd, strlen(cwd), fd_in, fd_out, fd_err, &p);
  buf_free(&a);
  buf_free(&e);
  if (r == 0) *pid = (int)p;
  return r;
}

/* status: the exit code, or 128 + signal like a shell's $? */
int bb_wait(int pid, int *status) {
  berth_pid_t got = 0;
  int32_t ws = 0;
  int32_t r = berth_proc_wait((berth_pid_t)pid, 0, &got, &ws);
  if (r != 0) return r;
  *status = (ws & 0x7f) ? 128 + (ws & 0x7f) : (ws >> 8) & 0xff;
  return 0;
}

int bb_pipe(int fds[2]) {
  int32_t rd = -1, wr = -1;
  int32_t r = berth_fd_pipe(&rd, &wr);
  if (r == 0) {
    fds[0] = rd;
    fds[1] = wr;
  }
  return r;
}

int bb_dup(int fd, int *newfd) {
  int32_t n = -1;
  int32_t r = berth_fd_dup(fd, &n);
  if (r == 0) *newfd = n;
  return r;
}

/* Starts other processes through berth_proc.h: `spawn-exit` (a child's exit status),
   `pipeline` (parent -> pipe -> child `cat` -> shared stdout), `shared-fs` (a file a child wrote
   is visible to its parent), `kill` (a child in an endless loop, killed). The child program is
   /bin/probe (process-probe.c). */
#include <berth_proc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int spawn(const char *const *argv, int in, int out, int err, berth_pid_t *pid) {
  static char args[4096];
  size_t len = 0;
  uint32_t argc = 0;
  for (; argv[argc]; argc++) {
    size_t n = strlen(argv[argc]) + 1;
    memcpy(args + len, argv[argc], n);
    len += n;
  }
  static const char env[] = "CHILD=1";
  return berth_proc_spawn("/bin/probe", 10, args, len, argc, env, sizeof env, 1, "/", 1, in, out, err, pid);
}

static int wait_for(berth_pid_t pid) {
  berth_pid_t got = 0;
  int32_t status = 0;
  int e = berth_proc_wait(pid, 0, &got, &status);
  if (e != 0 || got != pid) {
    printf("wait failed: errno %d pid %u\n", e, got);
    return -1;
  }
  return status;
}

int main(int argc, char **argv) {
  if (argc < 2) return 100;
  berth_pid_t pid;
  if (!strcmp(argv[1], "spawn-exit")) {
    const char *child[] = {"probe", "exit", "7", NULL};
    int e = spawn(child, -1, 1, 2, &pid);
    if (e) return printf("spawn failed: %d\n", e), 1;
    int status = wait_for(pid);
    printf("child exited %d\n", BERTH_WIFEXITED(status) ? BERTH_WEXITSTATUS(status) : -1);
    berth_pid_t none;
    int32_t st;
    printf("second wait errno %d\n", berth_proc_wait(pid, 0, &none, &st));
    return 0;
  }
  if (!strcmp(argv[1], "pipeline")) {
    int fds[2];
    if (berth_fd_pipe(&fds[0], &fds[1])) return 2;
    const char *child[] = {"probe", "cat", NULL};
    if (spawn(child, fds[0], 1, 2, &pid)) return 3;
    close(fds[0]);
    const char msg[] = "through the pipe\n";
    write(fds[1], msg, sizeof msg - 1);
    close(fds[1]);
    int status = wait_for(pid);
    printf("cat exited %d\n", BERTH_WEXITSTATUS(status));
    return 0;
  }
  if (!strcmp(argv[1], "shared-fs")) {
    const char *child[] = {"probe", "write", "/tmp/from-child", "written by the child", NULL};
    if (spawn(child, -1, -1, 2, &pid)) return 3;
    wait_for(pid);
    FILE *f = fopen("/tmp/from-child", "r");
    if (!f) return printf("parent cannot see the file\n"), 4;
    char buf[64] = {0};
    fread(buf, 1, sizeof buf - 1, f);
    printf("parent read: %s\n", buf);
    return 0;
  }
  if (!strcmp(argv[1], "kill")) {
    const char *child[] = {"probe", "loop", NULL};
    if (spawn(child, -1, 1, 2, &pid)) return 3;
    berth_pid_t got = 1;
    int32_t status;
    berth_proc_wait(pid, BERTH_WAIT_NOHANG, &got, &status);
    printf("nohang pid %u\n", got);
    berth_proc_kill(pid, 9);
    status = wait_for(pid);
    printf("signaled %d sig %d\n", BERTH_WIFSIGNALED(status), BERTH_WTERMSIG(status));
    return 0;
  }
  if (!strcmp(argv[1], "dup")) {
    int d;
    if (berth_fd_dup(1, &d)) return 5;
    write(d, "via dup\n", 8);
    return 0;
  }
  if (!strcmp(argv[1], "orphan")) {
    const char *child[] = {"probe", "loop", NULL};
    if (spawn(child, -1, 1, 2, &pid)) return 3;
    printf("leaving a child behind\n");
    return 9;
  }
  return 101;
}

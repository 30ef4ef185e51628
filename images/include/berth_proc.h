/* berth process imports (module "berth"): start child processes, wait for them, make pipes.
 *
 * Shaped after WASIX's proc_spawn / proc_join / fd_pipe / fd_dup, cut down to what a shell and
 * `make`-style tools need, with plain (pointer, length) arguments like wasi_snapshot_preview1.
 * Every function returns a WASI errno (0 = success; <wasi/api.h> __WASI_ERRNO_*).
 *
 * Semantics:
 *  - A child runs in a worker of its own and shares its parent's container filesystem (the
 *    container's filesystem then lives in a filesystem worker that every process of the
 *    container calls over a SharedArrayBuffer channel; see ARCHITECTURE.md, "Processes").
 *  - The child's fds 0, 1, 2 are the parent's `stdin_fd`, `stdout_fd`, `stderr_fd` (shared
 *    open file descriptions, as after fork+dup2); -1 gives /dev/null. The child gets the
 *    container's preopens (fd 3 = "/"); no other fd is inherited.
 *  - Pipes are SharedArrayBuffer ring buffers; a pipe's ends may be passed to several children.
 *  - Wait status is POSIX-encoded (wasi-libc has no <sys/wait.h>; use the BERTH_W* macros
 *    below): exit code c -> (c & 0xff) << 8; killed by signal s -> s. A trap exits with 134.
 */
#ifndef BERTH_PROC_H
#define BERTH_PROC_H

#include <stddef.h>
#include <stdint.h>

#define BERTH_IMPORT(name) __attribute__((import_module("berth"), import_name(name)))

typedef uint32_t berth_pid_t;

/* proc_wait flags */
#define BERTH_WAIT_NOHANG 1u

/* Wait status decoding, as <sys/wait.h>. */
#define BERTH_WIFEXITED(s) (((s) & 0x7f) == 0)
#define BERTH_WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define BERTH_WIFSIGNALED(s) (((s) & 0x7f) != 0)
#define BERTH_WTERMSIG(s) ((s) & 0x7f)

/* Starts the module at `path` (a .wasm file in the container filesystem, relative paths from the
 * caller's cwd). argv_buf holds argc NUL-terminated strings back to back (argv[0] first);
 * env_buf holds the environment the same way ("K=V\0K=V\0", exactly what the child sees).
 * Errors: ENOENT (no such file), ENOEXEC (not a wasm module), EBADF (a stdio fd), EAGAIN
 * (process limit). */
BERTH_IMPORT("proc_spawn")
int32_t berth_proc_spawn(const char *path, size_t path_len,
                         const char *argv_buf, size_t argv_buf_len, uint32_t argc,
                         const char *env_buf, size_t env_buf_len, uint32_t envc,
                         const char *cwd, size_t cwd_len,
                         int32_t stdin_fd, int32_t stdout_fd, int32_t stderr_fd,
                         berth_pid_t *pid_out);

/* Waits for the child `pid` (0: any child) to exit. With BERTH_WAIT_NOHANG and nothing exited
 * yet, returns 0 with *pid_out = 0. Errors: ECHILD (no such child of the caller). */
BERTH_IMPORT("proc_wait")
int32_t berth_proc_wait(berth_pid_t pid, uint32_t flags, berth_pid_t *pid_out, int32_t *status_out);

/* Sends `signal` to a child. berth guests cannot catch signals: every signal ends the child,
 * which then reports WIFSIGNALED with that signal. */
BERTH_IMPORT("proc_kill")
int32_t berth_proc_kill(berth_pid_t pid, int32_t signal);

/* Creates a pipe: bytes written to *write_fd_out are read from *read_fd_out. */
BERTH_IMPORT("fd_pipe")
int32_t berth_fd_pipe(int32_t *read_fd_out, int32_t *write_fd_out);

/* Duplicates `fd` onto the lowest free fd number (POSIX dup). For dup2, follow with
 * __wasi_fd_renumber(new, target). */
BERTH_IMPORT("fd_dup")
int32_t berth_fd_dup(int32_t fd, int32_t *new_fd_out);

#undef BERTH_IMPORT

#endif /* BERTH_PROC_H */

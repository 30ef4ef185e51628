/* bb.h: shared declarations of berthbox, the multi-call toolbox (sh + core utilities). */
#ifndef BB_H
#define BB_H

#include <stddef.h>
#include <stdarg.h>
#include <sys/types.h>

/* A growable byte buffer (also the in-memory end of a redirection or pipe). */
typedef struct bb_buf {
  char *data;
  size_t len, cap;
} bb_buf;

void buf_add(bb_buf *b, const char *s, size_t n);
void buf_addc(bb_buf *b, char c);
void buf_adds(bb_buf *b, const char *s);
char *buf_cstr(bb_buf *b); /* NUL-terminates in place; stays owned by b */
void buf_free(bb_buf *b);

/* A NULL-terminated list of malloc'd strings. */
typedef struct strlist {
  char **v;
  int n, cap;
} strlist;
void sl_push(strlist *l, char *s);
void sl_free(strlist *l);

/* Where an applet's output goes: a file descriptor, or memory (command substitution, in-process pipes). */
typedef struct bb_sink {
  int fd;
  bb_buf *mem;
} bb_sink;

/* Where an applet's input comes from. Shared by pointer so a `read` loop advances it. */
typedef struct bb_src {
  int fd;
  const char *mem;
  size_t len, pos;
} bb_src;

/* The standard streams of the applet now running (in-process or as its own program). */
extern bb_src *bb_in;
extern bb_sink bb_out, bb_err;
extern char **bb_env;
extern int bb_write_failed; /* stdout's reader went away: stream producers stop */ /* environment visible to applets: NAME=value, NULL-terminated */

void out_write(const char *s, size_t n);
void out_puts(const char *s);
void out_putc(char c);
void out_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void out_flush(void);
void sink_write(bb_sink s, const char *p, size_t n);
void err_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "applet: msg: strerror(errno)" on stderr, returns 1 */
int bb_perror(const char *applet, const char *what);

/* Reading: from the applet's stdin (path NULL or "-") or a file. */
typedef struct bb_reader {
  bb_src *src;
  bb_src own;
  char buf[4096];
  size_t start, end;
  int eof;
} bb_reader;

int reader_open(bb_reader *r, const char *path); /* -1 and errno on error */
void reader_close(bb_reader *r);
ssize_t reader_read(bb_reader *r, char *out, size_t n);
/* Next line including its '\n' (if any) into line; returns its length, 0 at EOF. */
size_t reader_line(bb_reader *r, bb_buf *line);
ssize_t src_read(bb_src *s, char *out, size_t n);

const char *bb_getenv(const char *name);
const char *bb_basename(const char *path);
int bb_parse_long(const char *s, long *out);

/* Applets: int applet(int argc, char **argv); in-process safe (no exit(), no global leftovers). */
typedef int (*bb_main_fn)(int argc, char **argv);
typedef struct bb_applet {
  const char *name;
  bb_main_fn main;
} bb_applet;
const bb_applet *bb_find_applet(const char *name);
extern const bb_applet bb_applets[];
/* Runs an applet in-process with the given streams and environment. */
int bb_run_applet(const bb_applet *a, int argc, char **argv, bb_src *in, bb_sink out, bb_sink err, char **env);

/* Running other programs through berth's process imports (spawn.c). */
int bb_spawn(const char *path, char *const argv[], char *const envp[], int fd_in, int fd_out, int fd_err,
             int *pid); /* 0 or an errno value */
int bb_wait(int pid, int *status); /* 0 or an errno value; status is the exit code */
int bb_pipe(int fds[2]); /* 0 or an errno value; fds[0] reads, fds[1] writes */
int bb_dup(int fd, int *newfd); /* 0 or an errno value */

int sh_main(int argc, char **argv);

/* Option parsing on top of getopt, reset for each applet run; prints "applet: bad option" itself. */
int bb_getopt(int argc, char **argv, const char *opts);
extern char *bb_optarg;
extern int bb_optind;

/* Runs argv as a command: an applet in-process, else a program found on PATH (command.c). */
int bb_run_command(char **argv, char **env);
int bb_mkdir_p(const char *path);

#endif

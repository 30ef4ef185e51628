/* proof-sandbox: a scriptable guest for berth's sandbox tests. argv is a list of operations,
 * each an operation name followed by its arguments; every operation prints one line,
 * "<op> <args>: <result>", where a failure is the errno name (ENOENT, ELOOP, EBADF, ...).
 * The raw* and fd* operations call wasi_snapshot_preview1 directly, so paths and fd numbers
 * reach the runtime exactly as written, without wasi-libc's preopen matching. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static const struct {
  int code;
  const char *name;
} errnames[] = {
#define E(x) {x, #x}
    E(E2BIG),  E(EACCES),    E(EBADF),     E(EBUSY),     E(EEXIST),  E(EFAULT),   E(EFBIG),
    E(EINVAL), E(EIO),       E(EISDIR),    E(ELOOP),     E(EMFILE),  E(EMLINK),   E(ENAMETOOLONG),
    E(ENFILE), E(ENOENT),    E(ENOMEM),    E(ENOSPC),    E(ENOSYS),  E(ENOTDIR),  E(ENOTEMPTY),
    E(ENOTSUP), E(EPERM),    E(EROFS),     E(ESPIPE),    E(EXDEV),   E(ENOTCAPABLE), E(EPIPE),
    E(ENXIO),  E(EOVERFLOW),
#undef E
};

static const char *errname(int code) {
  static char buf[32];
  for (size_t i = 0; i < sizeof errnames / sizeof errnames[0]; i++)
    if (errnames[i].code == code) return errnames[i].name;
  snprintf(buf, sizeof buf, "errno %d", code);
  return buf;
}

/* Prints file content on one line: newlines as \n, other control bytes as \xNN. */
static void print_escaped(const char *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    if (c == '\n') fputs("\\n", stdout);
    else if (c < 0x20 || c == 0x7f) printf("\\x%02x", c);
    else putchar(c);
  }
}

static void fail(int code) { printf("%s\n", errname(code)); }

static void op_cat(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return fail(errno);
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf);
  int err = errno;
  close(fd);
  if (n < 0) return fail(err);
  print_escaped(buf, (size_t)n);
  putchar('\n');
}

static void op_write(const char *path, const char *text, int flags) {
  int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
  if (fd < 0) return fail(errno);
  ssize_t n = write(fd, text, strlen(text));
  int err = errno;
  close(fd);
  if (n < 0) return fail(err);
  printf("ok %zd\n", n);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void op_ls(const char *path) {
  DIR *d = opendir(path);
  if (!d) return fail(errno);
  char *names[256];
  int count = 0;
  struct dirent *e;
  while ((e = readdir(d)) && count < 256) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    names[count++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, (size_t)count, sizeof names[0], cmp);
  for (int i = 0; i < count; i++) {
    printf("%s%s", i ? " " : "", names[i]);
    free(names[i]);
  }
  printf("%s\n", count ? "" : "(empty)");
}

static void op_stat(const char *path, int follow) {
  struct stat st;
  if ((follow ? stat(path, &st) : lstat(path, &st)) != 0) return fail(errno);
  const char *type = S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "symlink" : S_ISREG(st.st_mode) ? "file" : "other";
  printf("%s %lld\n", type, (long long)st.st_size);
}

static void op_readlink(const char *path) {
  char buf[1024];
  ssize_t n = readlink(path, buf, sizeof buf - 1);
  if (n < 0) return fail(errno);
  buf[n] = 0;
  printf("%s\n", buf);
}

static void op_rawcat(int dirfd, const char *path) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open((__wasi_fd_t)dirfd, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, 0,
                                      __WASI_RIGHTS_FD_READ, 0, 0, &fd);
  if (e) return fail(e);
  char buf[4096];
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  __wasi_size_t n = 0;
  e = __wasi_fd_read(fd, &iov, 1, &n);
  (void)__wasi_fd_close(fd);
  if (e) return fail(e);
  print_escaped(buf, n);
  putchar('\n');
}

static void op_rawwrite(int dirfd, const char *path, const char *text) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open((__wasi_fd_t)dirfd, 0, path, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                                      __WASI_RIGHTS_FD_WRITE, 0, 0, &fd);
  if (e) return fail(e);
  __wasi_ciovec_t iov = {(const uint8_t *)text, strlen(text)};
  __wasi_size_t n = 0;
  e = __wasi_fd_write(fd, &iov, 1, &n);
  (void)__wasi_fd_close(fd);
  if (e) return fail(e);
  printf("ok %u\n", (unsigned)n);
}

static void op_rawln(int dirfd, const char *target, const char *path) {
  __wasi_errno_t e = __wasi_path_symlink(target, (__wasi_fd_t)dirfd, path);
  if (e) return fail(e);
  printf("ok\n");
}

/* Opens a directory and leaves it open, printing its fd: a base for raw* lookups. */
static void op_dirfd(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY);
  if (fd < 0) return fail(errno);
  printf("fd %d\n", fd);
}

static void op_fdwrite(unsigned fd, const char *text) {
  __wasi_ciovec_t iov = {(const uint8_t *)text, strlen(text)};
  __wasi_size_t n = 0;
  fflush(stdout);
  __wasi_errno_t e = __wasi_fd_write((__wasi_fd_t)fd, &iov, 1, &n);
  if (e) return fail(e);
  printf("ok %u\n", (unsigned)n);
}

static void op_fdread(unsigned fd) {
  char buf[256];
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  __wasi_size_t n = 0;
  __wasi_errno_t e = __wasi_fd_read((__wasi_fd_t)fd, &iov, 1, &n);
  if (e) return fail(e);
  printf("ok %u\n", (unsigned)n);
}

static void op_fdclose(unsigned fd) {
  __wasi_errno_t e = __wasi_fd_close((__wasi_fd_t)fd);
  if (e) return fail(e);
  printf("ok\n");
}

static void op_fdstat(unsigned fd) {
  __wasi_fdstat_t st;
  __wasi_errno_t e = __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st);
  if (e) return fail(e);
  printf("ok filetype %u\n", (unsigned)st.fs_filetype);
}

static void op_fdrenumber(unsigned from, unsigned to) {
  __wasi_errno_t e = __wasi_fd_renumber((__wasi_fd_t)from, (__wasi_fd_t)to);
  if (e) return fail(e);
  printf("ok\n");
}

/* Lists the preopened directories the runtime handed in, as "fd=name". */
static void op_preopens(void) {
  int any = 0;
  for (__wasi_fd_t fd = 3; fd < 64; fd++) {
    __wasi_prestat_t ps;
    if (__wasi_fd_prestat_get(fd, &ps) != 0) continue;
    char name[512] = {0};
    size_t len = ps.u.dir.pr_name_len < sizeof name - 1 ? ps.u.dir.pr_name_len : sizeof name - 1;
    if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)name, len) != 0) continue;
    printf("%s%u=%s", any ? " " : "", (unsigned)fd, name);
    any = 1;
  }
  printf("%s\n", any ? "" : "(none)");
}

/* Race helpers for two guests on one mount: one swaps DIR and the symlink LINK `n` times, ... */
static void op_swap(const char *dir, const char *link, long n) {
  char tmp[1024];
  snprintf(tmp, sizeof tmp, "%s.swap", dir);
  long done = 0;
  for (long i = 0; i < n; i++) {
    if (rename(dir, tmp) || rename(link, dir) || rename(dir, link) || rename(tmp, dir)) break;
    done++;
  }
  printf("%ld swaps\n", done);
}

/* ... while the other reads PATH `n` times, tallying what it saw: "<content> xN" per outcome. */
static void op_reads(const char *path, long n) {
  enum { MAX = 8 };
  char seen[MAX][64];
  long count[MAX];
  int kinds = 0;
  for (long i = 0; i < n; i++) {
    char buf[64] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
      snprintf(buf, sizeof buf, "%s", errname(errno));
    } else {
      ssize_t r = read(fd, buf, sizeof buf - 1);
      if (r < 0) snprintf(buf, sizeof buf, "%s", errname(errno));
      close(fd);
    }
    int k = 0;
    while (k < kinds && strcmp(seen[k], buf)) k++;
    if (k == kinds && kinds < MAX) {
      snprintf(seen[kinds], sizeof seen[0], "%s", buf);
      count[kinds++] = 0;
    }
    if (k < kinds) count[k]++;
  }
  for (int k = 0; k < kinds; k++) printf("%s%s x%ld", k ? ", " : "", seen[k], count[k]);
  putchar('\n');
}

/* Writes `mib` MiB of 'x' to stdout; reports how much went through on stderr. */
static void op_spew(unsigned long long mib) {
  static char chunk[1 << 20];
  memset(chunk, 'x', sizeof chunk);
  fflush(stdout);
  unsigned long long total = 0;
  for (unsigned long long i = 0; i < mib; i++) {
    size_t off = 0;
    while (off < sizeof chunk) {
      ssize_t n = write(1, chunk + off, sizeof chunk - off);
      if (n < 0) {
        fprintf(stderr, "spew: %s after %llu bytes\n", errname(errno), total);
        return;
      }
      off += (size_t)n;
      total += (unsigned long long)n;
    }
  }
  fprintf(stderr, "spew: wrote %llu bytes\n", total);
}

#define NEED(k)                                       \
  do {                                                \
    if (i + (k) >= argc) {                            \
      fprintf(stderr, "%s: missing argument\n", op);  \
      return 2;                                       \
    }                                                 \
  } while (0)

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *op = argv[i];
    printf("%s", op);
    int arity = 0;
    if (!strcmp(op, "cat") || !strcmp(op, "ls") || !strcmp(op, "stat") || !strcmp(op, "lstat") ||
        !strcmp(op, "readlink") || !strcmp(op, "rm") || !strcmp(op, "mkdir") || !strcmp(op, "rmdir") ||
        !strcmp(op, "fdread") || !strcmp(op, "fdclose") || !strcmp(op, "fdstat") || !strcmp(op, "spew") || !strcmp(op, "dirfd") ||
        !strcmp(op, "exit"))
      arity = 1;
    else if (!strcmp(op, "write") || !strcmp(op, "append") || !strcmp(op, "ln") || !strcmp(op, "mv") ||
             !strcmp(op, "rawcat") || !strcmp(op, "fdwrite") || !strcmp(op, "fdrenumber") || !strcmp(op, "reads"))
      arity = 2;
    else if (!strcmp(op, "rawwrite") || !strcmp(op, "rawln") || !strcmp(op, "swap"))
      arity = 3;
    NEED(arity);
    for (int k = 1; k <= arity; k++) printf(" %s", argv[i + k]);
    printf(": ");
    const char *a = arity >= 1 ? argv[i + 1] : 0, *b = arity >= 2 ? argv[i + 2] : 0, *c = arity >= 3 ? argv[i + 3] : 0;
    i += arity;
    if (!strcmp(op, "cat")) op_cat(a);
    else if (!strcmp(op, "write")) op_write(a, b, O_TRUNC);
    else if (!strcmp(op, "append")) op_write(a, b, O_APPEND);
    else if (!strcmp(op, "ls")) op_ls(a);
    else if (!strcmp(op, "stat")) op_stat(a, 1);
    else if (!strcmp(op, "lstat")) op_stat(a, 0);
    else if (!strcmp(op, "readlink")) op_readlink(a);
    else if (!strcmp(op, "rm")) unlink(a) ? fail(errno) : (void)puts("ok");
    else if (!strcmp(op, "mkdir")) mkdir(a, 0755) ? fail(errno) : (void)puts("ok");
    else if (!strcmp(op, "rmdir")) rmdir(a) ? fail(errno) : (void)puts("ok");
    else if (!strcmp(op, "ln")) symlink(a, b) ? fail(errno) : (void)puts("ok");
    else if (!strcmp(op, "mv")) rename(a, b) ? fail(errno) : (void)puts("ok");
    else if (!strcmp(op, "dirfd")) op_dirfd(a);
    else if (!strcmp(op, "rawcat")) op_rawcat(atoi(a), b);
    else if (!strcmp(op, "rawwrite")) op_rawwrite(atoi(a), b, c);
    else if (!strcmp(op, "rawln")) op_rawln(atoi(a), b, c);
    else if (!strcmp(op, "fdwrite")) op_fdwrite((unsigned)strtoul(a, 0, 10), b);
    else if (!strcmp(op, "fdread")) op_fdread((unsigned)strtoul(a, 0, 10));
    else if (!strcmp(op, "fdclose")) op_fdclose((unsigned)strtoul(a, 0, 10));
    else if (!strcmp(op, "fdstat")) op_fdstat((unsigned)strtoul(a, 0, 10));
    else if (!strcmp(op, "fdrenumber")) op_fdrenumber((unsigned)strtoul(a, 0, 10), (unsigned)strtoul(b, 0, 10));
    else if (!strcmp(op, "preopens")) op_preopens();
    else if (!strcmp(op, "swap")) op_swap(a, b, atol(c));
    else if (!strcmp(op, "reads")) op_reads(a, atol(b));
    else if (!strcmp(op, "spew")) op_spew(strtoull(a, 0, 10));
    else if (!strcmp(op, "trap")) {
      fflush(stdout);
      __builtin_trap();
    } else if (!strcmp(op, "exit")) {
      fflush(stdout);
      exit(atoi(a));
    } else {
      printf("unknown operation\n");
      return 2;
    }
    fflush(stdout);
  }
  return 0;
}

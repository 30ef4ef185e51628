/* applets/files.c: changing the filesystem: mkdir rmdir touch ln chmod rm cp mv. */
#include "../bb.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *join_path(const char *dir, const char *name) {
  size_t n = strlen(dir);
  size_t sz = n + strlen(name) + 2;
  char *p = malloc(sz);
  snprintf(p, sz, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
  return p;
}

static int is_dir(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int applet_mkdir(int argc, char **argv) {
  int parents = 0, c, st = 0;
  while ((c = bb_getopt(argc, argv, "pm:")) != -1) {
    if (c == 'p') parents = 1;
    else if (c == '?') return 1;
  }
  if (bb_optind >= argc) {
    err_printf("mkdir: missing operand\n");
    return 1;
  }
  for (int i = bb_optind; i < argc; i++) {
    int r = parents ? bb_mkdir_p(argv[i]) : mkdir(argv[i], 0777);
    if (r != 0) st = bb_perror("mkdir", argv[i]);
  }
  return st;
}

int applet_rmdir(int argc, char **argv) {
  int parents = 0, c, st = 0;
  while ((c = bb_getopt(argc, argv, "p")) != -1) {
    if (c == 'p') parents = 1;
    else return 1;
  }
  for (int i = bb_optind; i < argc; i++) {
    char *p = strdup(argv[i]);
    if (rmdir(p) != 0) st = bb_perror("rmdir", p);
    else if (parents) {
      for (char *s; (s = strrchr(p, '/')) && s != p;) {
        *s = 0;
        if (rmdir(p) != 0) break;
      }
    }
    free(p);
  }
  return st;
}

int applet_touch(int argc, char **argv) {
  int no_create = 0, c, st = 0;
  while ((c = bb_getopt(argc, argv, "cam")) != -1) {
    if (c == 'c') no_create = 1;
    else if (c == '?') return 1;
  }
  for (int i = bb_optind; i < argc; i++) {
    if (utimensat(AT_FDCWD, argv[i], NULL, 0) == 0) continue;
    if (errno != ENOENT || no_create) {
      if (!no_create) st = bb_perror("touch", argv[i]);
      continue;
    }
    int fd = open(argv[i], O_WRONLY | O_CREAT, 0666);
    if (fd < 0) st = bb_perror("touch", argv[i]);
    else close(fd);
  }
  return st;
}

int applet_ln(int argc, char **argv) {
  int sym = 0, force = 0, c, st = 0;
  while ((c = bb_getopt(argc, argv, "sfnv")) != -1) {
    if (c == 's') sym = 1;
    else if (c == 'f') force = 1;
    else if (c == '?') return 1;
  }
  int n = argc - bb_optind;
  if (n < 1) {
    err_printf("ln: missing operand\n");
    return 1;
  }
  const char *last = argv[argc - 1];
  int into_dir = n > 2 || (n == 2 && is_dir(last));
  for (int i = bb_optind; i < (n == 1 ? argc : argc - 1); i++) {
    const char *target = argv[i];
    char *link_name = n == 1 || into_dir ? join_path(n == 1 ? "." : last, bb_basename(target)) : strdup(last);
    if (force) unlink(link_name);
    if ((sym ? symlink(target, link_name) : link(target, link_name)) != 0) st = bb_perror("ln", link_name);
    free(link_name);
  }
  return st;
}

/* WASI files have no permission bits: chmod checks its operands and the mode, and changes nothing. */
int applet_chmod(int argc, char **argv) {
  int i = 1, st = 0;
  while (i < argc && argv[i][0] == '-' && strchr("R", argv[i][1]) && argv[i][1]) i++;
  if (argc - i < 2) {
    err_printf("chmod: missing operand\n");
    return 1;
  }
  const char *mode = argv[i++];
  if (strspn(mode, "01234567") != strlen(mode) && strspn(mode, "ugoa+-=rwxXst,") != strlen(mode)) {
    err_printf("chmod: invalid mode '%s'\n", mode);
    return 1;
  }
  for (; i < argc; i++) {
    struct stat s;
    if (stat(argv[i], &s) != 0) st = bb_perror("chmod", argv[i]);
  }
  return st;
}

static int remove_tree(const char *path, int force) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    if (force && errno == ENOENT) return 0;
    return bb_perror("rm", path);
  }
  if (!S_ISDIR(st.st_mode)) return unlink(path) == 0 ? 0 : bb_perror("rm", path);
  DIR *d = opendir(path);
  if (!d) return bb_perror("rm", path);
  int rc = 0;
  struct dirent *e;
  /* Collect names first: removing while reading a directory is not portable. */
  char **names = NULL;
  size_t n = 0;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    names = realloc(names, sizeof(char *) * (n + 1));
    names[n++] = join_path(path, e->d_name);
  }
  closedir(d);
  for (size_t i = 0; i < n; i++) {
    rc |= remove_tree(names[i], force);
    free(names[i]);
  }
  free(names);
  if (rmdir(path) != 0) rc = bb_perror("rm", path);
  return rc;
}

int applet_rm(int argc, char **argv) {
  int recursive = 0, force = 0, dirs = 0, c, st = 0;
  while ((c = bb_getopt(argc, argv, "rRfidv")) != -1) {
    if (c == 'r' || c == 'R') recursive = 1;
    else if (c == 'f') force = 1;
    else if (c == 'd') dirs = 1;
    else if (c == '?') return 1;
  }
  if (bb_optind >= argc && !force) {
    err_printf("rm: missing operand\n");
    return 1;
  }
  for (int i = bb_optind; i < argc; i++) {
    struct stat s;
    if (lstat(argv[i], &s) != 0) {
      if (!force) st = bb_perror("rm", argv[i]);
      continue;
    }
    if (S_ISDIR(s.st_mode) && !recursive) {
      if (dirs && rmdir(argv[i]) == 0) continue;
      err_printf("rm: '%s' is a directory\n", argv[i]);
      st = 1;
      continue;
    }
    if (remove_tree(argv[i], force)) st = 1;
  }
  return st;
}

static int copy_file(const char *src, const char *dst) {
  int in = open(src, O_RDONLY);
  if (in < 0) return bb_perror("cp", src);
  int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (out < 0) {
    close(in);
    return bb_perror("cp", dst);
  }
  char buf[16384];
  ssize_t n;
  int rc = 0;
  while ((n = read(in, buf, sizeof buf)) > 0) {
    if (write(out, buf, (size_t)n) != n) {
      rc = bb_perror("cp", dst);
      break;
    }
  }
  if (n < 0) rc = bb_perror("cp", src);
  close(in);
  close(out);
  return rc;
}

static int copy_tree(const char *src, const char *dst, int recursive, int keep_links) {
  struct stat st;
  if ((keep_links ? lstat(src, &st) : stat(src, &st)) != 0) return bb_perror("cp", src);
  if (S_ISLNK(st.st_mode)) {
    char target[4096];
    ssize_t n = readlink(src, target, sizeof target - 1);
    if (n < 0) return bb_perror("cp", src);
    target[n] = 0;
    unlink(dst);
    return symlink(target, dst) == 0 ? 0 : bb_perror("cp", dst);
  }
  if (!S_ISDIR(st.st_mode)) return copy_file(src, dst);
  if (!recursive) {
    err_printf("cp: -r not specified; omitting directory '%s'\n", src);
    return 1;
  }
  if (mkdir(dst, 0777) != 0 && errno != EEXIST) return bb_perror("cp", dst);
  DIR *d = opendir(src);
  if (!d) return bb_perror("cp", src);
  int rc = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    char *s = join_path(src, e->d_name), *t = join_path(dst, e->d_name);
    rc |= copy_tree(s, t, recursive, keep_links);
    free(s);
    free(t);
  }
  closedir(d);
  return rc;
}

/* Shared by cp and mv: SRC DST, or SRC... DIR. */
static int copy_or_move(const char *applet, int argc, char **argv, int first, int move, int recursive,
                        int keep_links) {
  int n = argc - first, st = 0;
  if (n < 2) {
    err_printf("%s: missing destination operand\n", applet);
    return 1;
  }
  const char *dest = argv[argc - 1];
  int into = is_dir(dest);
  if (n > 2 && !into) {
    err_printf("%s: target '%s' is not a directory\n", applet, dest);
    return 1;
  }
  for (int i = first; i < argc - 1; i++) {
    char *src = strdup(argv[i]);
    size_t l = strlen(src);
    while (l > 1 && src[l - 1] == '/') src[--l] = 0;
    char *dst = into ? join_path(dest, bb_basename(src)) : strdup(dest);
    if (move) {
      if (rename(src, dst) != 0) {
        /* Different mounts: copy, then remove. */
        if (errno == EXDEV && copy_tree(src, dst, 1, 1) == 0) remove_tree(src, 0);
        else st = bb_perror(applet, src);
      }
    } else {
      st |= copy_tree(src, dst, recursive, keep_links);
    }
    free(src);
    free(dst);
  }
  return st;
}

int applet_cp(int argc, char **argv) {
  int recursive = 0, keep_links = 0, c;
  while ((c = bb_getopt(argc, argv, "rRapfPdLv")) != -1) {
    if (c == 'r' || c == 'R') recursive = 1;
    else if (c == 'a') recursive = keep_links = 1;
    else if (c == 'P' || c == 'd') keep_links = 1;
    else if (c == '?') return 1;
  }
  return copy_or_move("cp", argc, argv, bb_optind, 0, recursive, keep_links || recursive);
}

int applet_mv(int argc, char **argv) {
  int c;
  while ((c = bb_getopt(argc, argv, "finv")) != -1)
    if (c == '?') return 1;
  return copy_or_move("mv", argc, argv, bb_optind, 1, 1, 1);
}

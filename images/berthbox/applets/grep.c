/* applets/grep.c: grep with -i -v -c -n -l -L -q -s -h -H -e -E -F -w -x -r. */
#include "../bb.h"

#include <ctype.h>
#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct grep_state {
  int invert, count, number, list, list_missing, quiet, silent, names, fixed, icase, word, line, recursive;
  char **pats;
  int npats;
  regex_t *res;
  int matched_any;
  int error;
} grep_state;

static int is_word_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

static int fixed_match(grep_state *g, const char *s, const char *pat) {
  size_t pl = strlen(pat), sl = strlen(s);
  for (size_t i = 0; i + pl <= sl; i++) {
    int eq = g->icase ? strncasecmp(s + i, pat, pl) == 0 : strncmp(s + i, pat, pl) == 0;
    if (!eq) continue;
    if (g->line && (i != 0 || pl != sl)) continue;
    if (g->word && ((i > 0 && is_word_char(s[i - 1])) || is_word_char(s[i + pl]))) continue;
    return 1;
  }
  return pl == 0 && (!g->line || sl == 0);
}

static int regex_match(grep_state *g, regex_t *re, const char *s) {
  regmatch_t m;
  int flags = 0;
  const char *p = s;
  while (regexec(re, p, 1, &m, flags) == 0) {
    const char *b = p + m.rm_so, *e = p + m.rm_eo;
    int ok = 1;
    if (g->line && (b != s || *e)) ok = 0;
    if (g->word && ((b > s && is_word_char(b[-1])) || is_word_char(*e) || b == e)) ok = 0;
    if (ok) return 1;
    if (!g->word) return 0; /* -x: the leftmost-longest match decides */
    p = b + 1;
    if (b >= s + strlen(s)) return 0;
    flags = REG_NOTBOL;
  }
  return 0;
}

static int line_matches(grep_state *g, const char *s) {
  for (int i = 0; i < g->npats; i++) {
    if (g->fixed ? fixed_match(g, s, g->pats[i]) : regex_match(g, &g->res[i], s)) return 1;
  }
  return 0;
}

static void grep_reader(grep_state *g, bb_reader *r, const char *name) {
  bb_buf line = {0};
  long n = 0, hits = 0;
  while (reader_line(r, &line) > 0) {
    n++;
    size_t len = line.len;
    if (line.data[len - 1] == '\n') line.data[--len] = 0;
    if (line_matches(g, line.data) == g->invert) continue;
    hits++;
    g->matched_any = 1;
    if (g->quiet) break;
    if (g->list || g->list_missing) break;
    if (g->count) continue;
    if (g->names) out_printf("%s:", name);
    if (g->number) out_printf("%ld:", n);
    out_write(line.data, len);
    out_putc('\n');
  }
  buf_free(&line);
  if (g->quiet) return;
  if (g->count) {
    if (g->names) out_printf("%s:", name);
    out_printf("%ld\n", hits);
  }
  if (g->list && hits) out_printf("%s\n", name);
  if (g->list_missing && !hits) out_printf("%s\n", name);
}

static void grep_path(grep_state *g, const char *path, int top) {
  struct stat st;
  if (g->recursive && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    if (!d) {
      if (!g->silent) bb_perror("grep", path);
      g->error = 1;
      return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      size_t sz = strlen(path) + strlen(e->d_name) + 2;
      char *child = malloc(sz);
      snprintf(child, sz, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", e->d_name);
      grep_path(g, child, 0);
      free(child);
    }
    closedir(d);
    return;
  }
  bb_reader r;
  if (reader_open(&r, path) < 0) {
    if (!g->silent) bb_perror("grep", path);
    g->error = 1;
    return;
  }
  grep_reader(g, &r, path);
  reader_close(&r);
}

int applet_grep(int argc, char **argv) {
  grep_state g;
  memset(&g, 0, sizeof g);
  int c, extended = 0, no_names = 0;
  char *pats[64];
  while ((c = bb_getopt(argc, argv, "ivcnlLqshHe:EFwxrR")) != -1) {
    switch (c) {
    case 'i': g.icase = 1; break;
    case 'v': g.invert = 1; break;
    case 'c': g.count = 1; break;
    case 'n': g.number = 1; break;
    case 'l': g.list = 1; break;
    case 'L': g.list_missing = 1; break;
    case 'q': g.quiet = 1; break;
    case 's': g.silent = 1; break;
    case 'h': no_names = 1; break;
    case 'H': g.names = 1; break;
    case 'e': if (g.npats < 64) pats[g.npats++] = bb_optarg; break;
    case 'E': extended = 1; break;
    case 'F': g.fixed = 1; break;
    case 'w': g.word = 1; break;
    case 'x': g.line = 1; break;
    case 'r': case 'R': g.recursive = 1; break;
    default: return 2;
    }
  }
  int i = bb_optind;
  if (g.npats == 0) {
    if (i >= argc) {
      err_printf("grep: usage: grep [-ivcnlqsEFwxr] PATTERN [FILE]...\n");
      return 2;
    }
    pats[g.npats++] = argv[i++];
  }
  /* A pattern with newlines is several patterns. */
  char *split[64];
  int ns = 0;
  for (int k = 0; k < g.npats; k++) {
    char *p = strdup(pats[k]), *save = p;
    for (char *nl; (nl = strchr(p, '\n')) && ns < 63; p = nl + 1) {
      *nl = 0;
      split[ns++] = strdup(p);
    }
    if (ns < 64) split[ns++] = strdup(p);
    free(save);
  }
  g.pats = split;
  g.npats = ns;
  if (!g.fixed) {
    g.res = calloc((size_t)ns, sizeof(regex_t));
    for (int k = 0; k < ns; k++) {
      int r = regcomp(&g.res[k], split[k], (extended ? REG_EXTENDED : 0) | (g.icase ? REG_ICASE : 0));
      if (r) {
        char msg[128];
        regerror(r, &g.res[k], msg, sizeof msg);
        err_printf("grep: bad regex '%s': %s\n", split[k], msg);
        return 2;
      }
    }
  }
  int nfiles = argc - i;
  if ((nfiles > 1 || g.recursive) && !no_names) g.names = 1;
  if (no_names) g.names = 0;
  if (nfiles == 0 && g.recursive) grep_path(&g, ".", 1);
  else if (nfiles == 0) {
    bb_reader r;
    reader_open(&r, NULL);
    grep_reader(&g, &r, "(standard input)");
  }
  for (int k = i; k < argc && !(g.quiet && g.matched_any); k++) grep_path(&g, argv[k], 1);
  for (int k = 0; k < ns; k++) {
    if (g.res) regfree(&g.res[k]);
    free(split[k]);
  }
  free(g.res);
  if (g.quiet && g.matched_any) return 0;
  return g.error ? 2 : g.matched_any ? 0 : 1;
}

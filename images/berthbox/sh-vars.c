/* sh-vars.c: shell variables (set, export, unset, snapshots for subshells) and shell functions. */
#include "sh.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct var {
  char *name, *value;
  int exported;
} var;

static var *vars;
static int nvars, capvars;

struct var_snapshot {
  var *vars;
  int n;
};

int var_is_name(const char *s, size_t n) {
  if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_')) return 0;
  for (size_t i = 1; i < n; i++)
    if (!(isalnum((unsigned char)s[i]) || s[i] == '_')) return 0;
  return 1;
}

static var *find(const char *name) {
  for (int i = 0; i < nvars; i++)
    if (strcmp(vars[i].name, name) == 0) return &vars[i];
  return NULL;
}

const char *var_get(const char *name) {
  var *v = find(name);
  return v && v->value ? v->value : NULL;
}

int var_set(const char *name, const char *value, int export_it) {
  if (!var_is_name(name, strlen(name))) return -1;
  var *v = find(name);
  if (!v) {
    if (nvars == capvars) {
      capvars = capvars ? capvars * 2 : 32;
      vars = realloc(vars, sizeof(var) * (size_t)capvars);
    }
    v = &vars[nvars++];
    v->name = strdup(name);
    v->value = NULL;
    v->exported = 0;
  }
  if (value) {
    char *copy = strdup(value);
    free(v->value);
    v->value = copy;
  }
  if (export_it) v->exported = 1;
  return 0;
}

void var_export(const char *name) { var_set(name, NULL, 1); }

void var_unset(const char *name) {
  var *v = find(name);
  if (!v) return;
  free(v->name);
  free(v->value);
  *v = vars[--nvars];
}

void var_import(char **env) {
  for (char **e = env; e && *e; e++) {
    char *eq = strchr(*e, '=');
    if (!eq || !var_is_name(*e, (size_t)(eq - *e))) continue;
    char *name = strndup(*e, (size_t)(eq - *e));
    var_set(name, eq + 1, 1);
    free(name);
  }
}

char **var_environ(char **extra, int nextra) {
  char **env = malloc(sizeof(char *) * (size_t)(nvars + nextra + 1));
  int n = 0;
  for (int i = 0; i < nvars; i++) {
    if (!vars[i].exported || !vars[i].value) continue;
    int overridden = 0;
    size_t len = strlen(vars[i].name);
    for (int k = 0; k < nextra; k++)
      if (strncmp(extra[k], vars[i].name, len) == 0 && extra[k][len] == '=') overridden = 1;
    if (overridden) continue;
    size_t sz = len + strlen(vars[i].value) + 2;
    env[n] = malloc(sz);
    snprintf(env[n++], sz, "%s=%s", vars[i].name, vars[i].value);
  }
  for (int k = 0; k < nextra; k++) env[n++] = strdup(extra[k]);
  env[n] = NULL;
  return env;
}

void var_free_environ(char **env) {
  for (char **e = env; e && *e; e++) free(*e);
  free(env);
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const var *)a)->name, ((const var *)b)->name);
}

static void print_quoted(const char *v) {
  out_putc('\'');
  for (; *v; v++) {
    if (*v == '\'') out_puts("'\\''");
    else out_putc(*v);
  }
  out_putc('\'');
}

void var_print(int exported_only) {
  qsort(vars, (size_t)nvars, sizeof(var), by_name);
  for (int i = 0; i < nvars; i++) {
    if (exported_only && !vars[i].exported) continue;
    if (exported_only) out_printf("export %s", vars[i].name);
    else out_puts(vars[i].name);
    if (vars[i].value) {
      out_putc('=');
      print_quoted(vars[i].value);
    }
    out_putc('\n');
  }
}

var_snapshot *var_save(void) {
  var_snapshot *s = malloc(sizeof *s);
  s->n = nvars;
  s->vars = malloc(sizeof(var) * (size_t)(nvars ? nvars : 1));
  for (int i = 0; i < nvars; i++) {
    s->vars[i].name = strdup(vars[i].name);
    s->vars[i].value = vars[i].value ? strdup(vars[i].value) : NULL;
    s->vars[i].exported = vars[i].exported;
  }
  return s;
}

void var_restore(var_snapshot *s) {
  for (int i = 0; i < nvars; i++) {
    free(vars[i].name);
    free(vars[i].value);
  }
  free(vars);
  vars = s->vars;
  nvars = capvars = s->n;
  if (capvars == 0) {
    free(vars);
    vars = NULL;
  }
  free(s);
}

/* Functions: the tree is kept for the life of the shell (parse trees are never freed). */
typedef struct func {
  char *name;
  node *body;
  struct func *next;
} func;
static func *funcs;

node *func_get(const char *name) {
  for (func *f = funcs; f; f = f->next)
    if (strcmp(f->name, name) == 0) return f->body;
  return NULL;
}

void func_set(const char *name, node *body) {
  for (func *f = funcs; f; f = f->next)
    if (strcmp(f->name, name) == 0) {
      f->body = body;
      return;
    }
  func *f = malloc(sizeof *f);
  f->name = strdup(name);
  f->body = body;
  f->next = funcs;
  funcs = f;
}

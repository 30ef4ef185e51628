/* sh-arith.c: $(( )) arithmetic: integers, variables, C operators (no ++/--), assignment ops. */
#include "sh.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ax {
  const char *s;
  int err;
} ax;

static long parse_cond(ax *a);

static void ws(ax *a) {
  while (isspace((unsigned char)*a->s)) a->s++;
}
static int accept(ax *a, const char *op) {
  ws(a);
  size_t n = strlen(op);
  if (strncmp(a->s, op, n) != 0) return 0;
  /* don't take '<' from '<<', '&' from '&&', '=' from '==' ... */
  if (n == 1 && a->s[1] && strchr("<>&|=", op[0]) && a->s[1] == op[0]) return 0;
  if (n == 1 && strchr("<>!=", op[0]) && a->s[1] == '=') return 0;
  a->s += n;
  return 1;
}

static long var_value(const char *name) {
  const char *v = var_get(name);
  return v ? strtol(v, NULL, 0) : 0;
}

static long parse_unary(ax *a);
static long parse_primary(ax *a) {
  ws(a);
  if (*a->s == '(') {
    a->s++;
    long v = parse_cond(a);
    ws(a);
    if (*a->s == ')') a->s++;
    else a->err = 1;
    return v;
  }
  if (isdigit((unsigned char)*a->s)) {
    char *end;
    long v = strtol(a->s, &end, 0);
    a->s = end;
    return v;
  }
  if (isalpha((unsigned char)*a->s) || *a->s == '_') {
    const char *st = a->s;
    while (isalnum((unsigned char)*a->s) || *a->s == '_') a->s++;
    char *name = strndup(st, (size_t)(a->s - st));
    ws(a);
    static const char *ops[] = {"+=", "-=", "*=", "/=", "%=", "="};
    for (int k = 0; k < 6; k++) {
      size_t n = strlen(ops[k]);
      if (strncmp(a->s, ops[k], n) == 0 && !(n == 1 && a->s[1] == '=')) {
        a->s += n;
        long r = parse_cond(a), v = var_value(name);
        switch (ops[k][0]) {
        case '+': v += r; break;
        case '-': v -= r; break;
        case '*': v *= r; break;
        case '/': if (r) v /= r; else a->err = 2; break;
        case '%': if (r) v %= r; else a->err = 2; break;
        default: v = r;
        }
        char tmp[24];
        snprintf(tmp, sizeof tmp, "%ld", v);
        var_set(name, tmp, 0);
        free(name);
        return v;
      }
    }
    long v = var_value(name);
    free(name);
    return v;
  }
  a->err = 1;
  return 0;
}

static long parse_unary(ax *a) {
  ws(a);
  if (accept(a, "-")) return -parse_unary(a);
  if (accept(a, "+")) return parse_unary(a);
  if (accept(a, "!")) return !parse_unary(a);
  if (accept(a, "~")) return ~parse_unary(a);
  return parse_primary(a);
}

/* Binary operators by precedence level, lowest first. */
static const char *levels[][4] = {
    {"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="}, {"<=", ">=", "<", ">"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"},
};
enum { NLEVELS = sizeof levels / sizeof levels[0] };

static long apply(ax *a, const char *op, long l, long r) {
  if (!strcmp(op, "||")) return l || r;
  if (!strcmp(op, "&&")) return l && r;
  if (!strcmp(op, "|")) return l | r;
  if (!strcmp(op, "^")) return l ^ r;
  if (!strcmp(op, "&")) return l & r;
  if (!strcmp(op, "==")) return l == r;
  if (!strcmp(op, "!=")) return l != r;
  if (!strcmp(op, "<=")) return l <= r;
  if (!strcmp(op, ">=")) return l >= r;
  if (!strcmp(op, "<")) return l < r;
  if (!strcmp(op, ">")) return l > r;
  if (!strcmp(op, "<<")) return l << r;
  if (!strcmp(op, ">>")) return l >> r;
  if (!strcmp(op, "+")) return l + r;
  if (!strcmp(op, "-")) return l - r;
  if (!strcmp(op, "*")) return l * r;
  if (r == 0) {
    a->err = 2;
    return 0;
  }
  return !strcmp(op, "/") ? l / r : l % r;
}

static long parse_level(ax *a, int lv) {
  if (lv == NLEVELS) return parse_unary(a);
  long l = parse_level(a, lv + 1);
  for (;;) {
    const char *op = NULL;
    for (int k = 0; k < 4 && levels[lv][k]; k++)
      if (accept(a, levels[lv][k])) {
        op = levels[lv][k];
        break;
      }
    if (!op) return l;
    long r = parse_level(a, lv + 1);
    l = apply(a, op, l, r);
  }
}

static long parse_cond(ax *a) {
  long c = parse_level(a, 0);
  if (accept(a, "?")) {
    long x = parse_cond(a);
    if (!accept(a, ":")) a->err = 1;
    long y = parse_cond(a);
    return c ? x : y;
  }
  return c;
}

int arith_eval(const char *expr, long *out) {
  ax a = {expr, 0};
  long v = parse_cond(&a);
  ws(&a);
  if (*a.s) a.err = a.err ? a.err : 1;
  if (a.err) {
    sh_error("arithmetic: %s: %s", a.err == 2 ? "division by zero" : "syntax error", expr);
    return -1;
  }
  *out = v;
  return 0;
}

/* sh-expand.c: word expansion: quotes, parameters, command substitution, arithmetic, splitting, globbing. */
#include "sh.h"

#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sh_last_subst_status = -1;

enum { MODE_FIELDS, MODE_STRING, MODE_PATTERN };

typedef struct builder {
  int mode;
  bb_buf cur;   /* current field's text */
  bb_buf quoted; /* one byte per char of cur: 1 if quoted (literal for globbing) */
  int exists;   /* the current field exists even if empty ("" or '') */
  int globby;   /* an unquoted * ? or [ is in the field */
  int last_delim; /* field splitting: 0 none, 1 IFS white space ended a field, 2 other IFS char */
  strlist *out;
  int failed;
} builder;

static void add_char(builder *b, char c, int quoted) {
  if (b->mode == MODE_PATTERN && quoted && strchr("*?[]\\", c)) buf_addc(&b->cur, '\\');
  buf_addc(&b->cur, c);
  buf_addc(&b->quoted, (char)quoted);
  if (!quoted && (c == '*' || c == '?' || c == '[')) b->globby = 1;
  b->exists = 1;
}

static void glob_field(builder *b) {
  bb_buf pat = {0};
  for (size_t i = 0; i < b->cur.len; i++) {
    char c = b->cur.data[i];
    if (b->quoted.data[i] && strchr("*?[]\\", c)) buf_addc(&pat, '\\');
    buf_addc(&pat, c);
  }
  glob_t g;
  int r = glob(buf_cstr(&pat), 0, NULL, &g);
  buf_free(&pat);
  if (r == 0 && g.gl_pathc > 0) {
    for (size_t i = 0; i < g.gl_pathc; i++) sl_push(b->out, strdup(g.gl_pathv[i]));
    globfree(&g);
    return;
  }
  if (r == 0) globfree(&g);
  sl_push(b->out, strdup(buf_cstr(&b->cur)));
}

static void end_field(builder *b) {
  b->last_delim = 0;
  if (b->mode == MODE_FIELDS && b->exists) {
    if (b->globby && !sh.opt_f) glob_field(b);
    else sl_push(b->out, strdup(buf_cstr(&b->cur)));
  }
  b->cur.len = b->quoted.len = 0;
  b->exists = b->globby = 0;
}

static const char *ifs(void) {
  const char *v = var_get("IFS");
  return v ? v : " \t\n";
}

/* Text produced by an expansion: split on IFS when unquoted and producing fields. IFS white space
   runs collapse; every other IFS character ends a field, making empty ones ("a::b" -> a, "", b). */
static void add_expansion(builder *b, const char *s, int quoted) {
  if (quoted || b->mode != MODE_FIELDS) {
    for (; *s; s++) add_char(b, *s, quoted);
    return;
  }
  const char *sep = ifs();
  for (; *s; s++) {
    if (!*sep || !strchr(sep, *s)) {
      add_char(b, *s, 0);
      b->last_delim = 0;
      continue;
    }
    int white = *s == ' ' || *s == '\t' || *s == '\n';
    if (white) {
      if (b->exists) {
        end_field(b);
        b->last_delim = 1;
      }
      continue;
    }
    if (b->exists) end_field(b);
    else if (b->last_delim != 1) {
      b->exists = 1; /* an empty field */
      end_field(b);
    }
    b->last_delim = 2;
  }
}

/* Index just past the construct closing the one opened at w[i] ('${', '$(' or '`'), or len. */
static size_t find_close(const char *w, size_t i, size_t len) {
  if (w[i] == '`') {
    for (i++; i < len; i++) {
      if (w[i] == '\\') i++;
      else if (w[i] == '`') return i + 1;
    }
    return len;
  }
  char open = w[i + 1], close = open == '(' ? ')' : '}';
  int depth = 0;
  for (i++; i < len; i++) {
    char c = w[i];
    if (c == '\\') i++;
    else if (c == '\'') {
      const char *q = memchr(w + i + 1, '\'', len - i - 1);
      if (open == '(' && q) i = (size_t)(q - w);
    } else if (c == '"') {
      for (i++; i < len && w[i] != '"'; i++)
        if (w[i] == '\\') i++;
    } else if (c == open) depth++;
    else if (c == close && --depth == 0) return i + 1;
  }
  return len;
}

static void expand_range(builder *b, const char *w, size_t len, int in_dq);

static char *special_param(const char *name) {
  char tmp[32];
  if (strcmp(name, "?") == 0) snprintf(tmp, sizeof tmp, "%d", sh.status);
  else if (strcmp(name, "#") == 0) snprintf(tmp, sizeof tmp, "%d", sh.nparams);
  else if (strcmp(name, "$") == 0) snprintf(tmp, sizeof tmp, "%d", 1);
  else if (strcmp(name, "!") == 0) snprintf(tmp, sizeof tmp, "%d", sh.last_bg);
  else if (strcmp(name, "-") == 0) {
    int k = 0;
    if (sh.opt_e) tmp[k++] = 'e';
    if (sh.opt_f) tmp[k++] = 'f';
    if (sh.opt_u) tmp[k++] = 'u';
    if (sh.opt_x) tmp[k++] = 'x';
    if (sh.interactive) tmp[k++] = 'i';
    tmp[k] = 0;
  } else if (strcmp(name, "0") == 0) return strdup(sh.arg0 ? sh.arg0 : "sh");
  else if (name[0] >= '1' && name[0] <= '9') {
    int k = atoi(name);
    return k <= sh.nparams ? strdup(sh.params[k - 1]) : NULL;
  } else if (strcmp(name, "*") == 0 || strcmp(name, "@") == 0) {
    bb_buf all = {0};
    char sep = ifs()[0];
    for (int k = 0; k < sh.nparams; k++) {
      if (k && sep) buf_addc(&all, sep);
      buf_adds(&all, sh.params[k]);
    }
    char *r = strdup(buf_cstr(&all));
    buf_free(&all);
    return r;
  } else {
    const char *v = var_get(name);
    return v ? strdup(v) : NULL;
  }
  return strdup(tmp);
}

static void add_params(builder *b, int in_dq, int at) {
  if (b->mode != MODE_FIELDS || (in_dq && !at)) {
    char *all = special_param("*");
    add_expansion(b, all, in_dq);
    free(all);
    return;
  }
  for (int k = 0; k < sh.nparams; k++) {
    if (k && (in_dq || b->exists)) end_field(b);
    add_expansion(b, sh.params[k], in_dq);
    if (in_dq) b->exists = 1;
  }
}

static char *expand_sub(const char *w, size_t len, int mode) {
  builder b = {0};
  b.mode = mode;
  expand_range(&b, w, len, 0);
  char *s = strdup(buf_cstr(&b.cur));
  buf_free(&b.cur);
  buf_free(&b.quoted);
  return s;
}

/* ${#x} ${x:-w} ${x-w} ${x:=w} ${x:+w} ${x:?w} ${x#p} ${x##p} ${x%p} ${x%%p} */
static void expand_braced(builder *b, const char *w, size_t len, int in_dq) {
  size_t i = 0;
  int length_of = 0;
  if (len > 1 && w[0] == '#') {
    length_of = 1;
    i = 1;
  }
  size_t ns = i;
  if (i < len && strchr("?#$!@*-0123456789", w[i]) && !(w[i] >= '0' && w[i] <= '9')) i++;
  else
    while (i < len && (w[i] == '_' || (w[i] >= 'a' && w[i] <= 'z') || (w[i] >= 'A' && w[i] <= 'Z') ||
                       (w[i] >= '0' && w[i] <= '9')))
      i++;
  if (i == ns) {
    sh_error("bad substitution");
    b->failed = 1;
    return;
  }
  char *name = strndup(w + ns, i - ns);
  char *val = special_param(name);
  if (length_of) {
    char tmp[24];
    snprintf(tmp, sizeof tmp, "%zu", val ? strlen(val) : 0);
    add_expansion(b, tmp, in_dq);
    goto done;
  }
  if (i == len) {
    if (!val && sh.opt_u) {
      sh_error("%s: parameter not set", name);
      b->failed = 1;
    } else if (val) {
      if ((strcmp(name, "@") == 0 || strcmp(name, "*") == 0)) add_params(b, in_dq, name[0] == '@');
      else add_expansion(b, val, in_dq);
    }
    goto done;
  }
  int colon = w[i] == ':';
  if (colon) i++;
  char op = i < len ? w[i++] : 0;
  int twice = 0;
  if ((op == '#' || op == '%') && i < len && w[i] == op && !colon) {
    twice = 1;
    i++;
  }
  const char *arg = w + i;
  size_t alen = len - i;
  int unset = !val || (colon && !*val);
  switch (op) {
  case '-':
  case '=':
    if (!unset) {
      add_expansion(b, val, in_dq);
    } else if (op == '-') {
      expand_range(b, arg, alen, in_dq);
      b->exists |= in_dq;
    } else {
      char *v = expand_sub(arg, alen, MODE_STRING);
      var_set(name, v, 0);
      add_expansion(b, v, in_dq);
      free(v);
    }
    break;
  case '+':
    if (!unset) expand_range(b, arg, alen, in_dq);
    break;
  case '?':
    if (unset) {
      char *m = expand_sub(arg, alen, MODE_STRING);
      sh_error("%s: %s", name, *m ? m : "parameter null or not set");
      free(m);
      b->failed = 1;
      if (!sh.interactive) {
        sh.exiting = 1;
        sh.exit_status = 1;
      }
    } else {
      add_expansion(b, val, in_dq);
    }
    break;
  case '#':
  case '%': {
    if (colon) goto bad;
    char *pat = expand_sub(arg, alen, MODE_PATTERN);
    char *v = val ? val : "";
    size_t n = strlen(v), cut_at = 0, keep_len = n;
    int found = 0;
    /* Shortest match tries the smallest piece first, longest the biggest. */
    for (size_t k = 0; k <= n; k++) {
      size_t len_try = twice ? n - k : k;
      char *piece = op == '#' ? strndup(v, len_try) : strdup(v + n - len_try);
      int m = fnmatch(pat, piece, 0) == 0;
      free(piece);
      if (m) {
        found = 1;
        if (op == '#') cut_at = len_try;
        else keep_len = n - len_try;
        break;
      }
    }
    char *res = found ? strndup(v + cut_at, keep_len - cut_at) : strdup(v);
    add_expansion(b, res, in_dq);
    free(res);
    free(pat);
    break;
  }
  default:
  bad:
    sh_error("bad substitution");
    b->failed = 1;
  }
done:
  free(val);
  free(name);
}

static void add_command_output(builder *b, const char *text, int in_dq) {
  bb_buf out = {0};
  sh_last_subst_status = sh_run_capture(text, &out);
  while (out.len > 0 && out.data[out.len - 1] == '\n') out.len--;
  add_expansion(b, buf_cstr(&out), in_dq);
  buf_free(&out);
}

static void expand_range(builder *b, const char *w, size_t len, int in_dq) {
  for (size_t i = 0; i < len && !b->failed; i++) {
    char c = w[i];
    if (c == '\\') {
      if (i + 1 >= len) {
        add_char(b, c, 1);
      } else if (!in_dq || strchr("$`\"\\\n", w[i + 1])) {
        if (w[i + 1] != '\n') add_char(b, w[i + 1], 1);
        i++;
      } else {
        add_char(b, c, 1);
      }
    } else if (c == '\'' && !in_dq) {
      const char *q = memchr(w + i + 1, '\'', len - i - 1);
      size_t end = q ? (size_t)(q - w) : len;
      for (size_t k = i + 1; k < end; k++) add_char(b, w[k], 1);
      b->exists = 1;
      i = end;
    } else if (c == '"' && !in_dq) {
      size_t k = i + 1;
      for (; k < len && w[k] != '"'; k++) {
        if (w[k] == '\\') k++;
        else if (w[k] == '$' && k + 1 < len && (w[k + 1] == '(' || w[k + 1] == '{')) k = find_close(w, k, len) - 1;
        else if (w[k] == '`') k = find_close(w, k, len) - 1;
      }
      int at_only = (k - i - 1 == 2 && memcmp(w + i + 1, "$@", 2) == 0) ||
                    (k - i - 1 == 4 && memcmp(w + i + 1, "${@}", 4) == 0);
      b->exists = 1;
      if (at_only && sh.nparams == 0 && b->cur.len == 0 && b->mode == MODE_FIELDS) {
        b->exists = 0; /* "$@" with no parameters is no field at all */
      } else {
        expand_range(b, w + i + 1, k - i - 1, 1);
      }
      i = k;
    } else if (c == '`') {
      size_t end = find_close(w, i, len);
      bb_buf cmd = {0};
      for (size_t k = i + 1; k + 1 < end; k++) {
        if (w[k] == '\\' && k + 1 < end && strchr("$`\\", w[k + 1])) k++;
        buf_addc(&cmd, w[k]);
      }
      add_command_output(b, buf_cstr(&cmd), in_dq);
      buf_free(&cmd);
      i = end - 1;
    } else if (c == '$' && i + 1 < len) {
      char d = w[i + 1];
      if (d == '(' && i + 2 < len && w[i + 2] == '(') {
        size_t end = find_close(w, i, len); /* matches the outer parens of $(( )) */
        char *expr = expand_sub(w + i + 3, end - i - 5 > len ? 0 : end - i - 5, MODE_STRING);
        long v = 0;
        if (arith_eval(expr, &v) < 0) b->failed = 1;
        free(expr);
        char tmp[24];
        snprintf(tmp, sizeof tmp, "%ld", v);
        add_expansion(b, tmp, in_dq);
        i = end - 1;
      } else if (d == '(') {
        size_t end = find_close(w, i, len);
        char *cmd = strndup(w + i + 2, end - i - 3);
        add_command_output(b, cmd, in_dq);
        free(cmd);
        i = end - 1;
      } else if (d == '{') {
        size_t end = find_close(w, i, len);
        expand_braced(b, w + i + 2, end - i - 3, in_dq);
        i = end - 1;
      } else if (d == '@' || d == '*') {
        add_params(b, in_dq, d == '@');
        i++;
      } else if (strchr("?#$!-0123456789", d) || d == '_' || (d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z')) {
        size_t k = i + 1;
        if (strchr("?#$!-0123456789", d)) k++;
        else
          while (k < len && (w[k] == '_' || (w[k] >= 'a' && w[k] <= 'z') || (w[k] >= 'A' && w[k] <= 'Z') ||
                             (w[k] >= '0' && w[k] <= '9')))
            k++;
        char *name = strndup(w + i + 1, k - i - 1);
        char *val = special_param(name);
        if (!val && sh.opt_u) {
          sh_error("%s: parameter not set", name);
          b->failed = 1;
        }
        if (val) add_expansion(b, val, in_dq);
        free(val);
        free(name);
        i = k - 1;
      } else {
        add_char(b, c, in_dq);
      }
    } else if (c == '~' && i == 0 && !in_dq && b->mode != MODE_PATTERN) {
      size_t k = 1;
      while (k < len && w[k] != '/') k++;
      const char *home = var_get("HOME");
      if (k == 1 && home) {
        add_expansion(b, home, 1);
      } else {
        for (size_t j = 0; j < k; j++) add_char(b, w[j], 0);
      }
      i = k - 1;
    } else {
      add_char(b, c, in_dq);
    }
  }
}

int expand_words(char **words, int n, strlist *out) {
  builder b = {0};
  b.mode = MODE_FIELDS;
  b.out = out;
  for (int i = 0; i < n && !b.failed; i++) {
    expand_range(&b, words[i], strlen(words[i]), 0);
    end_field(&b);
  }
  buf_free(&b.cur);
  buf_free(&b.quoted);
  return b.failed ? -1 : 0;
}

static char *expand_mode(const char *word, int mode) {
  builder b = {0};
  b.mode = mode;
  expand_range(&b, word, strlen(word), 0);
  char *s = b.failed ? NULL : strdup(buf_cstr(&b.cur));
  buf_free(&b.cur);
  buf_free(&b.quoted);
  return s;
}
char *expand_word(const char *word) { return expand_mode(word, MODE_STRING); }
char *expand_pattern(const char *word) { return expand_mode(word, MODE_PATTERN); }

/* Heredoc bodies expand $ and ` and treat \ like inside double quotes, but " is ordinary. */
char *expand_heredoc(const char *body) {
  builder b = {0};
  b.mode = MODE_STRING;
  size_t len = strlen(body);
  for (size_t i = 0; i < len; i++) {
    if (body[i] == '"') {
      add_char(&b, '"', 1);
      continue;
    }
    size_t k = i;
    while (k < len && body[k] != '"') {
      if (body[k] == '$' && k + 1 < len && (body[k + 1] == '(' || body[k + 1] == '{')) k = find_close(body, k, len);
      else if (body[k] == '\\') k += 2;
      else k++;
    }
    if (k > len) k = len;
    expand_range(&b, body + i, k - i, 1);
    i = k - 1;
  }
  char *s = strdup(buf_cstr(&b.cur));
  buf_free(&b.cur);
  buf_free(&b.quoted);
  return s;
}

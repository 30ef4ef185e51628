/* sh-lex.c: the shell's tokenizer: words (with their quotes kept for expansion), operators,
   redirections with IO numbers, comments, line continuations and heredoc bodies. */
#include "sh.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int is_meta(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' || c == '>' ||
         c == '(' || c == ')';
}

/* Skips a quoted or nested construct starting at s[i]; returns the index after it, or len if unclosed. */
static size_t skip_construct(parser *p, size_t i);

static size_t skip_dquote(parser *p, size_t i) { /* i at the opening " */
  const char *s = p->s;
  for (i++; i < p->len; i++) {
    if (s[i] == '\\' && i + 1 < p->len) i++;
    else if (s[i] == '"') return i + 1;
    else if (s[i] == '$' || s[i] == '`') {
      size_t j = skip_construct(p, i);
      if (j > i + 1 || s[i] == '`') i = j - 1;
    }
  }
  p->incomplete = 1;
  return p->len;
}

static size_t skip_construct(parser *p, size_t i) {
  const char *s = p->s;
  if (s[i] == '\'') {
    const char *q = memchr(s + i + 1, '\'', p->len - i - 1);
    if (!q) {
      p->incomplete = 1;
      return p->len;
    }
    return (size_t)(q - s) + 1;
  }
  if (s[i] == '"') return skip_dquote(p, i);
  if (s[i] == '`') {
    for (i++; i < p->len; i++) {
      if (s[i] == '\\' && i + 1 < p->len) i++;
      else if (s[i] == '`') return i + 1;
    }
    p->incomplete = 1;
    return p->len;
  }
  if (s[i] == '$' && i + 1 < p->len && (s[i + 1] == '(' || s[i + 1] == '{')) {
    char open = s[i + 1], close = open == '(' ? ')' : '}';
    int depth = 0;
    for (i++; i < p->len; i++) {
      char c = s[i];
      if (c == '\\' && i + 1 < p->len) i++;
      else if (c == '\'' || c == '"' || c == '`' || (c == '$' && i + 1 < p->len && (s[i + 1] == '(' || s[i + 1] == '{')))
        i = skip_construct(p, i) - 1;
      else if (c == open) depth++;
      else if (c == close && --depth == 0) return i + 1;
      else if (c == '#' && open == '(' && (s[i - 1] == ' ' || s[i - 1] == '\n' || s[i - 1] == '\t')) {
        while (i < p->len && s[i] != '\n') i++;
      }
    }
    p->incomplete = 1;
    return p->len;
  }
  return i + 1;
}

static void read_heredocs(parser *p) {
  for (int k = 0; k < p->npending; k++) {
    redir *r = p->pending[k];
    bb_buf body = {0};
    for (;;) {
      if (p->pos >= p->len) {
        p->incomplete = 1;
        p->error = 1;
        break;
      }
      const char *nl = memchr(p->s + p->pos, '\n', p->len - p->pos);
      size_t end = nl ? (size_t)(nl - p->s) : p->len;
      size_t b = p->pos;
      if (r->strip_tabs)
        while (b < end && p->s[b] == '\t') b++;
      p->pos = nl ? end + 1 : end;
      if (end - b == strlen(r->delim) && memcmp(p->s + b, r->delim, end - b) == 0) break;
      buf_add(&body, p->s + b, end - b);
      buf_addc(&body, '\n');
    }
    r->word = strdup(buf_cstr(&body));
    buf_free(&body);
  }
  p->npending = 0;
}

token next_token(parser *p) {
  token t = {0};
  const char *s = p->s;
  for (;;) {
    while (p->pos < p->len && (s[p->pos] == ' ' || s[p->pos] == '\t')) p->pos++;
    if (p->pos + 1 < p->len && s[p->pos] == '\\' && s[p->pos + 1] == '\n') {
      p->pos += 2;
      continue;
    }
    if (p->pos < p->len && s[p->pos] == '#')
      while (p->pos < p->len && s[p->pos] != '\n') p->pos++;
    break;
  }
  t.start = p->pos;
  if (p->pos >= p->len) {
    t.type = T_EOF;
    return t;
  }
  char c = s[p->pos];
  char d = p->pos + 1 < p->len ? s[p->pos + 1] : 0;
  if (c == '\n') {
    p->pos++;
    t.type = T_NEWLINE;
    t.end = p->pos;
    read_heredocs(p);
    return t;
  }
  /* An IO number: digits right before < or >. */
  size_t i = p->pos;
  int fd = -1;
  while (i < p->len && isdigit((unsigned char)s[i])) i++;
  if (i > p->pos && i < p->len && (s[i] == '<' || s[i] == '>') && i - p->pos < 4) {
    fd = atoi(s + p->pos);
    p->pos = i;
    c = s[i];
    d = i + 1 < p->len ? s[i + 1] : 0;
  }
  if (c == '<' || c == '>') {
    t.type = T_REDIR;
    p->pos++;
    if (c == '<' && d == '<') {
      p->pos++;
      t.rkind = R_HEREDOC;
      if (p->pos < p->len && s[p->pos] == '-') {
        p->pos++;
        t.strip = 1;
      }
    } else if (c == '<' && d == '&') {
      p->pos++;
      t.rkind = R_DUP_IN;
    } else if (c == '<' && d == '>') {
      p->pos++;
      t.rkind = R_RDWR;
    } else if (c == '<') {
      t.rkind = R_IN;
    } else if (d == '>') {
      p->pos++;
      t.rkind = R_APPEND;
    } else if (d == '&') {
      p->pos++;
      t.rkind = R_DUP_OUT;
    } else {
      if (d == '|') p->pos++;
      t.rkind = R_OUT;
    }
    t.rfd = fd >= 0 ? fd : (c == '<' ? 0 : 1);
    t.end = p->pos;
    return t;
  }
  static const struct { const char *op; int type; } ops[] = {
      {"&&", T_AND}, {"||", T_OR}, {";;", T_DSEMI}, {";", T_SEMI}, {"&", T_AMP}, {"|", T_PIPE}, {"(", T_LPAREN}, {")", T_RPAREN},
  };
  for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
    size_t n = strlen(ops[k].op);
    if (p->pos + n <= p->len && memcmp(s + p->pos, ops[k].op, n) == 0) {
      p->pos += n;
      t.type = ops[k].type;
      t.end = p->pos;
      return t;
    }
  }
  i = p->pos;
  while (i < p->len && !is_meta(s[i])) {
    if (s[i] == '\\') {
      i += 2;
    } else if (s[i] == '\'' || s[i] == '"' || s[i] == '`' || s[i] == '$') {
      i = skip_construct(p, i);
    } else {
      i++;
    }
  }
  if (i > p->len) i = p->len;
  t.type = T_WORD;
  t.text = strndup(s + p->pos, i - p->pos);
  p->pos = i;
  t.end = i;
  return t;
}

token peek(parser *p) {
  size_t save = p->pos;
  int np = p->npending, inc = p->incomplete;
  p->npending = 0; /* a peek must not consume heredoc bodies */
  token t = next_token(p);
  p->pos = save;
  p->npending = np;
  p->incomplete = inc;
  return t;
}


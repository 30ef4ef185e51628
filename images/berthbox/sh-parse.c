/* sh-parse.c: recursive-descent parser of the shell's POSIX subset into a command tree (tokens from sh-lex.c). */
#include "sh.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xcalloc(size_t n) {
  void *p = calloc(1, n);
  if (!p) abort();
  return p;
}

static void syntax(parser *p, const char *what) {
  if (p->error) return;
  p->error = 1;
  if (p->pos >= p->len) p->incomplete = 1;
  if (!p->incomplete) sh_error("syntax error: %s", what);
}

static size_t peek_start(parser *p) {
  token t = peek(p);
  free(t.text);
  return t.start;
}

static int is_word(token t, const char *w) { return t.type == T_WORD && strcmp(t.text, w) == 0; }

static int peek_word(parser *p, const char *w) {
  token t = peek(p);
  int r = is_word(t, w);
  free(t.text);
  return r;
}

static void skip_newlines(parser *p) {
  for (;;) {
    token t = peek(p);
    free(t.text);
    if (t.type != T_NEWLINE) return;
    t = next_token(p);
  }
}

static const char *reserved[] = {"then", "else", "elif", "fi", "do", "done", "esac", "}", "in", NULL};
static int is_terminator(token t) {
  if (t.type == T_EOF || t.type == T_RPAREN || t.type == T_DSEMI) return 1;
  if (t.type != T_WORD) return 0;
  for (int i = 0; reserved[i]; i++)
    if (strcmp(t.text, reserved[i]) == 0) return 1;
  return 0;
}

static node *parse_list(parser *p);
static node *parse_and_or(parser *p);

static node *new_node(node_type type) {
  node *n = xcalloc(sizeof *n);
  n->type = type;
  return n;
}

static void expect_word(parser *p, const char *w) {
  skip_newlines(p);
  token t = next_token(p);
  if (!is_word(t, w)) {
    char msg[64];
    snprintf(msg, sizeof msg, "expected '%s'", w);
    syntax(p, msg);
  }
  free(t.text);
}

static void push_str(char ***v, int *n, char *s) {
  *v = realloc(*v, sizeof(char *) * (size_t)(*n + 2));
  (*v)[(*n)++] = s;
  (*v)[*n] = NULL;
}

static int parse_redir(parser *p, token t, redir **list) {
  token w = next_token(p);
  if (w.type != T_WORD) {
    syntax(p, "missing redirection target");
    free(w.text);
    return -1;
  }
  redir *r = xcalloc(sizeof *r);
  r->fd = t.rfd;
  r->kind = t.rkind;
  if (t.rkind == R_HEREDOC) {
    r->strip_tabs = t.strip;
    r->quoted = strpbrk(w.text, "'\"\\") != NULL;
    bb_buf d = {0};
    for (char *c = w.text; *c; c++)
      if (*c != '\'' && *c != '"' && *c != '\\') buf_addc(&d, *c);
    r->delim = strdup(buf_cstr(&d));
    buf_free(&d);
    free(w.text);
    if (p->npending < 16) p->pending[p->npending++] = r;
  } else {
    r->word = w.text;
  }
  while (*list) list = &(*list)->next;
  *list = r;
  return 0;
}

static void parse_trailing_redirs(parser *p, node *n) {
  for (;;) {
    token t = peek(p);
    free(t.text);
    if (t.type != T_REDIR) return;
    t = next_token(p);
    if (parse_redir(p, t, &n->redirs) < 0) return;
  }
}

static node *parse_compound_body(parser *p, const char *end) {
  node *body = parse_list(p);
  expect_word(p, end);
  return body;
}

static node *parse_if(parser *p) {
  node *n = new_node(N_IF);
  n->a = parse_list(p);
  expect_word(p, "then");
  n->b = parse_list(p);
  skip_newlines(p);
  token t = next_token(p);
  if (is_word(t, "elif")) {
    n->c = parse_if(p);
    free(t.text);
    return n;
  }
  if (is_word(t, "else")) {
    free(t.text);
    n->c = parse_list(p);
    expect_word(p, "fi");
    return n;
  }
  if (!is_word(t, "fi")) syntax(p, "expected 'fi'");
  free(t.text);
  return n;
}

static node *parse_for(parser *p) {
  node *n = new_node(N_FOR);
  token t = next_token(p);
  if (t.type != T_WORD || !var_is_name(t.text, strlen(t.text))) {
    syntax(p, "bad for variable");
    free(t.text);
    return n;
  }
  n->name = t.text;
  skip_newlines(p);
  if (peek_word(p, "in")) {
    free(next_token(p).text);
    n->has_in = 1;
    for (;;) {
      token w = peek(p);
      if (w.type != T_WORD) {
        free(w.text);
        break;
      }
      free(w.text);
      w = next_token(p);
      push_str(&n->words, &n->nwords, w.text);
    }
  }
  token sep = peek(p);
  free(sep.text);
  if (sep.type == T_SEMI || sep.type == T_NEWLINE) next_token(p);
  expect_word(p, "do");
  n->a = parse_compound_body(p, "done");
  return n;
}

static node *parse_case(parser *p) {
  node *n = new_node(N_CASE);
  token w = next_token(p);
  if (w.type != T_WORD) {
    syntax(p, "bad case subject");
    return n;
  }
  push_str(&n->words, &n->nwords, w.text);
  expect_word(p, "in");
  case_item **tail = &n->items;
  for (;;) {
    skip_newlines(p);
    token t = next_token(p);
    if (is_word(t, "esac") || t.type == T_EOF) {
      if (t.type == T_EOF) syntax(p, "expected 'esac'");
      free(t.text);
      break;
    }
    case_item *it = xcalloc(sizeof *it);
    if (t.type == T_LPAREN) t = next_token(p);
    for (;;) {
      if (t.type != T_WORD) {
        syntax(p, "bad case pattern");
        return n;
      }
      push_str(&it->pats, &it->npats, t.text);
      t = next_token(p);
      if (t.type == T_PIPE) {
        t = next_token(p);
        continue;
      }
      if (t.type != T_RPAREN) {
        syntax(p, "expected ')' in case");
        return n;
      }
      break;
    }
    it->body = parse_list(p);
    *tail = it;
    tail = &it->next;
    skip_newlines(p);
    token e = peek(p);
    free(e.text);
    if (e.type == T_DSEMI) next_token(p);
    else if (!peek_word(p, "esac")) {
      syntax(p, "expected ';;'");
      return n;
    }
  }
  return n;
}

static node *parse_command(parser *p) {
  skip_newlines(p);
  token t = peek(p);
  node *n = NULL;
  if (t.type == T_LPAREN) {
    next_token(p);
    n = new_node(N_SUBSHELL);
    n->a = parse_list(p);
    token r = next_token(p);
    if (r.type != T_RPAREN) syntax(p, "expected ')'");
    free(r.text);
  } else if (t.type == T_WORD && (is_word(t, "if") || is_word(t, "while") || is_word(t, "until") ||
                                   is_word(t, "for") || is_word(t, "case") || is_word(t, "{"))) {
    free(next_token(p).text);
    if (is_word(t, "if")) n = parse_if(p);
    else if (is_word(t, "for")) n = parse_for(p);
    else if (is_word(t, "case")) n = parse_case(p);
    else if (is_word(t, "{")) {
      n = new_node(N_GROUP);
      n->a = parse_compound_body(p, "}");
    } else {
      n = new_node(is_word(t, "while") ? N_WHILE : N_UNTIL);
      n->a = parse_list(p);
      expect_word(p, "do");
      n->b = parse_compound_body(p, "done");
    }
  }
  if (n) {
    free(t.text);
    parse_trailing_redirs(p, n);
    return n;
  }
  free(t.text);
  n = new_node(N_CMD);
  for (;;) {
    token w = peek(p);
    if (w.type == T_REDIR) {
      w = next_token(p);
      if (parse_redir(p, w, &n->redirs) < 0) return n;
      continue;
    }
    if (w.type == T_LPAREN && n->nwords == 1 && n->nassigns == 0) { /* name() { ...; } */
      next_token(p);
      token r = next_token(p);
      if (r.type != T_RPAREN) {
        syntax(p, "expected ')' after function name");
        return n;
      }
      node *f = new_node(N_FUNC);
      f->name = n->words[0];
      f->a = parse_command(p);
      return f;
    }
    if (w.type != T_WORD) {
      free(w.text);
      break;
    }
    free(w.text);
    w = next_token(p);
    char *eq = strchr(w.text, '=');
    if (n->nwords == 0 && eq && eq > w.text && var_is_name(w.text, (size_t)(eq - w.text)))
      push_str(&n->assigns, &n->nassigns, w.text);
    else
      push_str(&n->words, &n->nwords, w.text);
  }
  if (n->nwords == 0 && n->nassigns == 0 && !n->redirs) syntax(p, "unexpected token");
  return n;
}

static node *parse_pipeline(parser *p) {
  int bang = 0;
  while (peek_word(p, "!")) {
    free(next_token(p).text);
    bang = !bang;
  }
  skip_newlines(p);
  size_t start = peek_start(p);
  node *first = parse_command(p);
  token t = peek(p);
  free(t.text);
  node *n = first;
  if (t.type == T_PIPE) {
    n = new_node(N_PIPE);
    first->src = strndup(p->s + start, p->pos - start);
    push_str((char ***)&n->kids, &n->nkids, (char *)first);
    while (!p->error) {
      t = peek(p);
      free(t.text);
      if (t.type != T_PIPE) break;
      next_token(p);
      skip_newlines(p);
      start = peek_start(p);
      node *k = parse_command(p);
      k->src = strndup(p->s + start, p->pos - start);
      push_str((char ***)&n->kids, &n->nkids, (char *)k);
    }
  }
  if (bang) {
    node *b = new_node(N_NOT);
    b->a = n;
    n = b;
  }
  return n;
}

static node *parse_and_or(parser *p) {
  node *left = parse_pipeline(p);
  while (!p->error) {
    token t = peek(p);
    free(t.text);
    if (t.type != T_AND && t.type != T_OR) break;
    next_token(p);
    skip_newlines(p);
    node *n = new_node(t.type == T_AND ? N_AND : N_OR);
    n->a = left;
    n->b = parse_pipeline(p);
    left = n;
  }
  return left;
}

/* A list of and-or commands separated by ; & or newlines, up to a terminator (reserved word, ')' ';;' EOF). */
static node *parse_list(parser *p) {
  node *list = NULL;
  while (!p->error) {
    skip_newlines(p);
    token t = peek(p);
    int stop = is_terminator(t);
    free(t.text);
    if (stop) break;
    size_t start = peek_start(p);
    node *n = parse_and_or(p);
    t = peek(p);
    free(t.text);
    if (t.type == T_AMP) {
      node *bg = new_node(N_BG);
      bg->a = n;
      bg->src = strndup(p->s + start, p->pos - start);
      n = bg;
    }
    if (t.type == T_SEMI || t.type == T_AMP || t.type == T_NEWLINE) next_token(p);
    else if (!is_terminator(t)) {
      syntax(p, "unexpected token");
      break;
    }
    if (!list) {
      list = n;
    } else {
      node *s = new_node(N_SEQ);
      s->a = list;
      s->b = n;
      list = s;
    }
  }
  return list;
}

node *sh_parse(parser *p, const char *text) {
  memset(p, 0, sizeof *p);
  p->s = text;
  p->len = strlen(text);
  node *n = parse_list(p);
  if (!p->error) {
    token t = next_token(p);
    if (t.type != T_EOF) {
      sh_error("syntax error: unexpected '%.*s'", (int)(t.end - t.start), text + t.start);
      p->error = 1;
    }
    free(t.text);
  }
  if (p->npending || p->incomplete) {
    p->error = 1;
    p->incomplete = 1;
  }
  if (p->error) return NULL;
  if (!n) n = new_node(N_SEQ); /* empty program */
  return n;
}

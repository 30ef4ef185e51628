/* sh.h: internal declarations of berthbox's POSIX-subset shell (parser, expansion, execution). */
#ifndef SH_H
#define SH_H

#include "bb.h"

typedef enum {
  N_CMD, N_PIPE, N_AND, N_OR, N_SEQ, N_NOT, N_IF, N_WHILE, N_UNTIL, N_FOR, N_CASE, N_SUBSHELL, N_GROUP,
  N_FUNC, N_BG
} node_type;

enum { R_IN, R_OUT, R_APPEND, R_DUP_OUT, R_DUP_IN, R_HEREDOC, R_RDWR };

typedef struct redir {
  int fd, kind;
  char *word;     /* target word, or heredoc body */
  int quoted;     /* heredoc with a quoted delimiter: body not expanded */
  int strip_tabs; /* <<- */
  char *delim;
  struct redir *next;
} redir;

typedef struct node node;
typedef struct case_item {
  char **pats;
  int npats;
  node *body;
  struct case_item *next;
} case_item;

struct node {
  node_type type;
  node *a, *b, *c;
  char **words; /* N_CMD argv words; N_FOR list; N_CASE subject in words[0] */
  int nwords;
  char **assigns;
  int nassigns;
  redir *redirs;
  char *name; /* N_FOR variable, N_FUNC name */
  int has_in; /* N_FOR: `in` given */
  node **kids; /* N_PIPE stages */
  int nkids;
  char *src; /* source text, for running a stage as `sh -c` in its own process */
  case_item *items;
};

typedef struct parser {
  const char *s;
  size_t pos, len;
  int incomplete; /* hit end of input inside a construct: an interactive shell reads more */
  int error;
  redir *pending[16];
  int npending;
} parser;

enum { T_EOF, T_WORD, T_NEWLINE, T_SEMI, T_AMP, T_PIPE, T_AND, T_OR, T_DSEMI, T_LPAREN, T_RPAREN, T_REDIR };

typedef struct token {
  int type;
  char *text; /* T_WORD */
  int rkind, rfd, strip; /* T_REDIR */
  size_t start, end;
} token;

token next_token(parser *p);
token peek(parser *p); /* the next token, without consuming it (or any heredoc body) */

/* Parses one complete command list (up to the end of input). NULL with p->error on a syntax error. */
node *sh_parse(parser *p, const char *text);

/* Variables (sh-vars.c). */
const char *var_get(const char *name);
int var_set(const char *name, const char *value, int export_it); /* 0, or -1 if readonly/invalid */
void var_unset(const char *name);
void var_export(const char *name);
int var_is_name(const char *s, size_t n);
char **var_environ(char **extra, int nextra); /* exported vars (+ NAME=v overrides), malloc'd */
void var_free_environ(char **env);
void var_print(int exported_only);
void var_import(char **env);
typedef struct var_snapshot var_snapshot;
var_snapshot *var_save(void);
void var_restore(var_snapshot *s);

/* Shell state. */
typedef struct shell {
  int status; /* $? */
  char *arg0;
  char **params; /* $1.. */
  int nparams;
  int opt_e, opt_x, opt_u, opt_f, opt_n;
  int exiting; /* `exit` ran: unwind everything */
  int exit_status;
  int breaking, continuing; /* pending break/continue levels */
  int returning;
  int loop_depth;
  int func_depth;
  int in_condition; /* set -e does not apply in if/while conditions and && || lists */
  int interactive;
  int spawn_ok; /* -1 unknown, 0 spawn imports missing, 1 working */
  int last_bg;
} shell;
extern shell sh;

typedef struct sh_io {
  bb_src *in;
  bb_sink out, err;
} sh_io;

int sh_exec(node *n, sh_io *io);
int sh_eval_string(const char *text, sh_io *io); /* parse and run; syntax error -> 2 */
int sh_run_capture(const char *text, bb_buf *out); /* command substitution */

/* Expansion (sh-expand.c). */
int expand_words(char **words, int n, strlist *out); /* fields after splitting and globbing; -1 on error */
char *expand_word(const char *word);                   /* one string, no splitting or globbing */
char *expand_pattern(const char *word);                /* for case/${x#pat}: quoted chars escaped */
char *expand_heredoc(const char *body);
int arith_eval(const char *expr, long *out); /* sh-arith.c; -1 with message on error */

/* Builtins (sh-builtins.c). */
typedef int (*sh_builtin_fn)(int argc, char **argv, sh_io *io);
sh_builtin_fn sh_find_builtin(const char *name);
int sh_is_special_builtin(const char *name);

/* Functions */
node *func_get(const char *name);
void func_set(const char *name, node *body);

void sh_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

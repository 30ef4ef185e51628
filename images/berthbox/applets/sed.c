/* applets/sed.c: sed with addresses (N, $, /re/, ranges, !) and s///[gpiN] d p q = a i c y; -n -e -f -i -E. */
#include "../bb.h"

#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { A_NONE, A_LINE, A_LAST, A_RE };
typedef struct addr {
  int kind;
  long line;
  regex_t *re;
} addr;

typedef struct cmd {
  addr a1, a2;
  int negate, in_range;
  char op;
  regex_t *re; /* s */
  char *repl;  /* s replacement; a/i/c text; y source */
  char *to;    /* y target */
  int global, print, nth, exit_code;
} cmd;

typedef struct sed_prog {
  cmd *cmds;
  int n;
  int quiet, extended;
} sed_prog;

static int sed_error(const char *msg, const char *at) {
  err_printf("sed: %s%s%s\n", msg, at ? ": " : "", at ? at : "");
  return -1;
}

/* Reads a delimited part starting after the delimiter; unescapes \delim and (if nl) \n. */
static char *delimited(const char **sp, char delim, int is_re) {
  const char *s = *sp;
  bb_buf b = {0};
  for (; *s && *s != delim; s++) {
    if (*s == '\\' && s[1]) {
      s++;
      if (*s == delim) buf_addc(&b, delim);
      else if (*s == 'n' && is_re) buf_addc(&b, '\n');
      else {
        buf_addc(&b, '\\');
        buf_addc(&b, *s);
      }
    } else {
      buf_addc(&b, *s);
    }
  }
  if (*s != delim) {
    buf_free(&b);
    return NULL;
  }
  *sp = s + 1;
  return strdup(buf_cstr(&b));
}

static regex_t *last_re;

static regex_t *compile(const char *src, int flags) {
  if (!*src) return last_re; /* empty regex: the last one used */
  regex_t *re = malloc(sizeof *re);
  int r = regcomp(re, src, flags);
  if (r) {
    char msg[128];
    regerror(r, re, msg, sizeof msg);
    sed_error(msg, src);
    free(re);
    return NULL;
  }
  return last_re = re;
}

static int parse_addr(const char **sp, addr *a, int ext) {
  const char *s = *sp;
  if (*s >= '0' && *s <= '9') {
    a->kind = A_LINE;
    a->line = strtol(s, (char **)&s, 10);
  } else if (*s == '$') {
    a->kind = A_LAST;
    s++;
  } else if (*s == '/' || *s == '\\') {
    char d = *s == '\\' ? *++s : '/';
    s++;
    char *src = delimited(&s, d, 1);
    if (!src) return sed_error("unterminated address regex", *sp);
    a->kind = A_RE;
    a->re = compile(src, ext ? REG_EXTENDED : 0);
    free(src);
    if (!a->re) return -1;
  }
  *sp = s;
  return 0;
}

static char *text_arg(const char **sp) {
  const char *s = *sp;
  while (*s == ' ' || *s == '\t') s++;
  if (*s == '\\') {
    s++;
    if (*s == '\n') s++;
  }
  bb_buf b = {0};
  for (; *s && *s != '\n'; s++) {
    if (*s == '\\' && s[1]) s++;
    buf_addc(&b, *s);
  }
  *sp = s;
  return strdup(buf_cstr(&b));
}

static int parse_script(sed_prog *p, const char *s) {
  for (;;) {
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == ';') s++;
    if (!*s) return 0;
    cmd c;
    memset(&c, 0, sizeof c);
    if (parse_addr(&s, &c.a1, p->extended) < 0) return -1;
    if (c.a1.kind && *s == ',') {
      s++;
      if (parse_addr(&s, &c.a2, p->extended) < 0 || !c.a2.kind) return sed_error("bad address", s);
    }
    while (*s == ' ') s++;
    if (*s == '!') {
      c.negate = 1;
      s++;
      while (*s == ' ') s++;
    }
    c.op = *s++;
    switch (c.op) {
    case 's': {
      char d = *s++;
      char *re = delimited(&s, d, 1);
      char *repl = re ? delimited(&s, d, 0) : NULL;
      if (!re || !repl) return sed_error("unterminated `s' command", NULL);
      int icase = 0;
      for (; *s && *s != ';' && *s != '\n' && *s != '}'; s++) {
        if (*s == 'g') c.global = 1;
        else if (*s == 'p') c.print = 1;
        else if (*s == 'i' || *s == 'I') icase = 1;
        else if (*s >= '1' && *s <= '9') c.nth = (int)strtol(s, (char **)&s, 10), s--;
        else if (*s != ' ') return sed_error("unknown option to `s'", s);
      }
      c.re = compile(re, (p->extended ? REG_EXTENDED : 0) | (icase ? REG_ICASE : 0));
      free(re);
      if (!c.re) return -1;
      c.repl = repl;
      break;
    }
    case 'y': {
      char d = *s++;
      c.repl = delimited(&s, d, 0);
      c.to = c.repl ? delimited(&s, d, 0) : NULL;
      if (!c.to || strlen(c.repl) != strlen(c.to)) return sed_error("bad `y' command", NULL);
      break;
    }
    case 'a':
    case 'i':
    case 'c':
      c.repl = text_arg(&s);
      break;
    case 'q':
    case 'Q':
      while (*s == ' ') s++;
      c.exit_code = (int)strtol(s, (char **)&s, 10);
      break;
    case 'd':
    case 'p':
    case '=':
      break;
    default:
      return sed_error("unknown command", s - 1);
    }
    p->cmds = realloc(p->cmds, sizeof(cmd) * (size_t)(p->n + 1));
    p->cmds[p->n++] = c;
  }
}

static int addr_hit(addr *a, long n, int last, const char *ps) {
  if (a->kind == A_LINE) return n == a->line;
  if (a->kind == A_LAST) return last;
  return regexec(a->re, ps, 0, NULL, 0) == 0;
}

static int selected(cmd *c, long n, int last, const char *ps) {
  int hit;
  if (!c->a1.kind) hit = 1;
  else if (!c->a2.kind) hit = addr_hit(&c->a1, n, last, ps);
  else if (c->in_range) {
    hit = 1;
    if (c->a2.kind == A_LINE ? n >= c->a2.line : addr_hit(&c->a2, n, last, ps)) c->in_range = 0;
  } else if (addr_hit(&c->a1, n, last, ps)) {
    hit = 1;
    c->in_range = !(c->a2.kind == A_LINE && c->a2.line <= n);
  } else {
    hit = 0;
  }
  return hit != c->negate;
}

static int substitute(cmd *c, bb_buf *ps) {
  regmatch_t m[10];
  bb_buf out = {0};
  const char *s = buf_cstr(ps), *p = s;
  int count = 0, done = 0, flags = 0, after_match = 0;
  while (!done && regexec(c->re, p, 10, m, flags) == 0) {
    flags = REG_NOTBOL;
    int empty = m[0].rm_eo == m[0].rm_so;
    if (empty && after_match && m[0].rm_so == 0) { /* no empty match right after a match */
      after_match = 0;
      if (!*p) break;
      buf_addc(&out, *p++);
      continue;
    }
    count++;
    int take = c->nth ? count == c->nth : 1;
    buf_add(&out, p, (size_t)m[0].rm_so);
    if (take) {
      for (const char *r = c->repl; *r; r++) {
        if (*r == '\\' && r[1]) {
          r++;
          if (*r >= '0' && *r <= '9') {
            int k = *r - '0';
            if (m[k].rm_so >= 0) buf_add(&out, p + m[k].rm_so, (size_t)(m[k].rm_eo - m[k].rm_so));
          } else if (*r == 'n') buf_addc(&out, '\n');
          else if (*r == 't') buf_addc(&out, '\t');
          else buf_addc(&out, *r);
        } else if (*r == '&') {
          buf_add(&out, p + m[0].rm_so, (size_t)(m[0].rm_eo - m[0].rm_so));
        } else {
          buf_addc(&out, *r);
        }
      }
    } else {
      buf_add(&out, p + m[0].rm_so, (size_t)(m[0].rm_eo - m[0].rm_so));
    }
    if (take && !c->global) done = 1;
    if (empty) { /* copy one char to move on */
      if (!p[m[0].rm_eo]) {
        p += m[0].rm_eo;
        break;
      }
      buf_addc(&out, p[m[0].rm_eo]);
      p += m[0].rm_eo + 1;
      after_match = 0;
    } else {
      p += m[0].rm_eo;
      after_match = 1;
    }
  }
  if (c->nth ? count < c->nth : count == 0) {
    buf_free(&out);
    return 0;
  }
  buf_adds(&out, p);
  ps->len = 0;
  buf_add(ps, out.data, out.len);
  buf_free(&out);
  return 1;
}

/* Runs the program over one input; returns -1 to go on, or an exit code after q. */
static int run(sed_prog *p, bb_reader *r, long *lineno, int last_input) {
  bb_buf cur = {0}, next = {0}, append = {0};
  int have_next = reader_line(r, &next) > 0, quit = -1;
  while (have_next && quit < 0) {
    cur.len = 0;
    buf_add(&cur, next.data, next.len);
    int had_nl = cur.len && cur.data[cur.len - 1] == '\n';
    if (had_nl) cur.len--;
    buf_cstr(&cur);
    have_next = reader_line(r, &next) > 0;
    int last = !have_next && last_input;
    (*lineno)++;
    int deleted = 0, autoprint = !p->quiet;
    append.len = 0;
    for (int i = 0; i < p->n && !deleted; i++) {
      cmd *c = &p->cmds[i];
      if (!selected(c, *lineno, last, buf_cstr(&cur))) continue;
      switch (c->op) {
      case 's':
        if (substitute(c, &cur) && c->print) {
          out_write(cur.data, cur.len);
          out_putc('\n');
        }
        break;
      case 'y':
        for (size_t k = 0; k < cur.len; k++) {
          char *at = strchr(c->repl, cur.data[k]);
          if (at && cur.data[k]) cur.data[k] = c->to[at - c->repl];
        }
        break;
      case 'd': deleted = 1; break;
      case 'p':
        out_write(cur.data, cur.len);
        out_putc('\n');
        break;
      case '=': out_printf("%ld\n", *lineno); break;
      case 'i': out_printf("%s\n", c->repl); break;
      case 'a':
        buf_adds(&append, c->repl);
        buf_addc(&append, '\n');
        break;
      case 'c':
        if (!c->a2.kind || !c->in_range) out_printf("%s\n", c->repl);
        deleted = 1;
        break;
      case 'q': quit = c->exit_code; i = p->n; break;
      case 'Q': quit = c->exit_code; deleted = 1; autoprint = 0; break;
      }
    }
    if (!deleted && autoprint) {
      out_write(cur.data, cur.len);
      if (had_nl || !last) out_putc('\n');
    }
    if (append.len) out_write(append.data, append.len);
  }
  buf_free(&cur);
  buf_free(&next);
  buf_free(&append);
  return quit;
}

int applet_sed(int argc, char **argv) {
  sed_prog p;
  memset(&p, 0, sizeof p);
  int c, in_place = 0;
  bb_buf script = {0};
  last_re = NULL;
  /* -E must be known before compiling, so collect the script text first. */
  while ((c = bb_getopt(argc, argv, "ne:f:iErs")) != -1) {
    if (c == 'n') p.quiet = 1;
    else if (c == 'e' || c == 'f') {
      if (c == 'f') {
        bb_reader r;
        if (reader_open(&r, bb_optarg) < 0) return bb_perror("sed", bb_optarg);
        bb_buf line = {0};
        while (reader_line(&r, &line) > 0) buf_add(&script, line.data, line.len);
        buf_free(&line);
        reader_close(&r);
      } else {
        buf_adds(&script, bb_optarg);
      }
      buf_addc(&script, '\n');
    } else if (c == 'i') in_place = 1;
    else if (c == 'E' || c == 'r') p.extended = 1;
    else if (c == 's') {
    } else return 1;
  }
  int i = bb_optind;
  if (!script.len) {
    if (i >= argc) {
      err_printf("sed: usage: sed [-n] [-E] [-i] SCRIPT [FILE]...\n");
      return 1;
    }
    buf_adds(&script, argv[i++]);
  }
  if (parse_script(&p, buf_cstr(&script)) < 0) return 1;
  buf_free(&script);
  int nf = argc - i, st = 0, quit = -1;
  long lineno = 0;
  if (in_place && nf == 0) {
    err_printf("sed: -i needs a file\n");
    return 1;
  }
  for (int k = 0; k < (nf ? nf : 1) && quit < 0; k++) {
    const char *name = nf ? argv[i + k] : NULL;
    bb_reader r;
    if (reader_open(&r, name) < 0) {
      st = bb_perror("sed", name);
      continue;
    }
    if (in_place) {
      bb_buf out = {0};
      bb_sink saved = bb_out;
      out_flush();
      bb_out = (bb_sink){-1, &out};
      lineno = 0;
      for (int j = 0; j < p.n; j++) p.cmds[j].in_range = 0;
      quit = run(&p, &r, &lineno, 1);
      out_flush();
      bb_out = saved;
      reader_close(&r);
      int fd = open(name, O_WRONLY | O_TRUNC);
      if (fd < 0) st = bb_perror("sed", name);
      else {
        sink_write((bb_sink){fd, NULL}, out.data ? out.data : "", out.len);
        close(fd);
      }
      buf_free(&out);
    } else {
      quit = run(&p, &r, &lineno, k == (nf ? nf : 1) - 1);
      reader_close(&r);
    }
  }
  return quit >= 0 ? quit : st;
}

/* applets/printf.c: printf FORMAT [ARG]...: %s %b %c %d %i %u %o %x %X %e %f %g %%, flags, width,
   precision, escapes; the format repeats while arguments remain. */
#include "../bb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes s with backslash escapes; returns 1 if \c asked to stop all output. */
static int put_escaped(const char *s, int percent_b) {
  for (; *s; s++) {
    if (*s != '\\' || !s[1]) {
      out_putc(*s);
      continue;
    }
    char c = *++s;
    switch (c) {
    case 'n': out_putc('\n'); break;
    case 't': out_putc('\t'); break;
    case 'r': out_putc('\r'); break;
    case 'a': out_putc('\a'); break;
    case 'b': out_putc('\b'); break;
    case 'f': out_putc('\f'); break;
    case 'v': out_putc('\v'); break;
    case 'e': out_putc(27); break;
    case '\\': out_putc('\\'); break;
    case 'c':
      if (percent_b) return 1;
      out_puts("\\c");
      break;
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
      int v = c - '0', max = percent_b && c == '0' ? 3 : 2;
      for (int k = 0; k < max && s[1] >= '0' && s[1] <= '7'; k++) v = v * 8 + (*++s - '0');
      out_putc((char)v);
      break;
    }
    default:
      out_putc('\\');
      out_putc(c);
    }
  }
  return 0;
}

static long long num_arg(const char *s, int *bad) {
  if (!s) return 0;
  if ((s[0] == '\'' || s[0] == '"') && s[1]) return (unsigned char)s[1];
  char *end;
  long long v = strtoll(s, &end, 0);
  if (*s == 0 || *end) {
    err_printf("printf: invalid number '%s'\n", s);
    *bad = 1;
  }
  return v;
}

int applet_printf(int argc, char **argv) {
  if (argc < 2) {
    err_printf("printf: usage: printf FORMAT [ARG]...\n");
    return 1;
  }
  const char *fmt = argv[1];
  int ai = 2, bad = 0;
  do {
    int consumed = 0;
    for (const char *f = fmt; *f; f++) {
      if (*f == '\\') {
        char two[3] = {f[0], f[1], 0}, more[5] = {0};
        if (f[1] >= '0' && f[1] <= '7') { /* \NNN: up to three octal digits */
          size_t k = 1;
          while (k < 4 && f[k] >= '0' && f[k] <= '7') k++;
          memcpy(more, f, k);
          f += k - 1;
          put_escaped(more, 0);
        } else {
          if (f[1]) f++;
          put_escaped(two, 0);
        }
        continue;
      }
      if (*f != '%') {
        out_putc(*f);
        continue;
      }
      if (f[1] == '%') {
        out_putc('%');
        f++;
        continue;
      }
      char spec[32] = "%";
      size_t k = 1;
      f++;
      while (*f && strchr("-+ #0123456789.*", *f) && k < sizeof spec - 4) {
        if (*f == '*') {
          k += (size_t)snprintf(spec + k, sizeof spec - k, "%d",
                                (int)num_arg(ai < argc ? argv[ai++] : "0", &bad));
          consumed = 1;
        } else {
          spec[k++] = *f;
        }
        f++;
      }
      char conv = *f;
      if (!conv) break;
      const char *arg = ai < argc ? argv[ai] : NULL;
      if (ai < argc) ai++;
      consumed = 1;
      switch (conv) {
      case 's':
      case 'b': {
        if (conv == 'b') {
          if (put_escaped(arg ? arg : "", 1)) return bad;
          break;
        }
        spec[k++] = 's';
        spec[k] = 0;
        out_printf(spec, arg ? arg : "");
        break;
      }
      case 'c':
        if (arg && *arg) out_putc(*arg);
        break;
      case 'd':
      case 'i':
      case 'u':
      case 'o':
      case 'x':
      case 'X':
        spec[k++] = 'l';
        spec[k++] = 'l';
        spec[k++] = conv == 'i' ? 'd' : conv;
        spec[k] = 0;
        out_printf(spec, num_arg(arg ? arg : "0", &bad));
        break;
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G':
        spec[k++] = conv;
        spec[k] = 0;
        out_printf(spec, arg ? strtod(arg, NULL) : 0.0);
        break;
      default:
        err_printf("printf: %%%c: invalid directive\n", conv);
        return 1;
      }
    }
    if (!consumed) break;
  } while (ai < argc);
  return bad;
}

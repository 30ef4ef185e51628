/* The HTTP responses: the greeting page on "/", 404 elsewhere, 405 for other methods (as
 * Flask answers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "friendlyhello.h"

static const char *hostname(void) {
  static char name[128];
  if (name[0]) return name;
  const char *env = getenv("HOSTNAME");
  if (env && *env) snprintf(name, sizeof name, "%s", env);
#ifndef __wasi__
  else if (gethostname(name, sizeof name) == 0 && name[0]) name[sizeof name - 1] = 0;
#endif
  else snprintf(name, sizeof name, "localhost"); /* wasi-libc has no gethostname */
  return name;
}

static const char *greeting_name(void) {
  const char *name = getenv("NAME");
  return name ? name : "world";
}

/* Bounded appends: the page is built with memcpy, not snprintf (formatting was most of the
 * guest's own time per request). A body that would not fit is cut, as snprintf cut it. */
typedef struct {
  char *p;
  size_t len, cap; /* cap includes room for a final NUL, never written */
  int cut;          /* something did not fit */
} Text;

static void put(Text *t, const char *s, size_t n) {
  size_t room = t->cap - 1 - t->len;
  if (n > room) n = room, t->cut = 1;
  memcpy(t->p + t->len, s, n);
  t->len += n;
}

static void put_str(Text *t, const char *s) { put(t, s, strlen(s)); }

static void put_num(Text *t, unsigned long long v) {
  char digits[24];
  size_t i = sizeof digits;
  do digits[--i] = (char)('0' + v % 10); while ((v /= 10) != 0);
  put(t, digits + i, sizeof digits - i);
}

#define PUT_LIT(t, s) put((t), (s), sizeof(s) - 1)

size_t render_response(char *out, size_t cap, const char *method, const char *path, int keep_alive) {
  char body_buf[1024];
  Text body = {body_buf, 0, sizeof body_buf, 0};
  const char *status = "200 OK";
  int head = strcmp(method, "HEAD") == 0;
  /* The query string does not matter to the route. */
  size_t route = strcspn(path, "?#");
  if (route != 1 || path[0] != '/') {
    status = "404 NOT FOUND";
    PUT_LIT(&body, "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
                   "<p>The requested URL was not found on the server.</p>\n");
  } else if (!head && strcmp(method, "GET") != 0) {
    status = "405 METHOD NOT ALLOWED";
    PUT_LIT(&body, "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n"
                   "<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n");
  } else {
    long long v = head ? 0 : counter_incr();
    PUT_LIT(&body, "<h3>Hello ");
    put_str(&body, greeting_name());
    PUT_LIT(&body, "!</h3><b>Hostname:</b> ");
    put_str(&body, hostname());
    PUT_LIT(&body, "<br/><b>Visits:</b> ");
    if (v < 0) PUT_LIT(&body, "<i>cannot connect to Redis, counter disabled</i>");
    else put_num(&body, (unsigned long long)v);
  }
  if (cap == 0) return 0;
  Text t = {out, 0, cap, 0};
  PUT_LIT(&t, "HTTP/1.1 ");
  put_str(&t, status);
  PUT_LIT(&t, "\r\nServer: friendlyhello\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ");
  put_num(&t, body.len);
  PUT_LIT(&t, "\r\nConnection: ");
  if (keep_alive) PUT_LIT(&t, "keep-alive\r\n\r\n");
  else PUT_LIT(&t, "close\r\n\r\n");
  if (t.cut) return 0; /* the head did not fit */
  if (!head && t.len + body.len <= cap) {
    memcpy(out + t.len, body.p, body.len);
    t.len += body.len;
  }
  return t.len;
}

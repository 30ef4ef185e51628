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

size_t render_response(char *out, size_t cap, const char *method, const char *path, int keep_alive) {
  char body[1024];
  const char *status = "200 OK";
  int head = strcmp(method, "HEAD") == 0;
  int n;
  /* The query string does not matter to the route. */
  size_t route = strcspn(path, "?#");
  if (route != 1 || path[0] != '/') {
    status = "404 NOT FOUND";
    n = snprintf(body, sizeof body,
                 "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
                 "<p>The requested URL was not found on the server.</p>\n");
  } else if (!head && strcmp(method, "GET") != 0) {
    status = "405 METHOD NOT ALLOWED";
    n = snprintf(body, sizeof body,
                 "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n"
                 "<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n");
  } else {
    char visits[64];
    long long v = head ? 0 : counter_incr();
    if (v < 0) snprintf(visits, sizeof visits, "<i>cannot connect to Redis, counter disabled</i>");
    else snprintf(visits, sizeof visits, "%lld", v);
    n = snprintf(body, sizeof body, "<h3>Hello %s!</h3><b>Hostname:</b> %s<br/><b>Visits:</b> %s", greeting_name(),
                 hostname(), visits);
  }
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof body) n = sizeof body - 1;
  int h = snprintf(out, cap, "HTTP/1.1 %s\r\nServer: friendlyhello\r\nContent-Type: text/html; charset=utf-8\r\n"
                   "Content-Length: %d\r\nConnection: %s\r\n\r\n",
                   status, n, keep_alive ? "keep-alive" : "close");
  if (h < 0 || (size_t)h >= cap) return 0;
  size_t total = (size_t)h;
  if (!head && total + (size_t)n <= cap) {
    memcpy(out + total, body, (size_t)n);
    total += (size_t)n;
  }
  return total;
}

/* app.c: the Docker tutorial's friendlyhello app (app.py there) as a WASI program: an HTTP server
 * on port 80 that answers every request with "Hello $NAME!", the hostname and a visit counter
 * (there is no Redis next to it here, so the counter reports that, as app.py does). */
#include <berth_serve.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void wait_fd(int fd, short events) {
  struct pollfd p = {.fd = fd, .events = events};
  poll(&p, 1, -1);
}

static void answer(int fd) {
  char req[4096];
  size_t got = 0;
  while (got < sizeof req - 1) { /* read the request head; its content does not matter */
    wait_fd(fd, POLLIN);
    ssize_t n = read(fd, req + got, sizeof req - 1 - got);
    if (n <= 0) break;
    got += (size_t)n;
    req[got] = 0;
    if (strstr(req, "\r\n\r\n")) break;
  }
  const char *name = getenv("NAME");
  char host[256] = "unknown";
  const char *h = getenv("HOSTNAME");
  if (h) snprintf(host, sizeof host, "%s", h);
  char body[1024];
  int len = snprintf(body, sizeof body,
                     "<h3>Hello %s!</h3><b>Hostname:</b> %s<br/><b>Visits:</b> "
                     "<i>cannot connect to Redis, counter disabled</i>",
                     name && *name ? name : "world", host);
  char out[1600];
  int n = snprintf(out, sizeof out,
                   "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n"
                   "Connection: close\r\n\r\n%s",
                   len, body);
  for (int sent = 0; sent < n;) {
    wait_fd(fd, POLLOUT);
    ssize_t w = write(fd, out + sent, (size_t)(n - sent));
    if (w <= 0) break;
    sent += (int)w;
  }
  close(fd);
}

int main(void) {
  int listener = serve_listen(serve_port(80));
  if (listener < 0) return 1;
  printf(" * Serving friendlyhello on port %d\n", serve_port(80));
  fflush(stdout);
  for (;;) {
    wait_fd(listener, POLLIN);
    int fd = serve_accept(listener);
    if (fd >= 0) answer(fd);
  }
}

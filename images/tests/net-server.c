/* Test servers for berth's network.
 *   net-server echo        echo every connection back, many at once (poll), on every LISTEN_FDS
 *                          listener; prints "ready <n>" first.
 *   net-server wasix PORT  bs_listen(PORT), prints "listening <port>", answers each connection
 *                          "hello <peer ip> from <local ip>:<port>\n" then echoes until EOF.
 *   net-server http        HTTP/1.1 keep-alive on the LISTEN_FDS listeners: "hello from berth\n".
 *   net-server resp        a tiny Redis-protocol server (PING, ECHO) on the LISTEN_FDS listeners.
 *   net-server sink        accepts one connection and never reads it (back-pressure test).
 */
#define _GNU_SOURCE
#include <berth_socket.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX 256

static struct pollfd fds[MAX];
static int kinds[MAX]; /* 0 listener, 1 connection */
static char bufs[MAX][4096];
static size_t fills[MAX];
static int nfds;

static void add(int fd, int kind) {
  if (nfds == MAX) {
    close(fd);
    return;
  }
  fds[nfds].fd = fd;
  fds[nfds].events = POLLIN;
  kinds[nfds] = kind;
  fills[nfds] = 0;
  nfds++;
}

static void drop(int i) {
  close(fds[i].fd);
  fds[i] = fds[nfds - 1];
  kinds[i] = kinds[nfds - 1];
  memcpy(bufs[i], bufs[nfds - 1], fills[nfds - 1]);
  fills[i] = fills[nfds - 1];
  nfds--;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, p, n, 0);
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Handles readable connection i; returns 0 to keep it. mode: 'e' echo, 'h' http, 'r' resp. */
static int serve(int i, char mode) {
  char *buf = bufs[i];
  ssize_t n = recv(fds[i].fd, buf + fills[i], sizeof bufs[i] - fills[i], 0);
  if (n <= 0) return -1;
  if (mode == 'e') return write_all(fds[i].fd, buf, (size_t)n);
  fills[i] += (size_t)n;
  for (;;) {
    if (mode == 'h') {
      char *end = memmem(buf, fills[i], "\r\n\r\n", 4);
      if (!end) break;
      static const char reply[] =
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 17\r\n\r\nhello from berth\n";
      if (write_all(fds[i].fd, reply, sizeof reply - 1)) return -1;
      size_t used = (size_t)(end + 4 - buf);
      memmove(buf, buf + used, fills[i] - used);
      fills[i] -= used;
    } else {
      /* RESP arrays of bulk strings: *N\r\n$len\r\narg\r\n… */
      char *p = buf, *lim = buf + fills[i];
      if (p >= lim || *p != '*') return -1;
      char *nl = memchr(p, '\n', (size_t)(lim - p));
      if (!nl) break;
      int argc = atoi(p + 1);
      p = nl + 1;
      char *argv[4] = {0};
      int lens[4] = {0};
      int ok = 1;
      for (int a = 0; a < argc; a++) {
        nl = p < lim ? memchr(p, '\n', (size_t)(lim - p)) : NULL;
        if (!nl || *p != '$') { ok = 0; break; }
        int len = atoi(p + 1);
        p = nl + 1;
        if (lim - p < len + 2) { ok = 0; break; }
        if (a < 4) { argv[a] = p; lens[a] = len; }
        p += len + 2;
      }
      if (!ok) break;
      char out[512];
      int w;
      if (argc >= 1 && lens[0] == 4 && strncasecmp(argv[0], "PING", 4) == 0) w = snprintf(out, sizeof out, "+PONG\r\n");
      else if (argc >= 2 && lens[0] == 4 && strncasecmp(argv[0], "ECHO", 4) == 0 && lens[1] < 400)
        w = snprintf(out, sizeof out, "$%d\r\n%.*s\r\n", lens[1], lens[1], argv[1]);
      else w = snprintf(out, sizeof out, "-ERR unknown command\r\n");
      if (write_all(fds[i].fd, out, (size_t)w)) return -1;
      size_t used = (size_t)(p - buf);
      memmove(buf, buf + used, fills[i] - used);
      fills[i] -= used;
    }
  }
  return fills[i] == sizeof bufs[i] ? -1 : 0;
}

static int loop(char mode) {
  for (;;) {
    if (poll(fds, (nfds_t)nfds, -1) < 0) {
      perror("poll");
      return 1;
    }
    for (int i = nfds - 1; i >= 0; i--) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      if (kinds[i] == 0) {
        int c = accept(fds[i].fd, NULL, NULL);
        if (c >= 0) add(c, 1);
      } else if (serve(i, mode) < 0) {
        drop(i);
      }
    }
  }
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "echo";
  setvbuf(stdout, NULL, _IONBF, 0);
  if (strcmp(mode, "wasix") == 0) {
    int l = bs_listen((uint16_t)(argc > 2 ? atoi(argv[2]) : 0));
    if (l < 0) {
      printf("listen failed %d %s\n", errno, strerror(errno));
      return 1;
    }
    uint8_t listening = 0;
    bs_sock_get_opt_flag((uint32_t)l, BS_OPT_LISTENING, &listening);
    printf("listening %d flag %d\n", bs_local_port(l), listening);
    for (;;) {
      bs_addr_port_t peer, local;
      int c = bs_accept(l, &peer);
      if (c < 0) {
        printf("accept failed %d\n", errno);
        return 1;
      }
      bs_sock_addr_local((uint32_t)c, &local);
      char line[128];
      int n = snprintf(line, sizeof line, "hello %d.%d.%d.%d from %d.%d.%d.%d:%d\n", peer.addr[0], peer.addr[1],
                       peer.addr[2], peer.addr[3], local.addr[0], local.addr[1], local.addr[2], local.addr[3],
                       local.port);
      write_all(c, line, (size_t)n);
      char buf[4096];
      ssize_t r;
      while ((r = read(c, buf, sizeof buf)) > 0) write_all(c, buf, (size_t)r);
      close(c);
    }
  }
  int n = bs_listen_fds();
  for (int i = 0; i < n; i++) add(BS_LISTEN_FDS_START + i, 0);
  const char *names = getenv("LISTEN_FDNAMES");
  printf("ready %d %s %s\n", n, names ? names : "-", getenv("LISTEN_FDS_START") ? getenv("LISTEN_FDS_START") : "-");
  if (n == 0) return 2;
  if (strcmp(mode, "sink") == 0) {
    int c = accept(BS_LISTEN_FDS_START, NULL, NULL);
    printf("accepted %d\n", c >= 0);
    for (;;) sleep(60);
  }
  return loop(strcmp(mode, "http") == 0 ? 'h' : strcmp(mode, "resp") == 0 ? 'r' : 'e');
}

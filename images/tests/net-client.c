/* net-client HOST PORT MESSAGE: resolves HOST with berth's DNS, connects, sends MESSAGE, shuts
 * down writing and prints everything the server answers. Failures print one line:
 *   "resolve failed <errno>"  or  "connect failed <errno>"  and exit 1.
 * net-client resolve NAME: prints "address a.b.c.d" or "resolve failed <errno>". */
#include <berth_socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc == 3 && strcmp(argv[1], "resolve") == 0) {
    uint8_t ip[4];
    if (bs_resolve(argv[2], ip) < 0) {
      printf("resolve failed %d\n", errno);
      return 1;
    }
    printf("address %d.%d.%d.%d\n", ip[0], ip[1], ip[2], ip[3]);
    return 0;
  }
  if (argc < 4) return 2;
  uint8_t ip[4];
  if (bs_resolve(argv[1], ip) < 0) {
    printf("resolve failed %d\n", errno);
    return 1;
  }
  int fd = bs_connect(argv[1], (uint16_t)atoi(argv[2]));
  if (fd < 0) {
    printf("connect failed %d\n", errno);
    return 1;
  }
  bs_addr_port_t peer;
  bs_sock_addr_peer((uint32_t)fd, &peer);
  printf("connected %d.%d.%d.%d:%d\n", peer.addr[0], peer.addr[1], peer.addr[2], peer.addr[3], peer.port);
  size_t len = strlen(argv[3]);
  if (send(fd, argv[3], len, 0) != (ssize_t)len) {
    printf("send failed %d\n", errno);
    return 1;
  }
  shutdown(fd, SHUT_WR);
  char buf[4096];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0) fwrite(buf, 1, (size_t)n, stdout);
  close(fd);
  return 0;
}

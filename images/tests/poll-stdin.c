// Waits on stdin with poll_oneoff (fd_read + a 5 s clock) while another thread delivers data and
// rings the doorbell; also reads stdin with NONBLOCK before any data is there.
#pragma clang diagnostic ignored "-Wformat"
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static uint64_t mono(void) {
  uint64_t t = 0;
  (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
  return t;
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  char buf[64] = {0};
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
  __wasi_size_t n = 0;
  printf("set_nonblock=%d\n", __wasi_fd_fdstat_set_flags(0, __WASI_FDFLAGS_NONBLOCK));
  printf("read_nonblock=%d\n", __wasi_fd_read(0, &iov, 1, &n));
  printf("set_block=%d\n", __wasi_fd_fdstat_set_flags(0, 0));

  __wasi_subscription_t subs[2];
  __wasi_event_t evs[2];
  memset(subs, 0, sizeof subs);
  subs[0].userdata = 1;
  subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[0].u.u.clock.timeout = 5000000000ull;
  subs[1].userdata = 2;
  subs[1].u.tag = __WASI_EVENTTYPE_FD_READ;
  subs[1].u.u.fd_read.file_descriptor = 0;
  uint64_t t0 = mono();
  printf("poll=%d\n", __wasi_poll_oneoff(subs, evs, 2, &n));
  uint64_t ms = (mono() - t0) / 1000000;
  printf("events=%u", n);
  for (__wasi_size_t i = 0; i < n; i++)
    printf(" %llu:%d:%d:%llu", (unsigned long long)evs[i].userdata, evs[i].type, evs[i].error,
           (unsigned long long)evs[i].fd_readwrite.nbytes);
  printf("\nwaited_ms=%llu\n", (unsigned long long)ms);
  printf("read=%d\n", __wasi_fd_read(0, &iov, 1, &n));
  printf("data=[%.*s]\n", (int)n, buf);
  return 0;
}

/* friendlyhello: the seed tutorial's web app in C. HTTP/1.1 on port 80 (keep-alive, many
 * connections in one poll() loop); each page view increments "counter" on a Redis-protocol
 * server at host "redis", port 6379, like the tutorial's Flask app. */
#ifndef FRIENDLYHELLO_H
#define FRIENDLYHELLO_H

#include <stddef.h>

/* INCR counter on the Redis server; the new value, or -1 when it cannot be reached (then the
 * next call connects again). Waits at most 2 s, as the seed's socket_connect_timeout=2. */
long long counter_incr(void);

/* The page for one request into out (cap bytes): the whole response, headers included.
 * Returns its length. `head` leaves the body out; `keep_alive` says what Connection to send. */
size_t render_response(char *out, size_t cap, const char *method, const char *path, int keep_alive);

#endif

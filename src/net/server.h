/* server.h — the mock Density server's HTTP and websocket transport, on the
 * process's lws context (net/loop.h).
 *
 * HTTP requests are parsed (method, decoded path and query, Authorization,
 * body) and answered by net/api.c.  Websocket clients connect to
 * /v2/?code=skc_... with a code from POST /sockets, and receive every space
 * event as the reference's message:
 *   {"payload":{"count","direction","doorway_id","event_id","space_id","timestamp",
 *    "type":"count"},"request_id","version":"v2"}
 * A text "ping" from a client is tolerated and ignored.
 *
 * Fan-out: messages go into one ring of SERVER_RING_MESSAGES slots; each
 * client reads it at its own pace.  A client that falls a whole ring behind
 * (it stopped reading) is dropped, so it never slows the others.
 *
 * Limits: request headers SERVER_MAX_HEADER bytes, request bodies
 * SERVER_MAX_BODY bytes (413 beyond), incoming websocket messages
 * SERVER_MAX_WS_MESSAGE bytes (the connection is closed beyond).  A
 * connection that has not sent its whole headers within
 * SERVER_HEADER_SECONDS is closed, however they trickle (slow-loris: lws's
 * header-table timeout), and so is one whose body is not all there
 * SERVER_BODY_SECONDS after its headers.  Headers past SERVER_MAX_HEADER
 * bytes (lws's room for them, net/loop.h), or with more lines of known
 * names than lws has room for (about 90), close the connection without an
 * answer.  Each connection costs about 6 KiB while it lasts; how many may be
 * open at once is the process's open-file limit (ulimit -n). */
#ifndef OCCTOP_NET_SERVER_H
#define OCCTOP_NET_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "net/api.h"
#include "net/loop.h"

#define SERVER_RING_MESSAGES 8192
#define SERVER_MAX_HEADER 4096
#define SERVER_MAX_BODY (64 * 1024)
#define SERVER_MAX_WS_MESSAGE 4096
#define SERVER_HEADER_SECONDS 10
#define SERVER_BODY_SECONDS 10

struct server;

/* Listens on `listen` ("127.0.0.1:8080", "127.0.0.1:0" for a free port,
 * "[::1]:0", "0.0.0.0:8080").  NULL with one line in error when the address
 * is malformed or cannot be bound.  The api is set later (it needs the URLs
 * this server learns when it binds). */
struct server *server_new(struct net_loop *loop, const char *listen, uint64_t seed,
                          char *error, size_t error_size);
void server_free(struct server *server);

void server_set_api(struct server *server, struct api *api);

/* "http://127.0.0.1:41234/v2" and "ws://127.0.0.1:41234/v2/". */
const char *server_base_url(const struct server *server);
const char *server_socket_url(const struct server *server);

/* Whether the address is a loopback one (127.0.0.0/8, ::1, localhost). */
int server_is_loopback(const struct server *server);

/* Queues a space event for every connected client; server_flush() then
 * wakes the clients (once per batch of events, not per event). */
void server_broadcast(struct server *server, const struct space_event *event);
void server_flush(struct server *server);

size_t server_client_count(const struct server *server);
uint64_t server_clients_dropped(const struct server *server);

#endif

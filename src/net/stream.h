/* stream.h — the Density websocket stream, as a client, on the process's
 * lws context.
 *
 * Each connection first asks POST /sockets (through net/rest) for a fresh
 * URL, has the worker resolve its host, then connects (ws:// or wss://).
 * On any drop it reconnects forever with backoff and jitter (the first retry
 * after about 250 ms, doubling to about 30 s), each time with a new
 * /sockets URL; after a reconnect the owner must re-fetch counts, since
 * events sent while disconnected are lost.  A silent connection is pinged
 * after STREAM_PING_SECONDS and replaced after STREAM_HANGUP_SECONDS.
 *
 * Messages are reassembled from fragments, bounded by STREAM_MAX_MESSAGE
 * (a larger one is dropped whole and counted as malformed), decoded, and
 * given to the owner; a message that does not decode is counted and logged
 * (one line, at most one a second), and the stream goes on. */
#ifndef OCCTOP_NET_STREAM_H
#define OCCTOP_NET_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/event.h"
#include "net/loop.h"
#include "net/rest.h"

#define STREAM_MAX_MESSAGE (64 * 1024)
#define STREAM_PING_SECONDS 15
#define STREAM_HANGUP_SECONDS 25

enum stream_state {
    STREAM_CONNECTING,   /* asking for a URL, resolving, or connecting */
    STREAM_LIVE,         /* connected */
    STREAM_RECONNECTING, /* dropped; waiting to try again */
    STREAM_AUTH_ERROR,   /* POST /sockets answered 403: the token is wrong */
    STREAM_STOPPED,
};

struct stream_handlers {
    void *context;
    void (*message)(void *context, const struct space_event *event, int64_t received_ms);
    /* Every complete message as received, before decoding (may be NULL). */
    void (*raw)(void *context, const char *text, size_t length, int64_t received_ms);
    void (*malformed)(void *context, const char *why); /* terminal-safe */
    /* Why a connection failed, once per new reason (terminal-safe; may be NULL). */
    void (*log)(void *context, const char *line);
    /* Every change of state; `connected` is true on each (re)connection, when
     * the owner should re-fetch counts. */
    void (*state)(void *context, enum stream_state state, bool connected);
};

struct stream;

/* Tags the stream uses on its REST requests: results with these tags go to
 * stream_take_rest_result(). */
enum { STREAM_REST_TAG_SOCKET = 0x57ea01, STREAM_REST_TAG_RESOLVE = 0x57ea02 };

struct stream *stream_new(struct net_loop *loop, struct rest *rest, bool insecure,
                          const struct stream_handlers *handlers, char *error,
                          size_t error_size);
/* Shutting down: stream_stop() first (no more reconnecting), then the lws
 * context (its connections close), then stream_free(). */
void stream_stop(struct stream *stream);
void stream_free(struct stream *stream);

/* Starts (or restarts) connecting. */
void stream_start(struct stream *stream);

/* Gives the stream a REST result carrying one of its tags. */
void stream_take_rest_result(struct stream *stream, const struct rest_result *result);

enum stream_state stream_get_state(const struct stream *stream);
uint64_t stream_connections(const struct stream *stream); /* successful connections so far */

const char *stream_state_name(enum stream_state state);

#endif

/* session.h — one connection to a Density API: the hierarchy over REST, the
 * websocket stream, and the live counts they feed.
 *
 * Shared by every front end that shows live data (batch lines, the ncurses
 * monitor, the demo).  It owns the REST worker, the stream and the core/live
 * model; the front end owns the loop and decides what to do with problems
 * (batch mode exits, the monitor says so on screen and keeps trying).
 *
 * Counts are re-fetched after every (re)connection (events sent while the
 * stream was down are lost), at each space's daily reset in its own time
 * zone (resets are not pushed on the socket), and every
 * SESSION_REFRESH_MINUTES.  Sensors (their online status) are re-fetched
 * every SESSION_SENSOR_MINUTES.  History and edits are asked for by the
 * front end, and all of it shares the one request budget.
 *
 * Everything runs on the loop thread.  Ownership: the session copies the
 * token (wiped on free) and borrows the loop, which must outlive it. */
#ifndef OCCTOP_NET_SESSION_H
#define OCCTOP_NET_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/counts.h"
#include "core/event.h"
#include "core/live.h"
#include "core/site.h"
#include "core/tz.h"
#include "net/loop.h"

enum {
    SESSION_REFRESH_MINUTES = 10,
    SESSION_SENSOR_MINUTES = 5,
};

enum session_problem {
    SESSION_AUTH = 1,    /* the server refused the token */
    SESSION_UNREACHABLE, /* no answer while loading the hierarchy */
    SESSION_BAD_DATA,    /* the server's answer could not be used */
};

struct session_config {
    const char *base_url;  /* "https://api.density.io/v2" */
    const char *token;
    int budget;            /* requests per minute for the whole process; <= 0: 60 */
    bool insecure;         /* TLS certificates not checked */
    int load_attempts;     /* tries per request while loading; <= 0: no limit */
};

struct session_count {
    site_index space;
    int64_t count;
};

struct session_handlers {
    void *context;
    /* The hierarchy is loaded: session_site() and session_live() are usable. */
    void (*ready)(void *context);
    /* A stream message was applied: count_before is the count it replaced. */
    void (*event)(void *context, site_index space, const struct space_event *event,
                  int64_t count_before, int64_t received_ms);
    /* Every complete stream message as received (for --record); may be NULL. */
    void (*raw)(void *context, const char *text, size_t length, int64_t received_ms);
    /* For --record too (may be NULL): the stream (re)connected, and counts
     * a REST refresh applied (the request was sent at as_of_ms). */
    void (*connected)(void *context, int64_t at_ms);
    void (*refreshed)(void *context, const struct session_count *counts, size_t n,
                      int64_t as_of_ms, int64_t received_ms);
    /* A problem the front end must act on.  While loading, the session
     * stops; session_start() tries again.  message is terminal-safe and
     * never contains the token. */
    void (*problem)(void *context, enum session_problem problem, bool loading,
                    const char *message);
    /* A line worth logging (a malformed message, a failed refresh);
     * terminal-safe, rate-limited by the session.  May be NULL. */
    void (*log)(void *context, const char *line);
    /* The answer to session_fetch_history: samples oldest first, or NULL
     * with a message.  May be NULL. */
    void (*history)(void *context, site_index space, const struct count_page *page,
                    const char *error);
    /* The answer to session_edit_space: error is NULL on success (the site
     * already holds the new values).  May be NULL. */
    void (*edited)(void *context, site_index space, const char *error);
    /* The server's spaces changed (made, renamed, moved, deleted; found by
     * a refresh, which a message for an unknown space asks for at once):
     * session_site() has the new shape.  Known spaces keep their indices,
     * deleted ones stay as tombstones (space.deleted, out of the tree), new
     * ones come after them.  May be NULL. */
    void (*reshaped)(void *context);
};

struct session;

/* NULL with one line in error (a bad URL, out of memory). */
struct session *session_new(struct net_loop *loop, const struct session_config *config,
                            const struct session_handlers *handlers, char *error,
                            size_t error_size);
/* Stops the stream and the worker; then the loop may be freed; then this. */
void session_stop(struct session *session);
void session_free(struct session *session);

/* Starts loading the hierarchy (again, after a problem while loading). */
void session_start(struct session *session);
bool session_is_ready(const struct session *session);

/* Call every ~100 ms: schedules the refreshes. */
void session_tick(struct session *session, int64_t now_ms);

/* After ready.  The site belongs to the session; its current_count fields
 * are not kept up to date (read live_count). */
struct site *session_site(struct session *session);
struct live *session_live(struct session *session);
const struct tz_zone *session_zone(const struct session *session, site_index space);
const char *session_base_url(const struct session *session);

/* GET /spaces/:id/counts/ for [start_ms, end_ms) every interval ("5m"). */
void session_fetch_history(struct session *session, site_index space, int64_t start_ms,
                           int64_t end_ms, const char *interval);

/* PUT /spaces/:id/ with these fields (a JSON object, e.g. {"capacity":40}). */
void session_edit_space(struct session *session, site_index space, const char *json_body);

#endif

/* live.h — the client's live picture of a site: each space's count as the
 * server last said it, how fresh that is, and the connection's state.
 *
 * The websocket stream and REST refreshes feed it; the UI and batch output
 * read it.  Rules (the issue's, each tested in tests/unit/test_live.c):
 *  - a message's payload.count is authoritative: it becomes the count;
 *  - a message whose event_id was already applied to the same space is a
 *    duplicate, ignored (one crossing of an interior doorway gives two
 *    spaces the same event_id);
 *  - a message older than the space's latest applied message is stale,
 *    ignored (messages carry the server's clock, so they are compared with
 *    each other, not with the time of a REST request);
 *  - a message for a space the site does not have is counted and ignored;
 *  - a REST refresh sets every count it carries, timestamped with the time
 *    the request was made, unless a message for the space was received
 *    after that (both in our clock: the server's may run ahead);
 *  - a new stream connection forgets the remembered ids and message times: a
 *    restarted server may reuse event ids and has its own clock, and the
 *    counts are re-fetched after every connection anyway;
 *  - the connection state is part of the model, with the time it began and
 *    the time of the newest data, so the UI can say "STALE 42 s" instead of
 *    showing old numbers as live.
 *
 * Pure: no I/O, no clock (callers pass times).  Ownership: borrows the
 * site, which must outlive it. */
#ifndef OCCTOP_CORE_LIVE_H
#define OCCTOP_CORE_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "core/site.h"

enum live_connection {
    LIVE_CONNECTING = 0, /* first connection not yet made */
    LIVE_LIVE,           /* the stream is up and counts are fresh */
    LIVE_RECONNECTING,   /* the stream dropped; trying again (since `since_ms`) */
    LIVE_AUTH_ERROR,     /* the server refused the token */
    LIVE_OFFLINE,        /* given up, or no server */
    LIVE_REPLAY,         /* a --record recording played back: not live data */
};

const char *live_connection_name(enum live_connection state); /* "LIVE", "REPLAY", ... */

enum live_result {
    LIVE_APPLIED = 0,
    LIVE_DUPLICATE,      /* event_id seen before */
    LIVE_STALE,          /* older than the space's latest data */
    LIVE_UNKNOWN_SPACE,  /* the site has no such space */
    LIVE_REJECTED,       /* a negative count or no space id */
};

struct live_stats {
    uint64_t applied, duplicates, stale, unknown_space, rejected;
    uint64_t malformed; /* counted by the stream for messages it could not decode */
    uint64_t refreshes; /* REST refreshes applied */
};

#define LIVE_REMEMBERED_EVENTS 4096 /* event ids kept to spot duplicates */

struct live;

struct live *live_new(const struct site *site);
void live_free(struct live *live);
/* The site gained spaces (at the end): they become known, without counts.
 * Returns 0, or -1 when out of memory (the live view is unchanged). */
int live_grow(struct live *live);

/* Applies one websocket message received at received_ms (wall time). */
enum live_result live_apply(struct live *live, const struct space_event *event,
                            int64_t received_ms);

/* A count from a REST answer (GET /spaces/...), as of as_of_ms, the time the
 * request was sent.  Ignored when the space has newer data. */
enum live_result live_refresh(struct live *live, site_index space, int64_t count,
                              int64_t as_of_ms, int64_t received_ms);

/* A new stream connection (see the rules above). */
void live_new_connection(struct live *live);

void live_count_malformed(struct live *live);

void live_set_connection(struct live *live, enum live_connection state, int64_t now_ms);
enum live_connection live_connection_state(const struct live *live);
int64_t live_connection_since(const struct live *live);

/* Age in ms of the newest data received (message or refresh); -1 before any. */
int64_t live_data_age(const struct live *live, int64_t now_ms);

int64_t live_count(const struct live *live, site_index space);
bool live_has_count(const struct live *live, site_index space);
int64_t live_updated(const struct live *live, site_index space); /* data time, ms; -1 before any */

/* Spaces changed since the last call (for redraws and batch lines): fills up
 * to max indices and clears the marks it returns.  Returns how many. */
size_t live_take_changed(struct live *live, site_index *out, size_t max);

const struct live_stats *live_stats(const struct live *live);

#endif

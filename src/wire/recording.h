/* recording.h — reading a `occtop --record FILE` recording back, for
 * `occtop --replay FILE`.
 *
 * A recording is JSON lines (client.c writes it):
 *   {"occtop_recording":1,"api_url":...,"started_at":ISO,
 *    "site":{"name":...,"spaces":[...],"doorways":[...],"sensors":[...]}}
 *   {"received_at":ISO,"message":{"payload":{...},"version":"v2",...}}
 *   {"received_at":ISO,"malformed":true,"length":N}
 *   {"received_at":ISO,"connected":true}
 *   {"received_at":ISO,"refresh":{"as_of":ISO,"counts":{"spc_...":N,...}}}
 * with the spaces, doorways and sensors in the API's shapes and each message
 * as the websocket delivered it.  --record appends, so a later header line
 * starts another run of the client (another connection) in the same file.
 *
 * The kind of a --replay file is told by its content: a recording's first
 * non-blank line is a JSON object with the key "occtop_recording".
 * recording_open() reads that line; anything else is handed back, unread, to
 * the caller for the sensor log reader (wire/sensor_log.h).
 *
 * Reading streams one line at a time (lines are bounded by
 * RECORDING_LINE_MAX).  A bad header is fatal; a bad later line is reported
 * by recording_next() with its line number and skipped.  This module does no
 * printing and no sleeping: the batch player (src/playback.c) and the
 * monitor pace and show what it reads, with core/playclock.h.
 *
 * Ownership: the recording owns the header's site; the caller may change
 * its spaces' current_count (to print a table) but not its structure, and
 * must free any core/live model borrowing it before recording_close(). */
#ifndef OCCTOP_WIRE_RECORDING_H
#define OCCTOP_WIRE_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/event.h"
#include "core/live.h"
#include "core/site.h"
#include "wire/json_util.h"

/* The version of the format this reader knows ("occtop_recording": 1). */
#define RECORDING_VERSION 1
/* The longest line read: a header holds the whole site (about 1 KiB a space). */
#define RECORDING_LINE_MAX ((size_t)64 * 1024 * 1024)

struct recording;

/* Opens path and reads its first non-blank line.
 *  - A recording: returns it, the header decoded (*other is NULL).
 *  - Not a recording: returns NULL with *other a stream that reads the
 *    whole file from its first byte (what was read is given back, so pipes
 *    work too); the caller fcloses it.  error is "".
 *  - A file that cannot be read, or a recording whose header is bad (not
 *    JSON, another version, a site the decoders refuse): NULL, *other NULL,
 *    and one line in error naming "FILE:LINE". */
struct recording *recording_open(const char *path, FILE **other, struct wire_error *error);

/* The same over a stream the caller owns (a test's fmemopen); name (NULL:
 * "recording") names it in messages.  Neither the recording nor *other
 * closes `stream`. */
struct recording *recording_from_stream(FILE *stream, const char *name, FILE **other,
                                        struct wire_error *error);

void recording_close(struct recording *recording);

/* The header. */
struct site *recording_site(struct recording *recording); /* linked (site_link) */
int64_t recording_started(const struct recording *recording); /* "started_at", ms */
const char *recording_api_url(const struct recording *recording); /* NULL when not given */
const char *recording_name(const struct recording *recording); /* terminal-safe */

/* A later header's counts: what the client loaded when it started again. */
struct recording_count {
    char space_id[EVENT_ID_MAX];
    int64_t count;
};

enum recording_kind {
    RECORDING_MESSAGE = 0, /* a count message: entry->message */
    RECORDING_OTHER,       /* a valid message of another type, which the client skips */
    RECORDING_MALFORMED,   /* the client could not parse what it received */
    RECORDING_RESTART,     /* a later header: a new run of the client, counts re-loaded */
    RECORDING_CONNECTED,   /* the stream (re)connected: the client forgot ids and times */
    RECORDING_REFRESH,     /* counts the client re-fetched over REST: entry->counts */
};

struct recording_entry {
    enum recording_kind kind;
    size_t line;                   /* its line in the file */
    int64_t received_ms;           /* received_at (a later header: its started_at) */
    struct stream_message message; /* RECORDING_MESSAGE (RECORDING_OTHER: type only) */
    int64_t length;                /* RECORDING_MALFORMED: bytes received, -1 unknown */
    const struct recording_count *counts; /* RECORDING_RESTART and _REFRESH; valid until
                                             the next call */
    size_t count_count;
    int64_t as_of_ms;              /* RECORDING_REFRESH: when its request was sent */
};

enum recording_status {
    RECORDING_ENTRY = 1,      /* *entry is filled */
    RECORDING_END = 0,
    RECORDING_BAD_LINE = -1,  /* error says "FILE:LINE: what was wrong"; call again */
    RECORDING_FAILED = -2,    /* a read error; stop */
};

enum recording_status recording_next(struct recording *recording,
                                     struct recording_entry *entry, struct wire_error *error);

/* Lines read so far (the last line's number). */
size_t recording_line(const struct recording *recording);

/* --- playing into core/live (no I/O) --------------------------------------------- */

/* Starts `live` (made on recording_site()) the way the client started: the
 * connection state LIVE_REPLAY and the header's counts as of started_at. */
void recording_start(const struct recording *recording, struct live *live);

/* Applies one entry as the client applied what it received: a message with
 * live_apply() at its received time, a malformed one counted, a restart as
 * a new connection whose counts are refreshed.  Returns live_apply()'s
 * result for a message (LIVE_UNKNOWN_SPACE: the site has no such space),
 * LIVE_APPLIED otherwise. */
enum live_result recording_apply(const struct recording_entry *entry, const struct site *site,
                                 struct live *live);

#endif

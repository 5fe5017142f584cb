/* eventlog.h — a bounded log of recent events, queried per key by time.
 *
 * The mock server answers /spaces/:id/events/ and /sensors/:serial/events/
 * from two of these: one keyed by space, one keyed by sensor.  Each is one
 * ring shared by all keys (a busy space does not get a budget of its own:
 * the log keeps the newest `capacity` events of the whole site), with a
 * chain through the entries of each key, newest first, so that a query for
 * one key visits only that key's entries.
 *
 * Events come late and out of order (see engine.h), so a chain is in the
 * order events were added, not in time order.  Each entry therefore also
 * carries the latest timestamp among itself and the older entries of its
 * chain; a walk from the newest entry stops as soon as that falls before the
 * window's start.  A query for a recent window thus costs the entries of
 * that key from the window's start to now; the matches are then sorted by
 * (timestamp, order of arrival).
 *
 * Entries are addressed by their sequence number (0, 1, 2, ... in order of
 * arrival); the entry of sequence s is alive while fewer than `capacity`
 * entries were added after it.  Memory grows with use, by doubling, up to
 * capacity x about 48 bytes.
 *
 * Event ids: an id of the engine's form "evt_<number>" is kept as the
 * number; any other id is kept as a copy of its text.  References to
 * doorways and sensors are the caller's numbers (e.g. indices into its own
 * table of names): the log only compares them for equality.
 *
 * Ownership: the log owns its entries and the copies of ids.  Not
 * thread-safe; a match list stays meaningful until the next eventlog_add(). */
#ifndef OCCTOP_CORE_EVENTLOG_H
#define OCCTOP_CORE_EVENTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"

/* Keys are small non-negative numbers (indices): this bounds the per-key
 * table an absurd key could make the log allocate. */
#define EVENTLOG_MAX_KEYS (INT32_C(1) << 24)

/* Ids longer than this are cut (the decoders refuse longer ones anyway). */
#define EVENTLOG_ID_MAX EVENT_ID_MAX

struct eventlog_record {
    int64_t timestamp_ms;
    int32_t key;     /* space or sensor index, 0 .. EVENTLOG_MAX_KEYS - 1 */
    int32_t doorway; /* the caller's reference, or -1 */
    int32_t sensor;  /* the caller's reference, or -1 */
    int value;       /* direction or trajectory, +1 or -1 */
};

struct eventlog;

/* capacity: the most entries kept (at least 1).  NULL when out of memory. */
struct eventlog *eventlog_new(size_t capacity);
void eventlog_free(struct eventlog *log);

/* Adds an event (id may be NULL or "" for none), dropping the oldest entry
 * of the whole log when it is full.  Returns 0, or -1 (nothing added) when
 * the key is out of range or memory ran out. */
int eventlog_add(struct eventlog *log, const struct eventlog_record *record, const char *id);

size_t eventlog_size(const struct eventlog *log);     /* entries alive */
uint64_t eventlog_dropped(const struct eventlog *log); /* entries overwritten so far */

struct eventlog_query {
    int32_t key;
    int64_t start_ms;     /* inclusive */
    int64_t end_ms;       /* exclusive */
    bool filter_doorway;  /* only entries whose doorway equals `doorway` */
    int32_t doorway;
    bool descending;      /* newest first */
};

struct eventlog_match {
    int64_t timestamp_ms;
    uint64_t seq;
};

/* The answer to a query: every matching entry, in the asked order. */
struct eventlog_matches {
    struct eventlog_match *items; /* owned */
    size_t count;
};

void eventlog_matches_init(struct eventlog_matches *matches);
void eventlog_matches_clear(struct eventlog_matches *matches);

/* Fills `matches` (cleared first).  Returns 0, or -1 when out of memory
 * (matches left empty).  An unknown key matches nothing. */
int eventlog_query(const struct eventlog *log, const struct eventlog_query *query,
                   struct eventlog_matches *matches);

/* Reads the entry of sequence `seq` into *out and its id into id[0..id_size)
 * ("" when it has none; cut to fit).  False when the entry is no longer (or
 * not yet) in the log. */
bool eventlog_get(const struct eventlog *log, uint64_t seq, struct eventlog_record *out,
                  char *id, size_t id_size);

#endif

/* activity.h — what the live stream shows happening, per space and across
 * the site: the monitor's sparklines, "per minute" columns, today's totals,
 * clamp marks and event log pane.
 *
 * The caller feeds it every stream event that core/live applied
 * (activity_record), and every count a REST refresh set
 * (activity_note_count).  It keeps, per space:
 *
 *  - a ring of the last `minutes` minute buckets: entrances, exits, clamps
 *    and the count at the end of the minute.  A minute without data carries
 *    the previous minute's count forward, so a sparkline is flat across
 *    idle time instead of dropping to zero;
 *  - today's entrances, exits and peak count, since the last
 *    activity_start_day() (the owner calls it at the space's daily reset);
 *  - clamps: an exit that found the count already at 0 and left it there
 *    (Density never shows a count below 0).  Many clamps mean a sensor
 *    misses entrances, so the monitor marks the space.
 *
 * and, for the whole site, a ring of the newest `log_capacity` events.
 *
 * No roll-ups: Density's stream sends a separate message for every space in
 * the ancestry of a doorway (a floor and its building both get one), so a
 * parent's own messages already are its activity.  Summing descendants
 * would count each crossing twice.
 *
 * Time: a minute is floor(ms / 60000) (floored for times before 1970
 * too).  Events normally arrive in time order per space (core/live drops
 * stale messages); one older than the newest minute held (after a
 * reconnect to a server whose clock differs) still adds its entrance or
 * exit to its own minute when that minute is held, and its count becomes
 * the space's current count, written to the newest minute: it is the
 * latest word from the server.
 *
 * "Per minute" columns (activity_last_minute) report the last COMPLETE
 * minute before now, not a sliding 60 s: a whole minute is a real rate
 * that changes once a minute, where a partial minute would climb from 0
 * after every minute boundary and read as a drop in traffic.
 *
 * Memory: activity_space_bytes() (64) a space from activity_new(), plus
 * ACTIVITY_MINUTE_BYTES (8) for each minute its ring holds.  A ring holds
 * the minutes from the space's first data to its newest, at most
 * `minutes` of them, and grows with them in steps of
 * activity_grow_minutes() (16 for the default 240): a monitor of 10,000
 * spaces that has just started holds 16 minutes a space (1.3 MB), two
 * hours later 128 (10.2 MB), from four hours on 240 (19.2 MB).  Growing
 * moves a ring, so it happens at most 16 times in a ring's life.  When
 * memory runs out for a larger ring the ring keeps its size and older
 * minutes fall off it sooner.  The log is log_capacity x
 * ACTIVITY_LOG_ENTRY_BYTES.  Counts are stored as int32 (clamped to
 * INT32_MAX); entrances and exits per minute stop at
 * ACTIVITY_MINUTE_EVENTS_MAX (4,095: the monitor shows at most 999) and
 * clamps at ACTIVITY_MINUTE_CLAMPS_MAX (255: 3 an hour mark a space).
 *
 * Pure: no I/O, no clock (callers pass times in ms).  Ownership: the
 * activity owns its rings and the copies of doorway ids; it knows spaces
 * only by index (site_index), so it does not borrow the site.  Not
 * thread-safe. */
#ifndef OCCTOP_CORE_ACTIVITY_H
#define OCCTOP_CORE_ACTIVITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "core/site.h"

#define ACTIVITY_DEFAULT_MINUTES 240    /* the widest sparkline worth drawing */
#define ACTIVITY_MIN_MINUTES 60         /* the clamp window needs an hour */
#define ACTIVITY_MAX_MINUTES (7 * 24 * 60)
#define ACTIVITY_DEFAULT_LOG_CAPACITY 512
#define ACTIVITY_CLAMP_WINDOW_MINUTES 60
#define ACTIVITY_CLAMPS_OFTEN 3 /* clamps in the window that mark a space */
#define ACTIVITY_DOORWAY_ID_MAX EVENT_ID_MAX /* longer ids are cut */

#define ACTIVITY_MINUTE_EVENTS_MAX 4095 /* entrances (exits) a minute: they saturate */
#define ACTIVITY_MINUTE_CLAMPS_MAX 255

/* One minute of one space: 8 bytes, the whole cost of a minute of a ring,
 * so that four hours of 10,000 spaces fit in 19.2 MB. */
struct activity_minute {
    int32_t count;           /* at the end of the minute (carried when idle) */
    uint32_t entrances : 12; /* saturating at ACTIVITY_MINUTE_EVENTS_MAX */
    uint32_t exits : 12;     /* includes clamps; saturating */
    uint32_t clamps : 8;     /* saturating at ACTIVITY_MINUTE_CLAMPS_MAX */
};

#define ACTIVITY_MINUTE_BYTES ((size_t)sizeof(struct activity_minute))

/* One event of the site-wide log. */
struct activity_log_entry {
    int64_t timestamp_ms;
    int64_t count;   /* the space's count after the event */
    site_index space;
    int8_t direction; /* +1 entrance, -1 exit */
    bool clamped;     /* an exit that found the count at 0 */
    char doorway_id[ACTIVITY_DOORWAY_ID_MAX]; /* "" when not given; untrusted text */
};

#define ACTIVITY_LOG_ENTRY_BYTES ((size_t)sizeof(struct activity_log_entry))

/* Today's totals of one space. */
struct activity_today {
    uint32_t entrances; /* saturating */
    uint32_t exits;
    int64_t peak;       /* highest count seen since the day began; -1 none yet */
    int64_t day_start_ms; /* INT64_MIN when activity_start_day was never called */
};

struct activity;

/* Bytes a space costs before it has data (its ring comes on top). */
size_t activity_space_bytes(void);

/* space_count: spaces are 0 .. space_count - 1 (others are ignored).
 * minutes is clamped to ACTIVITY_MIN_MINUTES .. ACTIVITY_MAX_MINUTES;
 * log_capacity is at least 1.  NULL when out of memory. */
struct activity *activity_new(size_t space_count, int32_t minutes, size_t log_capacity);
void activity_free(struct activity *activity);
/* Room for spaces the site gained (0, or -1 when out of memory). */
int activity_add_spaces(struct activity *activity, size_t space_count);

int32_t activity_minutes(const struct activity *activity);

/* The step by which rings grow: max(16, minutes / 15), so that a ring
 * grows at most 16 times whatever its length. */
int32_t activity_grow_minutes(const struct activity *activity);

/* Records an applied stream event of `space`.  count_before is the space's
 * count before the event (live_count before live_apply), or -1 when
 * unknown; the count after is event->count, or count_before + direction
 * (not below 0) when the event carries none.  Returns 0, or -1 when the
 * space is out of range, the direction is not ±1, or memory ran out (the
 * event is then still counted in today's totals and the log when they
 * could take it). */
int activity_record(struct activity *activity, site_index space,
                    const struct space_event *event, int64_t count_before);

/* A count known at `as_of_ms` without an event (a REST refresh, a count
 * fetched after a reconnect): it becomes the current count and the count of
 * its minute (of the newest minute held, when as_of_ms is older: like a late
 * event's).  Starts the sparkline of a space that has had no events.
 * Returns 0, or -1 when out of range or out of memory. */
int activity_note_count(struct activity *activity, site_index space, int64_t count,
                        int64_t as_of_ms);

/* Begins a new day for `space`: today's totals restart from 0, and events
 * older than day_start_ms no longer count towards them. */
void activity_start_day(struct activity *activity, site_index space, int64_t day_start_ms);

struct activity_today activity_today(const struct activity *activity, site_index space);

/* The current count as far as activity knows; -1 before any data. */
int64_t activity_count(const struct activity *activity, site_index space);

/* The bucket of the minute containing minute_ms.  False when that minute is
 * not held (no data yet, older than the ring, or after the newest data:
 * then *out is still filled, with the carried count and no events). */
bool activity_minute_at(const struct activity *activity, site_index space, int64_t minute_ms,
                        struct activity_minute *out);

/* Entrances and exits in the last complete minute before now_ms (see the
 * file comment); 0 and 0 when unknown. */
void activity_last_minute(const struct activity *activity, site_index space, int64_t now_ms,
                          uint32_t *entrances, uint32_t *exits);

/* Clamps in the last ACTIVITY_CLAMP_WINDOW_MINUTES minutes up to and
 * including the minute of now_ms, and whether that is at least
 * ACTIVITY_CLAMPS_OFTEN. */
uint32_t activity_clamps_last_hour(const struct activity *activity, site_index space,
                                   int64_t now_ms);
bool activity_clamps_often(const struct activity *activity, site_index space, int64_t now_ms);

/* Fills out[0 .. minutes) with the count at the end of each of the
 * `minutes` minutes ending with the minute of now_ms, oldest first: the
 * sparkline.  A minute before the space's first data, or older than the
 * ring, is -1 (unknown: draw nothing).  Returns how many are known. */
size_t activity_series(const struct activity *activity, site_index space, int64_t now_ms,
                       size_t minutes, int64_t *out);

/* --- the site-wide event log --------------------------------------------- */

size_t activity_log_size(const struct activity *activity);   /* entries held */
uint64_t activity_log_total(const struct activity *activity); /* entries ever added:
                                                                 changes when new ones come */

/* The i-th newest entry in order of arrival (0 is the newest), or NULL
 * when i >= activity_log_size().  Valid until the next activity_record. */
const struct activity_log_entry *activity_log_get(const struct activity *activity, size_t i);

/* Bytes allocated in all. */
size_t activity_bytes(const struct activity *activity);

#endif

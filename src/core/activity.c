/* activity.c — per-space minute rings, today's totals, clamps and the
 * site-wide event log; see activity.h.
 *
 * Decisions beyond the header:
 *  - A minute's slot in a ring is minute mod `room` (floored), so no
 *    "newest slot" has to be kept in step, and a gap longer than the ring
 *    costs at most one pass over the ring.  A ring holds the newest `room`
 *    minutes from the first data on; room grows (the ring is laid out
 *    anew) when the minutes since the first data outgrow it, up to
 *    `minutes`.  Rings used to be allocated whole on the first data, and
 *    the first REST counts give every space data at once: 28.8 MB for
 *    10,000 spaces before anything had happened.
 *  - Idle minutes are stored like any other (their carried count), not
 *    skipped: a sparkline reads every minute of its width each frame, and a
 *    space has idle minutes between events in nearly every minute anyway.
 *  - Minutes before a space's first data stay unknown (-1 in a series)
 *    rather than 0: a sparkline that starts at 0 would show a rush that
 *    never happened when the first count arrives.
 *  - An event whose minute fell off the ring still counts for today, the
 *    log and the current count; only its bucket is gone. */
#include "core/activity.h"

#include <stdlib.h>
#include <string.h>

#define MS_PER_MINUTE INT64_C(60000)

struct activity_space {
    struct activity_minute *ring; /* `room` buckets; NULL until the first data */
    int64_t newest;               /* minute of the newest bucket (when ring) */
    int64_t first;                /* minute of the first data: older minutes are unknown */
    int64_t count;                /* the current count; -1 before any data */
    struct activity_today today;
    int32_t room;                 /* buckets in ring: <= minutes */
};

struct activity {
    struct activity_space *spaces;
    size_t space_count;
    int32_t minutes;
    int32_t grow;            /* rings grow by this many minutes */
    size_t minutes_allocated; /* over all rings */

    struct activity_log_entry *log;
    size_t log_capacity;
    size_t log_next; /* where the next entry goes; the oldest once full */
    size_t log_size;
    uint64_t log_total;
};

/* --- time and slots ------------------------------------------------------- */

/* floor(ms / 60000), also for times before 1970 (C division truncates). */
static int64_t minute_of(int64_t ms)
{
    int64_t minute = ms / MS_PER_MINUTE;
    if (ms % MS_PER_MINUTE < 0)
        minute--;
    return minute;
}

static size_t slot_of(const struct activity_space *s, int64_t minute)
{
    int64_t slot = minute % s->room;
    if (slot < 0)
        slot += s->room;
    return (size_t)slot;
}

static int32_t stored_count(int64_t count)
{
    if (count < 0)
        return 0;
    return count > INT32_MAX ? INT32_MAX : (int32_t)count;
}

static void add_event(struct activity_minute *bucket, bool entrance, bool clamped)
{
    if (entrance && bucket->entrances < ACTIVITY_MINUTE_EVENTS_MAX)
        bucket->entrances++;
    if (!entrance && bucket->exits < ACTIVITY_MINUTE_EVENTS_MAX)
        bucket->exits++;
    if (clamped && bucket->clamps < ACTIVITY_MINUTE_CLAMPS_MAX)
        bucket->clamps++;
}

static void add_u32(uint32_t *value)
{
    if (*value < UINT32_MAX)
        (*value)++;
}

/* --- one space's ring ----------------------------------------------------- */

static struct activity_space *space_at(const struct activity *activity, site_index space)
{
    if (!activity || space < 0 || (size_t)space >= activity->space_count)
        return NULL;
    return &activity->spaces[space];
}

static int64_t oldest_held(const struct activity_space *s)
{
    int64_t ring_start = s->newest - (s->room - 1);
    return s->first > ring_start ? s->first : ring_start;
}

static bool minute_held(const struct activity_space *s, int64_t minute)
{
    return s->ring && minute <= s->newest && minute >= oldest_held(s);
}

static struct activity_minute idle_minute(int64_t count)
{
    return (struct activity_minute){ .count = stored_count(count) };
}

/* The room a ring needs to hold every minute from the first data to
 * `newest`: a whole number of growth steps, at most `minutes`. */
static int32_t room_for(const struct activity *activity, const struct activity_space *s,
                        int64_t newest)
{
    int64_t span = newest - s->first; /* minutes, less one: cannot overflow */
    if (span >= activity->minutes - 1)
        return activity->minutes;
    int64_t room = (span / activity->grow + 1) * activity->grow;
    return room < activity->minutes ? (int32_t)room : activity->minutes;
}

/* Lays the ring out anew in `room` buckets (more than it has).  On failure
 * the ring stays as it was: older minutes then fall off it sooner. */
static void grow_ring(struct activity *activity, struct activity_space *s, int32_t room)
{
    struct activity_minute *ring = malloc((size_t)room * sizeof *ring);
    if (!ring)
        return;
    /* After a growth that failed, minutes from the first data on may have
     * fallen off: what the ring holds now is all that is known. */
    s->first = oldest_held(s);
    struct activity_space grown = *s;
    grown.ring = ring;
    grown.room = room;
    for (int64_t k = oldest_held(s); k <= s->newest; k++)
        ring[slot_of(&grown, k)] = s->ring[slot_of(s, k)];
    free(s->ring);
    activity->minutes_allocated += (size_t)(room - s->room);
    s->ring = ring;
    s->room = room;
}

/* Makes `minute` the newest bucket (allocating the ring on the first data,
 * growing it as the minutes since then add up), carrying the current count
 * over the minutes in between.  Does nothing when minute is not after the
 * newest.  -1 when out of memory for the first ring. */
static int advance_to(struct activity *activity, struct activity_space *s, int64_t minute)
{
    if (!s->ring) {
        s->first = s->newest = minute;
        s->room = room_for(activity, s, minute);
        s->ring = malloc((size_t)s->room * sizeof *s->ring);
        if (!s->ring)
            return -1;
        activity->minutes_allocated += (size_t)s->room;
        s->ring[slot_of(s, minute)] = idle_minute(s->count);
        return 0;
    }
    if (minute <= s->newest)
        return 0;
    int32_t room = room_for(activity, s, minute);
    if (room > s->room)
        grow_ring(activity, s, room);
    /* Only the last `room` minutes of the gap can still be in the ring. */
    int64_t gap = minute - s->newest;
    int64_t fill = gap < s->room ? gap : s->room;
    for (int64_t k = minute - fill + 1; k <= minute; k++)
        s->ring[slot_of(s, k)] = idle_minute(s->count);
    s->newest = minute;
    return 0;
}

/* The bucket an event of `minute` lands in, or NULL when it is older than
 * the ring (or memory ran out: *failed is then set). */
static struct activity_minute *bucket_for(struct activity *activity, struct activity_space *s,
                                          int64_t minute, bool *failed)
{
    if (!s->ring || minute > s->newest) {
        if (advance_to(activity, s, minute) != 0) {
            *failed = true;
            return NULL;
        }
    }
    if (!minute_held(s, minute))
        return NULL;
    return &s->ring[slot_of(s, minute)];
}

/* The current count goes to the newest bucket: it is the latest word,
 * whatever minute the event that brought it belongs to. */
static void set_count(struct activity_space *s, int64_t count)
{
    s->count = count;
    if (s->ring)
        s->ring[slot_of(s, s->newest)].count = stored_count(count);
}

static void note_peak(struct activity_space *s, int64_t count, int64_t at_ms)
{
    if (at_ms >= s->today.day_start_ms && count > s->today.peak)
        s->today.peak = count;
}

/* --- the log --------------------------------------------------------------- */

static void log_add(struct activity *activity, site_index space, const struct space_event *event,
                    int64_t count, bool clamped)
{
    struct activity_log_entry *e = &activity->log[activity->log_next];
    e->timestamp_ms = event->timestamp_ms;
    e->count = count;
    e->space = space;
    e->direction = (int8_t)event->direction;
    e->clamped = clamped;
    /* event.h ids are NUL-terminated within EVENT_ID_MAX, but copy bounded
     * anyway: the struct may come from anywhere. */
    size_t n = strnlen(event->doorway_id, sizeof event->doorway_id);
    if (n >= sizeof e->doorway_id)
        n = sizeof e->doorway_id - 1;
    memcpy(e->doorway_id, event->doorway_id, n);
    e->doorway_id[n] = '\0';

    activity->log_next = (activity->log_next + 1) % activity->log_capacity;
    if (activity->log_size < activity->log_capacity)
        activity->log_size++;
    activity->log_total++;
}

/* --- public ------------------------------------------------------------------ */

size_t activity_space_bytes(void)
{
    return sizeof(struct activity_space);
}

static int32_t clamp_minutes(int32_t minutes)
{
    if (minutes < ACTIVITY_MIN_MINUTES)
        return ACTIVITY_MIN_MINUTES;
    return minutes > ACTIVITY_MAX_MINUTES ? ACTIVITY_MAX_MINUTES : minutes;
}

static void space_reset(struct activity_space *s)
{
    memset(s, 0, sizeof *s);
    s->count = -1;
    s->today.peak = -1;
    s->today.day_start_ms = INT64_MIN;
}

struct activity *activity_new(size_t space_count, int32_t minutes, size_t log_capacity)
{
    struct activity *activity = calloc(1, sizeof *activity);
    if (!activity)
        return NULL;
    activity->minutes = clamp_minutes(minutes);
    activity->grow = activity->minutes / 15 > 16 ? activity->minutes / 15 : 16;
    activity->log_capacity = log_capacity ? log_capacity : 1;
    activity->space_count = space_count;
    activity->spaces = calloc(space_count ? space_count : 1, sizeof *activity->spaces);
    activity->log = calloc(activity->log_capacity, sizeof *activity->log);
    if (!activity->spaces || !activity->log) {
        activity_free(activity);
        return NULL;
    }
    for (size_t i = 0; i < space_count; i++)
        space_reset(&activity->spaces[i]);
    return activity;
}

int activity_add_spaces(struct activity *activity, size_t space_count)
{
    if (space_count <= activity->space_count)
        return 0;
    struct activity_space *grown = realloc(activity->spaces, space_count * sizeof *grown);
    if (!grown)
        return -1;
    activity->spaces = grown;
    for (size_t i = activity->space_count; i < space_count; i++)
        space_reset(&grown[i]);
    activity->space_count = space_count;
    return 0;
}

void activity_free(struct activity *activity)
{
    if (!activity)
        return;
    if (activity->spaces)
        for (size_t i = 0; i < activity->space_count; i++)
            free(activity->spaces[i].ring);
    free(activity->spaces);
    free(activity->log);
    free(activity);
}

int32_t activity_minutes(const struct activity *activity)
{
    return activity->minutes;
}

int32_t activity_grow_minutes(const struct activity *activity)
{
    return activity->grow;
}

static int64_t count_after(const struct space_event *event, int64_t count_before)
{
    if (event->count_present)
        return event->count;
    if (count_before < 0)
        return -1;
    int64_t count = count_before + event->direction;
    return count < 0 ? 0 : count;
}

int activity_record(struct activity *activity, site_index space,
                    const struct space_event *event, int64_t count_before)
{
    struct activity_space *s = space_at(activity, space);
    if (!s || !event || (event->direction != 1 && event->direction != -1))
        return -1;
    int64_t after = count_after(event, count_before);
    bool entrance = event->direction > 0;
    /* An exit that leaves 0 at 0: the count could not move. */
    bool clamped = !entrance && count_before == 0 && after == 0;

    bool failed = false;
    struct activity_minute *bucket = bucket_for(activity, s, minute_of(event->timestamp_ms),
                                                &failed);
    if (bucket)
        add_event(bucket, entrance, clamped);
    if (after >= 0)
        set_count(s, after);

    if (event->timestamp_ms >= s->today.day_start_ms)
        add_u32(entrance ? &s->today.entrances : &s->today.exits);
    if (after >= 0)
        note_peak(s, after, event->timestamp_ms);
    log_add(activity, space, event, after, clamped);
    return failed ? -1 : 0;
}

int activity_note_count(struct activity *activity, site_index space, int64_t count,
                        int64_t as_of_ms)
{
    struct activity_space *s = space_at(activity, space);
    if (!s || count < 0)
        return -1;
    int64_t minute = minute_of(as_of_ms);
    if ((!s->ring || minute > s->newest) && advance_to(activity, s, minute) != 0) {
        s->count = count; /* still the current count, without a bucket */
        return -1;
    }
    set_count(s, count);
    note_peak(s, count, as_of_ms);
    return 0;
}

void activity_start_day(struct activity *activity, site_index space, int64_t day_start_ms)
{
    struct activity_space *s = space_at(activity, space);
    if (!s)
        return;
    s->today = (struct activity_today){ .peak = -1, .day_start_ms = day_start_ms };
}

struct activity_today activity_today(const struct activity *activity, site_index space)
{
    const struct activity_space *s = space_at(activity, space);
    if (!s)
        return (struct activity_today){ .peak = -1, .day_start_ms = INT64_MIN };
    return s->today;
}

int64_t activity_count(const struct activity *activity, site_index space)
{
    const struct activity_space *s = space_at(activity, space);
    return s ? s->count : -1;
}

bool activity_minute_at(const struct activity *activity, site_index space, int64_t minute_ms,
                        struct activity_minute *out)
{
    const struct activity_space *s = space_at(activity, space);
    int64_t minute = minute_of(minute_ms);
    if (s && minute_held(s, minute)) {
        *out = s->ring[slot_of(s, minute)];
        return true;
    }
    if (s && s->ring && minute > s->newest)
        *out = idle_minute(s->count);
    else
        *out = (struct activity_minute){ .count = -1 };
    return false;
}

void activity_last_minute(const struct activity *activity, site_index space, int64_t now_ms,
                          uint32_t *entrances, uint32_t *exits)
{
    struct activity_minute m;
    bool held = activity_minute_at(activity, space, now_ms - MS_PER_MINUTE, &m);
    *entrances = held ? m.entrances : 0;
    *exits = held ? m.exits : 0;
}

uint32_t activity_clamps_last_hour(const struct activity *activity, site_index space,
                                   int64_t now_ms)
{
    const struct activity_space *s = space_at(activity, space);
    if (!s || !s->ring)
        return 0;
    int64_t now = minute_of(now_ms);
    uint32_t clamps = 0;
    for (int64_t k = now - (ACTIVITY_CLAMP_WINDOW_MINUTES - 1); k <= now; k++)
        if (minute_held(s, k))
            clamps += s->ring[slot_of(s, k)].clamps;
    return clamps;
}

bool activity_clamps_often(const struct activity *activity, site_index space, int64_t now_ms)
{
    return activity_clamps_last_hour(activity, space, now_ms) >= ACTIVITY_CLAMPS_OFTEN;
}

/* The count at the end of `minute`, or -1 when unknown. */
static int64_t count_in_minute(const struct activity_space *s, int64_t minute)
{
    if (!s->ring)
        return -1;
    if (minute > s->newest)
        return s->count;
    if (minute_held(s, minute))
        return s->ring[slot_of(s, minute)].count;
    return -1;
}

size_t activity_series(const struct activity *activity, site_index space, int64_t now_ms,
                       size_t minutes, int64_t *out)
{
    const struct activity_space *s = space_at(activity, space);
    int64_t now = minute_of(now_ms);
    size_t known = 0;
    for (size_t i = 0; i < minutes; i++) {
        size_t back = minutes - 1 - i; /* minutes before now */
        /* |now| < 2^48 minutes for any int64 ms, so now - back cannot
         * overflow below this; anything further back is unknown anyway. */
        bool too_old = back > (size_t)(INT64_MAX / 2);
        out[i] = !s || too_old ? -1 : count_in_minute(s, now - (int64_t)back);
        known += out[i] >= 0;
    }
    return known;
}

size_t activity_log_size(const struct activity *activity)
{
    return activity->log_size;
}

uint64_t activity_log_total(const struct activity *activity)
{
    return activity->log_total;
}

const struct activity_log_entry *activity_log_get(const struct activity *activity, size_t i)
{
    if (i >= activity->log_size)
        return NULL;
    size_t cap = activity->log_capacity;
    return &activity->log[(activity->log_next + cap - 1 - i) % cap];
}

size_t activity_bytes(const struct activity *activity)
{
    return sizeof *activity + activity->space_count * sizeof *activity->spaces
           + activity->minutes_allocated * ACTIVITY_MINUTE_BYTES
           + activity->log_capacity * sizeof *activity->log;
}

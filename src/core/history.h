/* history.h — a space's count history in minute buckets.
 *
 * Each bucket holds the count at the start of the minute, the minimum and
 * maximum during it, and the entrances and exits in it.  A ring keeps the
 * newest `capacity` minutes; older minutes fall off.  Memory: 20 bytes a
 * minute, so 28,800 bytes (28.1 KiB) a space a day of retention, allocated
 * on the first event.
 *
 * The engine (engine.h) writes history; analytics (analytics.h) reads it.
 * A minute is Unix time in minutes (floor(ms / 60000)). */
#ifndef OCCTOP_CORE_HISTORY_H
#define OCCTOP_CORE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct minute_bucket {
    int32_t start; /* count when the minute began */
    int32_t min;
    int32_t max;
    uint32_t entrances;
    uint32_t exits : 31;
    uint32_t reset : 1; /* the daily reset happened in this minute */
};

#define HISTORY_BYTES_PER_MINUTE ((size_t)sizeof(struct minute_bucket))

struct history {
    struct minute_bucket *ring; /* NULL until the first write */
    int32_t capacity;           /* minutes kept */
    int32_t used;               /* buckets holding data, <= capacity */
    int64_t newest;             /* minute of the newest bucket (valid when used > 0) */
    int32_t newest_slot;        /* its place in the ring: most writes go there */
};

void history_init(struct history *history, int32_t capacity_minutes);
void history_free(struct history *history);

/* The oldest minute still held; only meaningful when used > 0. */
int64_t history_oldest(const struct history *history);

/* The bucket of `minute`, or NULL when it is not held (before the oldest or
 * after the newest). */
const struct minute_bucket *history_at(const struct history *history, int64_t minute);
struct minute_bucket *history_at_mut(struct history *history, int64_t minute);

/* Makes `minute` the newest bucket, filling the minutes in between with the
 * carried count (no events, start = min = max = count).  Does nothing if
 * minute is not after the newest.  Returns the bucket, or NULL when out of
 * memory. */
struct minute_bucket *history_extend(struct history *history, int64_t minute, int64_t count);

/* Makes `minute` held when it is older than the oldest bucket but still
 * within capacity of the newest, filling the minutes in between with the
 * oldest bucket's starting count (a late event before anything else seen).
 * Returns the bucket, or NULL when it cannot be held. */
struct minute_bucket *history_extend_back(struct history *history, int64_t minute);

/* The count the space had at the start of `minute` as far as history knows:
 * the bucket's start, the newest bucket's carried count after it, or
 * `before` (what to assume before the oldest bucket). */
int64_t history_count_at(const struct history *history, int64_t minute, int64_t after_newest,
                         int64_t before);

/* Bytes allocated for this history. */
size_t history_bytes(const struct history *history);

#endif

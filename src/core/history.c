/* history.c — the minute-bucket ring. */
#include "core/history.h"

#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(struct minute_bucket) == 20, "a minute costs 20 bytes");

static int32_t clamp_count(int64_t count)
{
    if (count < 0)
        return 0;
    return count > INT32_MAX ? INT32_MAX : (int32_t)count;
}

void history_init(struct history *history, int32_t capacity_minutes)
{
    memset(history, 0, sizeof *history);
    history->capacity = capacity_minutes > 0 ? capacity_minutes : 1;
}

void history_free(struct history *history)
{
    free(history->ring);
    history_init(history, history->capacity);
}

int64_t history_oldest(const struct history *history)
{
    return history->newest - history->used + 1;
}

/* Ring slot of a minute; minutes may be negative (before 1970). */
static size_t slot_of(const struct history *history, int64_t minute)
{
    int64_t slot = minute % history->capacity;
    return (size_t)(slot < 0 ? slot + history->capacity : slot);
}

struct minute_bucket *history_at_mut(struct history *history, int64_t minute)
{
    if (history->used > 0 && minute == history->newest)
        return &history->ring[history->newest_slot];
    if (history->used == 0 || minute > history->newest || minute < history_oldest(history))
        return NULL;
    return &history->ring[slot_of(history, minute)];
}

const struct minute_bucket *history_at(const struct history *history, int64_t minute)
{
    return history_at_mut((struct history *)history, minute);
}

static void carry(struct minute_bucket *bucket, int32_t count)
{
    *bucket = (struct minute_bucket){ .start = count, .min = count, .max = count };
}

struct minute_bucket *history_extend(struct history *history, int64_t minute, int64_t count)
{
    if (!history->ring) {
        history->ring = malloc((size_t)history->capacity * sizeof *history->ring);
        if (!history->ring)
            return NULL;
    }
    int32_t value = clamp_count(count);
    if (history->used == 0) {
        history->newest = minute;
        history->newest_slot = (int32_t)slot_of(history, minute);
        history->used = 1;
        carry(&history->ring[history->newest_slot], value);
        return &history->ring[history->newest_slot];
    }
    if (minute <= history->newest)
        return history_at_mut(history, minute);
    /* A gap longer than the ring only needs the ring's worth of carried minutes. */
    int64_t first = history->newest + 1;
    if (minute - first >= history->capacity)
        first = minute - history->capacity + 1;
    for (int64_t m = first; m <= minute; m++)
        carry(&history->ring[slot_of(history, m)], value);
    int64_t used = (int64_t)history->used + (minute - history->newest);
    history->used = used > history->capacity ? history->capacity : (int32_t)used;
    history->newest = minute;
    history->newest_slot = (int32_t)slot_of(history, minute);
    return &history->ring[history->newest_slot];
}

struct minute_bucket *history_extend_back(struct history *history, int64_t minute)
{
    if (history->used == 0 || minute > history->newest)
        return NULL;
    int64_t oldest = history_oldest(history);
    if (minute >= oldest)
        return &history->ring[slot_of(history, minute)];
    if (history->newest - minute >= history->capacity)
        return NULL;
    int32_t value = history->ring[slot_of(history, oldest)].start;
    for (int64_t m = oldest - 1; m >= minute; m--)
        carry(&history->ring[slot_of(history, m)], value);
    history->used = (int32_t)(history->newest - minute + 1);
    return &history->ring[slot_of(history, minute)];
}

int64_t history_count_at(const struct history *history, int64_t minute, int64_t after_newest,
                         int64_t before)
{
    if (history->used == 0)
        return after_newest;
    if (minute > history->newest)
        return after_newest;
    if (minute < history_oldest(history))
        return before;
    return history->ring[slot_of(history, minute)].start;
}

size_t history_bytes(const struct history *history)
{
    return history->ring ? (size_t)history->capacity * sizeof *history->ring : 0;
}

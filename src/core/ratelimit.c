/* ratelimit.c — fixed one-minute request windows; see ratelimit.h. */
#include "core/ratelimit.h"

#define MS_PER_MINUTE INT64_C(60000)
#define MS_PER_SECOND INT64_C(1000)

/* Rounds towards minus infinity, so instants before 1970 still fall in the
 * minute that contains them. */
static int64_t minute_of(int64_t ms)
{
    int64_t q = ms / MS_PER_MINUTE;
    return (ms % MS_PER_MINUTE != 0 && ms < 0) ? q - 1 : q;
}

void ratelimit_init(struct ratelimit *limit, uint32_t per_minute)
{
    limit->per_minute = per_minute;
    limit->started = false;
    limit->minute = 0;
    limit->used = 0;
}

static void enter_window(struct ratelimit *limit, int64_t minute)
{
    if (!limit->started || limit->minute != minute) {
        limit->started = true;
        limit->minute = minute;
        limit->used = 0;
    }
}

/* Whole seconds from now_ms to the start of the next window, rounded up:
 * 1 ms left is still "come back in 1 second", never 0. */
static int seconds_to_next_window(int64_t minute, int64_t now_ms)
{
    int64_t left_ms = (minute + 1) * MS_PER_MINUTE - now_ms; /* 1 .. 60000 */
    int64_t seconds = (left_ms + MS_PER_SECOND - 1) / MS_PER_SECOND;
    if (seconds < 1)
        seconds = 1;
    if (seconds > 60)
        seconds = 60;
    return (int)seconds;
}

bool ratelimit_take(struct ratelimit *limit, int64_t now_ms, int *retry_after_seconds)
{
    if (limit->per_minute == 0)
        return true;
    int64_t minute = minute_of(now_ms);
    enter_window(limit, minute);
    if (limit->used < limit->per_minute) {
        limit->used++;
        return true;
    }
    if (retry_after_seconds)
        *retry_after_seconds = seconds_to_next_window(minute, now_ms);
    return false;
}

uint32_t ratelimit_remaining(const struct ratelimit *limit, int64_t now_ms)
{
    if (limit->per_minute == 0)
        return UINT32_MAX;
    if (!limit->started || limit->minute != minute_of(now_ms))
        return limit->per_minute;
    return limit->used >= limit->per_minute ? 0 : limit->per_minute - limit->used;
}

/* ratelimit.h — a request budget per fixed minute, as the Density API
 * applies it ("60 requests per minute, per token, evaluated each minute").
 *
 * Windows are whole minutes of the wall clock (floor(ms / 60000)), not a
 * sliding minute: a client that spent its budget at 12:00:50 gets a fresh
 * one at 12:01:00, and is told so exactly (Retry-After is the number of
 * seconds to the next window, rounded up, at least 1).  Only requests that
 * are let through use the budget: a refused request costs nothing, so a
 * client that keeps retrying early is not punished beyond its window.
 *
 * A clock that steps backwards (a different minute, earlier or later)
 * starts a new window: a step must never lock a client out for the length
 * of the step.
 *
 * One struct ratelimit per token; the caller owns it (plain data, no
 * allocation).  Not thread-safe. */
#ifndef OCCTOP_CORE_RATELIMIT_H
#define OCCTOP_CORE_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit {
    uint32_t per_minute; /* 0: no limit */
    bool started;        /* false until the first request */
    int64_t minute;      /* the current window */
    uint32_t used;       /* requests let through in it */
};

void ratelimit_init(struct ratelimit *limit, uint32_t per_minute);

/* Counts one request at now_ms.  Returns true when it may go ahead; false
 * when the window's budget is spent, with *retry_after_seconds (may be NULL)
 * set to the seconds until the next window (1..60). */
bool ratelimit_take(struct ratelimit *limit, int64_t now_ms, int *retry_after_seconds);

/* Requests still allowed in the window that holds now_ms (per_minute when
 * that is a new window; UINT32_MAX without a limit). */
uint32_t ratelimit_remaining(const struct ratelimit *limit, int64_t now_ms);

#endif

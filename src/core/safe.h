/* safe.h — Density's safe-threshold rules, plus a warning band.
 *
 * The reference defines three modes; in each the space is unsafe when the
 * count is MORE than the limit:
 *   SAFE_CAPACITY            limit = safe_capacity
 *   UTILIZATION_PERC_TARGET  limit = safe_threshold_value x target_capacity
 *   UTILIZATION_PERC_LEGAL   limit = safe_threshold_value x capacity
 * Counts are whole people, so the limit is the largest count still safe
 * (floor of the product, with a guard against 0.29 x 100 = 28.999999999999996,
 * which must give 29).
 * A space is in warning from warn_fraction of the limit (default 0.8) up to
 * the limit; an empty space is never in warning.  A space whose mode is null,
 * or whose mode lacks the fields it needs, has no threshold. */
#ifndef OCCTOP_CORE_SAFE_H
#define OCCTOP_CORE_SAFE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/site.h"

enum safe_state {
    SAFE_STATE_NONE = 0, /* no threshold configured */
    SAFE_STATE_OK,
    SAFE_STATE_WARN,
    SAFE_STATE_UNSAFE,
};

#define SAFE_DEFAULT_WARN_FRACTION 0.8

struct safe_limit {
    bool present;
    int64_t max_safe_count; /* the largest count that is still safe */
    const char *missing;    /* when !present and a mode is set: the field it lacks */
};

/* The limit of a space's threshold, from its configuration alone. */
struct safe_limit safe_limit_of(const struct space *space);

/* The state of `count` against `limit`. */
enum safe_state safe_state_for(struct safe_limit limit, int64_t count, double warn_fraction);

/* Shorthand: the state of a space at its current count. */
enum safe_state safe_state_of(const struct space *space, double warn_fraction);

const char *safe_state_name(enum safe_state state); /* "none", "ok", "warn", "unsafe" */

/* A short description of the threshold in words, e.g. "unsafe above 6 (60% of
 * target 10)"; writes "no safe threshold" when there is none. */
void safe_describe(const struct space *space, char *out, size_t out_size);

#endif

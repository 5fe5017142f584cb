/* analytics.h — answers GET /spaces/:id/counts/ from a space's minute history.
 *
 * Definitions (the reference leaves most of them to the reader; these are
 * occtop's, documented in the README and worked out by hand in
 * tests/unit/test_analytics.c):
 *
 * Intervals: 1m, 5m, 10m, 15m, 1h, 1d, 1w (any spelling of the same length:
 * "60m" is 1h, "24h" and "1440m" are 1d, "7d" is 1w).  Sub-day intervals
 * start at start_time and step by their length.  Day and week intervals are
 * local days (and weeks from Monday) of the space's time zone, so a day can
 * last 23 or 25 hours; the first and last are clipped to the window.
 * Samples cover [start_time, end_time); interval.end is the last millisecond
 * of the interval (…:59.999Z).
 *
 * A minute's count is its bucket's start; a minute after the newest bucket
 * carries the current count; a minute before the oldest bucket has the count
 * `count_before_history` (0 unless told otherwise) and no events.
 *
 * Per sample: count = the count of the interval's first minute; min and max
 * over its minutes' bucket min and max; entrances, exits, and events =
 * entrances + exits; utilization = max / capacity and target_utilization =
 * max / target_capacity (absent without a positive capacity); entry_rate and
 * exit_rate = entrances (exits) per minute of the interval.
 *
 * Metrics over the whole window: entrances and exits total, average per
 * sample, and peak (the largest sample, the first on ties, with its
 * timestamp); count average (mean of the window's minute counts), min and max
 * (bucket min and max, with the first minute that had them);
 * target_utilization average, min and max = the count's over target_capacity;
 * durations = time whose minute max is in [0,40 %), [40,80 %), [80,100 %) and
 * [100 %, ...) of target_capacity (all zero without a target). */
#ifndef OCCTOP_CORE_ANALYTICS_H
#define OCCTOP_CORE_ANALYTICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/counts.h"
#include "core/history.h"
#include "core/optional.h"
#include "core/tz.h"

enum analytics_interval {
    ANALYTICS_1M,
    ANALYTICS_5M,
    ANALYTICS_10M,
    ANALYTICS_15M,
    ANALYTICS_1H,
    ANALYTICS_1D,
    ANALYTICS_1W,
};

/* Parses the API's interval parameter ("5m", "1h", "3600s", "7d"...);
 * false when it is malformed or not a supported length. */
bool analytics_interval_parse(const char *text, enum analytics_interval *out);
const char *analytics_interval_name(enum analytics_interval interval); /* "5m" */

struct analytics_space {
    const struct history *history;
    int64_t current_count;
    int64_t count_before_history;
    optional_int capacity;
    optional_int target_capacity;
    const struct tz_zone *zone; /* NULL: UTC */
};

struct analytics_query {
    int64_t start_ms;
    int64_t end_ms; /* exclusive */
    enum analytics_interval interval;
    bool descending;
    size_t max_samples; /* refuse larger answers; 0: no bound */
    /* Only some minutes (time segments): when set, a minute counts only if
     * keep_minute(keep_context, its start in Unix ms) says so.  A sample then
     * covers its counted minutes only (count = the count at the first of
     * them; min, max, entrances, exits and rates over them) and is left out
     * when it has none; metrics cover the counted minutes of the samples
     * left, total is their number.  With no sample left, every metric is
     * null but the totals (0) and durations (0).  NULL: every minute. */
    bool (*keep_minute)(const void *keep_context, int64_t minute_ms);
    const void *keep_context;
};

enum analytics_status {
    ANALYTICS_OK = 0,
    ANALYTICS_EMPTY_WINDOW,   /* end_ms <= start_ms */
    ANALYTICS_TOO_MANY,       /* more samples than max_samples */
    ANALYTICS_NO_MEMORY,
};

/* Fills page->samples (all of them, in the asked order), page->total and
 * page->metrics.  page must be initialised (count_page_init) and is cleared
 * first; next/previous are left NULL for the caller to paginate. */
enum analytics_status analytics_counts(const struct analytics_space *space,
                                       const struct analytics_query *query,
                                       struct count_page *page);

#endif

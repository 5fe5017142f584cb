/* counts.h — count samples and metrics as GET /spaces/:id/counts/ serves them.
 *
 * A sample is the count at the start of an interval plus analytics over the
 * interval.  Analytics fields the API may leave out or send as null are
 * optional. */
#ifndef OCCTOP_CORE_COUNTS_H
#define OCCTOP_CORE_COUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/memo.h"
#include "core/optional.h"

struct count_analytics {
    int64_t min;
    int64_t max;
    int64_t events;
    int64_t entrances;
    int64_t exits;
    optional_real utilization;        /* max / capacity */
    optional_real target_utilization; /* max / target_capacity */
    optional_real entry_rate;         /* entrances per minute */
    optional_real exit_rate;
};

struct count_sample {
    int64_t timestamp_ms;
    int64_t count;
    int64_t start_ms;
    int64_t end_ms; /* inclusive, as the API writes it (...:59.999Z) */
    struct count_analytics analytics;
};

/* A value with the time it happened, e.g. a peak. */
struct timed_value {
    optional_real value;
    bool timestamp_present;
    int64_t timestamp_ms;
};

/* Keys of the target_utilization durations object, in percent. */
enum { COUNT_DURATION_BANDS = 4 };
extern const int count_duration_band_percent[COUNT_DURATION_BANDS]; /* 0, 40, 80, 100 */

struct count_metrics {
    bool present;
    struct {
        optional_int total;
        optional_real average;
        struct timed_value peak;
    } entrances, exits;
    struct {
        optional_real average;
        struct timed_value min, max;
    } count;
    struct {
        optional_real average, min, max;
        int64_t duration_seconds[COUNT_DURATION_BANDS]; /* -1 when not given */
    } target_utilization;
};

struct count_page {
    int64_t total;
    char *next;     /* NULL at the end */
    char *previous;
    struct count_metrics metrics;
    struct count_sample *samples;
    size_t sample_count;
};

void count_page_init(struct count_page *page);
void count_page_clear(struct count_page *page);

/* Writes into `key` every value of `page` its JSON is made of: total,
 * next, previous, the metrics and the samples[0 .. sample_count), doubles
 * bit for bit.  Two pages with equal keys encode to the same bytes, which
 * lets the mock server keep an answer under its key (core/memo.h). */
void count_page_key(const struct count_page *page, struct memo_key *key);

#endif

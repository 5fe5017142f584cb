/* counts.c — count pages: their lifetime, the duration bands, and the key
 * of what their JSON is made of. */
#include "core/counts.h"

#include <stdlib.h>
#include <string.h>

/* The keys of metrics.target_utilization.durations, in the API's order. */
const int count_duration_band_percent[COUNT_DURATION_BANDS] = { 0, 40, 80, 100 };

void count_page_init(struct count_page *page)
{
    memset(page, 0, sizeof *page);
    /* 0 would read as "zero seconds spent in the band", which is a value. */
    for (int band = 0; band < COUNT_DURATION_BANDS; band++)
        page->metrics.target_utilization.duration_seconds[band] = -1;
}

void count_page_clear(struct count_page *page)
{
    free(page->next);
    free(page->previous);
    free(page->samples);
    count_page_init(page);
}

/* --- the key of a page ------------------------------------------------------------ */

/* A field added to these structs must be added to the key too, or two
 * answers that differ in it would share a cached body.  The key covers
 * exactly the fields of these copies of the structs: adding a field to
 * one of the structs (and not here) stops the build. */
struct key_timed_value {
    optional_real value;
    bool timestamp_present;
    int64_t timestamp_ms;
};
struct key_analytics {
    int64_t min, max, events, entrances, exits;
    optional_real utilization, target_utilization, entry_rate, exit_rate;
};
struct key_sample {
    int64_t timestamp_ms, count, start_ms, end_ms;
    struct key_analytics analytics;
};
struct key_metrics {
    bool present;
    struct {
        optional_int total;
        optional_real average;
        struct key_timed_value peak;
    } entrances, exits;
    struct {
        optional_real average;
        struct key_timed_value min, max;
    } count;
    struct {
        optional_real average, min, max;
        int64_t duration_seconds[COUNT_DURATION_BANDS];
    } target_utilization;
};
struct key_page {
    int64_t total;
    char *next, *previous;
    struct key_metrics metrics;
    struct key_sample *samples;
    size_t sample_count;
};
_Static_assert(sizeof(struct count_page) == sizeof(struct key_page),
               "count_page changed: update count_page_key");
_Static_assert(sizeof(struct count_analytics) == sizeof(struct key_analytics),
               "count_analytics changed: update count_page_key");
_Static_assert(sizeof(struct count_sample) == sizeof(struct key_sample),
               "count_sample changed: update count_page_key");
_Static_assert(sizeof(struct count_metrics) == sizeof(struct key_metrics),
               "count_metrics changed: update count_page_key");
_Static_assert(sizeof(struct timed_value) == sizeof(struct key_timed_value),
               "timed_value changed: update count_page_key");

static void add_optional_real(struct memo_key *key, optional_real value)
{
    memo_key_add_bool(key, value.present);
    memo_key_add_real(key, value.present ? value.value : 0.0);
}

static void add_optional_int(struct memo_key *key, optional_int value)
{
    memo_key_add_bool(key, value.present);
    memo_key_add_int(key, value.present ? value.value : 0);
}

static void add_timed_value(struct memo_key *key, const struct timed_value *v)
{
    add_optional_real(key, v->value);
    memo_key_add_bool(key, v->timestamp_present);
    memo_key_add_int(key, v->timestamp_present ? v->timestamp_ms : 0);
}

static void add_metrics(struct memo_key *key, const struct count_metrics *m)
{
    memo_key_add_bool(key, m->present);
    if (!m->present)
        return;
    add_optional_int(key, m->entrances.total);
    add_optional_real(key, m->entrances.average);
    add_timed_value(key, &m->entrances.peak);
    add_optional_int(key, m->exits.total);
    add_optional_real(key, m->exits.average);
    add_timed_value(key, &m->exits.peak);
    add_optional_real(key, m->count.average);
    add_timed_value(key, &m->count.min);
    add_timed_value(key, &m->count.max);
    add_optional_real(key, m->target_utilization.average);
    add_optional_real(key, m->target_utilization.min);
    add_optional_real(key, m->target_utilization.max);
    for (int band = 0; band < COUNT_DURATION_BANDS; band++)
        memo_key_add_int(key, m->target_utilization.duration_seconds[band]);
}

static void add_sample(struct memo_key *key, const struct count_sample *s)
{
    const struct count_analytics *a = &s->analytics;
    int64_t numbers[] = { s->timestamp_ms, s->count,  s->start_ms,    s->end_ms, a->min,
                          a->max,          a->events, a->entrances, a->exits };
    memo_key_add(key, numbers, sizeof numbers);
    add_optional_real(key, a->utilization);
    add_optional_real(key, a->target_utilization);
    add_optional_real(key, a->entry_rate);
    add_optional_real(key, a->exit_rate);
}

void count_page_key(const struct count_page *page, struct memo_key *key)
{
    memo_key_add_int(key, page->total);
    memo_key_add_text(key, page->next);
    memo_key_add_text(key, page->previous);
    add_metrics(key, &page->metrics);
    memo_key_add_int(key, (int64_t)page->sample_count);
    for (size_t i = 0; i < page->sample_count; i++)
        add_sample(key, &page->samples[i]);
}

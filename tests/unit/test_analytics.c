/* Tests for core/analytics: count samples and metrics from a hand-built
 * minute history, every expected number worked out by hand below.
 *
 * The fixture is 20 minutes from T0 = 2024-01-15T10:00:00Z (a Monday),
 * minutes m0..m19.  Each row: the count at the start of the minute, the min
 * and max during it, entrances and exits, and (for target_capacity 10) the
 * duration band of its max: [0,4) -> 0, [4,8) -> 40, [8,10) -> 80,
 * [10,...) -> 100.  Each minute's start + entrances - exits is the next
 * minute's start; after m19 the count is 7 (the current count).
 *
 *   m   start min max  ent exit  band
 *   0     2    2   3    1   0      0
 *   1     3    3   4    1   0     40   (4 is exactly 40 %)
 *   2     4    4   6    3   1     40
 *   3     6    5   6    0   1     40
 *   4     5    5   5    0   0     40
 *   5     5    5   8    3   0     80   (8 is exactly 80 %)
 *   6     8    7   9    2   1     80
 *   7     9    9  10    1   0    100   (10 is exactly 100 %)
 *   8    10    9  11    2   2    100   first max 11
 *   9    10    8  10    0   2    100
 *  10     8    6   8    0   2     80
 *  11     6    4   6    1   3     40
 *  12     4    4   4    0   0     40
 *  13     4    1   4    0   3     40
 *  14     1    0   1    0   1      0   first min 0
 *  15     0    0   2    2   0      0
 *  16     2    2   2    0   0      0
 *  17     2    2   3    1   0      0
 *  18     3    3  11    8   0    100   max 11 again (a tie)
 *  19    11    7  11    0   4    100   max 11 again
 *
 * Sums over m0..m19: entrances 25, exits 20 (2 + 25 - 20 = 7, the current
 * count); starts 2+3+4+6+5+5+8+9+10+10+8+6+4+4+1+0+2+2+3+11 = 103.
 * Bands: 0 -> m0,14,15,16,17 = 5 min; 40 -> m1,2,3,4,11,12,13 = 7 min;
 * 80 -> m5,6,10 = 3 min; 100 -> m7,8,9,18,19 = 5 min. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/analytics.h"
#include "core/counts.h"
#include "core/history.h"
#include "core/tz.h"
#include "wire/tzdb.h"

#define MINUTE_MS INT64_C(60000)
#define HOUR_MS (60 * MINUTE_MS)
#define DAY_MS (24 * HOUR_MS)
#define T0_MS INT64_C(1705312800000) /* 2024-01-15T10:00:00Z */

/* Milliseconds of minute m of the fixture (negative: before it). */
#define AT(m) (T0_MS + (int64_t)(m) * MINUTE_MS)

/* --- the fixture ---------------------------------------------------------------------- */

struct fixture_row {
    int32_t start, min, max;
    uint32_t entrances, exits;
};

static const struct fixture_row fixture[20] = {
    { 2, 2, 3, 1, 0 },   { 3, 3, 4, 1, 0 },  { 4, 4, 6, 3, 1 },   { 6, 5, 6, 0, 1 },
    { 5, 5, 5, 0, 0 },   { 5, 5, 8, 3, 0 },  { 8, 7, 9, 2, 1 },   { 9, 9, 10, 1, 0 },
    { 10, 9, 11, 2, 2 }, { 10, 8, 10, 0, 2 }, { 8, 6, 8, 0, 2 },  { 6, 4, 6, 1, 3 },
    { 4, 4, 4, 0, 0 },   { 4, 1, 4, 0, 3 },  { 1, 0, 1, 0, 1 },   { 0, 0, 2, 2, 0 },
    { 2, 2, 2, 0, 0 },   { 2, 2, 3, 1, 0 },  { 3, 3, 11, 8, 0 },  { 11, 7, 11, 0, 4 },
};

/* Writes the fixture into a fresh history, m0 at first_ms. */
static void build_history(struct history *history, int64_t first_ms)
{
    history_init(history, 3 * 24 * 60);
    int64_t first_minute = first_ms / MINUTE_MS;
    for (int i = 0; i < 20; i++) {
        assert_non_null(history_extend(history, first_minute + i, fixture[i].start));
        struct minute_bucket *bucket = history_at_mut(history, first_minute + i);
        assert_non_null(bucket);
        bucket->start = fixture[i].start;
        bucket->min = fixture[i].min;
        bucket->max = fixture[i].max;
        bucket->entrances = fixture[i].entrances;
        bucket->exits = fixture[i].exits;
    }
}

/* Capacity 20, target 10; 1 person before the history, 7 now. */
static struct analytics_space fixture_space(const struct history *history)
{
    return (struct analytics_space){
        .history = history,
        .current_count = 7,
        .count_before_history = 1,
        .capacity = optional_int_of(20),
        .target_capacity = optional_int_of(10),
        .zone = NULL,
    };
}

static struct count_page run(const struct analytics_space *space, int64_t start_ms,
                             int64_t end_ms, enum analytics_interval interval, bool descending)
{
    struct analytics_query query = { .start_ms = start_ms, .end_ms = end_ms,
                                     .interval = interval, .descending = descending };
    struct count_page page;
    count_page_init(&page);
    assert_int_equal(analytics_counts(space, &query, &page), ANALYTICS_OK);
    assert_non_null(page.samples);
    assert_int_equal(page.total, (int64_t)page.sample_count);
    assert_null(page.next);
    assert_null(page.previous);
    assert_true(page.metrics.present);
    return page;
}

/* --- assertions ----------------------------------------------------------------------- */

/* Ratios such as 14/15 are compared to the same fraction written in the test,
 * with room for the last bit of rounding. */
static void assert_real(optional_real got, double expected, const char *what)
{
    if (!got.present)
        fail_msg("%s: absent, expected %.12g", what, expected);
    if (fabs(got.value - expected) > 1e-12 * fmax(1.0, fabs(expected)))
        fail_msg("%s: %.15g, expected %.15g", what, got.value, expected);
}

static void assert_absent(optional_real got, const char *what)
{
    if (got.present)
        fail_msg("%s: %.15g, expected absent", what, got.value);
}

static void assert_timed(const struct timed_value *got, double value, int64_t timestamp_ms,
                         const char *what)
{
    assert_real(got->value, value, what);
    assert_true(got->timestamp_present);
    if (got->timestamp_ms != timestamp_ms)
        fail_msg("%s: timestamp %lld, expected %lld (%+lld min)", what,
                 (long long)got->timestamp_ms, (long long)timestamp_ms,
                 (long long)((got->timestamp_ms - timestamp_ms) / MINUTE_MS));
}

struct expected_sample {
    int64_t start_ms;
    int64_t end_ms; /* inclusive */
    int64_t count, min, max, entrances, exits, events;
    double entry_rate, exit_rate;
};

/* Utilization is max / 20 and target_utilization max / 10 in every sample
 * of the fixture space; the tests that drop them check absence instead. */
static void assert_sample(const struct count_sample *got, const struct expected_sample *want,
                          size_t index, bool with_capacities)
{
    char what[64];
    snprintf(what, sizeof what, "sample %zu", index);
    if (got->timestamp_ms != want->start_ms || got->start_ms != want->start_ms)
        fail_msg("%s: starts at %lld, expected %lld", what, (long long)got->start_ms,
                 (long long)want->start_ms);
    if (got->end_ms != want->end_ms)
        fail_msg("%s: ends at %lld, expected %lld", what, (long long)got->end_ms,
                 (long long)want->end_ms);
    const struct count_analytics *a = &got->analytics;
    int64_t got_values[] = { got->count, a->min, a->max, a->entrances, a->exits, a->events };
    int64_t want_values[] = { want->count,     want->min,   want->max,
                              want->entrances, want->exits, want->events };
    static const char *const names[] = { "count", "min", "max", "entrances", "exits", "events" };
    for (size_t i = 0; i < sizeof got_values / sizeof got_values[0]; i++) {
        if (got_values[i] != want_values[i])
            fail_msg("%s: %s %lld, expected %lld", what, names[i], (long long)got_values[i],
                     (long long)want_values[i]);
    }
    assert_real(a->entry_rate, want->entry_rate, "entry_rate");
    assert_real(a->exit_rate, want->exit_rate, "exit_rate");
    if (with_capacities) {
        assert_real(a->utilization, (double)want->max / 20, "utilization");
        assert_real(a->target_utilization, (double)want->max / 10, "target_utilization");
    } else {
        assert_absent(a->utilization, "utilization");
        assert_absent(a->target_utilization, "target_utilization");
    }
}

static void assert_samples(const struct count_page *page, const struct expected_sample *want,
                           size_t count, bool with_capacities)
{
    assert_int_equal(page->sample_count, count);
    assert_int_equal(page->total, (int64_t)count);
    for (size_t i = 0; i < count; i++)
        assert_sample(&page->samples[i], &want[i], i, with_capacities);
}

static void assert_durations(const struct count_metrics *m, int64_t band0, int64_t band40,
                             int64_t band80, int64_t band100)
{
    const int64_t *d = m->target_utilization.duration_seconds;
    int64_t want[COUNT_DURATION_BANDS] = { band0, band40, band80, band100 };
    for (int band = 0; band < COUNT_DURATION_BANDS; band++) {
        if (d[band] != want[band])
            fail_msg("duration band %d %%: %lld s, expected %lld s",
                     count_duration_band_percent[band], (long long)d[band],
                     (long long)want[band]);
    }
}

/* Metrics of the fixture's own 20 minutes, whatever the interval: count
 * average 103 / 20 = 5.15; min 0 first at m14 (m15 also 0); max 11 first at
 * m8 (m18, m19 also 11); target utilization 5.15 / 10 = 0.515, 0 / 10 = 0,
 * 11 / 10 = 1.1; bands 5, 7, 3, 5 minutes = 300, 420, 180, 300 s. */
static void assert_fixture_count_metrics(const struct count_metrics *m)
{
    assert_int_equal(m->entrances.total.value, 25);
    assert_true(m->entrances.total.present);
    assert_int_equal(m->exits.total.value, 20);
    assert_true(m->exits.total.present);
    assert_real(m->count.average, 5.15, "count average");
    assert_timed(&m->count.min, 0, AT(14), "count min");
    assert_timed(&m->count.max, 11, AT(8), "count max");
    assert_real(m->target_utilization.average, 0.515, "target_utilization average");
    assert_real(m->target_utilization.min, 0.0, "target_utilization min");
    assert_real(m->target_utilization.max, 1.1, "target_utilization max");
    assert_durations(m, 300, 420, 180, 300);
}

/* --- intervals over the fixture's 20 minutes ------------------------------------------ */

/* 1m: one sample per fixture row; rates are the row's events per 1 minute;
 * events = entrances + exits.  Entrances average 25 / 20 = 1.25, peak 8 at
 * m18; exits average 20 / 20 = 1, peak 4 at m19. */
static void test_one_minute_samples(void **state)
{
    (void)state;
    static const struct expected_sample want[20] = {
        { AT(0), AT(1) - 1, 2, 2, 3, 1, 0, 1, 1.0, 0.0 },
        { AT(1), AT(2) - 1, 3, 3, 4, 1, 0, 1, 1.0, 0.0 },
        { AT(2), AT(3) - 1, 4, 4, 6, 3, 1, 4, 3.0, 1.0 },
        { AT(3), AT(4) - 1, 6, 5, 6, 0, 1, 1, 0.0, 1.0 },
        { AT(4), AT(5) - 1, 5, 5, 5, 0, 0, 0, 0.0, 0.0 },
        { AT(5), AT(6) - 1, 5, 5, 8, 3, 0, 3, 3.0, 0.0 },
        { AT(6), AT(7) - 1, 8, 7, 9, 2, 1, 3, 2.0, 1.0 },
        { AT(7), AT(8) - 1, 9, 9, 10, 1, 0, 1, 1.0, 0.0 },
        { AT(8), AT(9) - 1, 10, 9, 11, 2, 2, 4, 2.0, 2.0 },
        { AT(9), AT(10) - 1, 10, 8, 10, 0, 2, 2, 0.0, 2.0 },
        { AT(10), AT(11) - 1, 8, 6, 8, 0, 2, 2, 0.0, 2.0 },
        { AT(11), AT(12) - 1, 6, 4, 6, 1, 3, 4, 1.0, 3.0 },
        { AT(12), AT(13) - 1, 4, 4, 4, 0, 0, 0, 0.0, 0.0 },
        { AT(13), AT(14) - 1, 4, 1, 4, 0, 3, 3, 0.0, 3.0 },
        { AT(14), AT(15) - 1, 1, 0, 1, 0, 1, 1, 0.0, 1.0 },
        { AT(15), AT(16) - 1, 0, 0, 2, 2, 0, 2, 2.0, 0.0 },
        { AT(16), AT(17) - 1, 2, 2, 2, 0, 0, 0, 0.0, 0.0 },
        { AT(17), AT(18) - 1, 2, 2, 3, 1, 0, 1, 1.0, 0.0 },
        { AT(18), AT(19) - 1, 3, 3, 11, 8, 0, 8, 8.0, 0.0 },
        { AT(19), AT(20) - 1, 11, 7, 11, 0, 4, 4, 0.0, 4.0 },
    };
    struct history history;
    build_history(&history, T0_MS);
    struct analytics_space space = fixture_space(&history);
    struct count_page page = run(&space, AT(0), AT(20), ANALYTICS_1M, false);

    assert_samples(&page, want, 20, true);
    const struct count_metrics *m = &page.metrics;
    assert_real(m->entrances.average, 1.25, "entrances average");
    assert_timed(&m->entrances.peak, 8, AT(18), "entrances peak");
    assert_real(m->exits.average, 1.0, "exits average");
    assert_timed(&m->exits.peak, 4, AT(19), "exits peak");
    assert_fixture_count_metrics(m);

    count_page_clear(&page);
    history_free(&history);
}

/* 5m: four samples of five minutes.
 *   S0 m0-4:   count 2; min(2,3,4,5,5) = 2; max(3,4,6,6,5) = 6;
 *              ent 1+1+3+0+0 = 5; exit 0+0+1+1+0 = 2; rates 5/5, 2/5.
 *   S1 m5-9:   count 5; min(5,7,9,9,8) = 5; max(8,9,10,11,10) = 11;
 *              ent 3+2+1+2+0 = 8; exit 0+1+0+2+2 = 5; rates 8/5, 5/5.
 *   S2 m10-14: count 8; min(6,4,4,1,0) = 0; max(8,6,4,4,1) = 8;
 *              ent 0+1+0+0+0 = 1; exit 2+3+0+3+1 = 9; rates 1/5, 9/5.
 *   S3 m15-19: count 0; min(0,2,2,3,7) = 0; max(2,2,3,11,11) = 11;
 *              ent 2+0+1+8+0 = 11; exit 0+0+0+0+4 = 4; rates 11/5, 4/5.
 * Entrances 25, average 25 / 4 = 6.25, peak 11 at S3 (m15); exits 20,
 * average 5, peak 9 at S2 (m10). */
static const struct expected_sample five_minute_samples[4] = {
    { AT(0), AT(5) - 1, 2, 2, 6, 5, 2, 7, 1.0, 0.4 },
    { AT(5), AT(10) - 1, 5, 5, 11, 8, 5, 13, 1.6, 1.0 },
    { AT(10), AT(15) - 1, 8, 0, 8, 1, 9, 10, 0.2, 1.8 },
    { AT(15), AT(20) - 1, 0, 0, 11, 11, 4, 15, 2.2, 0.8 },
};

static void assert_five_minute_traffic(const struct count_metrics *m)
{
    assert_real(m->entrances.average, 6.25, "entrances average");
    assert_timed(&m->entrances.peak, 11, AT(15), "entrances peak");
    assert_real(m->exits.average, 5.0, "exits average");
    assert_timed(&m->exits.peak, 9, AT(10), "exits peak");
}

static void test_five_minute_samples(void **state)
{
    (void)state;
    struct history history;
    build_history(&history, T0_MS);
    struct analytics_space space = fixture_space(&history);
    struct count_page page = run(&space, AT(0), AT(20), ANALYTICS_5M, false);

    assert_samples(&page, five_minute_samples, 4, true);
    assert_five_minute_traffic(&page.metrics);
    assert_fixture_count_metrics(&page.metrics);

    count_page_clear(&page);
    history_free(&history);
}

/* Descending: the same samples, newest first; the metrics do not depend on
 * the order (peaks keep the chronologically first sample). */
static void test_descending_order(void **state)
{
    (void)state;
    const struct expected_sample want[4] = {
        five_minute_samples[3], five_minute_samples[2], five_minute_samples[1],
        five_minute_samples[0],
    };
    struct history history;
    build_history(&history, T0_MS);
    struct analytics_space space = fixture_space(&history);
    struct count_page page = run(&space, AT(0), AT(20), ANALYTICS_5M, true);

    assert_samples(&page, want, 4, true);
    assert_five_minute_traffic(&page.metrics);
    assert_fixture_count_metrics(&page.metrics);

    count_page_clear(&page);
    history_free(&history);
}

/* 15m over 20 minutes: the last interval is cut to 5 minutes.
 *   S0 m0-14:  count 2; min over the mins of m0..14 = 0 (m14);
 *              max over the maxes = 11 (m8); ent 5+8+1 = 14,
 *              exit 2+5+9 = 16 (the 5m sums); rates 14/15, 16/15.
 *   S1 m15-19: the 5m S3 again, ending at T0+20m-1ms; rates 11/5, 4/5.
 * Entrances average 25 / 2 = 12.5, peak 14 at m0; exits average 10, peak
 * 16 at m0. */
static void test_fifteen_minutes_partial_last(void **state)
{
    (void)state;
    const struct expected_sample want[2] = {
        { AT(0), AT(15) - 1, 2, 0, 11, 14, 16, 30, 14.0 / 15, 16.0 / 15 },
        { AT(15), AT(20) - 1, 0, 0, 11, 11, 4, 15, 2.2, 0.8 },
    };
    struct history history;
    build_history(&history, T0_MS);
    struct analytics_space space = fixture_space(&history);
    struct count_page page = run(&space, AT(0), AT(20), ANALYTICS_15M, false);

    assert_samples(&page, want, 2, true);
    const struct count_metrics *m = &page.metrics;
    assert_real(m->entrances.average, 12.5, "entrances average");
    assert_timed(&m->entrances.peak, 14, AT(0), "entrances peak");
    assert_real(m->exits.average, 10.0, "exits average");
    assert_timed(&m->exits.peak, 16, AT(0), "exits peak");
    assert_fixture_count_metrics(m);

    count_page_clear(&page);
    history_free(&history);
}

/* Without capacity and target: no utilization anywhere, target utilization
 * metrics absent, and every duration zero (not "not given").  A zero or
 * negative capacity is no capacity either. */
static void test_no_capacity_no_target(void **state)
{
    (void)state;
    struct history history;
    build_history(&history, T0_MS);
    struct analytics_space space = fixture_space(&history);
    const optional_int none[] = { { false, 0 }, { true, 0 }, { true, -5 } };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        space.capacity = none[i];
        space.target_capacity = none[i];
        struct count_page page = run(&space, AT(0), AT(20), ANALYTICS_5M, false);
        assert_samples(&page, five_minute_samples, 4, false);
        const struct count_metrics *m = &page.metrics;
        assert_real(m->count.average, 5.15, "count average");
        assert_absent(m->target_utilization.average, "target_utilization average");
        assert_absent(m->target_utilization.min, "target_utilization min");
        assert_absent(m->target_utilization.max, "target_utilization max");
        assert_durations(m, 0, 0, 0, 0);
        count_page_clear(&page);
    }
    history_free(&history);
}

/* Capacity without target and target without capacity are independent. */
static void test_capacity_and_target_independent(void **state)
{
    (void)state;
    struct history history;
    build_history(&history, T0_MS);
    struct analytics_space space = fixture_space(&history);

    space.target_capacity = (optional_int){ false, 0 };
    struct count_page page = run(&space, AT(0), AT(5), ANALYTICS_5M, false);
    /* S0 max 6: utilization 6 / 20 = 0.3, no target utilization. */
    assert_real(page.samples[0].analytics.utilization, 0.3, "utilization");
    assert_absent(page.samples[0].analytics.target_utilization, "target_utilization");
    assert_durations(&page.metrics, 0, 0, 0, 0);
    count_page_clear(&page);

    space.capacity = (optional_int){ false, 0 };
    space.target_capacity = optional_int_of(8);
    page = run(&space, AT(0), AT(5), ANALYTICS_5M, false);
    /* Target 8: S0 max 6 -> 6 / 8 = 0.75.  Bands of m0..4 (max 3,4,6,6,5;
     * 40 % = 3.2, 80 % = 6.4): 3 -> 0; 4, 6, 6, 5 -> 40.  Count average
     * (2+3+4+6+5) / 5 = 4 -> 4 / 8 = 0.5; min 2 -> 0.25; max 6 -> 0.75. */
    assert_absent(page.samples[0].analytics.utilization, "utilization");
    assert_real(page.samples[0].analytics.target_utilization, 0.75, "target_utilization");
    assert_durations(&page.metrics, 60, 240, 0, 0);
    assert_real(page.metrics.target_utilization.average, 0.5, "target average");
    assert_real(page.metrics.target_utilization.min, 0.25, "target min");
    assert_real(page.metrics.target_utilization.max, 0.75, "target max");
    count_page_clear(&page);
    history_free(&history);
}

/* Ties, whichever the order of the samples:
 *   m7..m10 at 1m: exits 0, 2, 2, 2 -> peak 2 at m8, the first of the tie;
 *     entrances 1, 2, 0, 0 -> 2 at m8; totals 3 and 6, averages 3 / 4 =
 *     0.75 and 6 / 4 = 1.5; count maxes 10, 11, 10, 8 -> 11 at m8; mins
 *     9, 9, 8, 6 -> 6 at m10.
 *   m0..m1 at 1m: entrances 1, 1 -> peak 1 at m0; exits 0, 0 -> 0 at m0;
 *     count mins 2, 3 -> 2 at m0; maxes 3, 4 -> 4 at m1. */
static void test_peaks_first_on_ties(void **state)
{
    (void)state;
    struct history history;
    build_history(&history, T0_MS);
    struct analytics_space space = fixture_space(&history);
    for (int descending = 0; descending <= 1; descending++) {
        struct count_page page = run(&space, AT(7), AT(11), ANALYTICS_1M, descending);
        const struct count_metrics *m = &page.metrics;
        assert_timed(&m->exits.peak, 2, AT(8), "exits peak");
        assert_timed(&m->entrances.peak, 2, AT(8), "entrances peak");
        assert_real(m->entrances.average, 0.75, "entrances average");
        assert_real(m->exits.average, 1.5, "exits average");
        assert_timed(&m->count.max, 11, AT(8), "count max");
        assert_timed(&m->count.min, 6, AT(10), "count min");
        assert_int_equal(page.samples[0].start_ms, descending ? AT(10) : AT(7));
        count_page_clear(&page);

        page = run(&space, AT(0), AT(2), ANALYTICS_1M, descending);
        m = &page.metrics;
        assert_timed(&m->entrances.peak, 1, AT(0), "entrances peak");
        assert_timed(&m->exits.peak, 0, AT(0), "exits peak");
        assert_timed(&m->count.min, 2, AT(0), "count min");
        assert_timed(&m->count.max, 4, AT(1), "count max");
        count_page_clear(&page);
    }
    history_free(&history);
}

/* --- windows beyond the history --------------------------------------------------- */

/* 5m from m-3 to m23: m-3..m-1 count 1 (count_before_history) with no
 * events; m20..m22 carry the current count 7.
 *   S0 m-3..1:  count 1; min(1,1,1,2,3) = 1; max(1,1,1,3,4) = 4;
 *               ent 0+0+0+1+1 = 2; exit 0; rates 2/5 = 0.4, 0.
 *   S1 m2..6:   count 4; min(4,5,5,5,7) = 4; max(6,6,5,8,9) = 9;
 *               ent 3+0+0+3+2 = 8; exit 1+1+0+0+1 = 3; rates 1.6, 0.6.
 *   S2 m7..11:  count 9; min(9,9,8,6,4) = 4; max(10,11,10,8,6) = 11;
 *               ent 1+2+0+0+1 = 4; exit 0+2+2+2+3 = 9; rates 0.8, 1.8.
 *   S3 m12..16: count 4; min(4,1,0,0,2) = 0; max(4,4,1,2,2) = 4;
 *               ent 0+0+0+2+0 = 2; exit 0+3+1+0+0 = 4; rates 0.4, 0.8.
 *   S4 m17..21: count 2; min(2,3,7,7,7) = 2; max(3,11,11,7,7) = 11;
 *               ent 1+8+0+0+0 = 9; exit 0+0+4+0+0 = 4; rates 1.8, 0.8.
 *   S5 m22:     one minute, ends at m23 - 1 ms: count 7, min 7, max 7,
 *               no events, rates 0.
 * Entrances 25, average 25 / 6, peak 9 at S4 (m17); exits 20, average
 * 20 / 6, peak 9 at S2 (m7).  Count: 26 minutes, sum 3×1 + 103 + 3×7 = 127,
 * average 127 / 26; min 0 at m14; max 11 at m8; target average 12.7 / 26.
 * Bands: the fixture's 5, 7, 3, 5 plus m-3..-1 (max 1) in 0 and m20..22
 * (max 7, 70 %) in 40: 8, 10, 3, 5 minutes. */
static void test_window_beyond_history(void **state)
{
    (void)state;
    const struct expected_sample want[6] = {
        { AT(-3), AT(2) - 1, 1, 1, 4, 2, 0, 2, 0.4, 0.0 },
        { AT(2), AT(7) - 1, 4, 4, 9, 8, 3, 11, 1.6, 0.6 },
        { AT(7), AT(12) - 1, 9, 4, 11, 4, 9, 13, 0.8, 1.8 },
        { AT(12), AT(17) - 1, 4, 0, 4, 2, 4, 6, 0.4, 0.8 },
        { AT(17), AT(22) - 1, 2, 2, 11, 9, 4, 13, 1.8, 0.8 },
        { AT(22), AT(23) - 1, 7, 7, 7, 0, 0, 0, 0.0, 0.0 },
    };
    struct history history;
    build_history(&history, T0_MS);
    struct analytics_space space = fixture_space(&history);
    struct count_page page = run(&space, AT(-3), AT(23), ANALYTICS_5M, false);

    assert_samples(&page, want, 6, true);
    const struct count_metrics *m = &page.metrics;
    assert_int_equal(m->entrances.total.value, 25);
    assert_int_equal(m->exits.total.value, 20);
    assert_real(m->entrances.average, 25.0 / 6, "entrances average");
    assert_timed(&m->entrances.peak, 9, AT(17), "entrances peak");
    assert_real(m->exits.average, 20.0 / 6, "exits average");
    assert_timed(&m->exits.peak, 9, AT(7), "exits peak");
    assert_real(m->count.average, 127.0 / 26, "count average");
    assert_timed(&m->count.min, 0, AT(14), "count min");
    assert_timed(&m->count.max, 11, AT(8), "count max");
    assert_real(m->target_utilization.average, 12.7 / 26, "target average");
    assert_real(m->target_utilization.min, 0.0, "target min");
    assert_real(m->target_utilization.max, 1.1, "target max");
    assert_durations(m, 480, 600, 180, 300);

    count_page_clear(&page);
    history_free(&history);
}

/* Before history the count is count_before_history, which may well be the
 * window's minimum: count_before_history 0 makes m-3 the first minute with
 * count 0 (m14 is later), and S0's count and min 0. */
static void test_before_history_can_be_the_minimum(void **state)
{
    (void)state;
    struct history history;
    build_history(&history, T0_MS);
    struct analytics_space space = fixture_space(&history);
    space.count_before_history = 0;
    struct count_page page = run(&space, AT(-3), AT(23), ANALYTICS_5M, false);
    assert_int_equal(page.samples[0].count, 0);
    assert_int_equal(page.samples[0].analytics.min, 0);
    assert_timed(&page.metrics.count.min, 0, AT(-3), "count min");
    /* Sum 3×0 + 103 + 3×7 = 124 over 26 minutes. */
    assert_real(page.metrics.count.average, 124.0 / 26, "count average");
    count_page_clear(&page);
    history_free(&history);
}

/* An empty history: every minute carries the current count (3), nothing
 * happened.  5m over 10 minutes: two samples of count, min and max 3. */
static void test_empty_history(void **state)
{
    (void)state;
    struct history history;
    history_init(&history, 60);
    struct analytics_space space = fixture_space(&history);
    space.current_count = 3;
    const struct expected_sample want[2] = {
        { AT(0), AT(5) - 1, 3, 3, 3, 0, 0, 0, 0.0, 0.0 },
        { AT(5), AT(10) - 1, 3, 3, 3, 0, 0, 0, 0.0, 0.0 },
    };
    struct count_page page = run(&space, AT(0), AT(10), ANALYTICS_5M, false);
    assert_samples(&page, want, 2, true);
    assert_real(page.metrics.count.average, 3.0, "count average");
    assert_timed(&page.metrics.count.min, 3, AT(0), "count min");
    assert_timed(&page.metrics.entrances.peak, 0, AT(0), "entrances peak");
    /* 3 of target 10 is 30 %: all ten minutes in band 0. */
    assert_durations(&page.metrics, 600, 0, 0, 0);
    count_page_clear(&page);
    history_free(&history);
}

/* Carried counts get history's range: a negative current count (which the
 * engine never produces) is 0, like a bucket's. */
static void test_carried_count_clamped(void **state)
{
    (void)state;
    struct history history;
    history_init(&history, 60);
    struct analytics_space space = fixture_space(&history);
    space.current_count = -2;
    struct count_page page = run(&space, AT(0), AT(1), ANALYTICS_1M, false);
    assert_int_equal(page.samples[0].count, 0);
    assert_int_equal(page.samples[0].analytics.min, 0);
    assert_real(page.metrics.count.average, 0.0, "count average");
    count_page_clear(&page);
    history_free(&history);
}

/* --- windows not aligned to minutes ------------------------------------------------- */

/* 5m from T0+30s to T0+10m20s: samples start at T0+30s and T0+5m30s.  A
 * sample's minutes run from floor(its start) to the minute before the next
 * sample's; the last takes every minute starting before end_time (m10
 * starts at 10:00 < 10:20).
 *   S0 m0..4  (5 min): the 5m S0 -> count 2, min 2, max 6, ent 5, exit 2,
 *             rates 1, 0.4; ends at T0+5m30s-1ms.
 *   S1 m5..10 (6 min): count 5; min(5,7,9,9,8,6) = 5;
 *             max(8,9,10,11,10,8) = 11; ent 3+2+1+2+0+0 = 8;
 *             exit 0+1+0+2+2+2 = 7; rates 8/6, 7/6; ends at end_time-1ms.
 * Count over m0..10: starts sum 2+3+4+6+5+5+8+9+10+10+8 = 70, average
 * 70 / 11; min 2 first at m0, stamped with m0's start (T0, before
 * start_time: the minute is what history knows); max 11 at m8. */
static void test_window_not_aligned_to_minutes(void **state)
{
    (void)state;
    int64_t start = AT(0) + 30000, end = AT(10) + 20000;
    const struct expected_sample want[2] = {
        { start, start + 5 * MINUTE_MS - 1, 2, 2, 6, 5, 2, 7, 1.0, 0.4 },
        { start + 5 * MINUTE_MS, end - 1, 5, 5, 11, 8, 7, 15, 8.0 / 6, 7.0 / 6 },
    };
    struct history history;
    build_history(&history, T0_MS);
    struct analytics_space space = fixture_space(&history);
    struct count_page page = run(&space, start, end, ANALYTICS_5M, false);

    assert_samples(&page, want, 2, true);
    const struct count_metrics *m = &page.metrics;
    assert_int_equal(m->entrances.total.value, 13);
    assert_int_equal(m->exits.total.value, 9);
    assert_real(m->count.average, 70.0 / 11, "count average");
    assert_timed(&m->count.min, 2, AT(0), "count min");
    assert_timed(&m->count.max, 11, AT(8), "count max");

    count_page_clear(&page);
    history_free(&history);
}

/* A window shorter than a minute, inside m8: one sample of one minute. */
static void test_window_inside_one_minute(void **state)
{
    (void)state;
    struct history history;
    build_history(&history, T0_MS);
    struct analytics_space space = fixture_space(&history);
    const struct expected_sample want[1] = {
        { AT(8) + 1000, AT(8) + 1999, 10, 9, 11, 2, 2, 4, 2.0, 2.0 },
    };
    struct count_page page = run(&space, AT(8) + 1000, AT(8) + 2000, ANALYTICS_1H, false);
    assert_samples(&page, want, 1, true);
    assert_real(page.metrics.count.average, 10.0, "count average");
    count_page_clear(&page);
    history_free(&history);
}

/* --- hours and days in UTC ------------------------------------------------------------ */

/* 1h from m-30 to m90: S0 = m-30..29, S1 = m30..89.
 *   S0: m-30..-1 count 1 (30 min), the fixture, m20..29 carried 7
 *       (10 min): count 1; min 0; max 11; ent 25; exit 20; events 45;
 *       rates 25/60, 20/60.
 *   S1: carried 7 for 60 min: count, min, max 7; no events; rates 0.
 * Count: 120 minutes, sum 30×1 + 103 + 70×7 = 623, average 623 / 120.
 * Entrances average 12.5, peak 25 at m-30 (S1 has 0); exits 10, peak 20.
 * Bands: 0 -> 30 + 5 = 35 min; 40 -> 7 + 70 (max 7) = 77; 80 -> 3;
 * 100 -> 5: 2100, 4620, 180, 300 s. */
static void test_one_hour(void **state)
{
    (void)state;
    const struct expected_sample want[2] = {
        { AT(-30), AT(30) - 1, 1, 0, 11, 25, 20, 45, 25.0 / 60, 20.0 / 60 },
        { AT(30), AT(90) - 1, 7, 7, 7, 0, 0, 0, 0.0, 0.0 },
    };
    struct history history;
    build_history(&history, T0_MS);
    struct analytics_space space = fixture_space(&history);
    struct count_page page = run(&space, AT(-30), AT(90), ANALYTICS_1H, false);

    assert_samples(&page, want, 2, true);
    const struct count_metrics *m = &page.metrics;
    assert_real(m->entrances.average, 12.5, "entrances average");
    assert_timed(&m->entrances.peak, 25, AT(-30), "entrances peak");
    assert_timed(&m->exits.peak, 20, AT(-30), "exits peak");
    assert_real(m->count.average, 623.0 / 120, "count average");
    assert_durations(m, 2100, 4620, 180, 300);

    count_page_clear(&page);
    history_free(&history);
}

/* 1d in UTC from 2024-01-15T08:00Z (m-120) to 2024-01-16T06:00Z:
 *   S0 [01-15 08:00, 01-16 00:00), clipped to 960 minutes: m-120..-1
 *      count 1 (120 min), the fixture (20), 820 min carried 7:
 *      count 1, min 0, max 11, ent 25, exit 20; rates 25/960, 20/960 (the
 *      clipped day's own minutes, not 1440).
 *   S1 [01-16 00:00, 06:00), 360 min carried 7.
 * Count: 1320 minutes, sum 120 + 103 + 820×7 + 360×7 = 8483. */
static const int64_t day_start_ms = T0_MS - 2 * HOUR_MS;
static const int64_t next_midnight_ms = T0_MS + 14 * HOUR_MS; /* 2024-01-16T00:00Z */
static const int64_t day_end_ms = T0_MS + 20 * HOUR_MS;

static void assert_utc_days(const struct count_page *page)
{
    const struct expected_sample want[2] = {
        { day_start_ms, next_midnight_ms - 1, 1, 0, 11, 25, 20, 45, 25.0 / 960, 20.0 / 960 },
        { next_midnight_ms, day_end_ms - 1, 7, 7, 7, 0, 0, 0, 0.0, 0.0 },
    };
    assert_samples(page, want, 2, true);
    assert_real(page->metrics.count.average, 8483.0 / 1320, "count average");
    assert_timed(&page->metrics.entrances.peak, 25, day_start_ms, "entrances peak");
    assert_real(page->metrics.entrances.average, 12.5, "entrances average");
}

static void test_one_day_utc(void **state)
{
    (void)state;
    struct history history;
    build_history(&history, T0_MS);
    struct analytics_space space = fixture_space(&history);
    struct count_page page = run(&space, day_start_ms, day_end_ms, ANALYTICS_1D, false);
    assert_utc_days(&page);
    count_page_clear(&page);
    history_free(&history);
}

/* A window of exactly one UTC day, midnight to midnight, is one sample of
 * 1440 minutes (no empty sample at the closing midnight): 600 minutes
 * count 1, the fixture, 820 carried 7: count 1, min 0, max 11, ent 25,
 * exit 20; rates 25/1440, 20/1440. */
static void test_exactly_one_day_utc(void **state)
{
    (void)state;
    int64_t midnight = T0_MS - 10 * HOUR_MS;
    const struct expected_sample want[1] = {
        { midnight, midnight + DAY_MS - 1, 1, 0, 11, 25, 20, 45, 25.0 / 1440, 20.0 / 1440 },
    };
    struct history history;
    build_history(&history, T0_MS);
    struct analytics_space space = fixture_space(&history);
    struct count_page page = run(&space, midnight, midnight + DAY_MS, ANALYTICS_1D, false);
    assert_samples(&page, want, 1, true);
    count_page_clear(&page);
    history_free(&history);
}

/* The same through a UTC zone object instead of the NULL default. */
static void test_one_day_utc_zone(void **state)
{
    (void)state;
    struct history history;
    build_history(&history, T0_MS);
    struct analytics_space space = fixture_space(&history);
    struct tz_zone *utc = tz_utc();
    assert_non_null(utc);
    space.zone = utc;
    struct count_page page = run(&space, day_start_ms, day_end_ms, ANALYTICS_1D, false);
    assert_utc_days(&page);
    count_page_clear(&page);
    tz_free(utc);
    history_free(&history);
}

/* 1w in UTC from Wednesday 2024-01-10 to Wednesday 2024-01-24: weeks start
 * on Mondays, 01-15 (T0's day) and 01-22.
 *   S0 [01-10, 01-15): 5 days = 7200 min before history: count 1, no events.
 *   S1 [01-15, 01-22): 10080 min: count 1 (00:00 is before history), min 0,
 *      max 11, ent 25, exit 20; rates 25/10080, 20/10080.
 *   S2 [01-22, 01-24): 2880 min carried 7. */
static void test_one_week_utc(void **state)
{
    (void)state;
    int64_t monday = T0_MS - 10 * HOUR_MS; /* 2024-01-15T00:00Z */
    const struct expected_sample want[3] = {
        { monday - 5 * DAY_MS, monday - 1, 1, 1, 1, 0, 0, 0, 0.0, 0.0 },
        { monday, monday + 7 * DAY_MS - 1, 1, 0, 11, 25, 20, 45, 25.0 / 10080, 20.0 / 10080 },
        { monday + 7 * DAY_MS, monday + 9 * DAY_MS - 1, 7, 7, 7, 0, 0, 0, 0.0, 0.0 },
    };
    struct history history;
    build_history(&history, T0_MS);
    struct analytics_space space = fixture_space(&history);
    struct count_page page =
        run(&space, monday - 5 * DAY_MS, monday + 9 * DAY_MS, ANALYTICS_1W, false);
    assert_samples(&page, want, 3, true);
    assert_timed(&page.metrics.entrances.peak, 25, monday, "entrances peak");
    count_page_clear(&page);
    history_free(&history);
}

/* --- days and weeks across a DST change (America/New_York) -------------------------- */

/* 2024-03-10: EST (UTC-5) until 02:00 local = 07:00Z, then EDT (UTC-4), so
 * local midnights are 05:00Z up to 03-10 and 04:00Z from 03-11, and 03-10
 * lasts 23 hours = 1380 minutes.  The fixture sits at 2024-03-10T12:00Z,
 * 420 minutes after that day's midnight (05:00Z). */
#define DST_FIXTURE_MS INT64_C(1710072000000) /* 2024-03-10T12:00:00Z */
#define MAR(day, hour_utc) \
    (DST_FIXTURE_MS + ((int64_t)(day) - 10) * DAY_MS + ((int64_t)(hour_utc) - 12) * HOUR_MS)

struct zone_fixture {
    struct tzdb *db;
    const struct tz_zone *zone;
};

static int load_new_york(void **state)
{
    static struct zone_fixture fixture_zone;
    char error[256] = "";
    fixture_zone.db = tzdb_new(NULL);
    if (!fixture_zone.db) {
        fprintf(stderr, "tzdb_new failed\n");
        return -1;
    }
    fixture_zone.zone = tzdb_get(fixture_zone.db, "America/New_York", error, sizeof error);
    if (!fixture_zone.zone) {
        fprintf(stderr, "America/New_York: %s\n", error);
        tzdb_free(fixture_zone.db);
        return -1;
    }
    *state = &fixture_zone;
    return 0;
}

static int free_new_york(void **state)
{
    struct zone_fixture *fixture_zone = *state;
    tzdb_free(fixture_zone->db);
    return 0;
}

/* 1d from 03-09 17:00Z (noon EST) to 03-12 04:00Z:
 *   S0 [03-09 17:00Z, 03-10 05:00Z): clipped, 720 min before history:
 *      count 1, no events.
 *   S1 [03-10 05:00Z, 03-11 04:00Z): the 23-hour day, 1380 min: 420 min
 *      count 1, the fixture, 940 min carried 7: count 1, min 0, max 11,
 *      ent 25, exit 20; rates 25/1380, 20/1380.
 *   S2 [03-11 04:00Z, 03-12 04:00Z): 1440 min carried 7.
 * Count: 3540 minutes, sum 720 + 420 + 103 + 940×7 + 1440×7 = 17903. */
static void test_one_day_across_dst(void **state)
{
    const struct zone_fixture *zone = *state;
    const struct expected_sample want[3] = {
        { MAR(9, 17), MAR(10, 5) - 1, 1, 1, 1, 0, 0, 0, 0.0, 0.0 },
        { MAR(10, 5), MAR(11, 4) - 1, 1, 0, 11, 25, 20, 45, 25.0 / 1380, 20.0 / 1380 },
        { MAR(11, 4), MAR(12, 4) - 1, 7, 7, 7, 0, 0, 0, 0.0, 0.0 },
    };
    struct history history;
    build_history(&history, DST_FIXTURE_MS);
    struct analytics_space space = fixture_space(&history);
    space.zone = zone->zone;
    struct count_page page = run(&space, MAR(9, 17), MAR(12, 4), ANALYTICS_1D, false);
    assert_samples(&page, want, 3, true);
    assert_real(page.metrics.count.average, 17903.0 / 3540, "count average");
    assert_timed(&page.metrics.entrances.peak, 25, MAR(10, 5), "entrances peak");
    assert_timed(&page.metrics.count.min, 0, DST_FIXTURE_MS + 14 * MINUTE_MS, "count min");
    count_page_clear(&page);
    history_free(&history);
}

/* 1w from Friday 03-01 05:00Z (midnight EST) to Wednesday 03-13 04:00Z;
 * weeks start on Monday local midnight: 03-04 05:00Z (EST) and 03-11
 * 04:00Z (EDT), so the week of the change is 7×24 - 1 = 167 hours.
 *   S0 [03-01 05:00Z, 03-04 05:00Z): 3 days = 4320 min, count 1.
 *   S1 [03-04 05:00Z, 03-11 04:00Z): 10020 min: count 1, min 0, max 11,
 *      ent 25, exit 20; rates 25/10020, 20/10020.
 *   S2 [03-11 04:00Z, 03-13 04:00Z): 2880 min carried 7. */
static void test_one_week_across_dst(void **state)
{
    const struct zone_fixture *zone = *state;
    const struct expected_sample want[3] = {
        { MAR(1, 5), MAR(4, 5) - 1, 1, 1, 1, 0, 0, 0, 0.0, 0.0 },
        { MAR(4, 5), MAR(11, 4) - 1, 1, 0, 11, 25, 20, 45, 25.0 / 10020, 20.0 / 10020 },
        { MAR(11, 4), MAR(13, 4) - 1, 7, 7, 7, 0, 0, 0, 0.0, 0.0 },
    };
    struct history history;
    build_history(&history, DST_FIXTURE_MS);
    struct analytics_space space = fixture_space(&history);
    space.zone = zone->zone;
    struct count_page page = run(&space, MAR(1, 5), MAR(13, 4), ANALYTICS_1W, false);
    assert_samples(&page, want, 3, true);
    count_page_clear(&page);
    history_free(&history);
}

/* --- refusals ----------------------------------------------------------------------- */

static enum analytics_status counts_status(const struct analytics_space *space, int64_t start_ms,
                                           int64_t end_ms, enum analytics_interval interval,
                                           size_t max_samples, struct count_page *page)
{
    struct analytics_query query = { .start_ms = start_ms, .end_ms = end_ms,
                                     .interval = interval, .max_samples = max_samples };
    return analytics_counts(space, &query, page);
}

/* A day at 1m is 1440 samples: 1439 is too few, 1440 enough.  A refusal
 * leaves the page empty (the previous answer is cleared, not leaked). */
static void test_too_many_samples(void **state)
{
    (void)state;
    struct history history;
    build_history(&history, T0_MS);
    struct analytics_space space = fixture_space(&history);
    struct count_page page;
    count_page_init(&page);

    assert_int_equal(counts_status(&space, AT(0), AT(1440), ANALYTICS_1M, 1440, &page),
                     ANALYTICS_OK);
    assert_int_equal(page.sample_count, 1440);
    assert_int_equal(counts_status(&space, AT(0), AT(1440), ANALYTICS_1M, 1439, &page),
                     ANALYTICS_TOO_MANY);
    assert_null(page.samples);
    assert_int_equal(page.sample_count, 0);
    assert_int_equal(page.total, 0);
    assert_false(page.metrics.present);

    /* One millisecond more than 1440 minutes needs a 1441st sample. */
    assert_int_equal(counts_status(&space, AT(0), AT(1440) + 1, ANALYTICS_1M, 1440, &page),
                     ANALYTICS_TOO_MANY);
    /* 15m over 20 minutes is two samples (a partial one counts). */
    assert_int_equal(counts_status(&space, AT(0), AT(20), ANALYTICS_15M, 1, &page),
                     ANALYTICS_TOO_MANY);
    assert_int_equal(counts_status(&space, AT(0), AT(20), ANALYTICS_15M, 2, &page),
                     ANALYTICS_OK);
    /* Days: the UTC window of test_one_day_utc has two. */
    assert_int_equal(counts_status(&space, day_start_ms, day_end_ms, ANALYTICS_1D, 1, &page),
                     ANALYTICS_TOO_MANY);
    assert_int_equal(counts_status(&space, day_start_ms, day_end_ms, ANALYTICS_1D, 2, &page),
                     ANALYTICS_OK);
    /* 300,000 years of 1m samples are refused without allocating them, and
     * a century of days is counted only up to the bound. */
    assert_int_equal(counts_status(&space, -INT64_C(100000) * 365 * DAY_MS,
                                   INT64_C(200000) * 365 * DAY_MS, ANALYTICS_1M, 1000, &page),
                     ANALYTICS_TOO_MANY);
    assert_int_equal(counts_status(&space, AT(0), AT(0) + 36500 * DAY_MS, ANALYTICS_1D, 10,
                                   &page),
                     ANALYTICS_TOO_MANY);
    assert_null(page.samples);

    count_page_clear(&page);
    history_free(&history);
}

static void test_empty_window(void **state)
{
    (void)state;
    struct history history;
    build_history(&history, T0_MS);
    struct analytics_space space = fixture_space(&history);
    struct count_page page;
    count_page_init(&page);
    assert_int_equal(counts_status(&space, AT(5), AT(5), ANALYTICS_1M, 0, &page),
                     ANALYTICS_EMPTY_WINDOW);
    assert_int_equal(counts_status(&space, AT(5), AT(4), ANALYTICS_1D, 0, &page),
                     ANALYTICS_EMPTY_WINDOW);
    assert_null(page.samples);
    assert_int_equal(page.sample_count, 0);
    /* One millisecond is a window. */
    assert_int_equal(counts_status(&space, AT(5), AT(5) + 1, ANALYTICS_1W, 0, &page),
                     ANALYTICS_OK);
    assert_int_equal(page.sample_count, 1);
    count_page_clear(&page);
    history_free(&history);
}

/* --- interval parameter --------------------------------------------------------------- */

static void test_interval_parse(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        enum analytics_interval interval;
    } good[] = {
        { "1m", ANALYTICS_1M },     { "60s", ANALYTICS_1M },     { "5m", ANALYTICS_5M },
        { "300s", ANALYTICS_5M },   { "10m", ANALYTICS_10M },    { "600s", ANALYTICS_10M },
        { "15m", ANALYTICS_15M },   { "900s", ANALYTICS_15M },   { "1h", ANALYTICS_1H },
        { "60m", ANALYTICS_1H },    { "3600s", ANALYTICS_1H },   { "1d", ANALYTICS_1D },
        { "24h", ANALYTICS_1D },    { "1440m", ANALYTICS_1D },   { "86400s", ANALYTICS_1D },
        { "1w", ANALYTICS_1W },     { "7d", ANALYTICS_1W },      { "168h", ANALYTICS_1W },
        { "10080m", ANALYTICS_1W }, { "604800s", ANALYTICS_1W }, { "05m", ANALYTICS_5M },
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        enum analytics_interval got = (enum analytics_interval)-1;
        if (!analytics_interval_parse(good[i].text, &got) || got != good[i].interval)
            fail_msg("\"%s\": expected interval %d, got %d", good[i].text,
                     (int)good[i].interval, (int)got);
    }

    static const char *const bad[] = {
        "",   "m",   "0m",  "0s",  "00m",  "-5m", "+5m",  " 5m", "5m ",  "5 m",
        "5",  "2m",  "30m", "1M",  "1H",   "5mm", "1mo",  "1.5h", "0x5m", "3601s",
        "2d", "2w",  "59s", "61s", "1y",   "5m\n",
        "99999999999999999999m", "18446744073709551616s", "604801s", "1209600s",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum analytics_interval got = ANALYTICS_1H;
        if (analytics_interval_parse(bad[i], &got))
            fail_msg("\"%s\": accepted as %d", bad[i], (int)got);
        assert_int_equal(got, ANALYTICS_1H); /* untouched on failure */
    }
    enum analytics_interval got = ANALYTICS_1H;
    assert_false(analytics_interval_parse(NULL, &got));
}

static void test_interval_names(void **state)
{
    (void)state;
    static const char *const names[] = { "1m", "5m", "10m", "15m", "1h", "1d", "1w" };
    for (int i = ANALYTICS_1M; i <= ANALYTICS_1W; i++) {
        assert_string_equal(analytics_interval_name((enum analytics_interval)i), names[i]);
        enum analytics_interval back;
        assert_true(analytics_interval_parse(names[i], &back));
        assert_int_equal(back, i);
    }
    assert_null(analytics_interval_name((enum analytics_interval)7));
}

/* --- only some minutes (time segments) -------------------------------------------------- */

/* Keeps the minutes [m3, m8) of the fixture. */
static bool keep_three_to_seven(const void *context, int64_t minute_ms)
{
    (void)context;
    return minute_ms >= AT(3) && minute_ms < AT(8);
}

static bool keep_none(const void *context, int64_t minute_ms)
{
    (void)context;
    (void)minute_ms;
    return false;
}

/* 5m over m0..m19 keeping m3..m7: the samples from m0 (m3, m4) and m5
 * (m5, m6, m7) are left, each over its kept minutes:
 *   m0: count 6 (m3's start), min 5, max 6, in 0, out 1, rates 0 and 0.5
 *   m5: count 5, min 5, max 10, in 6, out 1, rates 2 and 1/3
 * Metrics over m3..m7: entrances 6 (peak 6 at m5), exits 2 (peak 1 at m0),
 * count average (6+5+5+8+9)/5, min 5 at m3, max 10 at m7; against the target
 * 10 the minute maxima 6 5 8 9 10 are two minutes in the 40 band, two in 80,
 * one in 100. */
static void test_keep_minute(void **state)
{
    (void)state;
    struct history history;
    build_history(&history, T0_MS);
    struct analytics_space space = fixture_space(&history);
    struct analytics_query query = { .start_ms = AT(0), .end_ms = AT(20),
                                     .interval = ANALYTICS_5M,
                                     .keep_minute = keep_three_to_seven };
    struct count_page page;
    count_page_init(&page);
    assert_int_equal(analytics_counts(&space, &query, &page), ANALYTICS_OK);
    assert_int_equal(page.total, 2);
    assert_int_equal(page.sample_count, 2);
    const struct count_sample *a = &page.samples[0], *b = &page.samples[1];
    assert_int_equal(a->timestamp_ms, AT(0));
    assert_int_equal(a->start_ms, AT(0));
    assert_int_equal(a->end_ms, AT(5) - 1); /* the interval is still the whole one */
    assert_int_equal(a->count, 6);
    assert_int_equal(a->analytics.min, 5);
    assert_int_equal(a->analytics.max, 6);
    assert_int_equal(a->analytics.entrances, 0);
    assert_int_equal(a->analytics.exits, 1);
    assert_real(a->analytics.exit_rate, 0.5, "m0 exit rate");
    assert_int_equal(b->timestamp_ms, AT(5));
    assert_int_equal(b->count, 5);
    assert_int_equal(b->analytics.min, 5);
    assert_int_equal(b->analytics.max, 10);
    assert_int_equal(b->analytics.entrances, 6);
    assert_real(b->analytics.entry_rate, 2.0, "m5 entry rate");
    assert_real(b->analytics.exit_rate, 1.0 / 3, "m5 exit rate");
    const struct count_metrics *m = &page.metrics;
    assert_int_equal(m->entrances.total.value, 6);
    assert_int_equal(m->exits.total.value, 2);
    assert_real(m->entrances.average, 3.0, "entrances average");
    assert_timed(&m->entrances.peak, 6, AT(5), "entrances peak");
    assert_timed(&m->exits.peak, 1, AT(0), "exits peak");
    assert_real(m->count.average, 33.0 / 5, "count average");
    assert_timed(&m->count.min, 5, AT(3), "count min");
    assert_timed(&m->count.max, 10, AT(7), "count max");
    assert_int_equal(m->target_utilization.duration_seconds[0], 0);
    assert_int_equal(m->target_utilization.duration_seconds[1], 120);
    assert_int_equal(m->target_utilization.duration_seconds[2], 120);
    assert_int_equal(m->target_utilization.duration_seconds[3], 60);

    /* Newest first: the same two. */
    query.descending = true;
    assert_int_equal(analytics_counts(&space, &query, &page), ANALYTICS_OK);
    assert_int_equal(page.sample_count, 2);
    assert_int_equal(page.samples[0].timestamp_ms, AT(5));

    /* No minute kept: no sample, totals 0, the rest absent. */
    query.keep_minute = keep_none;
    assert_int_equal(analytics_counts(&space, &query, &page), ANALYTICS_OK);
    assert_int_equal(page.total, 0);
    assert_int_equal(page.sample_count, 0);
    assert_true(page.metrics.present);
    assert_int_equal(page.metrics.entrances.total.value, 0);
    assert_int_equal(page.metrics.exits.total.value, 0);
    assert_absent(page.metrics.entrances.average, "entrances average");
    assert_absent(page.metrics.count.average, "count average");
    assert_false(page.metrics.count.max.value.present);
    assert_int_equal(page.metrics.target_utilization.duration_seconds[0], 0);
    count_page_clear(&page);
    history_free(&history);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_minute_samples),
        cmocka_unit_test(test_five_minute_samples),
        cmocka_unit_test(test_descending_order),
        cmocka_unit_test(test_fifteen_minutes_partial_last),
        cmocka_unit_test(test_no_capacity_no_target),
        cmocka_unit_test(test_capacity_and_target_independent),
        cmocka_unit_test(test_peaks_first_on_ties),
        cmocka_unit_test(test_window_beyond_history),
        cmocka_unit_test(test_before_history_can_be_the_minimum),
        cmocka_unit_test(test_empty_history),
        cmocka_unit_test(test_carried_count_clamped),
        cmocka_unit_test(test_window_not_aligned_to_minutes),
        cmocka_unit_test(test_window_inside_one_minute),
        cmocka_unit_test(test_one_hour),
        cmocka_unit_test(test_one_day_utc),
        cmocka_unit_test(test_exactly_one_day_utc),
        cmocka_unit_test(test_one_day_utc_zone),
        cmocka_unit_test(test_one_week_utc),
        cmocka_unit_test_setup_teardown(test_one_day_across_dst, load_new_york, free_new_york),
        cmocka_unit_test_setup_teardown(test_one_week_across_dst, load_new_york, free_new_york),
        cmocka_unit_test(test_too_many_samples),
        cmocka_unit_test(test_empty_window),
        cmocka_unit_test(test_interval_parse),
        cmocka_unit_test(test_interval_names),
        cmocka_unit_test(test_keep_minute),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

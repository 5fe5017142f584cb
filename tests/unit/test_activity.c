/* test_activity.c — per-space minute rings (carrying counts over idle time,
 * gaps longer than the ring, times before 1970), the per-minute rate,
 * today's totals, clamps, the event log; and a long random run checked
 * against a plain list of every event (the obviously correct, slow answer). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/activity.h"
#include "fixture_core.h"

#define MINUTE INT64_C(60000)

/* --- helpers ---------------------------------------------------------- */

static struct space_event event_at(int64_t ms, int direction, int64_t count, const char *doorway)
{
    struct space_event e;
    memset(&e, 0, sizeof e);
    e.timestamp_ms = ms;
    e.direction = direction;
    e.count_present = true;
    e.count = count;
    snprintf(e.doorway_id, sizeof e.doorway_id, "%s", doorway ? doorway : "");
    return e;
}

/* Records an event the way the UI will: count_before is the current count. */
static void step(struct activity *a, site_index space, int64_t ms, int direction)
{
    int64_t before = activity_count(a, space);
    int64_t after = before < 0 ? (direction > 0 ? 1 : 0) : before + direction;
    if (after < 0)
        after = 0;
    struct space_event e = event_at(ms, direction, after, "dw_1");
    assert_int_equal(activity_record(a, space, &e, before), 0);
}

static void record(struct activity *a, site_index space, int64_t ms, int direction,
                   int64_t before, int64_t after)
{
    struct space_event e = event_at(ms, direction, after, "dw_1");
    assert_int_equal(activity_record(a, space, &e, before), 0);
}

/* The series as "a,b,c" for readable failures. */
static void series_text(const struct activity *a, site_index space, int64_t now, size_t minutes,
                        char *out, size_t out_size)
{
    int64_t values[512];
    assert_true(minutes <= 512);
    activity_series(a, space, now, minutes, values);
    out[0] = '\0';
    for (size_t i = 0; i < minutes; i++)
        snprintf(out + strlen(out), out_size - strlen(out), "%s%lld", i ? "," : "",
                 (long long)values[i]);
}

static int64_t t0(void)
{
    return fixture_ms("2024-03-01T10:00:00Z");
}

/* --- tests ------------------------------------------------------------- */

static void test_minutes_carry_the_count(void **state)
{
    (void)state;
    struct activity *a = activity_new(2, 60, 16);
    assert_non_null(a);
    int64_t t = t0();
    char text[256];

    series_text(a, 0, t, 3, text, sizeof text);
    assert_string_equal(text, "-1,-1,-1"); /* nothing known yet */

    record(a, 0, t + 5000, 1, 0, 1);
    record(a, 0, t + 10000, 1, 1, 2);
    record(a, 0, t + 70000, -1, 2, 1);

    series_text(a, 0, t + 5 * MINUTE, 7, text, sizeof text);
    assert_string_equal(text, "-1,2,1,1,1,1,1"); /* before the first event: unknown */

    struct activity_minute m;
    assert_true(activity_minute_at(a, 0, t + 59999, &m));
    assert_int_equal(m.entrances, 2);
    assert_int_equal(m.exits, 0);
    assert_int_equal(m.count, 2);
    assert_true(activity_minute_at(a, 0, t + MINUTE, &m));
    assert_int_equal(m.exits, 1);
    assert_int_equal(m.count, 1);
    /* After the newest data: the carried count, no events, not "held". */
    assert_false(activity_minute_at(a, 0, t + 3 * MINUTE, &m));
    assert_int_equal(m.count, 1);
    assert_int_equal(m.entrances, 0);
    /* Before any data. */
    assert_false(activity_minute_at(a, 0, t - MINUTE, &m));
    assert_int_equal(m.count, -1);
    assert_false(activity_minute_at(a, 1, t, &m));
    assert_int_equal(m.count, -1);

    /* The other space saw nothing. */
    series_text(a, 1, t + 5 * MINUTE, 2, text, sizeof text);
    assert_string_equal(text, "-1,-1");
    assert_int_equal(activity_count(a, 1), -1);
    assert_int_equal(activity_count(a, 0), 1);
    activity_free(a);
}

static void test_last_complete_minute(void **state)
{
    (void)state;
    struct activity *a = activity_new(1, 60, 16);
    int64_t t = t0();
    record(a, 0, t + 1000, 1, 0, 1);
    record(a, 0, t + 2000, 1, 1, 2);
    record(a, 0, t + 3000, -1, 2, 1);
    record(a, 0, t + MINUTE + 1000, 1, 1, 2);

    uint32_t in = 99, out = 99;
    /* During the first minute, the minute before it is unknown: 0 and 0. */
    activity_last_minute(a, 0, t + 30000, &in, &out);
    assert_int_equal(in, 0);
    assert_int_equal(out, 0);
    /* During the second minute: the whole first minute. */
    activity_last_minute(a, 0, t + MINUTE + 30000, &in, &out);
    assert_int_equal(in, 2);
    assert_int_equal(out, 1);
    /* During the third: the second minute, complete. */
    activity_last_minute(a, 0, t + 2 * MINUTE, &in, &out);
    assert_int_equal(in, 1);
    assert_int_equal(out, 0);
    /* Long after: an idle minute. */
    activity_last_minute(a, 0, t + 30 * MINUTE, &in, &out);
    assert_int_equal(in, 0);
    assert_int_equal(out, 0);
    activity_free(a);
}

static void test_idle_gap_longer_than_the_ring(void **state)
{
    (void)state;
    struct activity *a = activity_new(1, 60, 16);
    assert_int_equal(activity_minutes(a), 60);
    int64_t t = t0(); /* a whole number of minutes, and of hours */
    for (int i = 0; i < 5; i++)
        step(a, 0, t + i, 1);
    struct activity_minute m;
    assert_true(activity_minute_at(a, 0, t, &m));
    assert_int_equal(m.entrances, 5);

    /* 1000 minutes later: the old minute is gone, the slot it used (minute
     * 960 shares it: 960 mod 60 = 0) must not keep its entrances. */
    int64_t later = t + 1000 * MINUTE;
    step(a, 0, later, 1);
    assert_false(activity_minute_at(a, 0, t, &m));
    assert_true(activity_minute_at(a, 0, t + 960 * MINUTE, &m));
    assert_int_equal(m.entrances, 0);
    assert_int_equal(m.count, 5);
    assert_true(activity_minute_at(a, 0, later, &m));
    assert_int_equal(m.entrances, 1);
    assert_int_equal(m.count, 6);

    int64_t values[100];
    assert_int_equal(activity_series(a, 0, later, 100, values), 60);
    for (int i = 0; i < 40; i++)
        assert_int_equal(values[i], -1); /* older than the ring */
    for (int i = 40; i < 99; i++)
        assert_int_equal(values[i], 5); /* carried over the gap */
    assert_int_equal(values[99], 6);

    /* A gap of exactly the ring's length, then one minute less. */
    step(a, 0, later + 60 * MINUTE, -1);
    assert_int_equal(activity_series(a, 0, later + 60 * MINUTE, 61, values), 60);
    assert_int_equal(values[0], -1);
    assert_int_equal(values[1], 6);
    assert_int_equal(values[59], 6);
    assert_int_equal(values[60], 5);
    step(a, 0, later + 119 * MINUTE, -1);
    assert_true(activity_minute_at(a, 0, later + 60 * MINUTE, &m));
    assert_int_equal(m.exits, 1); /* still held: the oldest minute of the ring */
    assert_false(activity_minute_at(a, 0, later + 59 * MINUTE, &m));
    activity_free(a);
}

static void test_times_before_1970(void **state)
{
    (void)state;
    struct activity *a = activity_new(1, 60, 16);
    /* Minutes are floored: -60001 is minute -2; -60000 and -1 minute -1. */
    step(a, 0, -60001, 1);
    step(a, 0, -60000, 1);
    step(a, 0, -1, 1);
    step(a, 0, 0, 1);
    char text[128];
    series_text(a, 0, 0, 4, text, sizeof text);
    assert_string_equal(text, "-1,1,3,4");
    struct activity_minute m;
    assert_true(activity_minute_at(a, 0, -30000, &m));
    assert_int_equal(m.entrances, 2);
    assert_true(activity_minute_at(a, 0, -120000, &m));
    assert_int_equal(m.entrances, 1);
    assert_true(activity_minute_at(a, 0, 59999, &m));
    assert_int_equal(m.entrances, 1);
    uint32_t in, out;
    activity_last_minute(a, 0, 1, &in, &out); /* the minute before 0 is -1 */
    assert_int_equal(in, 2);

    /* Extreme times do not overflow. */
    struct activity *b = activity_new(1, 60, 4);
    step(b, 0, INT64_MIN, 1);
    step(b, 0, INT64_MAX, 1);
    int64_t values[3];
    assert_int_equal(activity_series(b, 0, INT64_MAX, 3, values), 3);
    assert_int_equal(values[2], 2);
    assert_int_equal(activity_series(b, 0, INT64_MIN, 3, values), 0);
    assert_int_equal(activity_clamps_last_hour(b, 0, INT64_MIN), 0);
    activity_free(b);
    activity_free(a);
}

static void test_clamps(void **state)
{
    (void)state;
    struct activity *a = activity_new(1, 120, 16);
    int64_t t = t0();
    record(a, 0, t, -1, 0, 0);            /* exit at 0: clamp */
    record(a, 0, t + 1000, -1, -1, 0);    /* count before unknown: not a clamp */
    record(a, 0, t + 2000, 1, 0, 1);
    record(a, 0, t + 3000, -1, 1, 0);     /* a real exit */
    assert_int_equal(activity_clamps_last_hour(a, 0, t), 1);
    assert_false(activity_clamps_often(a, 0, t));
    assert_true(activity_log_get(a, 3)->clamped);
    assert_false(activity_log_get(a, 2)->clamped);
    assert_false(activity_log_get(a, 0)->clamped);

    record(a, 0, t + 10 * MINUTE, -1, 0, 0);
    record(a, 0, t + 20 * MINUTE, -1, 0, 0);
    assert_int_equal(activity_clamps_last_hour(a, 0, t + 20 * MINUTE), 3);
    assert_true(activity_clamps_often(a, 0, t + 20 * MINUTE));
    /* The window is the 60 minutes ending with now's minute. */
    assert_int_equal(activity_clamps_last_hour(a, 0, t + 59 * MINUTE + 59999), 3);
    assert_int_equal(activity_clamps_last_hour(a, 0, t + 60 * MINUTE), 2);
    assert_false(activity_clamps_often(a, 0, t + 60 * MINUTE));
    assert_int_equal(activity_clamps_last_hour(a, 0, t + 200 * MINUTE), 0);
    /* A clamp is an exit too. */
    struct activity_minute m;
    assert_true(activity_minute_at(a, 0, t, &m));
    assert_int_equal(m.exits, 3);
    assert_int_equal(m.clamps, 1);
    activity_free(a);
}

static void test_today(void **state)
{
    (void)state;
    struct activity *a = activity_new(2, 60, 16);
    int64_t t = t0();
    struct activity_today today = activity_today(a, 0);
    assert_int_equal(today.entrances, 0);
    assert_int_equal(today.peak, -1);
    assert_true(today.day_start_ms == INT64_MIN);

    for (int i = 0; i < 4; i++)
        step(a, 0, t + i * 1000, 1);
    step(a, 0, t + 5000, -1);
    today = activity_today(a, 0);
    assert_int_equal(today.entrances, 4);
    assert_int_equal(today.exits, 1);
    assert_int_equal(today.peak, 4);

    /* The daily reset: Density sets 0, the client re-fetches and notes it. */
    int64_t reset = t + 18 * 60 * MINUTE;
    activity_start_day(a, 0, reset);
    assert_int_equal(activity_note_count(a, 0, 0, reset), 0);
    today = activity_today(a, 0);
    assert_int_equal(today.entrances, 0);
    assert_int_equal(today.peak, 0);
    assert_int_equal(today.day_start_ms, reset);

    /* A late event from before the reset: not today's. */
    record(a, 0, reset - 1000, 1, 0, 1);
    today = activity_today(a, 0);
    assert_int_equal(today.entrances, 0);
    assert_int_equal(today.peak, 0);
    step(a, 0, reset + 1000, 1);
    step(a, 0, reset + 2000, 1);
    step(a, 0, reset + 3000, -1);
    today = activity_today(a, 0);
    assert_int_equal(today.entrances, 2);
    assert_int_equal(today.exits, 1);
    assert_int_equal(today.peak, 3);
    /* A refresh that finds a higher count raises the peak. */
    assert_int_equal(activity_note_count(a, 0, 9, reset + 4000), 0);
    assert_int_equal(activity_today(a, 0).peak, 9);
    /* The other space is untouched. */
    assert_int_equal(activity_today(a, 1).entrances, 0);
    activity_free(a);
}

static void test_late_events(void **state)
{
    (void)state;
    struct activity *a = activity_new(1, 60, 16);
    int64_t t = t0();
    record(a, 0, t, 1, 0, 1);
    record(a, 0, t + 5 * MINUTE, 1, 1, 2);
    /* Three minutes late: its entrance goes to its own minute, its count is
     * the latest word and goes to the newest minute. */
    record(a, 0, t + 2 * MINUTE, 1, 2, 3);
    struct activity_minute m;
    assert_true(activity_minute_at(a, 0, t + 2 * MINUTE, &m));
    assert_int_equal(m.entrances, 1);
    assert_int_equal(m.count, 1);
    assert_true(activity_minute_at(a, 0, t + 5 * MINUTE, &m));
    assert_int_equal(m.count, 3);
    assert_int_equal(activity_count(a, 0), 3);

    /* Older than the ring: no bucket, but the count, today and the log. */
    record(a, 0, t - 100 * MINUTE, -1, 3, 2);
    assert_int_equal(activity_count(a, 0), 2);
    assert_int_equal(activity_today(a, 0).exits, 1);
    assert_int_equal(activity_log_get(a, 0)->timestamp_ms, t - 100 * MINUTE);
    assert_false(activity_minute_at(a, 0, t - 100 * MINUTE, &m));
    activity_free(a);
}

static void test_note_count_starts_a_sparkline(void **state)
{
    (void)state;
    struct activity *a = activity_new(1, 60, 16);
    int64_t t = t0();
    assert_int_equal(activity_note_count(a, 0, 12, t), 0);
    char text[64];
    series_text(a, 0, t + 2 * MINUTE, 4, text, sizeof text);
    assert_string_equal(text, "-1,12,12,12");
    assert_int_equal(activity_log_size(a), 0); /* not an event */
    /* The next event carries on from it. */
    record(a, 0, t + 3 * MINUTE, -1, 12, 11);
    series_text(a, 0, t + 3 * MINUTE, 2, text, sizeof text);
    assert_string_equal(text, "12,11");
    assert_int_equal(activity_note_count(a, 0, -1, t), -1);
    activity_free(a);
}

static void test_count_not_in_the_event(void **state)
{
    (void)state;
    struct activity *a = activity_new(1, 60, 16);
    struct space_event e = event_at(t0(), -1, 0, NULL);
    e.count_present = false;
    assert_int_equal(activity_record(a, 0, &e, 3), 0);
    assert_int_equal(activity_count(a, 0), 2);
    assert_int_equal(activity_log_get(a, 0)->count, 2);
    assert_int_equal(activity_record(a, 0, &e, 0), 0); /* computed 0 from 0: a clamp */
    assert_true(activity_log_get(a, 0)->clamped);
    /* Unknown before and after: the count stays as it was. */
    assert_int_equal(activity_record(a, 0, &e, -1), 0);
    assert_int_equal(activity_count(a, 0), 0);
    assert_int_equal(activity_log_get(a, 0)->count, -1);
    activity_free(a);
}

static void test_bad_input(void **state)
{
    (void)state;
    struct activity *a = activity_new(2, 60, 16);
    struct space_event e = event_at(t0(), 1, 1, NULL);
    assert_int_equal(activity_record(a, 2, &e, 0), -1);
    assert_int_equal(activity_record(a, -1, &e, 0), -1);
    assert_int_equal(activity_record(a, 0, NULL, 0), -1);
    e.direction = 0;
    assert_int_equal(activity_record(a, 0, &e, 0), -1);
    e.direction = 2;
    assert_int_equal(activity_record(a, 0, &e, 0), -1);
    assert_int_equal(activity_log_size(a), 0);
    assert_int_equal(activity_note_count(a, 5, 1, 0), -1);
    activity_start_day(a, 7, 0); /* ignored */
    assert_int_equal(activity_today(a, 7).peak, -1);
    assert_int_equal(activity_count(a, 7), -1);
    int64_t v[2];
    assert_int_equal(activity_series(a, 9, 0, 2, v), 0);
    assert_int_equal(v[0], -1);
    assert_int_equal(activity_clamps_last_hour(a, 9, 0), 0);
    activity_free(a);

    /* Out-of-range sizes are brought into range. */
    a = activity_new(0, 1, 0);
    assert_non_null(a);
    assert_int_equal(activity_minutes(a), ACTIVITY_MIN_MINUTES);
    activity_free(a);
    a = activity_new(1, INT32_MAX, 1);
    assert_int_equal(activity_minutes(a), ACTIVITY_MAX_MINUTES);
    activity_free(a);
    activity_free(NULL);
}

static void test_saturation(void **state)
{
    (void)state;
    struct activity *a = activity_new(1, 60, 4);
    int64_t t = t0();
    for (int i = 0; i < 70000; i++)
        record(a, 0, t + i % 60000, 1, i, i + 1);
    struct activity_minute m;
    assert_true(activity_minute_at(a, 0, t, &m));
    assert_int_equal(m.entrances, ACTIVITY_MINUTE_EVENTS_MAX);
    assert_int_equal(m.count, 70000);
    assert_int_equal(activity_today(a, 0).entrances, 70000);
    for (int i = 0; i < 5000; i++)
        record(a, 0, t + 1, -1, 0, 0); /* clamps */
    assert_true(activity_minute_at(a, 0, t, &m));
    assert_int_equal(m.exits, ACTIVITY_MINUTE_EVENTS_MAX);
    assert_int_equal(m.clamps, ACTIVITY_MINUTE_CLAMPS_MAX);
    assert_int_equal(m.entrances, ACTIVITY_MINUTE_EVENTS_MAX); /* its neighbours untouched */
    /* A count beyond int32 is stored capped in the ring, exact as current. */
    record(a, 0, t + 1, 1, 0, INT64_C(5000000000));
    assert_true(activity_minute_at(a, 0, t, &m));
    assert_int_equal(m.count, INT32_MAX);
    assert_true(activity_count(a, 0) == INT64_C(5000000000));
    activity_free(a);
}

static void test_event_log(void **state)
{
    (void)state;
    struct activity *a = activity_new(3, 60, 4);
    int64_t t = t0();
    assert_null(activity_log_get(a, 0));
    for (int i = 0; i < 6; i++) {
        char doorway[16];
        snprintf(doorway, sizeof doorway, "dw_%d", i);
        struct space_event e = event_at(t + i, i % 2 ? -1 : 1, i, doorway);
        assert_int_equal(activity_record(a, i % 3, &e, i), 0);
    }
    assert_int_equal(activity_log_size(a), 4);
    assert_int_equal(activity_log_total(a), 6);
    for (size_t k = 0; k < 4; k++) {
        const struct activity_log_entry *e = activity_log_get(a, k);
        int i = 5 - (int)k; /* newest first */
        char doorway[16];
        snprintf(doorway, sizeof doorway, "dw_%d", i);
        assert_int_equal(e->timestamp_ms, t + i);
        assert_int_equal(e->space, i % 3);
        assert_int_equal(e->direction, i % 2 ? -1 : 1);
        assert_int_equal(e->count, i);
        assert_string_equal(e->doorway_id, doorway);
    }
    assert_null(activity_log_get(a, 4));

    /* A doorway id that fills its field without a terminator is cut. */
    struct space_event e = event_at(t, 1, 1, NULL);
    memset(e.doorway_id, 'x', sizeof e.doorway_id);
    assert_int_equal(activity_record(a, 0, &e, 0), 0);
    assert_int_equal(strlen(activity_log_get(a, 0)->doorway_id), ACTIVITY_DOORWAY_ID_MAX - 1);
    activity_free(a);
}

static void test_memory(void **state)
{
    (void)state;
    assert_int_equal(ACTIVITY_MINUTE_BYTES, 8);
    assert_true(activity_space_bytes() <= 64);
    struct activity *a = activity_new(1000, ACTIVITY_DEFAULT_MINUTES, ACTIVITY_DEFAULT_LOG_CAPACITY);
    int32_t grow = activity_grow_minutes(a);
    assert_int_equal(grow, 16);
    size_t before = activity_bytes(a);
    int64_t t = t0();
    step(a, 10, t, 1);
    step(a, 10, t + 1, 1); /* the same ring */
    assert_int_equal(activity_bytes(a) - before, (size_t)grow * ACTIVITY_MINUTE_BYTES);

    /* The ring grows with the minutes since the first data, one step at a
     * time, and holds every one of them. */
    step(a, 10, t + 15 * MINUTE, 1); /* 16 minutes: still the first step */
    assert_int_equal(activity_bytes(a) - before, 16 * ACTIVITY_MINUTE_BYTES);
    step(a, 10, t + 16 * MINUTE, 1);
    assert_int_equal(activity_bytes(a) - before, 32 * ACTIVITY_MINUTE_BYTES);
    step(a, 10, t + 119 * MINUTE, -1); /* two hours */
    assert_int_equal(activity_bytes(a) - before, 128 * ACTIVITY_MINUTE_BYTES);
    int64_t values[ACTIVITY_DEFAULT_MINUTES];
    assert_int_equal(activity_series(a, 10, t + 119 * MINUTE, 121, values), 120);
    assert_int_equal(values[0], -1);
    assert_int_equal(values[1], 2);
    assert_int_equal(values[16], 3);
    assert_int_equal(values[17], 4);
    assert_int_equal(values[119], 4);
    assert_int_equal(values[120], 3);
    struct activity_minute m;
    assert_true(activity_minute_at(a, 10, t, &m));
    assert_int_equal(m.entrances, 2);
    assert_true(activity_minute_at(a, 10, t + 16 * MINUTE, &m));
    assert_int_equal(m.entrances, 1);
    /* A late event finds its minute where the grown ring put it. */
    record(a, 10, t + 20 * MINUTE, 1, 3, 4);
    assert_true(activity_minute_at(a, 10, t + 20 * MINUTE, &m));
    assert_int_equal(m.entrances, 1);
    assert_int_equal(m.count, 4);

    /* Never more than `minutes`, however long the gap. */
    step(a, 10, t + 100000 * MINUTE, 1);
    assert_int_equal(activity_bytes(a) - before,
                     ACTIVITY_DEFAULT_MINUTES * ACTIVITY_MINUTE_BYTES);
    assert_int_equal(activity_series(a, 10, t + 100000 * MINUTE, ACTIVITY_DEFAULT_MINUTES,
                                     values), ACTIVITY_DEFAULT_MINUTES);
    /* A space with data is no dearer for the others. */
    assert_int_equal(activity_note_count(a, 11, 3, t), 0);
    assert_int_equal(activity_bytes(a) - before,
                     (ACTIVITY_DEFAULT_MINUTES + 16) * ACTIVITY_MINUTE_BYTES);
    activity_free(a);

    /* Long rings grow in at most 16 steps. */
    a = activity_new(1, ACTIVITY_MAX_MINUTES, 1);
    assert_int_equal(activity_grow_minutes(a), ACTIVITY_MAX_MINUTES / 15);
    activity_free(a);
}

/* --- random run against a model ----------------------------------------- */

struct model_event {
    int64_t minute;
    int direction;
    int64_t count;
    bool clamped;
};

static int64_t floor_minute(int64_t ms)
{
    return ms >= 0 ? ms / MINUTE : -((-ms + MINUTE - 1) / MINUTE);
}

/* The count at the end of minute k, by replaying every event. */
static int64_t model_count(const struct model_event *events, size_t n, int64_t k, int32_t ring)
{
    if (n == 0 || k < events[0].minute)
        return -1;
    int64_t newest = events[n - 1].minute;
    if (k > newest)
        return events[n - 1].count;
    if (k < newest - ring + 1)
        return -1;
    int64_t count = -1;
    for (size_t i = 0; i < n && events[i].minute <= k; i++)
        count = events[i].count;
    return count;
}

static void random_against_model(int32_t ring, unsigned seed)
{
    enum { EVENTS = 3000, SERIES = 150 };
    struct activity *a = activity_new(1, ring, 8);
    struct model_event *events = calloc(EVENTS, sizeof *events);
    int64_t values[SERIES];
    int64_t ms = -50 * MINUTE, count = 0;
    srand(seed);
    for (size_t n = 0; n < EVENTS; n++) {
        /* Mostly seconds apart, sometimes idle for hours. */
        int r = rand() % 100;
        ms += r < 90 ? rand() % 20000 : r < 98 ? rand() % (30 * MINUTE) : rand() % (300 * MINUTE);
        int direction = rand() % 3 ? 1 : -1;
        int64_t before = count;
        count = count + direction < 0 ? 0 : count + direction;
        record(a, 0, ms, direction, before, count);
        events[n] = (struct model_event){ floor_minute(ms), direction, count,
                                          direction < 0 && before == 0 };

        if (n % 97 != 0)
            continue;
        int64_t now = ms + rand() % (200 * MINUTE);
        activity_series(a, 0, now, SERIES, values);
        for (int i = 0; i < SERIES; i++) {
            int64_t k = floor_minute(now) - (SERIES - 1 - i);
            assert_int_equal(values[i], model_count(events, n + 1, k, ring));
            uint32_t entrances = 0, exits = 0, clamps = 0;
            for (size_t j = 0; j <= n; j++) {
                if (events[j].minute != k)
                    continue;
                entrances += events[j].direction > 0;
                exits += events[j].direction < 0;
                clamps += events[j].clamped;
            }
            /* Held: from the first event's minute (or `ring` back) to the newest. */
            bool held = k >= events[0].minute && k <= events[n].minute &&
                        k > events[n].minute - ring;
            struct activity_minute m;
            assert_int_equal(activity_minute_at(a, 0, k * MINUTE, &m), held);
            if (held) {
                assert_int_equal(m.entrances, entrances);
                assert_int_equal(m.exits, exits);
                assert_int_equal(m.clamps, clamps);
            }
        }
    }
    free(events);
    activity_free(a);
}

/* Rings that grow in steps of 16 (90: 16, 32 ... 80, 90; 64 and 60 end
 * on a whole step or not) and one that grows in steps of 26. */
static void test_random_against_model(void **state)
{
    (void)state;
    random_against_model(90, 7);
    random_against_model(64, 8);
    random_against_model(60, 9);
    random_against_model(400, 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minutes_carry_the_count),
        cmocka_unit_test(test_last_complete_minute),
        cmocka_unit_test(test_idle_gap_longer_than_the_ring),
        cmocka_unit_test(test_times_before_1970),
        cmocka_unit_test(test_clamps),
        cmocka_unit_test(test_today),
        cmocka_unit_test(test_late_events),
        cmocka_unit_test(test_note_count_starts_a_sparkline),
        cmocka_unit_test(test_count_not_in_the_event),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_saturation),
        cmocka_unit_test(test_event_log),
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_random_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

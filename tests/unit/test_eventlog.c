/* test_eventlog.c — the bounded event log: ids, overwriting, time order,
 * windows and filters; and a long random run checked against a plain list
 * of everything added (the obviously correct, slow answer). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/eventlog.h"

static struct eventlog_record record(int32_t key, int64_t ms, int32_t doorway, int value)
{
    return (struct eventlog_record){ ms, key, doorway, -1, value };
}

static void add(struct eventlog *log, int32_t key, int64_t ms, int32_t doorway, const char *id)
{
    struct eventlog_record r = record(key, ms, doorway, 1);
    assert_int_equal(eventlog_add(log, &r, id), 0);
}

/* The timestamps a query answers, as a comma-separated list. */
static void query_times(const struct eventlog *log, struct eventlog_query q, char *out,
                        size_t out_size)
{
    struct eventlog_matches m;
    eventlog_matches_init(&m);
    assert_int_equal(eventlog_query(log, &q, &m), 0);
    out[0] = '\0';
    for (size_t i = 0; i < m.count; i++) {
        struct eventlog_record r;
        assert_true(eventlog_get(log, m.items[i].seq, &r, NULL, 0));
        assert_int_equal(r.timestamp_ms, m.items[i].timestamp_ms);
        assert_int_equal(r.key, q.key);
        snprintf(out + strlen(out), out_size - strlen(out), "%s%lld", i ? "," : "",
                 (long long)r.timestamp_ms);
    }
    eventlog_matches_clear(&m);
}

static struct eventlog_query window(int32_t key, int64_t start, int64_t end)
{
    return (struct eventlog_query){ .key = key, .start_ms = start, .end_ms = end };
}

static void test_ids(void **state)
{
    (void)state;
    struct eventlog *log = eventlog_new(100);
    assert_non_null(log);
    char long_id[200];
    memset(long_id, 'x', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    const char *ids[] = { "evt_123", "evt_0", "evt_007", "evt_18446744073709551615",
                          "evt_18446744073709551616", "evt_", "evt_12a", "raw-1", "EVT_5",
                          "", NULL, long_id, "caf\xc3\xa9" };
    const char *expected[] = { "evt_123", "evt_0", "evt_007", "evt_18446744073709551615",
                               "evt_18446744073709551616", "evt_", "evt_12a", "raw-1", "EVT_5",
                               "", "", NULL /* cut */, "caf\xc3\xa9" };
    size_t n = sizeof ids / sizeof ids[0];
    for (size_t i = 0; i < n; i++)
        add(log, 0, (int64_t)i, -1, ids[i]);
    for (size_t i = 0; i < n; i++) {
        struct eventlog_record r;
        char id[EVENTLOG_ID_MAX];
        assert_true(eventlog_get(log, i, &r, id, sizeof id));
        if (expected[i])
            assert_string_equal(id, expected[i]);
        else
            assert_int_equal(strlen(id), EVENTLOG_ID_MAX - 1);
    }
    /* A small buffer gets a cut id, never an overflow. */
    struct eventlog_record r;
    char small[6];
    assert_true(eventlog_get(log, 3, &r, small, sizeof small));
    assert_string_equal(small, "evt_1");
    assert_true(eventlog_get(log, 12, &r, small, sizeof small));
    assert_string_equal(small, "caf\xc3\xa9");
    char tiny[5];
    assert_true(eventlog_get(log, 12, &r, tiny, sizeof tiny)); /* not inside the é */
    assert_string_equal(tiny, "caf");
    eventlog_free(log);
}

static void test_overwrites_oldest(void **state)
{
    (void)state;
    struct eventlog *log = eventlog_new(3);
    for (int i = 0; i < 5; i++)
        add(log, i % 2, 100 + i, -1, "evt_1");
    assert_int_equal(eventlog_size(log), 3);
    assert_int_equal(eventlog_dropped(log), 2);
    struct eventlog_record r;
    assert_false(eventlog_get(log, 0, &r, NULL, 0));
    assert_false(eventlog_get(log, 1, &r, NULL, 0));
    assert_true(eventlog_get(log, 2, &r, NULL, 0));
    assert_false(eventlog_get(log, 5, &r, NULL, 0)); /* not yet */
    char times[128];
    query_times(log, window(0, 0, 1000), times, sizeof times);
    assert_string_equal(times, "102,104");
    query_times(log, window(1, 0, 1000), times, sizeof times);
    assert_string_equal(times, "103");
    eventlog_free(log);
}

static void test_time_order_and_windows(void **state)
{
    (void)state;
    struct eventlog *log = eventlog_new(100);
    /* Late and out of order, with two at the same instant (seq 2 and 4). */
    add(log, 7, 50, 1, NULL);
    add(log, 7, 10, 2, NULL);
    add(log, 7, 30, 1, NULL);
    add(log, 3, 20, 1, NULL); /* another key */
    add(log, 7, 30, 2, NULL);
    add(log, 7, 40, 1, NULL);
    char times[128];
    query_times(log, window(7, 0, 100), times, sizeof times);
    assert_string_equal(times, "10,30,30,40,50");
    struct eventlog_query q = window(7, 0, 100);
    q.descending = true;
    query_times(log, q, times, sizeof times);
    assert_string_equal(times, "50,40,30,30,10");

    /* Equal timestamps: arrival order ascending, reversed descending. */
    struct eventlog_matches m;
    eventlog_matches_init(&m);
    assert_int_equal(eventlog_query(log, &(struct eventlog_query){ .key = 7, .start_ms = 30,
                                                                   .end_ms = 31 },
                                    &m),
                     0);
    assert_int_equal(m.count, 2);
    assert_true(m.items[0].seq == 2 && m.items[1].seq == 4);
    eventlog_matches_clear(&m);

    /* [start, end) */
    query_times(log, window(7, 30, 50), times, sizeof times);
    assert_string_equal(times, "30,30,40");
    query_times(log, window(7, 11, 30), times, sizeof times);
    assert_string_equal(times, "");
    query_times(log, window(7, 50, 50), times, sizeof times); /* empty window */
    assert_string_equal(times, "");
    query_times(log, window(7, 60, 40), times, sizeof times);
    assert_string_equal(times, "");

    /* The doorway filter. */
    q = window(7, 0, 100);
    q.filter_doorway = true;
    q.doorway = 2;
    query_times(log, q, times, sizeof times);
    assert_string_equal(times, "10,30");
    q.doorway = 9;
    query_times(log, q, times, sizeof times);
    assert_string_equal(times, "");

    /* Keys never used, or out of range. */
    query_times(log, window(5, 0, 100), times, sizeof times);
    assert_string_equal(times, "");
    query_times(log, window(100000, 0, 100), times, sizeof times);
    assert_string_equal(times, "");
    query_times(log, window(-1, 0, 100), times, sizeof times);
    assert_string_equal(times, "");
    struct eventlog_record bad = record(-1, 0, -1, 1);
    assert_int_equal(eventlog_add(log, &bad, NULL), -1);
    bad.key = EVENTLOG_MAX_KEYS;
    assert_int_equal(eventlog_add(log, &bad, NULL), -1);
    assert_int_equal(eventlog_size(log), 6);
    eventlog_free(log);
}

/* --- against a plain list ------------------------------------------------------------ */

struct model_event {
    int64_t ms;
    int32_t key, doorway;
    char id[32];
};

static uint64_t rng_state = 88172645463325252ull;

static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int compare_model(const void *a, const void *b, int descending)
{
    const struct model_event *x = a, *y = b;
    int order = x->ms < y->ms ? -1 : x->ms > y->ms ? 1 : (x < y ? -1 : x > y);
    return descending ? -order : order;
}

/* The obviously correct answer: scan every event still kept. */
static size_t model_query(const struct model_event *events, size_t added, size_t capacity,
                          const struct eventlog_query *q, const struct model_event **out)
{
    size_t n = 0;
    size_t first = added > capacity ? added - capacity : 0;
    for (size_t i = first; i < added; i++) {
        const struct model_event *e = &events[i];
        if (e->key == q->key && e->ms >= q->start_ms && e->ms < q->end_ms &&
            (!q->filter_doorway || e->doorway == q->doorway))
            out[n++] = e;
    }
    /* insertion sort: the model may be slow, it must be plain */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && compare_model(out[j - 1], out[j], q->descending) > 0; j--) {
            const struct model_event *swap = out[j];
            out[j] = out[j - 1];
            out[j - 1] = swap;
        }
    return n;
}

static void check_against_model(size_t capacity, size_t total, int32_t keys)
{
    struct eventlog *log = eventlog_new(capacity);
    struct model_event *events = calloc(total, sizeof *events);
    const struct model_event **expected = calloc(total, sizeof *expected);
    assert_non_null(log);
    assert_non_null(events);
    assert_non_null(expected);
    int64_t clock = 1000000;
    for (size_t i = 0; i < total; i++) {
        clock += (int64_t)(next_random() % 50);
        struct model_event *e = &events[i];
        /* One in eight arrives late, by up to 5 seconds. */
        e->ms = next_random() % 8 == 0 ? clock - (int64_t)(next_random() % 5000) : clock;
        e->key = (int32_t)(next_random() % (uint64_t)keys);
        e->doorway = (int32_t)(next_random() % 3);
        if (next_random() % 2)
            snprintf(e->id, sizeof e->id, "evt_%zu", i);
        else
            snprintf(e->id, sizeof e->id, "x%zu", i);
        struct eventlog_record r = record(e->key, e->ms, e->doorway, 1);
        assert_int_equal(eventlog_add(log, &r, e->id), 0);

        if (i % 97 != 0)
            continue;
        for (int k = 0; k < 4; k++) {
            struct eventlog_query q = { .key = (int32_t)(next_random() % (uint64_t)(keys + 1)) };
            q.start_ms = clock - (int64_t)(next_random() % 20000);
            q.end_ms = q.start_ms + (int64_t)(next_random() % 20000);
            q.descending = next_random() % 2;
            q.filter_doorway = next_random() % 3 == 0;
            q.doorway = (int32_t)(next_random() % 3);
            size_t n = model_query(events, i + 1, capacity, &q, expected);
            struct eventlog_matches m;
            eventlog_matches_init(&m);
            assert_int_equal(eventlog_query(log, &q, &m), 0);
            assert_int_equal(m.count, n);
            for (size_t j = 0; j < n; j++) {
                struct eventlog_record got;
                char id[EVENTLOG_ID_MAX];
                assert_true(eventlog_get(log, m.items[j].seq, &got, id, sizeof id));
                assert_int_equal(m.items[j].seq, (uint64_t)(expected[j] - events));
                assert_int_equal(got.timestamp_ms, expected[j]->ms);
                assert_int_equal(got.doorway, expected[j]->doorway);
                assert_string_equal(id, expected[j]->id);
            }
            eventlog_matches_clear(&m);
        }
    }
    assert_int_equal(eventlog_size(log), total < capacity ? total : capacity);
    eventlog_free(log);
    free(events);
    free(expected);
}

static void test_random_against_model(void **state)
{
    (void)state;
    check_against_model(10, 3000, 3);     /* small ring, always full */
    check_against_model(2500, 6000, 40);  /* grows past 1024, 2048, then wraps */
    check_against_model(100000, 4000, 7); /* never full */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_overwrites_oldest),
        cmocka_unit_test(test_time_order_and_windows),
        cmocka_unit_test(test_random_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_alarm.c — the alarm list: one bell per new alarm, alarms that stay
 * until acknowledged, acknowledged alarms that stay while unsafe, flapping,
 * the bound, and a random run checking the list's invariants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "core/alarm.h"

static void test_new_alarm_rings_once(void **state)
{
    (void)state;
    struct alarm_list *list = alarm_new(3, 16);
    assert_non_null(list);
    assert_true(alarm_observe(list, 1, SAFE_STATE_UNSAFE, 100));
    assert_false(alarm_observe(list, 1, SAFE_STATE_UNSAFE, 110)); /* still unsafe */
    assert_int_equal(alarm_count(list), 1);
    assert_int_equal(alarm_unacknowledged(list), 1);
    const struct alarm_entry *e = alarm_get(list, 0);
    assert_int_equal(e->space, 1);
    assert_int_equal(e->began_ms, 100);
    assert_true(e->ended_ms == ALARM_STILL_UNSAFE);
    assert_false(e->acknowledged);
    assert_int_equal(e->repeats, 0);
    assert_true(alarm_space_unacknowledged(list, 1));
    assert_false(alarm_space_unacknowledged(list, 0));
    assert_true(alarm_space_unsafe(list, 1));
    assert_ptr_equal(alarm_of_space(list, 1), e);
    assert_null(alarm_of_space(list, 0));
    alarm_free(list);
}

static void test_not_unsafe_states(void **state)
{
    (void)state;
    struct alarm_list *list = alarm_new(1, 16);
    assert_false(alarm_observe(list, 0, SAFE_STATE_NONE, 1));
    assert_false(alarm_observe(list, 0, SAFE_STATE_OK, 2));
    assert_false(alarm_observe(list, 0, SAFE_STATE_WARN, 3));
    assert_int_equal(alarm_count(list), 0);
    assert_true(alarm_observe(list, 0, SAFE_STATE_UNSAFE, 4));
    assert_false(alarm_observe(list, 0, SAFE_STATE_WARN, 5)); /* warn ends it */
    assert_int_equal(alarm_get(list, 0)->ended_ms, 5);
    alarm_free(list);
}

static void test_stays_until_acknowledged(void **state)
{
    (void)state;
    struct alarm_list *list = alarm_new(2, 16);
    assert_true(alarm_observe(list, 0, SAFE_STATE_UNSAFE, 1000));
    assert_false(alarm_observe(list, 0, SAFE_STATE_OK, 2000));
    /* Safe again, nobody looked: still listed, still highlighted. */
    assert_int_equal(alarm_count(list), 1);
    const struct alarm_entry *e = alarm_get(list, 0);
    assert_int_equal(e->ended_ms, 2000);
    assert_false(e->acknowledged);
    assert_true(alarm_space_unacknowledged(list, 0));
    assert_false(alarm_space_unsafe(list, 0));
    assert_int_equal(alarm_unacknowledged(list), 1);

    /* Hours pass, other spaces come and go; it stays. */
    for (int i = 0; i < 10; i++) {
        alarm_observe(list, 1, SAFE_STATE_UNSAFE, 3000 + i * 10);
        alarm_observe(list, 1, SAFE_STATE_OK, 3005 + i * 10);
    }
    assert_int_equal(alarm_count(list), 2); /* space 1 reopened its one entry */
    assert_int_equal(alarm_of_space(list, 1)->repeats, 9);

    uint64_t id = alarm_of_space(list, 0)->id;
    assert_true(alarm_acknowledge(list, id));
    assert_null(alarm_of_space(list, 0)); /* ended and acknowledged: gone */
    assert_int_equal(alarm_count(list), 1);
    assert_int_equal(alarm_unacknowledged(list), 1);
    assert_false(alarm_acknowledge(list, id)); /* gone */
    alarm_free(list);
}

static void test_acknowledged_stays_while_unsafe(void **state)
{
    (void)state;
    struct alarm_list *list = alarm_new(1, 16);
    assert_true(alarm_observe(list, 0, SAFE_STATE_UNSAFE, 10));
    assert_true(alarm_acknowledge(list, alarm_get(list, 0)->id));
    assert_int_equal(alarm_count(list), 1);
    assert_true(alarm_get(list, 0)->acknowledged);
    assert_false(alarm_space_unacknowledged(list, 0));
    assert_int_equal(alarm_unacknowledged(list), 0);
    assert_true(alarm_acknowledge(list, alarm_get(list, 0)->id)); /* twice: harmless */
    assert_int_equal(alarm_unacknowledged(list), 0);

    assert_false(alarm_observe(list, 0, SAFE_STATE_OK, 20));
    assert_int_equal(alarm_count(list), 0);
    /* Unsafe again later: a new alarm, a new bell. */
    assert_true(alarm_observe(list, 0, SAFE_STATE_UNSAFE, 30));
    assert_int_equal(alarm_get(list, 0)->began_ms, 30);
    alarm_free(list);
}

static void test_flapping_unacknowledged(void **state)
{
    (void)state;
    struct alarm_list *list = alarm_new(1, 16);
    assert_true(alarm_observe(list, 0, SAFE_STATE_UNSAFE, 10));
    uint64_t id = alarm_get(list, 0)->id;
    assert_false(alarm_observe(list, 0, SAFE_STATE_OK, 20));
    assert_false(alarm_observe(list, 0, SAFE_STATE_UNSAFE, 30)); /* no second bell */
    const struct alarm_entry *e = alarm_get(list, 0);
    assert_int_equal(alarm_count(list), 1);
    assert_int_equal(e->id, id);
    assert_int_equal(e->began_ms, 10);
    assert_true(e->ended_ms == ALARM_STILL_UNSAFE);
    assert_int_equal(e->repeats, 1);
    /* Acknowledged while unsafe: stays until safe. */
    assert_true(alarm_acknowledge(list, id));
    assert_int_equal(alarm_count(list), 1);
    alarm_observe(list, 0, SAFE_STATE_OK, 40);
    assert_int_equal(alarm_count(list), 0);
    alarm_free(list);
}

static void test_order_and_acknowledge_all(void **state)
{
    (void)state;
    struct alarm_list *list = alarm_new(4, 16);
    assert_int_equal(alarm_acknowledge_all(list), 0);
    assert_true(alarm_observe(list, 0, SAFE_STATE_UNSAFE, 1));
    assert_true(alarm_observe(list, 1, SAFE_STATE_UNSAFE, 2));
    assert_true(alarm_observe(list, 2, SAFE_STATE_UNSAFE, 3));
    assert_int_equal(alarm_get(list, 0)->space, 2); /* newest first */
    assert_int_equal(alarm_get(list, 1)->space, 1);
    assert_int_equal(alarm_get(list, 2)->space, 0);
    assert_null(alarm_get(list, 3));
    assert_true(alarm_get(list, 0)->id > alarm_get(list, 1)->id);

    alarm_observe(list, 1, SAFE_STATE_OK, 4);
    assert_int_equal(alarm_acknowledge_all(list), 3);
    assert_int_equal(alarm_count(list), 2); /* space 1 ended: gone */
    assert_int_equal(alarm_get(list, 0)->space, 2);
    assert_int_equal(alarm_get(list, 1)->space, 0);
    assert_true(alarm_get(list, 0)->acknowledged && alarm_get(list, 1)->acknowledged);
    assert_int_equal(alarm_unacknowledged(list), 0);
    assert_null(alarm_of_space(list, 1));
    assert_int_equal(alarm_acknowledge_all(list), 0);
    /* Space 1 unsafe again: new. */
    assert_true(alarm_observe(list, 1, SAFE_STATE_UNSAFE, 5));
    assert_int_equal(alarm_get(list, 0)->space, 1);
    alarm_free(list);
}

static void test_bounded(void **state)
{
    (void)state;
    struct alarm_list *list = alarm_new(10, 4);
    for (site_index s = 0; s < 4; s++)
        assert_true(alarm_observe(list, s, SAFE_STATE_UNSAFE, s));
    /* Acknowledge space 2 (still unsafe), end space 1 (unacknowledged). */
    assert_true(alarm_acknowledge(list, alarm_of_space(list, 2)->id));
    alarm_observe(list, 1, SAFE_STATE_OK, 10);

    /* Full: the acknowledged one goes first... */
    assert_true(alarm_observe(list, 4, SAFE_STATE_UNSAFE, 11));
    assert_int_equal(alarm_count(list), 4);
    assert_int_equal(alarm_dropped(list), 1);
    assert_null(alarm_of_space(list, 2));
    /* ...then the ended one... */
    assert_true(alarm_observe(list, 5, SAFE_STATE_UNSAFE, 12));
    assert_null(alarm_of_space(list, 1));
    assert_non_null(alarm_of_space(list, 0));
    /* ...then the oldest. */
    assert_true(alarm_observe(list, 6, SAFE_STATE_UNSAFE, 13));
    assert_null(alarm_of_space(list, 0));
    assert_int_equal(alarm_dropped(list), 3);
    assert_int_equal(alarm_count(list), 4);
    assert_int_equal(alarm_unacknowledged(list), 4);

    /* Dropped but still unsafe: no new bell until it has been safe. */
    assert_false(alarm_observe(list, 0, SAFE_STATE_UNSAFE, 14));
    assert_true(alarm_space_unsafe(list, 0));
    assert_false(alarm_observe(list, 0, SAFE_STATE_OK, 15));
    assert_true(alarm_observe(list, 0, SAFE_STATE_UNSAFE, 16));

    /* Capacity 0 is taken as 1. */
    struct alarm_list *one = alarm_new(2, 0);
    assert_true(alarm_observe(one, 0, SAFE_STATE_UNSAFE, 0));
    assert_true(alarm_observe(one, 1, SAFE_STATE_UNSAFE, 0));
    assert_int_equal(alarm_count(one), 1);
    assert_int_equal(alarm_get(one, 0)->space, 1);
    alarm_free(one);
    alarm_free(list);
}

static void test_times_and_bad_input(void **state)
{
    (void)state;
    struct alarm_list *list = alarm_new(2, 4);
    /* Times before 1970: -1 ms is a real end time, not "still unsafe". */
    assert_true(alarm_observe(list, 0, SAFE_STATE_UNSAFE, -5));
    alarm_observe(list, 0, SAFE_STATE_OK, -1);
    assert_int_equal(alarm_get(list, 0)->began_ms, -5);
    assert_int_equal(alarm_get(list, 0)->ended_ms, -1);
    assert_true(alarm_get(list, 0)->ended_ms != ALARM_STILL_UNSAFE);

    assert_false(alarm_observe(list, 2, SAFE_STATE_UNSAFE, 0));
    assert_false(alarm_observe(list, -1, SAFE_STATE_UNSAFE, 0));
    assert_false(alarm_space_unacknowledged(list, 99));
    assert_false(alarm_space_unsafe(list, -3));
    assert_null(alarm_of_space(list, 99));
    assert_false(alarm_acknowledge(list, 0));
    assert_false(alarm_acknowledge(list, 12345));
    assert_int_equal(alarm_count(list), 1);
    alarm_free(list);
    alarm_free(NULL);
}

/* Random states for a few spaces, random acknowledgements: after each step
 * the list must agree with itself and with what each space last did. */
static void test_random_invariants(void **state)
{
    (void)state;
    enum { SPACES = 12, STEPS = 20000 };
    struct alarm_list *list = alarm_new(SPACES, 8);
    bool unsafe[SPACES] = { false };
    srand(11);
    for (int step = 0; step < STEPS; step++) {
        int r = rand() % 100;
        if (r < 80) {
            site_index s = rand() % SPACES;
            bool now_unsafe = rand() % 2;
            bool had_unacked = alarm_space_unacknowledged(list, s);
            bool rang = alarm_observe(list, s, now_unsafe ? SAFE_STATE_UNSAFE : SAFE_STATE_OK,
                                      step);
            assert_int_equal(rang, now_unsafe && !unsafe[s] && !had_unacked);
            unsafe[s] = now_unsafe;
        } else if (r < 97 && alarm_count(list) > 0) {
            alarm_acknowledge(list, alarm_get(list, (size_t)rand() % alarm_count(list))->id);
        } else {
            alarm_acknowledge_all(list);
        }

        size_t unacked = 0;
        for (size_t i = 0; i < alarm_count(list); i++) {
            const struct alarm_entry *e = alarm_get(list, i);
            if (i > 0)
                assert_true(e->id < alarm_get(list, i - 1)->id);
            assert_ptr_equal(alarm_of_space(list, e->space), e); /* one entry a space */
            bool ended = e->ended_ms != ALARM_STILL_UNSAFE;
            assert_int_equal(ended, !unsafe[e->space]);
            assert_false(ended && e->acknowledged); /* those leave at once */
            unacked += !e->acknowledged;
        }
        assert_int_equal(unacked, alarm_unacknowledged(list));
        for (site_index s = 0; s < SPACES; s++)
            assert_int_equal(alarm_space_unsafe(list, s), unsafe[s]);
    }
    alarm_free(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_alarm_rings_once),
        cmocka_unit_test(test_not_unsafe_states),
        cmocka_unit_test(test_stays_until_acknowledged),
        cmocka_unit_test(test_acknowledged_stays_while_unsafe),
        cmocka_unit_test(test_flapping_unacknowledged),
        cmocka_unit_test(test_order_and_acknowledge_all),
        cmocka_unit_test(test_bounded),
        cmocka_unit_test(test_times_and_bad_input),
        cmocka_unit_test(test_random_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

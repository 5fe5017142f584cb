/* test_playclock.c — the replay clock (core/playclock): recorded time
 * against real time at a speed, with pause, speed changes and jumps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/playclock.h"

#define REC INT64_C(1710259200000) /* 2024-03-12T16:00:00Z */

static void test_recorded_speed(void **state)
{
    (void)state;
    struct playclock c;
    playclock_start(&c, REC, 5000, 1.0);
    assert_int_equal(playclock_recorded(&c, 5000), REC);
    assert_int_equal(playclock_recorded(&c, 7500), REC + 2500);
    /* Before the start the recorded time does not run backwards. */
    assert_int_equal(playclock_recorded(&c, 1000), REC);
    assert_int_equal(playclock_real_at(&c, REC + 2500, 5000), 7500);
    /* Already due: now. */
    assert_int_equal(playclock_real_at(&c, REC + 100, 7000), 7000);
    assert_int_equal(playclock_real_at(&c, REC - 100, 5000), 5000);
}

static void test_faster_and_slower(void **state)
{
    (void)state;
    struct playclock c;
    playclock_start(&c, REC, 0, 100.0);
    assert_int_equal(playclock_recorded(&c, 10), REC + 1000);
    assert_int_equal(playclock_real_at(&c, REC + 3600 * 1000, 0), 36000);
    /* Rounded up: sleeping until it never wakes before the time is due. */
    assert_int_equal(playclock_real_at(&c, REC + 150, 0), 2);
    assert_true(playclock_recorded(&c, 2) >= REC + 150);
    playclock_start(&c, REC, 0, 0.5);
    assert_int_equal(playclock_real_at(&c, REC + 1000, 0), 2000);
    assert_int_equal(playclock_recorded(&c, 1000), REC + 500);
}

static void test_speed_change_keeps_recorded_time(void **state)
{
    (void)state;
    struct playclock c;
    playclock_start(&c, REC, 0, 1.0);
    playclock_set_speed(&c, 10.0, 2000);
    assert_int_equal(playclock_recorded(&c, 2000), REC + 2000);
    assert_int_equal(playclock_recorded(&c, 3000), REC + 12000);
    playclock_set_speed(&c, 0, 3000); /* not a speed: 1 */
    assert_int_equal(playclock_recorded(&c, 4000), REC + 13000);
}

static void test_pause_resume_jump(void **state)
{
    (void)state;
    struct playclock c;
    playclock_start(&c, REC, 0, 2.0);
    playclock_pause(&c, 1000);
    assert_true(c.paused);
    assert_int_equal(playclock_recorded(&c, 50000), REC + 2000);
    assert_int_equal(playclock_real_at(&c, REC + 3000, 50000), INT64_MAX);
    assert_int_equal(playclock_real_at(&c, REC + 1000, 50000), 50000);
    playclock_pause(&c, 60000); /* twice: no change */
    playclock_resume(&c, 60000);
    assert_int_equal(playclock_recorded(&c, 61000), REC + 4000);
    playclock_resume(&c, 62000); /* not paused: no change */
    assert_int_equal(playclock_recorded(&c, 62000), REC + 6000);
    playclock_jump(&c, REC + 3600 * 1000, 62000);
    assert_int_equal(playclock_recorded(&c, 63000), REC + 3600 * 1000 + 2000);
}

static void test_extreme_times_clamped(void **state)
{
    (void)state;
    struct playclock c;
    playclock_start(&c, 0, 0, 0.001);
    assert_int_equal(playclock_real_at(&c, INT64_MAX, 0), INT64_MAX);
    playclock_start(&c, INT64_MAX - 10, 0, 100000.0);
    assert_int_equal(playclock_recorded(&c, INT64_MAX / 2), INT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recorded_speed),
        cmocka_unit_test(test_faster_and_slower),
        cmocka_unit_test(test_speed_change_keeps_recorded_time),
        cmocka_unit_test(test_pause_resume_jump),
        cmocka_unit_test(test_extreme_times_clamped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

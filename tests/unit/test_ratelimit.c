/* test_ratelimit.c — fixed one-minute windows, worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/ratelimit.h"
#include "fixture_core.h"

static void test_no_limit(void **state)
{
    (void)state;
    struct ratelimit limit;
    ratelimit_init(&limit, 0);
    int retry = -7;
    for (int i = 0; i < 10000; i++)
        assert_true(ratelimit_take(&limit, 0, &retry));
    assert_int_equal(retry, -7); /* untouched */
    assert_int_equal(ratelimit_remaining(&limit, 0), UINT32_MAX);
}

static void test_budget_per_minute(void **state)
{
    (void)state;
    struct ratelimit limit;
    ratelimit_init(&limit, 2);
    int64_t t = fixture_ms("2024-03-04T12:00:00Z");
    int retry = 0;
    assert_int_equal(ratelimit_remaining(&limit, t), 2);
    assert_true(ratelimit_take(&limit, t, &retry));
    assert_int_equal(ratelimit_remaining(&limit, t), 1);
    assert_true(ratelimit_take(&limit, t + 30000, &retry));
    assert_int_equal(ratelimit_remaining(&limit, t + 30000), 0);
    assert_false(ratelimit_take(&limit, t, &retry));
    assert_int_equal(retry, 60); /* at the window's first instant: a whole minute */
    assert_false(ratelimit_take(&limit, fixture_ms("2024-03-04T12:00:50.500Z"), &retry));
    assert_int_equal(retry, 10); /* 9.5 s rounded up */
    assert_false(ratelimit_take(&limit, fixture_ms("2024-03-04T12:00:59.999Z"), &retry));
    assert_int_equal(retry, 1); /* never 0 */
    assert_false(ratelimit_take(&limit, fixture_ms("2024-03-04T12:00:01.001Z"), NULL));

    /* The next window: a fresh budget; refusals did not use any of it. */
    int64_t next = fixture_ms("2024-03-04T12:01:00Z");
    assert_int_equal(ratelimit_remaining(&limit, next), 2);
    assert_true(ratelimit_take(&limit, next, &retry));
    assert_true(ratelimit_take(&limit, next + 59999, &retry));
    assert_false(ratelimit_take(&limit, next + 59999, &retry));
    assert_int_equal(retry, 1);
}

/* A clock stepped back starts a new window rather than locking out. */
static void test_clock_steps(void **state)
{
    (void)state;
    struct ratelimit limit;
    ratelimit_init(&limit, 1);
    int64_t t = fixture_ms("2024-03-04T12:05:10Z");
    assert_true(ratelimit_take(&limit, t, NULL));
    assert_false(ratelimit_take(&limit, t + 1000, NULL));
    assert_true(ratelimit_take(&limit, t - 3600000, NULL)); /* an hour back */
    assert_false(ratelimit_take(&limit, t - 3600000 + 5000, NULL));
    assert_true(ratelimit_take(&limit, t, NULL)); /* and forward again */
}

/* Minutes before 1970 are whole minutes too. */
static void test_before_1970(void **state)
{
    (void)state;
    struct ratelimit limit;
    ratelimit_init(&limit, 1);
    int retry = 0;
    assert_true(ratelimit_take(&limit, -1, &retry));        /* minute -1: [-60000, 0) */
    assert_false(ratelimit_take(&limit, -60000, &retry));
    assert_int_equal(retry, 60);
    assert_false(ratelimit_take(&limit, -1, &retry));
    assert_int_equal(retry, 1);
    assert_true(ratelimit_take(&limit, 0, &retry)); /* minute 0 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_limit),
        cmocka_unit_test(test_budget_per_minute),
        cmocka_unit_test(test_clock_steps),
        cmocka_unit_test(test_before_1970),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

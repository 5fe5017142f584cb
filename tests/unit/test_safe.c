/* Tests for core/safe: the three threshold modes at, below and above their
 * limit, incomplete configurations, the warning band and float traps. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/safe.h"

static struct space space_with_mode(enum safe_mode mode)
{
    struct space space;
    memset(&space, 0, sizeof space);
    space.safe_mode = mode;
    return space;
}

static struct space safe_capacity_space(int64_t safe_capacity)
{
    struct space space = space_with_mode(SAFE_MODE_SAFE_CAPACITY);
    space.safe_capacity = optional_int_of(safe_capacity);
    return space;
}

static struct space perc_target_space(double value, int64_t target_capacity)
{
    struct space space = space_with_mode(SAFE_MODE_PERC_TARGET);
    space.safe_threshold_value = optional_real_of(value);
    space.target_capacity = optional_int_of(target_capacity);
    return space;
}

static struct space perc_legal_space(double value, int64_t capacity)
{
    struct space space = space_with_mode(SAFE_MODE_PERC_LEGAL);
    space.safe_threshold_value = optional_real_of(value);
    space.capacity = optional_int_of(capacity);
    return space;
}

static enum safe_state state_at(struct space space, int64_t count)
{
    space.current_count = count;
    return safe_state_of(&space, SAFE_DEFAULT_WARN_FRACTION);
}

static int64_t limit_of(struct space space)
{
    struct safe_limit limit = safe_limit_of(&space);
    assert_true(limit.present);
    assert_null(limit.missing);
    return limit.max_safe_count;
}

static void assert_no_limit(struct space space, const char *missing)
{
    struct safe_limit limit = safe_limit_of(&space);
    assert_false(limit.present);
    if (missing == NULL)
        assert_null(limit.missing);
    else
        assert_string_equal(limit.missing, missing);
    /* Whatever the count, a space without a threshold has no state. */
    assert_int_equal(state_at(space, 0), SAFE_STATE_NONE);
    assert_int_equal(state_at(space, 1000000), SAFE_STATE_NONE);
}

static void assert_description(struct space space, const char *expected)
{
    char out[128];
    safe_describe(&space, out, sizeof out);
    assert_string_equal(out, expected);
}

/* --- no threshold -------------------------------------------------------- */

static void test_mode_none(void **state)
{
    (void)state;
    struct space space = space_with_mode(SAFE_MODE_NONE);
    /* Fields without a mode do not make a threshold. */
    space.safe_capacity = optional_int_of(20);
    space.target_capacity = optional_int_of(10);
    space.safe_threshold_value = optional_real_of(0.5);
    assert_no_limit(space, NULL);
    assert_description(space, "no safe threshold");
}

static void test_null_space(void **state)
{
    (void)state;
    struct safe_limit limit = safe_limit_of(NULL);
    assert_false(limit.present);
    assert_null(limit.missing);
    assert_int_equal(safe_state_of(NULL, SAFE_DEFAULT_WARN_FRACTION), SAFE_STATE_NONE);
    char out[32];
    safe_describe(NULL, out, sizeof out);
    assert_string_equal(out, "no safe threshold");
}

/* --- the three modes ------------------------------------------------------- */

static void test_safe_capacity(void **state)
{
    (void)state;
    struct space space = safe_capacity_space(20);
    assert_int_equal(limit_of(space), 20);
    assert_int_equal(state_at(space, 21), SAFE_STATE_UNSAFE);
    assert_int_equal(state_at(space, 20), SAFE_STATE_WARN);
    assert_int_equal(state_at(space, 19), SAFE_STATE_WARN);
    assert_int_equal(state_at(space, 15), SAFE_STATE_OK);
    assert_int_equal(state_at(space, 0), SAFE_STATE_OK);
    assert_description(space, "unsafe above 20 people (safe capacity)");
}

static void test_safe_capacity_missing(void **state)
{
    (void)state;
    struct space space = space_with_mode(SAFE_MODE_SAFE_CAPACITY);
    /* The other modes' fields are no substitute. */
    space.capacity = optional_int_of(50);
    space.target_capacity = optional_int_of(30);
    space.safe_threshold_value = optional_real_of(0.5);
    assert_no_limit(space, "safe_capacity");
    assert_description(space, "safe threshold incomplete: safe_capacity is not set");
}

static void test_perc_target_reference_example(void **state)
{
    (void)state;
    /* The reference: target_capacity 10, safe_threshold_value 0.6 is unsafe
     * with more than 6 people. */
    struct space space = perc_target_space(0.6, 10);
    assert_int_equal(limit_of(space), 6);
    assert_int_equal(state_at(space, 7), SAFE_STATE_UNSAFE);
    assert_int_equal(state_at(space, 6), SAFE_STATE_WARN);
    assert_int_equal(state_at(space, 5), SAFE_STATE_WARN); /* 5 >= 0.8 x 6 = 4.8 */
    assert_int_equal(state_at(space, 4), SAFE_STATE_OK);
    assert_description(space, "unsafe above 6 people (60% of target capacity 10)");
}

static void test_perc_target_missing(void **state)
{
    (void)state;
    struct space space = space_with_mode(SAFE_MODE_PERC_TARGET);
    space.capacity = optional_int_of(10); /* the legal capacity is the wrong field */
    space.safe_threshold_value = optional_real_of(0.6);
    assert_no_limit(space, "target_capacity");
    assert_description(space, "safe threshold incomplete: target_capacity is not set");

    space = space_with_mode(SAFE_MODE_PERC_TARGET);
    space.target_capacity = optional_int_of(10);
    assert_no_limit(space, "safe_threshold_value");
    assert_description(space, "safe threshold incomplete: safe_threshold_value is not set");

    space = space_with_mode(SAFE_MODE_PERC_TARGET);
    assert_no_limit(space, "safe_threshold_value");
}

static void test_perc_legal(void **state)
{
    (void)state;
    struct space space = perc_legal_space(0.8, 50);
    assert_int_equal(limit_of(space), 40);
    assert_int_equal(state_at(space, 41), SAFE_STATE_UNSAFE);
    assert_int_equal(state_at(space, 40), SAFE_STATE_WARN);
    assert_int_equal(state_at(space, 32), SAFE_STATE_WARN);
    assert_int_equal(state_at(space, 31), SAFE_STATE_OK);
    assert_description(space, "unsafe above 40 people (80% of legal capacity 50)");
}

static void test_perc_legal_missing(void **state)
{
    (void)state;
    struct space space = space_with_mode(SAFE_MODE_PERC_LEGAL);
    space.target_capacity = optional_int_of(50); /* the wrong field */
    space.safe_threshold_value = optional_real_of(0.8);
    assert_no_limit(space, "capacity");
    assert_description(space, "safe threshold incomplete: capacity is not set");

    space = space_with_mode(SAFE_MODE_PERC_LEGAL);
    space.capacity = optional_int_of(50);
    assert_no_limit(space, "safe_threshold_value");
}

/* --- the warning band ----------------------------------------------------- */

static void test_warning_band_edges(void **state)
{
    (void)state;
    struct safe_limit ten = { .present = true, .max_safe_count = 10 };
    assert_int_equal(safe_state_for(ten, 8, 0.8), SAFE_STATE_WARN); /* exactly 80% */
    assert_int_equal(safe_state_for(ten, 7, 0.8), SAFE_STATE_OK);
    assert_int_equal(safe_state_for(ten, 10, 0.8), SAFE_STATE_WARN);
    assert_int_equal(safe_state_for(ten, 11, 0.8), SAFE_STATE_UNSAFE);

    /* 0.7 x 90 is 63.00000000000001: 63 is still exactly 70%. */
    struct safe_limit ninety = { .present = true, .max_safe_count = 90 };
    assert_int_equal(safe_state_for(ninety, 63, 0.7), SAFE_STATE_WARN);
    assert_int_equal(safe_state_for(ninety, 62, 0.7), SAFE_STATE_OK);

    struct safe_limit five = { .present = true, .max_safe_count = 5 };
    assert_int_equal(safe_state_for(five, 4, 0.8), SAFE_STATE_WARN);
    assert_int_equal(safe_state_for(five, 3, 0.8), SAFE_STATE_OK);

    /* Every whole-percent band, limit and count up to 200, against
     * whole-number arithmetic. */
    for (int percent = 0; percent <= 100; percent++) {
        for (int64_t max = 0; max <= 200; max++) {
            struct safe_limit limit = { .present = true, .max_safe_count = max };
            for (int64_t count = 0; count <= max + 1; count++) {
                enum safe_state expected = count > max   ? SAFE_STATE_UNSAFE
                                           : count == 0  ? SAFE_STATE_OK
                                           : count * 100 >= max * percent ? SAFE_STATE_WARN
                                                                          : SAFE_STATE_OK;
                assert_int_equal(safe_state_for(limit, count, percent / 100.0), expected);
            }
        }
    }
}

static void test_empty_space_never_warns(void **state)
{
    (void)state;
    struct safe_limit one = { .present = true, .max_safe_count = 1 };
    assert_int_equal(safe_state_for(one, 0, 0.8), SAFE_STATE_OK);
    assert_int_equal(safe_state_for(one, 1, 0.8), SAFE_STATE_WARN);
    assert_int_equal(safe_state_for(one, 2, 0.8), SAFE_STATE_UNSAFE);
    assert_int_equal(safe_state_for(one, 0, 0.0), SAFE_STATE_OK);
    assert_int_equal(safe_state_for(one, -3, 0.8), SAFE_STATE_OK);
}

static void test_warn_fraction_choices(void **state)
{
    (void)state;
    struct safe_limit ten = { .present = true, .max_safe_count = 10 };
    assert_int_equal(safe_state_for(ten, 5, 0.5), SAFE_STATE_WARN);
    assert_int_equal(safe_state_for(ten, 4, 0.5), SAFE_STATE_OK);
    assert_int_equal(safe_state_for(ten, 9, 1.0), SAFE_STATE_OK);
    assert_int_equal(safe_state_for(ten, 10, 1.0), SAFE_STATE_WARN);
    assert_int_equal(safe_state_for(ten, 10, 1.5), SAFE_STATE_OK);  /* no band */
    assert_int_equal(safe_state_for(ten, 1, 0.0), SAFE_STATE_WARN); /* all of it */
    assert_int_equal(safe_state_for(ten, 1, -1.0), SAFE_STATE_WARN);
    assert_int_equal(safe_state_for(ten, 8, NAN), SAFE_STATE_WARN);  /* the default */
    assert_int_equal(safe_state_for(ten, 7, NAN), SAFE_STATE_OK);
    struct safe_limit none = { .present = false };
    assert_int_equal(safe_state_for(none, 100, 0.8), SAFE_STATE_NONE);
}

/* --- limits ------------------------------------------------------------------ */

static void test_limit_zero(void **state)
{
    (void)state;
    struct space space = safe_capacity_space(0);
    assert_int_equal(limit_of(space), 0);
    assert_int_equal(state_at(space, 0), SAFE_STATE_OK);
    assert_int_equal(state_at(space, 1), SAFE_STATE_UNSAFE);
    assert_description(space, "unsafe above 0 people (safe capacity)");

    space = perc_target_space(0.0, 10);
    assert_int_equal(limit_of(space), 0);
    assert_int_equal(state_at(space, 1), SAFE_STATE_UNSAFE);
    assert_int_equal(limit_of(perc_legal_space(0.5, 0)), 0);
}

static void test_float_traps(void **state)
{
    (void)state;
    /* Products just above a whole number floor to it... */
    assert_int_equal(limit_of(perc_target_space(0.7, 90)), 63); /* 63.00000000000001 */
    struct space space = perc_target_space(0.7, 10);
    assert_int_equal(limit_of(space), 7);
    assert_int_equal(state_at(space, 7), SAFE_STATE_WARN);
    assert_int_equal(state_at(space, 8), SAFE_STATE_UNSAFE);

    /* ...and those just below it count as it. */
    space = perc_legal_space(0.29, 100); /* 28.999999999999996 */
    assert_int_equal(limit_of(space), 29);
    assert_int_equal(state_at(space, 29), SAFE_STATE_WARN);
    assert_int_equal(state_at(space, 30), SAFE_STATE_UNSAFE);

    assert_int_equal(limit_of(perc_target_space(0.1, 3)), 0); /* 0.30000000000000004 */
    assert_int_equal(limit_of(perc_target_space(0.57, 100)), 57);
    assert_int_equal(limit_of(perc_target_space(0.35, 10)), 3);
    assert_int_equal(limit_of(perc_target_space(0.333, 3)), 0);

    /* Every whole percentage of every capacity up to 300 floors exactly. */
    for (int percent = 0; percent <= 150; percent++) {
        for (int64_t capacity = 0; capacity <= 300; capacity++) {
            int64_t expected = percent * capacity / 100;
            assert_int_equal(limit_of(perc_target_space(percent / 100.0, capacity)), expected);
        }
    }
}

static void test_unusable_threshold_values(void **state)
{
    (void)state;
    struct space space = perc_target_space(-0.5, 10);
    assert_no_limit(space, "safe_threshold_value");
    assert_description(space, "safe threshold invalid: safe_threshold_value is negative");

    space = perc_legal_space(NAN, 10);
    assert_no_limit(space, "safe_threshold_value");
    assert_description(space, "safe threshold invalid: safe_threshold_value is not a finite number");

    assert_no_limit(perc_legal_space(INFINITY, 10), "safe_threshold_value");
    assert_no_limit(perc_target_space(-INFINITY, 10), "safe_threshold_value");
}

static void test_negative_capacities(void **state)
{
    (void)state;
    struct space space = safe_capacity_space(-5);
    assert_no_limit(space, "safe_capacity");
    assert_description(space, "safe threshold invalid: safe_capacity is negative");

    space = perc_target_space(0.5, -10);
    assert_no_limit(space, "target_capacity");
    assert_description(space, "safe threshold invalid: target_capacity is negative");

    assert_no_limit(perc_legal_space(0.5, -1), "capacity");
}

static void test_huge_values_clamp(void **state)
{
    (void)state;
    struct space space = safe_capacity_space(INT64_MAX);
    assert_int_equal(limit_of(space), INT64_MAX);
    assert_int_equal(state_at(space, INT64_MAX), SAFE_STATE_WARN);
    assert_int_equal(state_at(space, 1), SAFE_STATE_OK);

    assert_int_equal(limit_of(perc_target_space(1e300, 10)), INT64_MAX);
    assert_int_equal(limit_of(perc_target_space(2.0, INT64_MAX)), INT64_MAX);
    assert_int_equal(limit_of(perc_legal_space(1.0, INT64_MAX)), INT64_MAX);
    assert_int_equal(limit_of(perc_legal_space(DBL_MAX, INT64_MAX)), INT64_MAX);
    assert_int_equal(limit_of(perc_legal_space(1e-300, INT64_MAX)), 0);

    space = perc_target_space(1e300, 10);
    assert_int_equal(state_at(space, INT64_MAX), SAFE_STATE_WARN);
    assert_description(space, "unsafe above 9223372036854775807 people "
                              "(1e+302% of target capacity 10)");
}

/* --- naming and describing ------------------------------------------------- */

static void test_state_names(void **state)
{
    (void)state;
    assert_string_equal(safe_state_name(SAFE_STATE_NONE), "none");
    assert_string_equal(safe_state_name(SAFE_STATE_OK), "ok");
    assert_string_equal(safe_state_name(SAFE_STATE_WARN), "warn");
    assert_string_equal(safe_state_name(SAFE_STATE_UNSAFE), "unsafe");
}

static void test_describe_wording(void **state)
{
    (void)state;
    assert_description(safe_capacity_space(1), "unsafe above 1 person (safe capacity)");
    assert_description(perc_target_space(0.655, 200),
                       "unsafe above 131 people (65.5% of target capacity 200)");
    assert_description(perc_target_space(0.1234, 10000),
                       "unsafe above 1234 people (12.34% of target capacity 10000)");
    assert_description(perc_legal_space(1.5, 10),
                       "unsafe above 15 people (150% of legal capacity 10)");
    assert_description(perc_legal_space(0.29, 100),
                       "unsafe above 29 people (29% of legal capacity 100)");
}

static void test_describe_small_buffer(void **state)
{
    (void)state;
    struct space space = safe_capacity_space(20);
    char out[7];
    safe_describe(&space, out, sizeof out);
    assert_string_equal(out, "unsafe");
    char one[1] = { 'x' };
    safe_describe(&space, one, sizeof one);
    assert_int_equal(one[0], '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mode_none),
        cmocka_unit_test(test_null_space),
        cmocka_unit_test(test_safe_capacity),
        cmocka_unit_test(test_safe_capacity_missing),
        cmocka_unit_test(test_perc_target_reference_example),
        cmocka_unit_test(test_perc_target_missing),
        cmocka_unit_test(test_perc_legal),
        cmocka_unit_test(test_perc_legal_missing),
        cmocka_unit_test(test_warning_band_edges),
        cmocka_unit_test(test_empty_space_never_warns),
        cmocka_unit_test(test_warn_fraction_choices),
        cmocka_unit_test(test_limit_zero),
        cmocka_unit_test(test_float_traps),
        cmocka_unit_test(test_unusable_threshold_values),
        cmocka_unit_test(test_negative_capacities),
        cmocka_unit_test(test_huge_values_clamp),
        cmocka_unit_test(test_state_names),
        cmocka_unit_test(test_describe_wording),
        cmocka_unit_test(test_describe_small_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests for core/timefmt: every timestamp form the Density reference uses,
 * the calendar edges, and the inputs that must be refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/timefmt.h"

#define MS_PER_DAY INT64_C(86400000)

/* Parses with the given flags and expects success. */
static int64_t parse_ok(const char *text, unsigned flags)
{
    int64_t ms = INT64_MIN;
    if (!timefmt_parse(text, &ms, flags))
        fail_msg("refused \"%s\"", text);
    return ms;
}

static void assert_refused(const char *text, unsigned flags)
{
    int64_t ms = 42;
    if (timefmt_parse(text, &ms, flags))
        fail_msg("accepted \"%s\"", text);
    assert_int_equal(ms, 42); /* the output is left alone on failure */
}

static void assert_formats_as(int64_t ms, const char *expected)
{
    char out[TIMEFMT_SIZE];
    timefmt_format(ms, out, sizeof out);
    assert_string_equal(out, expected);
}

/* Parses `text` and formats it back as `canonical`. */
static void assert_normalizes(const char *text, unsigned flags, const char *canonical)
{
    assert_formats_as(parse_ok(text, flags), canonical);
}

/* --- the calendar ------------------------------------------------------------ */

static void test_days_from_civil(void **state)
{
    (void)state;
    assert_int_equal(timefmt_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(timefmt_days_from_civil(1970, 1, 2), 1);
    assert_int_equal(timefmt_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(timefmt_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(timefmt_days_from_civil(2000, 2, 29), 11016);
    assert_int_equal(timefmt_days_from_civil(0, 1, 1), -719528);
    assert_int_equal(timefmt_days_from_civil(9999, 12, 31), 2932896);
}

static void test_civil_round_trip(void **state)
{
    (void)state;
    /* Every day from 1600 to 2500: consecutive, and each date valid. */
    int64_t first = timefmt_days_from_civil(1600, 1, 1);
    int64_t last = timefmt_days_from_civil(2500, 12, 31);
    int64_t prev_year = 1599;
    unsigned prev_month = 12, prev_day = 31;
    for (int64_t days = first; days <= last; days++) {
        int64_t year;
        unsigned month, day;
        timefmt_civil_from_days(days, &year, &month, &day);
        assert_int_equal(timefmt_days_from_civil(year, month, day), days);
        bool next_day = year == prev_year && month == prev_month && day == prev_day + 1;
        bool next_month = year == prev_year && month == prev_month + 1 && day == 1;
        bool next_year = year == prev_year + 1 && month == 1 && day == 1 && prev_month == 12;
        assert_true(next_day || next_month || next_year);
        prev_year = year, prev_month = month, prev_day = day;
    }
}

static void test_civil_extremes_do_not_overflow(void **state)
{
    (void)state;
    int64_t year;
    unsigned month, day;
    timefmt_civil_from_days(INT64_MAX, &year, &month, &day);
    assert_true(year > 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31);
    timefmt_civil_from_days(INT64_MIN, &year, &month, &day);
    assert_true(year < 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31);
    assert_true(timefmt_days_from_civil(INT64_MAX, 12, 31) > 0);
    assert_true(timefmt_days_from_civil(INT64_MIN, 1, 1) < 0);
}

/* --- parsing --------------------------------------------------------------- */

static void test_reference_forms(void **state)
{
    (void)state;
    /* Each distinct shape the reference uses. */
    assert_int_equal(parse_ok("2016-05-23T10:00:00.000Z", 0), INT64_C(1463997600000));
    assert_int_equal(parse_ok("2019-09-24T01:07:32.253Z", 0), INT64_C(1569287252253));
    assert_int_equal(parse_ok("2017-09-19T15:00:00Z", TIMEFMT_UTC_ONLY), INT64_C(1505833200000));
    assert_int_equal(parse_ok("2020-08-30T15:00:00+00:00", TIMEFMT_UTC_ONLY),
                     INT64_C(1598799600000));
    /* Microseconds are truncated, not rounded up into the next hour. */
    assert_int_equal(parse_ok("2020-08-30T15:59:59.999999+00:00", TIMEFMT_UTC_ONLY),
                     INT64_C(1598803199999));
    /* A sensor's last_heartbeat has no zone at all. */
    assert_int_equal(parse_ok("2016-09-19T15:45:00", TIMEFMT_ALLOW_NO_ZONE),
                     INT64_C(1474299900000));
    assert_refused("2016-09-19T15:45:00", 0);
    assert_refused("2016-09-19T15:45:00", TIMEFMT_UTC_ONLY);
    parse_ok("2016-09-19T15:45:00", TIMEFMT_UTC_ONLY | TIMEFMT_ALLOW_NO_ZONE);
}

static void test_reference_round_trips(void **state)
{
    (void)state;
    static const char *const canonical[] = {
        "2016-05-23T10:00:00.000Z", "2016-09-19T15:32:10.409Z", "2016-09-19T15:32:19.148Z",
        "2017-09-17T08:00:00.000Z", "2017-09-18T07:59:59.999Z", "2017-09-19T15:00:10.436Z",
        "2017-09-19T15:00:19.003Z", "2017-09-22T08:00:00.000Z", "2018-09-01T17:45:13.356Z",
        "2018-09-19T01:02:03.001Z", "2019-03-18T20:53:03.647Z", "2019-09-19T08:04:59.999Z",
        "2019-09-24T01:07:32.253Z", "2020-08-06T22:03:05.349Z",
    };
    for (size_t i = 0; i < sizeof canonical / sizeof canonical[0]; i++)
        assert_normalizes(canonical[i], TIMEFMT_UTC_ONLY, canonical[i]);

    assert_normalizes("2017-09-19T17:00:00Z", 0, "2017-09-19T17:00:00.000Z");
    assert_normalizes("2020-08-31T15:00:00+00:00", 0, "2020-08-31T15:00:00.000Z");
    assert_normalizes("2020-08-30T16:59:59.999999+00:00", 0, "2020-08-30T16:59:59.999Z");
    assert_normalizes("2016-09-19T15:45:00", TIMEFMT_ALLOW_NO_ZONE, "2016-09-19T15:45:00.000Z");
}

static void test_fractions(void **state)
{
    (void)state;
    int64_t whole = parse_ok("2020-01-01T00:00:00Z", 0);
    assert_int_equal(parse_ok("2020-01-01T00:00:00.5Z", 0), whole + 500);
    assert_int_equal(parse_ok("2020-01-01T00:00:00.05Z", 0), whole + 50);
    assert_int_equal(parse_ok("2020-01-01T00:00:00.123456789Z", 0), whole + 123);
    assert_refused("2020-01-01T00:00:00.1234567891Z", 0); /* ten digits */
    assert_refused("2020-01-01T00:00:00.Z", 0);
    assert_refused("2020-01-01T00:00:00.+00:00", 0);
}

static void test_offsets_are_converted(void **state)
{
    (void)state;
    assert_normalizes("2020-01-01T00:00:00+01:00", 0, "2019-12-31T23:00:00.000Z");
    assert_normalizes("2020-01-01T00:00:00+0100", 0, "2019-12-31T23:00:00.000Z");
    assert_normalizes("2019-12-31T19:30:00-04:30", 0, "2020-01-01T00:00:00.000Z");
    assert_normalizes("2020-03-01T05:45:00.250+05:45", 0, "2020-03-01T00:00:00.250Z");
    assert_normalizes("2020-01-01T00:00:00-00:00", TIMEFMT_UTC_ONLY, "2020-01-01T00:00:00.000Z");
    assert_normalizes("2020-01-01T00:00:00+0000", TIMEFMT_UTC_ONLY, "2020-01-01T00:00:00.000Z");
}

static void test_utc_only_refuses_offsets(void **state)
{
    (void)state;
    assert_refused("2020-01-01T00:00:00+01:00", TIMEFMT_UTC_ONLY);
    assert_refused("2020-01-01T00:00:00-00:01", TIMEFMT_UTC_ONLY);
    assert_refused("2020-01-01T00:00:00+0100", TIMEFMT_UTC_ONLY | TIMEFMT_ALLOW_NO_ZONE);
}

static void test_bad_offsets(void **state)
{
    (void)state;
    assert_refused("2020-01-01T00:00:00+01", 0);
    assert_refused("2020-01-01T00:00:00+1:00", 0);
    assert_refused("2020-01-01T00:00:00+24:00", 0);
    assert_refused("2020-01-01T00:00:00+01:60", 0);
    assert_refused("2020-01-01T00:00:00+01:00:00", 0);
    assert_refused("2020-01-01T00:00:00 +01:00", 0);
    assert_refused("2020-01-01T00:00:00UTC", 0);
}

static void test_lowercase_letters(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2020-01-01t12:00:00z", 0), parse_ok("2020-01-01T12:00:00Z", 0));
}

static void test_leap_years(void **state)
{
    (void)state;
    assert_normalizes("2000-02-29T00:00:00Z", 0, "2000-02-29T00:00:00.000Z");
    assert_normalizes("2024-02-29T12:00:00Z", 0, "2024-02-29T12:00:00.000Z");
    assert_refused("1900-02-29T00:00:00Z", 0);
    assert_refused("2023-02-29T00:00:00Z", 0);
    assert_refused("2100-02-29T00:00:00Z", 0);
    assert_normalizes("2023-02-28T23:59:59.999Z", 0, "2023-02-28T23:59:59.999Z");
    assert_int_equal(parse_ok("2024-03-01T00:00:00Z", 0) - parse_ok("2024-02-28T00:00:00Z", 0),
                     2 * MS_PER_DAY);
    assert_int_equal(parse_ok("2023-03-01T00:00:00Z", 0) - parse_ok("2023-02-28T00:00:00Z", 0),
                     MS_PER_DAY);
}

static void test_field_ranges(void **state)
{
    (void)state;
    assert_refused("2020-13-01T00:00:00Z", 0);
    assert_refused("2020-00-01T00:00:00Z", 0);
    assert_refused("2020-01-00T00:00:00Z", 0);
    assert_refused("2020-01-32T00:00:00Z", 0);
    assert_refused("2020-04-31T00:00:00Z", 0);
    assert_refused("2020-02-30T00:00:00Z", 0);
    assert_refused("2020-01-01T24:00:00Z", 0);
    assert_refused("2020-01-01T00:60:00Z", 0);
    assert_refused("2020-01-01T00:00:61Z", 0);
    assert_normalizes("2020-12-31T23:59:59Z", 0, "2020-12-31T23:59:59.000Z");
}

static void test_leap_second(void **state)
{
    (void)state;
    /* Read as the last millisecond of its minute: still before the next one. */
    assert_normalizes("2016-12-31T23:59:60Z", 0, "2016-12-31T23:59:59.999Z");
    assert_normalizes("2016-12-31T23:59:60.5Z", 0, "2016-12-31T23:59:59.999Z");
    assert_true(parse_ok("2016-12-31T23:59:60Z", 0) < parse_ok("2017-01-01T00:00:00Z", 0));
}

static void test_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "2020",
        "2020-01-01",
        "2020-01-01T",
        "2020-01-01T00:00",
        "2020-01-01 00:00:00Z",
        "2020-01-01T00:00:00Zx",
        "2020-01-01T00:00:00Z ",
        " 2020-01-01T00:00:00Z",
        "+2020-01-01T00:00:00Z",
        "-2020-01-01T00:00:00Z",
        "12020-01-01T00:00:00Z",
        "99999999999-01-01T00:00:00Z",
        "20-01-01T00:00:00Z",
        "2020-1-01T00:00:00Z",
        "2020-01-1T00:00:00Z",
        "2020-01-01T0:00:00Z",
        "2020/01/01T00:00:00Z",
        "2020-01-01T00-00-00Z",
        "20200101T000000Z",
        "2020-01-01T00:00:0aZ",
        "2020-01-01T00:00:00\xEF\xBC\x9A",
        "2020-01-01T00:00:00.5.5Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_refused(bad[i], 0);
        assert_refused(bad[i], TIMEFMT_ALLOW_NO_ZONE);
    }
    assert_false(timefmt_parse(NULL, NULL, 0));
    assert_true(timefmt_parse("2020-01-01T00:00:00Z", NULL, 0)); /* validation only */
}

/* --- formatting -------------------------------------------------------------- */

static void test_format(void **state)
{
    (void)state;
    assert_formats_as(0, "1970-01-01T00:00:00.000Z");
    assert_formats_as(1, "1970-01-01T00:00:00.001Z");
    assert_formats_as(INT64_C(1463997600000), "2016-05-23T10:00:00.000Z");
}

static void test_format_before_1970(void **state)
{
    (void)state;
    assert_formats_as(-1, "1969-12-31T23:59:59.999Z");
    assert_formats_as(-1000, "1969-12-31T23:59:59.000Z");
    assert_formats_as(-MS_PER_DAY, "1969-12-31T00:00:00.000Z");
    assert_formats_as(-MS_PER_DAY - 1, "1969-12-30T23:59:59.999Z");
    assert_normalizes("1969-07-20T20:17:40.5Z", 0, "1969-07-20T20:17:40.500Z");
    assert_normalizes("1600-02-29T00:00:00Z", 0, "1600-02-29T00:00:00.000Z");
}

static void test_format_extreme_years(void **state)
{
    (void)state;
    assert_normalizes("0000-01-01T00:00:00Z", 0, "0000-01-01T00:00:00.000Z");
    assert_normalizes("9999-12-31T23:59:59.999Z", 0, "9999-12-31T23:59:59.999Z");
    /* Beyond four-digit years the output is clamped, so it always parses. */
    assert_formats_as(INT64_MAX, "9999-12-31T23:59:59.999Z");
    assert_formats_as(INT64_MIN, "0000-01-01T00:00:00.000Z");
    assert_formats_as(parse_ok("9999-12-31T23:59:59.999Z", 0) + 1, "9999-12-31T23:59:59.999Z");
    /* An offset may carry a time past either end, and it formats clamped too. */
    assert_formats_as(parse_ok("9999-12-31T23:00:00-02:00", 0), "9999-12-31T23:59:59.999Z");
    assert_formats_as(parse_ok("0000-01-01T00:00:00+02:00", 0), "0000-01-01T00:00:00.000Z");
}

static void test_format_small_buffer(void **state)
{
    (void)state;
    char out[11];
    timefmt_format(0, out, sizeof out);
    assert_string_equal(out, "1970-01-01");
    char one[1] = { 'x' };
    timefmt_format(0, one, sizeof one);
    assert_int_equal(one[0], '\0');
}

static void test_round_trip_many(void **state)
{
    (void)state;
    /* Steps that are prime in ms land on every field, across two millennia. */
    const int64_t start = parse_ok("1000-01-01T00:00:00Z", 0);
    const int64_t end = parse_ok("3000-01-01T00:00:00Z", 0);
    for (int64_t ms = start; ms < end; ms += INT64_C(7777777777)) {
        char text[TIMEFMT_SIZE];
        timefmt_format(ms, text, sizeof text);
        assert_int_equal(parse_ok(text, TIMEFMT_UTC_ONLY), ms);
    }
}

/* --- durations -------------------------------------------------------------- */

static void test_parse_duration(void **state)
{
    (void)state;
    assert_int_equal(timefmt_parse_duration("0:00:00"), 0);
    assert_int_equal(timefmt_parse_duration("0:00:59"), 59);
    assert_int_equal(timefmt_parse_duration("1:02:03"), 3723);
    assert_int_equal(timefmt_parse_duration("26:03:00"), 26 * 3600 + 180);
    assert_int_equal(timefmt_parse_duration("02:00:00"), 7200);
    assert_int_equal(timefmt_parse_duration("1000:00:00"), 3600000);
}

static void test_parse_duration_python_forms(void **state)
{
    (void)state;
    assert_int_equal(timefmt_parse_duration("1 day, 2:03:00"), 26 * 3600 + 180);
    assert_int_equal(timefmt_parse_duration("3 days, 0:00:01"), 3 * 86400 + 1);
    assert_int_equal(timefmt_parse_duration("0:00:01.500000"), 1);
    assert_int_equal(timefmt_parse_duration("1 day, 0:00:00.000001"), 86400);
}

static void test_parse_duration_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",          "0",          "0:00",         ":00:00",        "-0:00:01",
        "-1 day, 23:59:59",        "0:0:00",       "0:00:0",        "0:60:00",
        "0:00:60",   "0:00:00 ",   " 0:00:00",     "0:00:00x",      "+1:00:00",
        "1 day 0:00:00",           "1 week, 0:00:00",               "1 day, ",
        "0:00:00.",  "a:00:00",    "99999999999999999999:00:00",    "1:00:00:00",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (timefmt_parse_duration(bad[i]) != -1)
            fail_msg("accepted duration \"%s\"", bad[i]);
    }
    assert_int_equal(timefmt_parse_duration(NULL), -1);
}

static void test_parse_duration_overflow(void **state)
{
    (void)state;
    /* INT64_MAX / 3600 hours fit; one more hour does not. */
    assert_int_equal(timefmt_parse_duration("2562047788015215:00:00"), INT64_C(2562047788015215) * 3600);
    assert_int_equal(timefmt_parse_duration("2562047788015216:00:00"), -1);
    assert_int_equal(timefmt_parse_duration("106751991167300 days, 0:00:00"),
                     INT64_C(106751991167300) * 86400);
    assert_int_equal(timefmt_parse_duration("106751991167301 days, 0:00:00"), -1);
    /* Days and hours together: INT64_MAX exactly, then one second more. */
    assert_int_equal(timefmt_parse_duration("106751991167300 days, 15:30:07"), INT64_MAX);
    assert_int_equal(timefmt_parse_duration("106751991167300 days, 15:30:08"), -1);
    assert_int_equal(timefmt_parse_duration("106751991167300 days, 16:00:00"), -1);
}

static void test_format_duration(void **state)
{
    (void)state;
    char out[32];
    timefmt_format_duration(0, out, sizeof out);
    assert_string_equal(out, "0:00:00");
    timefmt_format_duration(26 * 3600 + 180, out, sizeof out);
    assert_string_equal(out, "26:03:00");
    timefmt_format_duration(3599, out, sizeof out);
    assert_string_equal(out, "0:59:59");
    timefmt_format_duration(-61, out, sizeof out);
    assert_string_equal(out, "-0:01:01");
    timefmt_format_duration(INT64_MIN, out, sizeof out);
    assert_string_equal(out, "-2562047788015215:30:08");
    char tiny[3];
    timefmt_format_duration(7200, tiny, sizeof tiny);
    assert_string_equal(tiny, "2:");
}

static void test_duration_round_trip(void **state)
{
    (void)state;
    for (int64_t seconds = 0; seconds < 200000; seconds += 37) {
        char out[32];
        timefmt_format_duration(seconds, out, sizeof out);
        assert_int_equal(timefmt_parse_duration(out), seconds);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days_from_civil),
        cmocka_unit_test(test_civil_round_trip),
        cmocka_unit_test(test_civil_extremes_do_not_overflow),
        cmocka_unit_test(test_reference_forms),
        cmocka_unit_test(test_reference_round_trips),
        cmocka_unit_test(test_fractions),
        cmocka_unit_test(test_offsets_are_converted),
        cmocka_unit_test(test_utc_only_refuses_offsets),
        cmocka_unit_test(test_bad_offsets),
        cmocka_unit_test(test_lowercase_letters),
        cmocka_unit_test(test_leap_years),
        cmocka_unit_test(test_field_ranges),
        cmocka_unit_test(test_leap_second),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_before_1970),
        cmocka_unit_test(test_format_extreme_years),
        cmocka_unit_test(test_format_small_buffer),
        cmocka_unit_test(test_round_trip_many),
        cmocka_unit_test(test_parse_duration),
        cmocka_unit_test(test_parse_duration_python_forms),
        cmocka_unit_test(test_parse_duration_malformed),
        cmocka_unit_test(test_parse_duration_overflow),
        cmocka_unit_test(test_format_duration),
        cmocka_unit_test(test_duration_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

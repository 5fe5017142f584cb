/* Tests for core/tz and wire/tzdb.
 *
 * Expected values were worked out by hand and checked against Python's
 * zoneinfo (3.11, tzdata 2025b) and, for the POSIX "n" rule form where
 * CPython's zoneinfo is one day early, against glibc (`TZ=... date`).
 * Real zones come from /usr/share/zoneinfo (Debian package tzdata); those
 * tests are skipped, saying so, only when that directory is missing.  The
 * hand-made TZif data below needs no file system. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/timefmt.h"
#include "core/tz.h"
#include "fixture.h"
#include "wire/tzdb.h"

#define ZONEINFO "/usr/share/zoneinfo"
#define HOUR 3600
#define DAY INT64_C(86400)

static struct tzdb *system_db; /* NULL when ZONEINFO is missing */

/* --- helpers ------------------------------------------------------------------ */

/* "2024-03-10T07:00:00Z" as Unix seconds. */
static int64_t at(const char *iso)
{
    return fixture_ms(iso) / 1000;
}

/* "2024-03-10T02:30:00", a local wall time, as seconds since local 1970-01-01. */
static int64_t local(const char *iso)
{
    int64_t ms = 0;
    if (!timefmt_parse(iso, &ms, TIMEFMT_ALLOW_NO_ZONE))
        fail_msg("bad local time in the test: %s", iso);
    return ms / 1000;
}

#define assert_at(got, iso) check_at((got), (iso), __FILE__, __LINE__)

static void check_at(int64_t got, const char *iso, const char *file, int line)
{
    int64_t want = at(iso);
    if (got == want)
        return;
    char text[TIMEFMT_SIZE];
    timefmt_format(got * 1000, text, sizeof text);
    print_error("got %s (%lld), want %s (%lld)\n", text, (long long)got, iso, (long long)want);
    _fail(file, line);
}

#define assert_offset(zone, iso, expected) \
    check_offset((zone), (iso), (expected), __FILE__, __LINE__)

static void check_offset(const struct tz_zone *zone, const char *iso, int32_t expected,
                         const char *file, int line)
{
    int32_t got = tz_offset_at(zone, at(iso));
    if (got == expected)
        return;
    print_error("%s at %s: offset %d, want %d\n", tz_name(zone), iso, (int)got, (int)expected);
    _fail(file, line);
}

/* A zone from the system database; skips the test if there is none. */
static const struct tz_zone *real_zone(const char *name)
{
    if (!system_db)
        skip();
    return fixture_zone(system_db, name);
}

static bool contains(const char *text, const char *part)
{
    return strstr(text, part) != NULL;
}

/* --- hand-made TZif data ---------------------------------------------------------- */

#define U32(v) (unsigned char)((v) >> 24), (unsigned char)((v) >> 16), (unsigned char)((v) >> 8), \
               (unsigned char)(v)
#define TZIF_HEADER(version, isut, isstd, leap, time, type, chars) \
    'T', 'Z', 'i', 'f', version, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
    U32(isut), U32(isstd), U32(leap), U32(time), U32(type), U32(chars)

/* A version 2 zone: LMT +00:20:34 until 1970, AAA (+1) until 2001-09-09T01:46:40Z
 * (10^9 s), then BBB (+2, DST), then the footer: central European rules. */
static const unsigned char hand_v2[] = {
    /* version 1 header and data: one type, for old readers only */
    TZIF_HEADER('2', 0, 0, 0, 0, 1, 4),
    U32(0), 0, 0, 'L', 'M', 'T', 0,
    /* version 2 header (offset 54): 2 transitions, 3 types, 12 bytes of names */
    TZIF_HEADER('2', 0, 0, 0, 2, 3, 12),
    /* transition times (offset 98), 64-bit */
    U32(0), U32(0),          /* 1970-01-01T00:00:00Z */
    U32(0), U32(1000000000), /* 2001-09-09T01:46:40Z */
    /* their types (offset 114) */
    1, 2,
    /* types (offset 116): utoff, isdst, abbreviation index */
    U32(1234), 0, 0, /* LMT */
    U32(3600), 0, 4, /* AAA */
    U32(7200), 1, 8, /* BBB */
    'L', 'M', 'T', 0, 'A', 'A', 'A', 0, 'B', 'B', 'B', 0,
    /* footer (offset 146) */
    '\n', 'A', 'A', 'A', '-', '1', 'B', 'B', 'B', ',', 'M', '3', '.', '5', '.', '0', ',',
    'M', '1', '0', '.', '5', '.', '0', '/', '3', '\n',
};

enum {
    V2_TIMECNT_LAST_BYTE = 54 + 35,
    V2_FIRST_TRANSITION = 98,
    V2_SECOND_TRANSITION = 106,
    V2_SECOND_TYPE_INDEX = 115,
    V2_TYPE1_UTOFF = 122,
    V2_TYPE1_ISDST = 126,
    V2_TYPE1_DESIGNATION = 127,
    V2_LEAPCNT_LAST_BYTE = 54 + 31,
    V2_FOOTER = 146,
};

/* A version 1 zone with 32-bit times, indicator arrays and no footer:
 * AAA (-1) until 1901-12-13T20:45:52Z (-2^31), BBB (-2, DST) until
 * 2004-01-10T13:37:04Z (2^30), AAA forever after. */
static const unsigned char hand_v1[] = {
    TZIF_HEADER(0, 2, 2, 0, 2, 2, 8),
    0x80, 0, 0, 0, /* -2^31 */
    0x40, 0, 0, 0, /* 2^30 */
    1, 0,
    0xff, 0xff, 0xf1, 0xf0, 0, 0, /* AAA -3600 */
    0xff, 0xff, 0xe3, 0xe0, 1, 4, /* BBB -7200 */
    'A', 'A', 'A', 0, 'B', 'B', 'B', 0,
    0, 0, /* standard/wall */
    0, 0, /* UT/local */
};

/* Copies data into a fresh buffer of `len` bytes (less: truncated; more: padded
 * with `pad`), so that ASan sees any read past `len`. */
static unsigned char *copy_bytes(const unsigned char *data, size_t data_len, size_t len,
                                 unsigned char pad)
{
    unsigned char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, data, data_len < len ? data_len : len);
    if (len > data_len)
        memset(copy + data_len, pad, len - data_len);
    return copy;
}

/* A version 2 zone with no transitions: the footer governs all time. */
static struct tz_zone *footer_zone(const char *footer, char *error, size_t error_size)
{
    static const unsigned char prefix[] = {
        TZIF_HEADER('2', 0, 0, 0, 0, 1, 4), U32(0), 0, 0, 'X', 'X', 'X', 0,
        TZIF_HEADER('2', 0, 0, 0, 0, 1, 4), U32(0), 0, 0, 'X', 'X', 'X', 0,
    };
    size_t footer_len = strlen(footer);
    size_t len = sizeof prefix + footer_len + 2;
    unsigned char *data = copy_bytes(prefix, sizeof prefix, len, '\n');
    memcpy(data + sizeof prefix + 1, footer, footer_len);
    struct tz_zone *zone = tz_parse(data, len, footer, error, error_size);
    free(data);
    return zone;
}

static struct tz_zone *footer_zone_ok(const char *footer)
{
    char error[256] = "";
    struct tz_zone *zone = footer_zone(footer, error, sizeof error);
    if (!zone)
        fail_msg("refused footer \"%s\": %s", footer, error);
    return zone;
}

/* Parses data that must be refused; returns the message. */
static void assert_refused(const unsigned char *data, size_t len, const char *part_of_message)
{
    char error[256] = "";
    struct tz_zone *zone = tz_parse(data, len, "Test/Corrupt", error, sizeof error);
    if (zone) {
        tz_free(zone);
        fail_msg("accepted corrupt data (expected \"%s\")", part_of_message);
    }
    if (!contains(error, "Test/Corrupt: ") || !contains(error, part_of_message))
        fail_msg("message \"%s\" lacks \"%s\"", error, part_of_message);
    assert_null(strchr(error, '\n'));
}

/* hand_v2 with one byte changed. */
static void assert_v2_refused_with(size_t offset, unsigned char value, const char *message)
{
    unsigned char *data = copy_bytes(hand_v2, sizeof hand_v2, sizeof hand_v2, 0);
    data[offset] = value;
    assert_refused(data, sizeof hand_v2, message);
    free(data);
}

static void test_hand_made_v2(void **state)
{
    (void)state;
    char error[256] = "";
    struct tz_zone *zone = tz_parse(hand_v2, sizeof hand_v2, "Test/Hand", error, sizeof error);
    if (!zone)
        fail_msg("%s", error);
    assert_string_equal(tz_name(zone), "Test/Hand");
    assert_int_equal(tz_offset_at(zone, -1), 1234); /* before the first transition: type 0 */
    assert_int_equal(tz_offset_at(zone, 0), 3600);
    assert_int_equal(tz_offset_at(zone, 999999999), 3600);
    assert_int_equal(tz_offset_at(zone, 1000000000), 7200);
    /* After the last transition the footer rules: DST ends 2001-10-28T01:00Z. */
    assert_offset(zone, "2001-10-28T00:59:59Z", 7200);
    assert_offset(zone, "2001-10-28T01:00:00Z", 3600);
    assert_offset(zone, "2030-03-31T00:59:59Z", 3600);
    assert_offset(zone, "2030-03-31T01:00:00Z", 7200);
    /* The 1970 change is a 2366 s gap: local 00:20:34..00:59:59 never happened. */
    assert_int_equal(tz_local_to_utc(zone, 1233), -1);
    assert_int_equal(tz_local_to_utc(zone, 1234), 0);
    assert_int_equal(tz_local_to_utc(zone, 1800), 0);
    assert_int_equal(tz_local_to_utc(zone, 3600), 0);
    assert_int_equal(tz_local_to_utc(zone, 3601), 1);
    tz_free(zone);
}

static void test_hand_made_v1(void **state)
{
    (void)state;
    char error[256] = "";
    struct tz_zone *zone = tz_parse(hand_v1, sizeof hand_v1, NULL, error, sizeof error);
    if (!zone)
        fail_msg("%s", error);
    assert_int_equal(tz_offset_at(zone, INT64_C(-2147483649)), -3600);
    assert_int_equal(tz_offset_at(zone, INT64_C(-2147483648)), -7200);
    assert_int_equal(tz_offset_at(zone, 0), -7200);
    assert_int_equal(tz_offset_at(zone, 1073741823), -7200);
    assert_int_equal(tz_offset_at(zone, 1073741824), -3600);
    assert_offset(zone, "2100-07-01T00:00:00Z", -3600); /* no footer: the last type lasts */
    /* The 1901 change repeats an hour: the first occurrence wins.  The 2004
     * one skips an hour: its local times map to the jump. */
    assert_int_equal(tz_local_to_utc(zone, INT64_C(-2147483648) - 3600 - 1800),
                     INT64_C(-2147483648) - 1800);
    assert_int_equal(tz_local_to_utc(zone, 1073741824 - 7200 + 1800), 1073741824);
    assert_int_equal(tz_local_to_utc(zone, 1073741824 - 3600), 1073741824);
    tz_free(zone);
}

static void test_footer_forms(void **state)
{
    (void)state;
    /* The US rule, given and by default (tzcode's and glibc's default). */
    const char *us_rules[] = { "EST5EDT,M3.2.0,M11.1.0", "EST5EDT" };
    for (size_t i = 0; i < 2; i++) {
        struct tz_zone *zone = footer_zone_ok(us_rules[i]);
        assert_offset(zone, "2024-03-10T06:59:59Z", -18000);
        assert_offset(zone, "2024-03-10T07:00:00Z", -14400);
        assert_offset(zone, "2024-11-03T05:59:59Z", -14400);
        assert_offset(zone, "2024-11-03T06:00:00Z", -18000);
        tz_free(zone);
    }

    /* Quoted names, no DST, minutes. */
    struct tz_zone *zone = footer_zone_ok("<+03>-3");
    assert_offset(zone, "2024-06-01T00:00:00Z", 10800);
    assert_offset(zone, "1900-06-01T00:00:00Z", 10800);
    tz_free(zone);
    zone = footer_zone_ok("<-0330>3:30");
    assert_offset(zone, "2024-06-01T00:00:00Z", -12600);
    tz_free(zone);

    /* Jn never counts February 29: J60 is March 1 in 2024 as in 2023. */
    zone = footer_zone_ok("AAA0BBB,J60/0,J300/0");
    assert_offset(zone, "2024-02-29T23:59:59Z", 0);
    assert_offset(zone, "2024-03-01T00:00:00Z", 3600);
    assert_offset(zone, "2023-02-28T23:59:59Z", 0);
    assert_offset(zone, "2023-03-01T00:00:00Z", 3600);
    assert_offset(zone, "2024-10-26T22:59:59Z", 3600);
    assert_offset(zone, "2024-10-26T23:00:00Z", 0);
    tz_free(zone);

    /* n is zero-based and counts February 29: day 59 is Feb 29 in 2024,
     * March 1 in 2023; day 300 is October 27 in 2024, October 28 in 2023. */
    zone = footer_zone_ok("AAA0BBB,59/0,300/0");
    assert_offset(zone, "2024-02-28T23:59:59Z", 0);
    assert_offset(zone, "2024-02-29T00:00:00Z", 3600);
    assert_offset(zone, "2023-02-28T23:59:59Z", 0);
    assert_offset(zone, "2023-03-01T00:00:00Z", 3600);
    assert_offset(zone, "2024-10-26T22:59:59Z", 3600);
    assert_offset(zone, "2024-10-26T23:00:00Z", 0);
    assert_offset(zone, "2023-10-27T22:59:59Z", 3600);
    assert_offset(zone, "2023-10-27T23:00:00Z", 0);
    tz_free(zone);

    /* Version 3 times: negative (23:00 the day before) and past 24 h. */
    zone = footer_zone_ok("AAA3BBB,M3.2.0/-1,M11.1.0/26");
    assert_offset(zone, "2024-03-10T01:59:59Z", -10800);
    assert_offset(zone, "2024-03-10T02:00:00Z", -7200);
    assert_offset(zone, "2024-11-04T03:59:59Z", -7200);
    assert_offset(zone, "2024-11-04T04:00:00Z", -10800);
    tz_free(zone);

    /* DST all year: the year's end meets the next year's start. */
    zone = footer_zone_ok("EST5EDT,0/0,J365/25");
    assert_offset(zone, "2024-01-01T00:00:00Z", -14400);
    assert_offset(zone, "2024-07-01T00:00:00Z", -14400);
    assert_offset(zone, "2025-01-01T04:59:59Z", -14400);
    assert_offset(zone, "2025-01-01T05:00:00Z", -14400);
    int64_t next = tz_next_daily(zone, at("2024-06-01T00:00:00Z"), 4 * HOUR);
    assert_at(next, "2024-06-01T08:00:00Z");
    tz_free(zone);

    /* Southern hemisphere (America/Santiago): DST spans the new year. */
    zone = footer_zone_ok("<-04>4<-03>,M9.1.6/24,M4.1.6/24");
    assert_offset(zone, "2024-04-07T02:59:59Z", -10800);
    assert_offset(zone, "2024-04-07T03:00:00Z", -14400);
    assert_offset(zone, "2024-09-08T03:59:59Z", -14400);
    assert_offset(zone, "2024-09-08T04:00:00Z", -10800);
    assert_offset(zone, "2045-01-15T00:00:00Z", -10800);
    assert_offset(zone, "2045-07-15T00:00:00Z", -14400);
    tz_free(zone);

    /* Explicit DST offset with minutes (Australia/Lord_Howe). */
    zone = footer_zone_ok("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
    assert_offset(zone, "2045-01-15T00:00:00Z", 39600);
    assert_offset(zone, "2045-07-15T00:00:00Z", 37800);
    tz_free(zone);
}

static void test_bad_footers(void **state)
{
    (void)state;
    const char *bad[] = {
        "AAA-1BBB,M13.5.0,M10.5.0/3", /* month 13 */
        "AAA-1BBB,M3.6.0,M10.5.0/3",  /* week 6 */
        "AAA-1BBB,M3.5.7,M10.5.0/3",  /* weekday 7 */
        "AAA-1BBB,M3.5.0,M10.5.0/168", /* past 167 h */
        "AAA-1BBB,M3.5.0",            /* no end rule */
        "AAA-1BBB,J0,J300",           /* J counts from 1 */
        "AAA-1BBB,366,300",           /* n stops at 365 */
        "AAA-1BBB,M3.5.0,M10.5.0x",   /* junk at the end */
        "AA-1",                       /* name too short */
        "AAA",                        /* no offset */
        "AAA25",                      /* offset past 24 h */
        "AAA5:60",                    /* minutes past 59 */
        "<AAA-1",                     /* unterminated quoted name */
        "<A>-1",                      /* quoted name too short */
        "AAA-1BBB,M3.5.0;M10.5.0",    /* wrong separator */
        "AAA99999999999999999999",    /* huge number */
        "AAA-1\x1b[2J",               /* terminal escape */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char error[256] = "";
        struct tz_zone *zone = footer_zone(bad[i], error, sizeof error);
        if (zone) {
            tz_free(zone);
            fail_msg("accepted footer \"%s\"", bad[i]);
        }
        if (!contains(error, "footer"))
            fail_msg("message for \"%s\" is \"%s\"", bad[i], error);
        assert_null(strchr(error, '\x1b'));
    }
}

static void test_corrupt_data(void **state)
{
    (void)state;
    /* Every truncation of a good file is refused, none is read past. */
    for (size_t len = 0; len < sizeof hand_v2; len++) {
        unsigned char *data = copy_bytes(hand_v2, sizeof hand_v2, len, 0);
        char error[256] = "";
        struct tz_zone *zone = tz_parse(data, len, "Test/Cut", error, sizeof error);
        free(data);
        if (zone) {
            tz_free(zone);
            fail_msg("accepted %zu of %zu bytes", len, sizeof hand_v2);
        }
        assert_true(contains(error, "Test/Cut: "));
    }
    assert_refused(hand_v2, 30, "truncated TZif header");
    assert_refused(hand_v2, V2_FOOTER, "missing footer");
    assert_refused(hand_v2, sizeof hand_v2 - 1, "footer is not terminated");
    unsigned char *longer = copy_bytes(hand_v2, sizeof hand_v2, sizeof hand_v2 + 3, 'x');
    assert_refused(longer, sizeof hand_v2 + 3, "stray bytes after the footer (3)");
    free(longer);
    longer = copy_bytes(hand_v1, sizeof hand_v1, sizeof hand_v1 + 1, 0);
    assert_refused(longer, sizeof hand_v1 + 1, "stray bytes after the data (1)");
    free(longer);

    assert_v2_refused_with(3, 'F', "bad magic");
    assert_v2_refused_with(54, 'X', "bad magic at offset 54");
    assert_v2_refused_with(4, '1', "unknown TZif version");
    assert_v2_refused_with(V2_TIMECNT_LAST_BYTE, 200, "truncated data block");
    assert_v2_refused_with(V2_SECOND_TYPE_INDEX, 3, "transition 1 uses local time type 3 of 3");
    assert_v2_refused_with(V2_FIRST_TRANSITION + 4, 0x7f, "does not follow");
    assert_v2_refused_with(V2_TYPE1_UTOFF, 0x7f, "outside -25 h..+26 h");
    assert_v2_refused_with(V2_TYPE1_ISDST, 2, "isdst 2");
    assert_v2_refused_with(V2_TYPE1_DESIGNATION, 12, "abbreviation index 12");
    assert_v2_refused_with(V2_LEAPCNT_LAST_BYTE, 1, "leap-second");
    assert_v2_refused_with(25, 7, "truncated version 1 data block"); /* isstdcnt 7 << 16 */

    /* An abbreviation must end within the table. */
    unsigned char *data = copy_bytes(hand_v2, sizeof hand_v2, sizeof hand_v2, 0);
    data[V2_FOOTER - 1] = 'B';
    assert_refused(data, sizeof hand_v2, "unterminated");
    free(data);

    /* Indicators are 0 or 1, and there is one per type or none. */
    data = copy_bytes(hand_v1, sizeof hand_v1, sizeof hand_v1, 0);
    data[sizeof hand_v1 - 1] = 2;
    assert_refused(data, sizeof hand_v1, "UT/local indicator 1 is 2");
    free(data);
    data = copy_bytes(hand_v1, sizeof hand_v1, sizeof hand_v1, 0);
    data[23] = 1; /* isutcnt 1 for 2 types */
    assert_refused(data, sizeof hand_v1, "1 UT/local indicators for 2 types");
    free(data);

    /* No types at all, or more than a one-byte index can reach. */
    data = copy_bytes(hand_v1, sizeof hand_v1, sizeof hand_v1, 0);
    data[39] = 0;
    assert_refused(data, sizeof hand_v1, "0 local time types");
    data[38] = 1, data[39] = 1; /* 257 */
    assert_refused(data, sizeof hand_v1, "257 local time types");
    free(data);

    /* Times beyond +-2^60 s. */
    data = copy_bytes(hand_v2, sizeof hand_v2, sizeof hand_v2, 0);
    data[V2_SECOND_TRANSITION] = 0x7f;
    assert_refused(data, sizeof hand_v2, "out of range");
    free(data);

    char error[128] = "";
    assert_null(tz_parse(NULL, 0, NULL, error, sizeof error));
    assert_string_equal(error, "TZif data: truncated TZif header (0 bytes at offset 0, need 44)");
    /* Tiny or absent message buffers are fine. */
    assert_null(tz_parse(hand_v2, 10, "Test/Cut", error, 4));
    assert_string_equal(error, "Tes");
    assert_null(tz_parse(hand_v2, 10, "Test/Cut", NULL, 0));
}

/* --- real zones -------------------------------------------------------------------- */

static void test_new_york_offsets(void **state)
{
    (void)state;
    const struct tz_zone *ny = real_zone("America/New_York");
    assert_string_equal(tz_name(ny), "America/New_York");
    assert_offset(ny, "2024-01-15T12:00:00Z", -18000);
    assert_offset(ny, "2024-07-15T12:00:00Z", -14400);
    assert_offset(ny, "2030-01-15T12:00:00Z", -18000);
    assert_offset(ny, "2030-07-15T12:00:00Z", -14400);
    /* 2045 is past every transition in the file: the footer decides. */
    assert_offset(ny, "2045-01-15T12:00:00Z", -18000);
    assert_offset(ny, "2045-07-15T12:00:00Z", -14400);
    assert_offset(ny, "2045-03-12T06:59:59Z", -18000);
    assert_offset(ny, "2045-03-12T07:00:00Z", -14400);
    /* The 2024 changes, to the second. */
    assert_offset(ny, "2024-03-10T06:59:59Z", -18000);
    assert_offset(ny, "2024-03-10T07:00:00Z", -14400);
    assert_offset(ny, "2024-11-03T05:59:59Z", -14400);
    assert_offset(ny, "2024-11-03T06:00:00Z", -18000);
}

static void test_new_york_daily_reset(void **state)
{
    (void)state;
    const struct tz_zone *ny = real_zone("America/New_York");
    const int32_t four = 4 * HOUR;
    /* Spring: 04:00 EST, then 04:00 EDT 23 hours later, then 24 hours. */
    int64_t r1 = tz_next_daily(ny, at("2024-03-08T12:00:00Z"), four);
    int64_t r2 = tz_next_daily(ny, r1, four);
    int64_t r3 = tz_next_daily(ny, r2, four);
    assert_at(r1, "2024-03-09T09:00:00Z");
    assert_at(r2, "2024-03-10T08:00:00Z");
    assert_at(r3, "2024-03-11T08:00:00Z");
    assert_int_equal(r2 - r1, 23 * HOUR);
    assert_int_equal(r3 - r2, 24 * HOUR);
    /* Autumn: 25 hours across the change. */
    r1 = tz_next_daily(ny, at("2024-11-01T12:00:00Z"), four);
    r2 = tz_next_daily(ny, r1, four);
    r3 = tz_next_daily(ny, r2, four);
    assert_at(r1, "2024-11-02T08:00:00Z");
    assert_at(r2, "2024-11-03T09:00:00Z");
    assert_at(r3, "2024-11-04T09:00:00Z");
    assert_int_equal(r2 - r1, 25 * HOUR);
    /* "Strictly after": from one second before a reset, and from it. */
    assert_at(tz_next_daily(ny, r2 - 1, four), "2024-11-03T09:00:00Z");
    assert_at(tz_next_daily(ny, r2, four), "2024-11-04T09:00:00Z");

    /* A year of resets: each at 04:00 local, 23, 24 or 25 hours apart, and
     * exactly two days that are not 24 hours long. */
    int64_t reset = tz_next_daily(ny, at("2024-01-01T00:00:00Z"), four);
    int odd_days = 0;
    for (int day = 0; day < 366; day++) {
        int64_t next = tz_next_daily(ny, reset, four);
        int64_t local_time = next + tz_offset_at(ny, next);
        assert_int_equal(((local_time % DAY) + DAY) % DAY, four);
        assert_true(next - reset == 23 * HOUR || next - reset == 24 * HOUR ||
                    next - reset == 25 * HOUR);
        odd_days += next - reset != 24 * HOUR;
        reset = next;
    }
    assert_int_equal(odd_days, 2);
}

static void test_new_york_gap_and_overlap(void **state)
{
    (void)state;
    const struct tz_zone *ny = real_zone("America/New_York");
    /* 02:30 on spring-forward day does not exist: the reset happens when
     * the clocks jump, 03:00 EDT, then 02:30 EDT the next day. */
    assert_at(tz_local_to_utc(ny, local("2024-03-10T02:30:00")), "2024-03-10T07:00:00Z");
    int64_t reset = tz_next_daily(ny, at("2024-03-10T05:00:00Z"), 2 * HOUR + 1800);
    assert_at(reset, "2024-03-10T07:00:00Z");
    assert_at(tz_next_daily(ny, reset, 2 * HOUR + 1800), "2024-03-11T06:30:00Z");
    assert_at(tz_local_to_utc(ny, local("2024-03-10T01:59:59")), "2024-03-10T06:59:59Z");
    assert_at(tz_local_to_utc(ny, local("2024-03-10T03:00:00")), "2024-03-10T07:00:00Z");

    /* 01:30 on fall-back day happens twice: the reset takes the first, EDT,
     * and not the second (06:30Z); the next is 01:30 EST the next day. */
    assert_at(tz_local_to_utc(ny, local("2024-11-03T01:30:00")), "2024-11-03T05:30:00Z");
    reset = tz_next_daily(ny, at("2024-11-03T04:00:00Z"), HOUR + 1800);
    assert_at(reset, "2024-11-03T05:30:00Z");
    assert_at(tz_next_daily(ny, reset, HOUR + 1800), "2024-11-04T06:30:00Z");
    assert_at(tz_next_daily(ny, at("2024-11-03T06:00:00Z"), HOUR + 1800), "2024-11-04T06:30:00Z");
}

static void test_new_york_day_and_week(void **state)
{
    (void)state;
    const struct tz_zone *ny = real_zone("America/New_York");
    /* 2024-03-10 is 23 hours long, 2024-11-03 25 hours (both Sundays). */
    int64_t start = tz_day_start(ny, at("2024-03-10T12:00:00Z"));
    assert_at(start, "2024-03-10T05:00:00Z");
    assert_at(tz_day_start(ny, start), "2024-03-10T05:00:00Z");
    assert_at(tz_day_start(ny, start - 1), "2024-03-09T05:00:00Z");
    int64_t next = tz_day_start(ny, at("2024-03-11T03:59:59Z"));
    assert_at(next, "2024-03-10T05:00:00Z");
    next = tz_day_start(ny, at("2024-03-11T04:00:00Z"));
    assert_at(next, "2024-03-11T04:00:00Z");
    assert_int_equal(next - start, 23 * HOUR);

    start = tz_day_start(ny, at("2024-11-03T12:00:00Z"));
    assert_at(start, "2024-11-03T04:00:00Z");
    next = tz_day_start(ny, at("2024-11-04T05:00:00Z"));
    assert_at(next, "2024-11-04T05:00:00Z");
    assert_at(tz_day_start(ny, at("2024-11-04T04:59:59Z")), "2024-11-03T04:00:00Z");
    assert_int_equal(next - start, 25 * HOUR);

    /* Weeks start on Monday 00:00 local, in EST or EDT. */
    assert_at(tz_week_start(ny, at("2024-03-10T12:00:00Z")), "2024-03-04T05:00:00Z");
    assert_at(tz_week_start(ny, at("2024-03-11T04:00:00Z")), "2024-03-11T04:00:00Z");
    assert_at(tz_week_start(ny, at("2024-03-11T03:59:59Z")), "2024-03-04T05:00:00Z");
    assert_at(tz_week_start(ny, at("2024-11-03T12:00:00Z")), "2024-10-28T04:00:00Z");
    assert_at(tz_week_start(ny, at("2024-11-06T12:00:00Z")), "2024-11-04T05:00:00Z");
}

static void test_london(void **state)
{
    (void)state;
    const struct tz_zone *london = real_zone("Europe/London");
    assert_offset(london, "2024-03-31T00:59:59Z", 0);
    assert_offset(london, "2024-03-31T01:00:00Z", 3600);
    assert_offset(london, "2024-10-27T00:59:59Z", 3600);
    assert_offset(london, "2024-10-27T01:00:00Z", 0);
    /* Resets at 04:00 local on both sides of each change. */
    const int32_t four = 4 * HOUR;
    assert_at(tz_next_daily(london, at("2024-03-30T00:00:00Z"), four), "2024-03-30T04:00:00Z");
    assert_at(tz_next_daily(london, at("2024-03-30T04:00:00Z"), four), "2024-03-31T03:00:00Z");
    assert_at(tz_next_daily(london, at("2024-03-31T03:00:00Z"), four), "2024-04-01T03:00:00Z");
    assert_at(tz_next_daily(london, at("2024-10-26T00:00:00Z"), four), "2024-10-26T03:00:00Z");
    assert_at(tz_next_daily(london, at("2024-10-26T03:00:00Z"), four), "2024-10-27T04:00:00Z");
    /* 01:30 on the spring day is in the gap: it happens at the jump. */
    assert_at(tz_next_daily(london, at("2024-03-30T23:00:00Z"), HOUR + 1800),
              "2024-03-31T01:00:00Z");
    assert_at(tz_local_to_utc(london, local("2024-03-31T01:30:00")), "2024-03-31T01:00:00Z");
}

static void test_lord_howe(void **state)
{
    (void)state;
    /* Half-hour DST: +10:30 standard, +11 in summer. */
    const struct tz_zone *lh = real_zone("Australia/Lord_Howe");
    assert_offset(lh, "2024-01-15T00:00:00Z", 39600);
    assert_offset(lh, "2024-07-15T00:00:00Z", 37800);
    assert_offset(lh, "2024-04-06T14:59:59Z", 39600);
    assert_offset(lh, "2024-04-06T15:00:00Z", 37800);
    /* 2024-10-06 02:00 +10:30 jumps to 02:30 +11: 02:15 happens at the jump. */
    assert_at(tz_next_daily(lh, at("2024-10-05T12:00:00Z"), 2 * HOUR + 900),
              "2024-10-05T15:30:00Z");
    /* 2024-04-07 01:30..02:00 happens twice: the first, at +11. */
    assert_at(tz_next_daily(lh, at("2024-04-06T12:00:00Z"), HOUR + 2700), "2024-04-06T14:45:00Z");
}

static void test_kolkata(void **state)
{
    (void)state;
    const struct tz_zone *kolkata = real_zone("Asia/Kolkata");
    assert_offset(kolkata, "2024-01-15T00:00:00Z", 19800);
    assert_offset(kolkata, "2024-07-15T00:00:00Z", 19800);
    assert_offset(kolkata, "2045-07-15T00:00:00Z", 19800);
    assert_offset(kolkata, "1945-07-15T00:00:00Z", 23400); /* war time */
    assert_at(tz_day_start(kolkata, at("2024-06-15T12:00:00Z")), "2024-06-14T18:30:00Z");
    assert_at(tz_next_daily(kolkata, at("2024-06-15T12:00:00Z"), 4 * HOUR),
              "2024-06-15T22:30:00Z");
    assert_at(tz_week_start(kolkata, at("2024-06-15T12:00:00Z")), "2024-06-09T18:30:00Z");
}

static void test_southern_hemisphere(void **state)
{
    (void)state;
    const struct tz_zone *sydney = real_zone("Australia/Sydney");
    assert_offset(sydney, "2024-01-15T00:00:00Z", 39600);
    assert_offset(sydney, "2024-07-15T00:00:00Z", 36000);
    assert_offset(sydney, "2045-01-01T00:00:00Z", 39600); /* footer, across the new year */
    assert_offset(sydney, "2045-07-01T00:00:00Z", 36000);
    /* DST starts 2024-10-06 02:00 AEST and ends 2024-04-07 03:00 AEDT. */
    assert_at(tz_next_daily(sydney, at("2024-10-05T12:00:00Z"), 2 * HOUR + 1800),
              "2024-10-05T16:00:00Z");
    assert_at(tz_next_daily(sydney, at("2024-04-06T12:00:00Z"), 2 * HOUR + 1800),
              "2024-04-06T15:30:00Z");

    const struct tz_zone *santiago = real_zone("America/Santiago");
    assert_offset(santiago, "2045-01-15T00:00:00Z", -10800);
    assert_offset(santiago, "2045-07-15T00:00:00Z", -14400);
}

static void test_midnight_in_a_gap(void **state)
{
    (void)state;
    /* Brazil sprang forward at midnight: 2018-11-04 began at 01:00 -02. */
    const struct tz_zone *sao_paulo = real_zone("America/Sao_Paulo");
    int64_t start = tz_day_start(sao_paulo, at("2018-11-04T12:00:00Z"));
    assert_at(start, "2018-11-04T03:00:00Z");
    assert_at(tz_day_start(sao_paulo, at("2018-11-04T02:59:59Z")), "2018-11-03T03:00:00Z");
    assert_at(tz_next_daily(sao_paulo, at("2018-11-03T12:00:00Z"), 0), "2018-11-04T03:00:00Z");
    assert_at(tz_day_start(sao_paulo, at("2018-11-05T12:00:00Z")), "2018-11-05T02:00:00Z");
    /* And so does Beirut (footer EET-2EEST,M3.5.0/0,M10.5.0/0). */
    const struct tz_zone *beirut = real_zone("Asia/Beirut");
    assert_at(tz_day_start(beirut, at("2022-03-27T12:00:00Z")), "2022-03-26T22:00:00Z");
    assert_at(tz_day_start(beirut, at("2022-03-28T12:00:00Z")), "2022-03-27T21:00:00Z");
    assert_at(tz_day_start(beirut, at("2045-03-26T12:00:00Z")), "2045-03-25T22:00:00Z");
    assert_at(tz_week_start(beirut, at("2045-03-26T12:00:00Z")), "2045-03-19T22:00:00Z");
}

/* --- UTC and extremes ----------------------------------------------------------------- */

static void test_utc(void **state)
{
    (void)state;
    struct tz_zone *utc = tz_utc();
    assert_non_null(utc);
    assert_string_equal(tz_name(utc), "UTC");
    assert_int_equal(tz_offset_at(utc, at("2024-07-01T00:00:00Z")), 0);
    assert_at(tz_next_daily(utc, at("2024-07-01T04:00:00Z"), 4 * HOUR), "2024-07-02T04:00:00Z");
    assert_at(tz_day_start(utc, at("2024-07-03T23:59:59Z")), "2024-07-03T00:00:00Z");
    assert_at(tz_week_start(utc, at("2024-07-07T23:59:59Z")), "2024-07-01T00:00:00Z");
    assert_at(tz_week_start(utc, at("1970-01-01T00:00:00Z")), "1969-12-29T00:00:00Z");
    tz_free(utc); /* the shared zone survives */
    assert_ptr_equal(tz_utc(), utc);
    assert_int_equal(tz_offset_at(tz_utc(), 0), 0);
    /* NULL means UTC everywhere. */
    assert_int_equal(tz_offset_at(NULL, 12345), 0);
    assert_int_equal(tz_local_to_utc(NULL, 12345), 12345);
    assert_at(tz_day_start(NULL, at("2024-07-03T13:00:00Z")), "2024-07-03T00:00:00Z");
    assert_string_equal(tz_name(NULL), "UTC");
    /* An out-of-range time of day is clamped to the day. */
    assert_at(tz_next_daily(utc, at("2024-07-01T00:00:00Z"), -5), "2024-07-02T00:00:00Z");
    assert_at(tz_next_daily(utc, at("2024-07-01T00:00:00Z"), 999999), "2024-07-01T23:59:59Z");
}

static void test_extreme_instants(void **state)
{
    (void)state;
    const int64_t limit = INT64_C(1) << 60;
    char error[256] = "";
    struct tz_zone *hand = tz_parse(hand_v2, sizeof hand_v2, "Test/Hand", error, sizeof error);
    assert_non_null(hand);
    const struct tz_zone *zones[] = { tz_utc(), hand,
                                      system_db ? real_zone("America/New_York") : tz_utc() };
    const int64_t instants[] = { INT64_MIN, INT64_MIN + 1, -limit - 1, -limit, 0,
                                 limit, limit + 1, INT64_MAX - 1, INT64_MAX };
    for (size_t z = 0; z < 3; z++) {
        for (size_t i = 0; i < sizeof instants / sizeof *instants; i++) {
            /* Clamped to +-2^60 s, give or take a few days, and no overflow
             * (UBSan would stop the test). */
            int64_t t = instants[i];
            int32_t offset = tz_offset_at(zones[z], t);
            assert_true(offset >= -89999 && offset <= 93599);
            int64_t results[] = { tz_local_to_utc(zones[z], t), tz_next_daily(zones[z], t, 0),
                                  tz_day_start(zones[z], t), tz_week_start(zones[z], t) };
            for (size_t r = 0; r < 4; r++)
                assert_true(results[r] >= -limit - 8 * DAY && results[r] <= limit + 8 * DAY);
        }
    }
    tz_free(hand);
}

/* --- tzdb ----------------------------------------------------------------------------- */

static void assert_bad_name(struct tzdb *db, const char *name, const char *part_of_message)
{
    char error[256] = "";
    if (tzdb_get(db, name, error, sizeof error))
        fail_msg("accepted the zone name \"%s\"", name);
    if (!contains(error, part_of_message))
        fail_msg("message \"%s\" lacks \"%s\"", error, part_of_message);
    assert_null(strchr(error, '\x1b'));
    assert_null(strchr(error, '\n'));
}

static void test_tzdb_names(void **state)
{
    (void)state;
    /* Refused before any file is opened, so any directory will do. */
    struct tzdb *db = tzdb_new(ZONEINFO);
    assert_non_null(db);
    assert_bad_name(db, "../etc/passwd", "'.' or '..' component");
    assert_bad_name(db, "America/../../etc/passwd", "'.' or '..' component");
    assert_bad_name(db, "/etc/localtime", "starts with '/'");
    assert_bad_name(db, "America//New_York", "empty component");
    assert_bad_name(db, "America/New_York/", "empty component");
    assert_bad_name(db, "a/./b", "'.' or '..' component");
    assert_bad_name(db, "", "empty");
    assert_bad_name(db, "America/New York", "only letters");
    assert_bad_name(db, "zone.tab", "only letters");
    assert_bad_name(db, "Europe/London\x1b[2J", "\"Europe/London?[2J\"");
    assert_bad_name(db, "Europe/Lond\xc3\xb6n", "only letters");
    assert_bad_name(db, NULL, "no zone name");
    char name[66];
    memset(name, 'A', 65);
    name[65] = '\0';
    assert_bad_name(db, name, "longer than 64");
    name[64] = '\0'; /* 64 is allowed: refused only because there is no such file */
    assert_bad_name(db, name, "no such zone");
    tzdb_free(db);
}

static void test_tzdb_lookups(void **state)
{
    (void)state;
    if (!system_db)
        skip();
    char error[256] = "";
    const struct tz_zone *ny = tzdb_get(system_db, "America/New_York", error, sizeof error);
    assert_non_null(ny);
    assert_ptr_equal(tzdb_get(system_db, "America/New_York", error, sizeof error), ny);
    /* An alias through a symbolic link, and a zone with a sign in its name. */
    const struct tz_zone *eastern = tzdb_get(system_db, "US/Eastern", error, sizeof error);
    if (!eastern)
        fail_msg("%s", error);
    assert_int_equal(tz_offset_at(eastern, at("2024-07-01T00:00:00Z")), -14400);
    const struct tz_zone *plus5 = tzdb_get(system_db, "Etc/GMT+5", error, sizeof error);
    if (!plus5)
        fail_msg("%s", error);
    assert_int_equal(tz_offset_at(plus5, 0), -18000);

    assert_bad_name(system_db, "Mars/Olympus", "time zone \"Mars/Olympus\": no such zone in "
                                               ZONEINFO);
    assert_bad_name(system_db, "America", "it is a directory");
    assert_null(tzdb_get(system_db, "Mars/Olympus", NULL, 0));
    assert_string_equal(tzdb_directory(system_db), ZONEINFO);
}

static void test_tzdb_utc_without_files(void **state)
{
    (void)state;
    struct tzdb *db = tzdb_new("/nonexistent/zoneinfo");
    assert_non_null(db);
    char error[256] = "";
    assert_ptr_equal(tzdb_get(db, "UTC", error, sizeof error), tz_utc());
    assert_ptr_equal(tzdb_get(db, "Etc/UTC", error, sizeof error), tz_utc());
    assert_bad_name(db, "Europe/London", "no such zone in /nonexistent/zoneinfo");
    tzdb_free(db);
}

static void test_tzdb_directory_from_environment(void **state)
{
    (void)state;
    char *saved = getenv("TZDIR") ? strdup(getenv("TZDIR")) : NULL;
    setenv("TZDIR", "/nonexistent/from-env", 1);
    struct tzdb *db = tzdb_new(NULL);
    assert_string_equal(tzdb_directory(db), "/nonexistent/from-env");
    tzdb_free(db);
    unsetenv("TZDIR");
    db = tzdb_new(NULL);
    assert_string_equal(tzdb_directory(db), TZDB_DEFAULT_DIRECTORY);
    tzdb_free(db);
    db = tzdb_new("/elsewhere");
    assert_string_equal(tzdb_directory(db), "/elsewhere");
    tzdb_free(db);
    if (saved) {
        setenv("TZDIR", saved, 1);
        free(saved);
    }
}

static void write_file(const char *path, const unsigned char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Bad files in a directory of our own: corrupt, empty, too large. */
static void test_tzdb_bad_files(void **state)
{
    (void)state;
    char directory[] = "/tmp/test_tz.XXXXXX";
    assert_non_null(mkdtemp(directory));
    char path[256];
    snprintf(path, sizeof path, "%s/Hand", directory);
    write_file(path, hand_v2, sizeof hand_v2);
    snprintf(path, sizeof path, "%s/Corrupt", directory);
    write_file(path, hand_v2, 60);
    snprintf(path, sizeof path, "%s/Empty", directory);
    write_file(path, hand_v2, 0);
    snprintf(path, sizeof path, "%s/Huge", directory);
    size_t huge_len = TZDB_MAX_FILE_SIZE + 1;
    unsigned char *huge = copy_bytes(hand_v2, sizeof hand_v2, huge_len, 0);
    write_file(path, huge, huge_len);
    free(huge);

    struct tzdb *db = tzdb_new(directory);
    char error[256] = "";
    const struct tz_zone *hand = tzdb_get(db, "Hand", error, sizeof error);
    if (!hand)
        fail_msg("%s", error);
    assert_int_equal(tz_offset_at(hand, 1000000000), 7200);
    assert_bad_name(db, "Corrupt", "time zone \"Corrupt\": truncated TZif header");
    assert_bad_name(db, "Empty", "time zone \"Empty\": truncated TZif header");
    assert_bad_name(db, "Huge", "larger than 1 MiB");
    tzdb_free(db);

    const char *names[] = { "Hand", "Corrupt", "Empty", "Huge" };
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", directory, names[i]);
        assert_int_equal(unlink(path), 0);
    }
    assert_int_equal(rmdir(directory), 0);
}

int main(void)
{
    struct stat st;
    if (stat(ZONEINFO, &st) == 0 && S_ISDIR(st.st_mode))
        system_db = tzdb_new(ZONEINFO);
    else
        fprintf(stderr, "test_tz: %s is missing (install the Debian package tzdata): "
                        "the tests of real zones are skipped\n", ZONEINFO);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_made_v2),
        cmocka_unit_test(test_hand_made_v1),
        cmocka_unit_test(test_footer_forms),
        cmocka_unit_test(test_bad_footers),
        cmocka_unit_test(test_corrupt_data),
        cmocka_unit_test(test_new_york_offsets),
        cmocka_unit_test(test_new_york_daily_reset),
        cmocka_unit_test(test_new_york_gap_and_overlap),
        cmocka_unit_test(test_new_york_day_and_week),
        cmocka_unit_test(test_london),
        cmocka_unit_test(test_lord_howe),
        cmocka_unit_test(test_kolkata),
        cmocka_unit_test(test_southern_hemisphere),
        cmocka_unit_test(test_midnight_in_a_gap),
        cmocka_unit_test(test_utc),
        cmocka_unit_test(test_extreme_instants),
        cmocka_unit_test(test_tzdb_names),
        cmocka_unit_test(test_tzdb_lookups),
        cmocka_unit_test(test_tzdb_utc_without_files),
        cmocka_unit_test(test_tzdb_directory_from_environment),
        cmocka_unit_test(test_tzdb_bad_files),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    tzdb_free(system_db);
    return failed;
}

/* Tests for ui/spark: levels worked out by hand from ceil(v * 8 / max),
 * exact widths in columns, and pure ASCII in ASCII mode. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_ui.h"
#include "ui/spark.h"

#define B1 "\xE2\x96\x81" /* ▁ */
#define B2 "\xE2\x96\x82"
#define B3 "\xE2\x96\x83"
#define B4 "\xE2\x96\x84"
#define B5 "\xE2\x96\x85"
#define B6 "\xE2\x96\x86"
#define B7 "\xE2\x96\x87"
#define FULL "\xE2\x96\x88" /* █ */
#define L1 "\xE2\x96\x8F" /* ▏ */
#define L4 "\xE2\x96\x8C" /* ▌ */
#define L7 "\xE2\x96\x89" /* ▉ */

#define UTF8 glyphs_for(false)
#define ASCII glyphs_for(true)

/* --- spark_level ------------------------------------------------------- */

static void test_level_by_hand(void **state)
{
    (void)state;
    assert_int_equal(spark_level(0, 10, 8), 0);
    assert_int_equal(spark_level(-5, 10, 8), 0);
    assert_int_equal(spark_level(INT64_MIN, 10, 8), 0);
    assert_int_equal(spark_level(5, 0, 8), 0);
    assert_int_equal(spark_level(5, -1, 8), 0);
    assert_int_equal(spark_level(5, 10, 0), 0);
    assert_int_equal(spark_level(1, 100, 8), 1);  /* 0.08 rounds up: not nobody */
    assert_int_equal(spark_level(12, 100, 8), 1); /* 0.96 */
    assert_int_equal(spark_level(13, 100, 8), 2); /* 1.04 */
    assert_int_equal(spark_level(50, 100, 8), 4); /* exactly 4 */
    assert_int_equal(spark_level(51, 100, 8), 5);
    assert_int_equal(spark_level(99, 100, 8), 8);
    assert_int_equal(spark_level(100, 100, 8), 8);
    assert_int_equal(spark_level(1000, 100, 8), 8);
    assert_int_equal(spark_level(3, 7, 1), 1);
}

static void test_level_huge_values(void **state)
{
    (void)state;
    assert_int_equal(spark_level(INT64_MAX, INT64_MAX, 8), 8);
    assert_int_equal(spark_level(INT64_MAX - 1, INT64_MAX, 8), 8);
    assert_int_equal(spark_level(INT64_MAX / 2, INT64_MAX, 8), 4); /* 3.99999... */
    assert_int_equal(spark_level(1, INT64_MAX, 8), 1);
    assert_int_equal(spark_level(INT64_MAX / 3, INT64_MAX, 32000), 10667); /* 10666.66 */
    assert_int_equal(spark_level(INT64_MAX, 1, 8), 8);
}

static void test_level_is_monotonic(void **state)
{
    (void)state;
    static const int64_t maxes[] = { 1, 2, 7, 8, 9, 100, 288, 1000, 12345 };
    for (size_t m = 0; m < sizeof maxes / sizeof maxes[0]; m++) {
        unsigned previous = 0;
        for (int64_t v = 0; v <= maxes[m] + 2; v++) {
            unsigned level = spark_level(v, maxes[m], 8);
            assert_true(level >= previous);
            assert_true(level <= 8);
            if (v > 0)
                assert_true(level >= 1);
            if (v >= maxes[m])
                assert_int_equal(level, 8);
            previous = level;
        }
    }
}

/* --- spark_line -------------------------------------------------------- */

static void test_line_every_level(void **state)
{
    (void)state;
    const int64_t values[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
    char out[64];
    assert_int_equal(spark_line(values, 9, 9, 8, UTF8, out, sizeof out), 9);
    assert_string_equal(out, " " B1 B2 B3 B4 B5 B6 B7 FULL);
    assert_int_equal(spark_line(values, 9, 9, 8, ASCII, out, sizeof out), 9);
    assert_string_equal(out, " _.-~=+*#");
}

static void test_line_right_aligned(void **state)
{
    (void)state;
    const int64_t values[] = { 8, 4 };
    char out[64];
    assert_int_equal(spark_line(values, 2, 5, 8, UTF8, out, sizeof out), 5);
    assert_string_equal(out, "   " FULL B4);
    assert_int_equal(spark_line(NULL, 0, 4, 0, UTF8, out, sizeof out), 4);
    assert_string_equal(out, "    ");
}

static void test_line_shows_the_newest(void **state)
{
    (void)state;
    int64_t values[20];
    for (int i = 0; i < 20; i++)
        values[i] = i + 1;
    char out[64];
    /* Auto scale over 17..20 only: ceil(17*8/20) = 7, then 8, 8, 8. */
    assert_int_equal(spark_auto_max(values, 20, 4), 20);
    assert_int_equal(spark_line(values, 20, 4, 0, UTF8, out, sizeof out), 4);
    assert_string_equal(out, B7 FULL FULL FULL);
    /* Auto scale over the last one, whatever came before. */
    values[19] = 3;
    assert_int_equal(spark_auto_max(values, 20, 1), 3);
    assert_int_equal(spark_line(values, 20, 1, 0, ASCII, out, sizeof out), 1);
    assert_string_equal(out, "#");
}

static void test_line_negative_and_over_scale(void **state)
{
    (void)state;
    const int64_t values[] = { -3, 0, 2, 40, INT64_MIN, INT64_MAX };
    char out[64];
    spark_line(values, 6, 6, 4, UTF8, out, sizeof out);
    assert_string_equal(out, "  " B4 FULL " " FULL);
    /* Auto scale is INT64_MAX: 2 and 40 are tiny but above 0. */
    spark_line(values, 6, 6, 0, ASCII, out, sizeof out);
    assert_string_equal(out, "  __ #");
    const int64_t nobody[] = { 0, -1, 0 };
    assert_int_equal(spark_auto_max(nobody, 3, 3), 0);
    spark_line(nobody, 3, 3, 0, UTF8, out, sizeof out);
    assert_string_equal(out, "   ");
}

static void test_line_tiny_widths(void **state)
{
    (void)state;
    const int64_t values[] = { 1, 2, 3 };
    char out[16] = "junk";
    assert_int_equal(spark_line(values, 3, 0, 0, UTF8, out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(spark_line(values, 3, 1, 0, UTF8, out, sizeof out), 1);
    assert_string_equal(out, FULL);
}

static void test_line_small_buffers(void **state)
{
    (void)state;
    const int64_t values[] = { 8, 8, 8, 8, 8, 8, 8, 8, 8, 8 };
    char out[8];
    /* Two 3-byte glyphs fit in 8 bytes with the NUL; the third does not. */
    assert_int_equal(spark_line(values, 10, 10, 8, UTF8, out, sizeof out), 2);
    assert_string_equal(out, FULL FULL);
    char one[1] = { 'x' };
    assert_int_equal(spark_line(values, 10, 10, 8, UTF8, one, sizeof one), 0);
    assert_string_equal(one, "");
    assert_int_equal(spark_line(values, 10, 10, 8, UTF8, NULL, 0), 0);
    /* Padding is cut too, and the line stays a prefix. */
    char four[4];
    assert_int_equal(spark_line(values, 1, 10, 8, ASCII, four, sizeof four), 3);
    assert_string_equal(four, "   ");
}

/* Many random inputs: exact width, valid text, ASCII stays ASCII. */
static void test_line_properties(void **state)
{
    (void)state;
    uint64_t seed = 0x5eed5eedULL;
    int64_t values[300];
    char out[1024];
    for (int round = 0; round < 2000; round++) {
        size_t n = fixture_ui_random(&seed) % 300;
        size_t width = fixture_ui_random(&seed) % 120;
        for (size_t i = 0; i < n; i++) {
            uint64_t r = fixture_ui_random(&seed);
            values[i] = r % 7 == 0 ? (int64_t)r : (int64_t)(r % 500) - 50;
        }
        int64_t scale = (int64_t)(fixture_ui_random(&seed) % 600) - 100;
        for (int ascii = 0; ascii <= 1; ascii++) {
            size_t columns = spark_line(values, n, width, scale, glyphs_for(ascii), out,
                                        sizeof out);
            assert_int_equal(columns, width);
            fixture_ui_assert_columns(out, width);
            if (ascii)
                fixture_ui_assert_ascii(out);
            else
                fixture_ui_assert_utf8(out);
        }
    }
}

/* --- spark_bar --------------------------------------------------------- */

static void check_bar(double fraction, size_t width, bool ascii, const char *expected)
{
    char out[256];
    size_t columns = spark_bar(fraction, width, glyphs_for(ascii), out, sizeof out);
    assert_string_equal(out, expected);
    assert_int_equal(columns, width);
    fixture_ui_assert_columns(out, width);
}

static void test_bar_by_hand(void **state)
{
    (void)state;
    check_bar(0, 10, false, "          ");
    check_bar(1, 10, false, FULL FULL FULL FULL FULL FULL FULL FULL FULL FULL);
    check_bar(0.5, 10, false, FULL FULL FULL FULL FULL "     ");
    check_bar(0.55, 10, false, FULL FULL FULL FULL FULL L4 "    "); /* 44 eighths */
    check_bar(0.001, 10, false, L1 "         "); /* 0.08 eighths: still one */
    check_bar(0.999, 10, false, FULL FULL FULL FULL FULL FULL FULL FULL FULL L7);
    check_bar(1.5, 4, false, FULL FULL FULL FULL);
    check_bar(INFINITY, 2, false, FULL FULL);
    check_bar(-0.5, 3, false, "   ");
    check_bar(-INFINITY, 3, false, "   ");
    check_bar(NAN, 3, false, "   ");
}

static void test_bar_ascii(void **state)
{
    (void)state;
    check_bar(0.5, 10, true, "#####.....");
    check_bar(0.04, 10, true, "#.........");  /* rounds to 0, shown as 1 */
    check_bar(0.96, 10, true, "#########."); /* rounds to 10, shown as 9 */
    check_bar(1, 10, true, "##########");
    check_bar(0, 10, true, "..........");
    check_bar(7.0, 3, true, "###");
    check_bar(0, 1, true, ".");
    check_bar(0.3, 1, true, "#"); /* a single step: above 0 is full */
    check_bar(1, 1, true, "#");
    check_bar(0.5, 0, true, "");
}

static void test_bar_small_buffers(void **state)
{
    (void)state;
    char out[5];
    assert_int_equal(spark_bar(1, 10, UTF8, out, sizeof out), 1);
    assert_string_equal(out, FULL);
    assert_int_equal(spark_bar(1, 10, ASCII, out, sizeof out), 4);
    assert_string_equal(out, "####");
    assert_int_equal(spark_bar(1, 10, ASCII, NULL, 0), 0);
}

static void test_bar_properties(void **state)
{
    (void)state;
    uint64_t seed = 42;
    char out[2048];
    for (int round = 0; round < 3000; round++) {
        size_t width = fixture_ui_random(&seed) % 300;
        double fraction = (double)(fixture_ui_random(&seed) % 2400) / 1000.0 - 0.2;
        for (int ascii = 0; ascii <= 1; ascii++) {
            const struct glyphs *g = glyphs_for(ascii);
            assert_int_equal(spark_bar(fraction, width, g, out, sizeof out), width);
            fixture_ui_assert_columns(out, width);
            if (ascii)
                fixture_ui_assert_ascii(out);
            else
                fixture_ui_assert_utf8(out);
            /* Full only from 1 on, empty only at 0 and below (width >= 2). */
            if (width >= 2) {
                char full[2048] = "", empty[2048] = "";
                for (size_t i = 0; i < width; i++) {
                    strcat(full, g->block);
                    strcat(empty, g->bar[0]);
                }
                assert_int_equal(strcmp(out, full) == 0, fraction >= 1);
                assert_int_equal(strcmp(out, empty) == 0, fraction <= 0);
            }
        }
    }
}

/* --- spark_percent ----------------------------------------------------- */

static void check_percent(double fraction, const char *expected, int shown)
{
    char out[8];
    assert_int_equal(spark_percent(fraction, out, sizeof out), shown);
    assert_string_equal(out, expected);
}

static void test_percent(void **state)
{
    (void)state;
    check_percent(0, "0%", 0);
    check_percent(0.001, "1%", 1);
    check_percent(0.5, "50%", 50);
    check_percent(0.994, "99%", 99);
    check_percent(0.996, "99%", 99); /* not full yet */
    check_percent(1, "100%", 100);
    check_percent(1.04, "104%", 104);
    check_percent(9.99, "999%", 999);
    check_percent(10, "999%", 999);
    check_percent(1e300, "999%", 999);
    check_percent(INFINITY, "999%", 999);
    check_percent(-0.5, "0%", 0);
    check_percent(NAN, "0%", 0);
    char small[3];
    assert_int_equal(spark_percent(1.04, small, sizeof small), 104);
    assert_string_equal(small, "10");
    assert_int_equal(spark_percent(0.5, NULL, 0), 50);
}

int main(void)
{
    fixture_ui_locale("test_spark");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_by_hand),
        cmocka_unit_test(test_level_huge_values),
        cmocka_unit_test(test_level_is_monotonic),
        cmocka_unit_test(test_line_every_level),
        cmocka_unit_test(test_line_right_aligned),
        cmocka_unit_test(test_line_shows_the_newest),
        cmocka_unit_test(test_line_negative_and_over_scale),
        cmocka_unit_test(test_line_tiny_widths),
        cmocka_unit_test(test_line_small_buffers),
        cmocka_unit_test(test_line_properties),
        cmocka_unit_test(test_bar_by_hand),
        cmocka_unit_test(test_bar_ascii),
        cmocka_unit_test(test_bar_small_buffers),
        cmocka_unit_test(test_bar_properties),
        cmocka_unit_test(test_percent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests for ui/chart: buckets and rows worked out by hand, peaks kept by
 * the resampling, columns filled from the bottom, exact widths, ASCII. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_ui.h"
#include "ui/chart.h"

#define B4 "\xE2\x96\x84" /* ▄ */
#define FULL "\xE2\x96\x88"

static struct chart make_chart(const int64_t *values, size_t n, size_t width, size_t height,
                               int64_t scale_max, enum chart_style style, bool ascii)
{
    struct chart c = {
        .values = values, .n = n, .width = width, .height = height,
        .scale_max = scale_max, .style = style, .glyphs = glyphs_for(ascii),
    };
    return c;
}

static void check_row(const struct chart *c, size_t row, const char *expected)
{
    char out[1024];
    size_t columns = chart_row(c, row, out, sizeof out);
    assert_string_equal(out, expected);
    fixture_ui_assert_columns(out, columns);
}

/* --- resampling -------------------------------------------------------- */

static void test_buckets_partition_the_day(void **state)
{
    (void)state;
    size_t first, end, expected_first = 0;
    for (size_t c = 0; c < 10; c++) {
        chart_bucket(288, 10, c, &first, &end);
        assert_int_equal(first, expected_first);
        assert_true(end - first == 28 || end - first == 29);
        expected_first = end;
    }
    assert_int_equal(expected_first, 288);
    chart_bucket(288, 10, 4, &first, &end); /* floor(4*288/10), floor(5*288/10) */
    assert_int_equal(first, 115);
    assert_int_equal(end, 144);
}

static void test_buckets_with_more_columns_than_values(void **state)
{
    (void)state;
    static const size_t expected[6] = { 0, 0, 1, 1, 2, 2 };
    for (size_t c = 0; c < 6; c++) {
        size_t first, end;
        chart_bucket(3, 6, c, &first, &end);
        assert_int_equal(first, expected[c]);
        assert_int_equal(end, expected[c] + 1);
    }
    size_t first = 9, end = 9;
    chart_bucket(0, 6, 2, &first, &end);
    assert_int_equal(first, 0);
    assert_int_equal(end, 0);
    chart_bucket(5, 0, 0, &first, &end);
    assert_int_equal(end, 0);
}

static void test_bucket_max_skips_missing(void **state)
{
    (void)state;
    const int64_t values[] = { -1, 3, -1, 7, 0, -1 };
    assert_int_equal(chart_bucket_max(values, 0, 6), 7);
    assert_int_equal(chart_bucket_max(values, 0, 1), -1);
    assert_int_equal(chart_bucket_max(values, 4, 6), 0);
    assert_int_equal(chart_bucket_max(values, 2, 2), -1);
}

static void test_resampling_keeps_a_peak(void **state)
{
    (void)state;
    int64_t day[288];
    for (size_t i = 0; i < 288; i++)
        day[i] = i % 2; /* 0, 1, 0, 1 ... */
    day[137] = 50;      /* one five-minute peak */
    struct chart c = make_chart(day, 288, 10, 1, 0, CHART_BLOCKS, true);
    assert_int_equal(chart_top(&c), 50);
    /* Only the column holding 137 (115..143) reaches a full cell; the
     * others hold 1, which is one step of 1 (ASCII): rounded up, so also
     * shown.  With 8 steps (UTF-8) the others are 1/8 high. */
    check_row(&c, 0, "##########");
    c.glyphs = glyphs_for(false);
    check_row(&c, 0, "\xE2\x96\x81\xE2\x96\x81\xE2\x96\x81\xE2\x96\x81" FULL
                     "\xE2\x96\x81\xE2\x96\x81\xE2\x96\x81\xE2\x96\x81\xE2\x96\x81");
}

static void test_resampling_keeps_random_peaks(void **state)
{
    (void)state;
    uint64_t seed = 7;
    int64_t values[500];
    for (int round = 0; round < 300; round++) {
        size_t n = 1 + fixture_ui_random(&seed) % 500;
        size_t width = 1 + fixture_ui_random(&seed) % 120;
        for (size_t i = 0; i < n; i++)
            values[i] = (int64_t)(fixture_ui_random(&seed) % 100);
        size_t peak = fixture_ui_random(&seed) % n;
        values[peak] = 1000;
        struct chart c = make_chart(values, n, width, 1, 0, CHART_BLOCKS, false);
        /* Every other value is at most 99 of 1000, 1/8 of a cell at most:
         * the peak's column is the only full one. */
        char utf8[1024];
        chart_row(&c, 0, utf8, sizeof utf8);
        uint32_t cps[130];
        size_t count = fixture_ui_code_points(utf8, cps, 130);
        assert_int_equal(count, width);
        for (size_t col = 0; col < width; col++) {
            /* The column's values, by plain arithmetic (small numbers). */
            size_t first = col * n / width, end = (col + 1) * n / width;
            if (end <= first)
                end = first + 1;
            bool holds_peak = peak >= first && peak < end;
            assert_int_equal(cps[col] == 0x2588, holds_peak);
        }
    }
}

/* --- rows ---------------------------------------------------------------- */

static void test_block_rows_by_hand(void **state)
{
    (void)state;
    /* Scale 16 on 2 rows of 8 steps: a value is its own height in steps. */
    const int64_t values[] = { 0, 4, 8, 12, 16, 20, -1 };
    struct chart c = make_chart(values, 7, 7, 2, 16, CHART_BLOCKS, false);
    check_row(&c, 0, "   " B4 FULL FULL " ");
    check_row(&c, 1, " " B4 FULL FULL FULL FULL " ");
    check_row(&c, 2, "");
    /* ASCII: 2 steps; 4 and 8 round up to 1, 12 to 2. */
    c.glyphs = glyphs_for(true);
    check_row(&c, 0, "   ### ");
    check_row(&c, 1, " ##### ");
}

static void test_braille_by_hand(void **state)
{
    (void)state;
    /* Two sub-columns at scale 8 on 4 dots: 4 -> 2 dots, 8 -> 4 dots:
     * left dots 7 and 3, right dots 8, 6, 5, 4 = U+28FC. */
    const int64_t values[] = { 4, 8 };
    struct chart c = make_chart(values, 2, 1, 1, 8, CHART_BRAILLE, false);
    check_row(&c, 0, "\xE2\xA3\xBC");
    /* On two rows (8 dots): 4 -> 4 dots, the bottom cell's left side;
     * 8 -> all 8 dots.  The top row holds the right side only. */
    c.height = 2;
    check_row(&c, 0, "\xE2\xA2\xB8"); /* dots 4, 5, 6, 8: U+28B8 */
    check_row(&c, 1, "\xE2\xA3\xBF"); /* all eight: U+28FF */
    /* 1 of 8 on the left only: dot 7 = U+2840. */
    const int64_t low[] = { 1, 0 };
    c = make_chart(low, 2, 1, 1, 8, CHART_BRAILLE, false);
    check_row(&c, 0, "\xE2\xA1\x80");
    /* ASCII has no braille: the same chart is '#' columns. */
    c = make_chart(values, 2, 1, 1, 8, CHART_BRAILLE, true);
    check_row(&c, 0, "#");
}

static void test_missing_and_empty(void **state)
{
    (void)state;
    const int64_t missing[] = { -1, -1, -1 };
    for (int style = CHART_BLOCKS; style <= CHART_BRAILLE; style++) {
        struct chart c = make_chart(missing, 3, 5, 2, 0, style, false);
        assert_int_equal(chart_top(&c), 0);
        check_row(&c, 0, "     ");
        check_row(&c, 1, "     ");
        c = make_chart(NULL, 0, 4, 1, 0, style, false);
        check_row(&c, 0, "    ");
        c = make_chart(NULL, 5, 4, 1, 0, style, true); /* NULL values: as none */
        check_row(&c, 0, "    ");
        c = make_chart(missing, 3, 0, 3, 0, style, true);
        check_row(&c, 0, "");
    }
}

static void test_top_and_nice_max(void **state)
{
    (void)state;
    const int64_t values[] = { 3, 37, -1 };
    struct chart c = make_chart(values, 3, 10, 3, 0, CHART_BLOCKS, false);
    assert_int_equal(chart_top(&c), 37);
    c.scale_max = 50;
    assert_int_equal(chart_top(&c), 50);
    assert_int_equal(chart_nice_max(0), 0);
    assert_int_equal(chart_nice_max(-3), 0);
    assert_int_equal(chart_nice_max(1), 1);
    assert_int_equal(chart_nice_max(3), 5);
    assert_int_equal(chart_nice_max(7), 10);
    assert_int_equal(chart_nice_max(10), 10);
    assert_int_equal(chart_nice_max(11), 20);
    assert_int_equal(chart_nice_max(37), 50);
    assert_int_equal(chart_nice_max(51), 100);
    assert_int_equal(chart_nice_max(1001), 2000);
    assert_int_equal(chart_nice_max(5000000000000000000LL), 5000000000000000000LL);
    assert_int_equal(chart_nice_max(5000000000000000001LL), 5000000000000000001LL);
    assert_int_equal(chart_nice_max(INT64_MAX), INT64_MAX);
}

static void test_small_buffers(void **state)
{
    (void)state;
    const int64_t values[] = { 9, 9, 9, 9 };
    struct chart c = make_chart(values, 4, 4, 1, 0, CHART_BLOCKS, false);
    char out[8];
    assert_int_equal(chart_row(&c, 0, out, sizeof out), 2);
    assert_string_equal(out, FULL FULL);
    char one[1] = { 'x' };
    assert_int_equal(chart_row(&c, 0, one, 1), 0);
    assert_string_equal(one, "");
    assert_int_equal(chart_row(&c, 0, NULL, 0), 0);
    c.style = CHART_BRAILLE;
    assert_int_equal(chart_row(&c, 0, out, sizeof out), 2);
    fixture_ui_assert_utf8(out);
}

static void test_huge_charts_are_bounded(void **state)
{
    (void)state;
    const int64_t values[] = { INT64_MAX, 1, INT64_MIN, 0 };
    struct chart c = make_chart(values, 4, SIZE_MAX, SIZE_MAX, 0, CHART_BRAILLE, false);
    char out[64];
    /* The buffer ends the row long before CHART_MAX_WIDTH. */
    assert_int_equal(chart_row(&c, CHART_MAX_HEIGHT - 1, out, sizeof out), 21);
    fixture_ui_assert_utf8(out);
    assert_int_equal(chart_row(&c, CHART_MAX_HEIGHT, out, sizeof out), 0);
    c.style = CHART_BLOCKS;
    c.glyphs = glyphs_for(true);
    assert_int_equal(chart_row(&c, 0, out, sizeof out), 63);
    fixture_ui_assert_ascii(out);
}

/* Cells of one column, top to bottom, must grow from the bottom without
 * gaps: below a cell with anything drawn, every cell is full.  Braille is
 * checked per sub-column (bits of the left dots, then of the right). */
static void check_filled_from_bottom(uint32_t cells[][150], size_t height, size_t width,
                                     bool braille, bool ascii)
{
    static const uint32_t sub_columns[2] = { 0x40 | 0x04 | 0x02 | 0x01,
                                             0x80 | 0x20 | 0x10 | 0x08 };
    for (size_t col = 0; col < width; col++) {
        for (int side = 0; side < (braille ? 2 : 1); side++) {
            bool drawn = false;
            for (size_t r = 0; r < height; r++) {
                uint32_t cp = cells[r][col];
                if (braille) {
                    uint32_t dots = cp == ' ' ? 0 : (cp - 0x2800) & sub_columns[side];
                    if (drawn)
                        assert_int_equal(dots, sub_columns[side]);
                    drawn = drawn || dots != 0;
                } else {
                    if (drawn)
                        assert_int_equal(cp, ascii ? '#' : 0x2588);
                    drawn = drawn || cp != ' ';
                }
            }
        }
    }
}

/* Random charts in every style and set: exact widths, valid text, pure
 * ASCII, and columns that grow from the bottom. */
static void test_row_properties(void **state)
{
    (void)state;
    uint64_t seed = 99;
    int64_t values[400];
    char row[1024];
    uint32_t cells[12][150];
    for (int round = 0; round < 400; round++) {
        size_t n = fixture_ui_random(&seed) % 400;
        size_t width = fixture_ui_random(&seed) % 150;
        size_t height = 1 + fixture_ui_random(&seed) % 12;
        for (size_t i = 0; i < n; i++) {
            uint64_t r = fixture_ui_random(&seed);
            values[i] = r % 11 == 0 ? -1 : r % 13 == 0 ? (int64_t)r : (int64_t)(r % 300);
        }
        int64_t scale = fixture_ui_random(&seed) % 3 == 0 ? 150 : 0;
        for (int ascii = 0; ascii <= 1; ascii++) {
            for (int style = CHART_BLOCKS; style <= CHART_BRAILLE; style++) {
                struct chart c = make_chart(values, n, width, height, scale, style, ascii);
                for (size_t r = 0; r < height; r++) {
                    assert_int_equal(chart_row(&c, r, row, sizeof row), width);
                    fixture_ui_assert_columns(row, width);
                    if (ascii)
                        fixture_ui_assert_ascii(row);
                    else
                        fixture_ui_assert_utf8(row);
                    assert_int_equal(fixture_ui_code_points(row, cells[r], 150), width);
                }
                check_filled_from_bottom(cells, height, width,
                                         style == CHART_BRAILLE && !ascii, ascii);
            }
        }
    }
}

int main(void)
{
    fixture_ui_locale("test_chart");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buckets_partition_the_day),
        cmocka_unit_test(test_buckets_with_more_columns_than_values),
        cmocka_unit_test(test_bucket_max_skips_missing),
        cmocka_unit_test(test_resampling_keeps_a_peak),
        cmocka_unit_test(test_resampling_keeps_random_peaks),
        cmocka_unit_test(test_block_rows_by_hand),
        cmocka_unit_test(test_braille_by_hand),
        cmocka_unit_test(test_missing_and_empty),
        cmocka_unit_test(test_top_and_nice_max),
        cmocka_unit_test(test_small_buffers),
        cmocka_unit_test(test_huge_charts_are_bounded),
        cmocka_unit_test(test_row_properties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

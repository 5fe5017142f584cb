/* Tests for ui/bigtext: the font data, rows drawn by hand, the fitting
 * worked out by hand for 80 x 24 and 200 x 60, exact widths, ASCII. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_ui.h"
#include "ui/bigtext.h"

#define FULL "\xE2\x96\x88"

static const unsigned font_w[2] = { 3, 5 }, font_h[2] = { 5, 7 };
static const char alphanumerics[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char symbols[] = "%-+.:/!?";

/* --- the font data ----------------------------------------------------- */

static void test_glyph_rows_have_the_font_width(void **state)
{
    (void)state;
    for (int font = BIGTEXT_SMALL; font <= BIGTEXT_LARGE; font++) {
        for (unsigned c = 0; c < 256; c++) {
            for (unsigned row = 0; row < font_h[font]; row++) {
                const char *pixels = bigtext_glyph_row(font, (unsigned char)c, row);
                if (!pixels)
                    continue;
                assert_int_equal(strlen(pixels), font_w[font]);
                assert_int_equal(strspn(pixels, "#."), font_w[font]);
            }
            assert_null(bigtext_glyph_row(font, (unsigned char)c, font_h[font]));
        }
    }
    assert_null(bigtext_glyph_row((enum bigtext_font)7, '0', 0));
}

/* The picture of one glyph as a single string, "" when it has none. */
static void glyph_picture(enum bigtext_font font, unsigned char c, char *out, size_t size)
{
    out[0] = '\0';
    for (unsigned row = 0; row < font_h[font]; row++) {
        const char *pixels = bigtext_glyph_row(font, c, row);
        if (!pixels) {
            out[0] = '\0';
            return;
        }
        strncat(out, pixels, size - strlen(out) - 1);
    }
}

/* Every letter, digit and symbol is there, has ink, and no two of the
 * letters and digits look the same (0/O, 1/I, 5/S, 8/B, 2/Z ...). */
static void test_glyphs_complete_and_distinct(void **state)
{
    (void)state;
    for (int font = BIGTEXT_SMALL; font <= BIGTEXT_LARGE; font++) {
        char pictures[sizeof alphanumerics][64];
        for (size_t i = 0; alphanumerics[i]; i++) {
            glyph_picture(font, (unsigned char)alphanumerics[i], pictures[i], 64);
            assert_int_equal(strlen(pictures[i]), font_w[font] * font_h[font]);
            assert_non_null(strchr(pictures[i], '#'));
            for (size_t j = 0; j < i; j++) {
                if (strcmp(pictures[i], pictures[j]) == 0)
                    fail_msg("font %d: '%c' looks like '%c'", font, alphanumerics[i],
                             alphanumerics[j]);
            }
            char lower[64];
            glyph_picture(font, (unsigned char)(alphanumerics[i] | 0x20), lower, 64);
            if (alphanumerics[i] >= 'A')
                assert_string_equal(lower, pictures[i]);
        }
        for (size_t i = 0; symbols[i]; i++) {
            char picture[64];
            glyph_picture(font, (unsigned char)symbols[i], picture, 64);
            assert_non_null(strchr(picture, '#'));
        }
        assert_null(bigtext_glyph_row(font, ' ', 0));
        assert_null(bigtext_glyph_row(font, '@', 0));
        assert_null(bigtext_glyph_row(font, 0xC3, 0));
    }
}

/* --- rows by hand ------------------------------------------------------ */

static void check_rows(const char *text, struct bigtext_layout layout, const char *const *rows)
{
    char out[1024], utf8[1024], expected_utf8[1024];
    for (size_t r = 0; r < layout.height; r++) {
        size_t columns = bigtext_render(text, &layout, r, glyphs_for(true), out, sizeof out);
        assert_string_equal(out, rows[r]);
        assert_int_equal(columns, layout.width);
        /* UTF-8 is the same picture in full blocks. */
        bigtext_render(text, &layout, r, glyphs_for(false), utf8, sizeof utf8);
        fixture_ui_replace(rows[r], "#", FULL, expected_utf8, sizeof expected_utf8);
        assert_string_equal(utf8, expected_utf8);
        fixture_ui_assert_columns(utf8, layout.width);
    }
    assert_int_equal(bigtext_render(text, &layout, layout.height, glyphs_for(true), out,
                                    sizeof out), 0);
    assert_string_equal(out, "");
}

static void test_zero_small(void **state)
{
    (void)state;
    struct bigtext_layout layout = bigtext_layout("0", BIGTEXT_SMALL, 1, 1);
    assert_int_equal(layout.width, 3);
    assert_int_equal(layout.height, 5);
    static const char *const rows[] = { "###", "# #", "# #", "# #", "###" };
    check_rows("0", layout, rows);
}

static void test_42_small_wide_pixels(void **state)
{
    (void)state;
    /* Pixels two columns wide, one row high; a gap of one pixel. */
    struct bigtext_layout layout = bigtext_layout("42", BIGTEXT_SMALL, 2, 1);
    assert_int_equal(layout.width, 14);
    static const char *const rows[] = {
        "##  ##  ######",
        "##  ##      ##",
        "######  ######",
        "    ##  ##    ",
        "    ##  ######",
    };
    check_rows("42", layout, rows);
}

static void test_tall_pixels(void **state)
{
    (void)state;
    struct bigtext_layout layout = bigtext_layout("1", BIGTEXT_SMALL, 1, 2);
    assert_int_equal(layout.height, 10);
    static const char *const rows[] = { " # ", " # ", "## ", "## ", " # ",
                                        " # ", " # ", " # ", "###", "###" };
    check_rows("1", layout, rows);
}

static void test_come_in_large(void **state)
{
    (void)state;
    struct bigtext_layout layout = bigtext_layout("Come in", BIGTEXT_LARGE, 1, 1);
    assert_int_equal(layout.width, 7 * 6 - 1);
    assert_int_equal(layout.height, 7);
    /* The pictures of C, O, M, E, space, I, N side by side, a column apart. */
    static const char *const expected[] = {
        " ###   ###  #   # #####        ###  #   #",
        "#   # #   # ## ## #             #   #   #",
        "#     #   # # # # #             #   ##  #",
        "#     #   # # # # ####          #   # # #",
        "#     #   # #   # #             #   #  ##",
        "#   # #   # #   # #             #   #   #",
        " ###   ###  #   # #####        ###  #   #",
    };
    check_rows("Come in", layout, expected);
}

static void test_unknown_characters_are_blank(void **state)
{
    (void)state;
    /* "é" is one character (two bytes): one blank glyph. */
    struct bigtext_layout layout = bigtext_layout("1\xC3\xA9@1", BIGTEXT_SMALL, 1, 1);
    assert_int_equal(layout.width, 4 * 4 - 1);
    static const char *const rows[] = {
        " #           # ", "##          ## ", " #           # ",
        " #           # ", "###         ###",
    };
    check_rows("1\xC3\xA9@1", layout, rows);
    char out[64];
    struct bigtext_layout controls = bigtext_layout("\x1b[2J", BIGTEXT_SMALL, 1, 1);
    for (size_t r = 0; r < controls.height; r++) {
        bigtext_render("\x1b[2J", &controls, r, glyphs_for(true), out, sizeof out);
        fixture_ui_assert_ascii(out);
    }
}

/* --- layouts ------------------------------------------------------------- */

static void check_fit(const char *text, size_t max_w, size_t max_h, enum bigtext_font font,
                      unsigned sx, unsigned sy, size_t width, size_t height)
{
    struct bigtext_layout l = bigtext_fit(text, max_w, max_h);
    if (sx != 0)
        assert_int_equal(l.font, font);
    assert_int_equal(l.scale_x, sx);
    assert_int_equal(l.scale_y, sy);
    assert_int_equal(l.width, width);
    assert_int_equal(l.height, height);
}

static void test_fit_by_hand(void **state)
{
    (void)state;
    /* 80 x 24.  "1234": small is 15 columns a unit, 4 rows of scale fit
     * (20 rows); large is 23 a unit, 3 fit (21 rows): large wins. */
    check_fit("1234", 80, 24, BIGTEXT_LARGE, 3, 3, 69, 21);
    /* "42": large 3 x 7 = 21 rows, pixels 6 wide (square). */
    check_fit("42", 80, 24, BIGTEXT_LARGE, 6, 3, 66, 21);
    /* Words: 11 characters; only scale 1 fits 80 columns, large is taller. */
    check_fit("PLEASE WAIT", 80, 24, BIGTEXT_LARGE, 1, 1, 65, 7);
    /* 7 characters: small is 27 a unit, scale 2 would fit (10 rows); large
     * is 41 a unit, only scale 1 (7 rows), but words take the large font. */
    check_fit("COME IN", 80, 24, BIGTEXT_LARGE, 1, 1, 41, 7);
    /* ... unless it does not fit: 41 > 30 columns. */
    check_fit("COME IN", 30, 24, BIGTEXT_SMALL, 1, 1, 27, 5);
    /* Digits alone take whichever is taller: in 48 columns (units 15 and
     * 23) small at 3 (15 rows) beats large at 2 (14 rows). */
    check_fit("1234", 48, 24, BIGTEXT_SMALL, 3, 3, 45, 15);
    /* 8 rows: large at scale 1; pixels up to square (2), not 3 wide. */
    check_fit("100%", 80, 8, BIGTEXT_LARGE, 2, 1, 46, 7);
    /* 200 x 60. */
    check_fit("PLEASE WAIT", 200, 60, BIGTEXT_LARGE, 3, 3, 195, 21);
    check_fit("COME IN", 200, 60, BIGTEXT_LARGE, 4, 4, 164, 28); /* small: 35 rows */
    check_fit("42", 200, 60, BIGTEXT_SMALL, 24, 12, 168, 60); /* 60 rows beat 56 */
    /* Equal heights (35 rows): the large font. */
    check_fit("8", 100, 35, BIGTEXT_LARGE, 10, 5, 50, 35);
    /* The smallest that fits, and what does not. */
    check_fit("1", 3, 5, BIGTEXT_SMALL, 1, 1, 3, 5);
    check_fit("1", 2, 100, BIGTEXT_SMALL, 0, 0, 0, 0);
    check_fit("100%", 10, 4, BIGTEXT_SMALL, 0, 0, 0, 0);
    check_fit("", 80, 24, BIGTEXT_SMALL, 0, 0, 0, 0);
    check_fit("42", 0, 0, BIGTEXT_SMALL, 0, 0, 0, 0);
    /* Bounds: scale and length. */
    check_fit("8", SIZE_MAX, SIZE_MAX, BIGTEXT_LARGE, BIGTEXT_MAX_SCALE, BIGTEXT_MAX_SCALE,
              5 * BIGTEXT_MAX_SCALE, 7 * BIGTEXT_MAX_SCALE);
    char longest[BIGTEXT_MAX_CHARS + 2];
    memset(longest, '1', sizeof longest);
    longest[BIGTEXT_MAX_CHARS] = '\0';
    check_fit(longest, 300, 5, BIGTEXT_SMALL, 1, 1, 255, 5);
    longest[BIGTEXT_MAX_CHARS] = '1';
    longest[BIGTEXT_MAX_CHARS + 1] = '\0';
    check_fit(longest, SIZE_MAX, SIZE_MAX, BIGTEXT_SMALL, 0, 0, 0, 0);
}

static void test_layout_bounds(void **state)
{
    (void)state;
    struct bigtext_layout l = bigtext_layout("12", BIGTEXT_SMALL, 1000, 0);
    assert_int_equal(l.scale_x, 0);
    assert_int_equal(l.width, 0);
    l = bigtext_layout("12", BIGTEXT_SMALL, 1000, 1000);
    assert_int_equal(l.scale_x, BIGTEXT_MAX_SCALE);
    assert_int_equal(l.width, 7 * BIGTEXT_MAX_SCALE);
    l = bigtext_layout("12", (enum bigtext_font)5, 1, 1);
    assert_int_equal(l.scale_x, 0);
    /* A layout made by hand: nothing outside the font, nothing unknown. */
    char out[64] = "junk";
    struct bigtext_layout forged = { .font = BIGTEXT_SMALL, .scale_x = 1, .scale_y = 1,
                                     .width = 3, .height = 100 };
    assert_int_equal(bigtext_render("8", &forged, 50, glyphs_for(true), out, sizeof out), 0);
    assert_string_equal(out, "");
    forged.font = (enum bigtext_font)9;
    assert_int_equal(bigtext_render("8", &forged, 0, glyphs_for(true), out, sizeof out), 0);
    forged = (struct bigtext_layout){ 0 };
    assert_int_equal(bigtext_render("8", &forged, 0, glyphs_for(true), out, sizeof out), 0);
}

static void test_small_buffers(void **state)
{
    (void)state;
    struct bigtext_layout l = bigtext_layout("8", BIGTEXT_SMALL, 1, 1);
    char out[7];
    assert_int_equal(bigtext_render("8", &l, 0, glyphs_for(false), out, sizeof out), 2);
    assert_string_equal(out, FULL FULL);
    char one[1] = { 'x' };
    assert_int_equal(bigtext_render("8", &l, 0, glyphs_for(false), one, 1), 0);
    assert_string_equal(one, "");
    assert_int_equal(bigtext_render("8", &l, 0, glyphs_for(false), NULL, 0), 0);
}

/* Random text in random boxes: the fit fits, every row is exactly the
 * layout's width, ASCII stays ASCII. */
static void test_fit_properties(void **state)
{
    (void)state;
    static const char charset[] = "0123456789%- ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz@\x7f";
    uint64_t seed = 2024;
    char text[24], out[4096];
    for (int round = 0; round < 1500; round++) {
        size_t len = fixture_ui_random(&seed) % sizeof text;
        for (size_t i = 0; i < len; i++)
            text[i] = charset[fixture_ui_random(&seed) % (sizeof charset - 1)];
        text[len] = '\0';
        size_t max_w = fixture_ui_random(&seed) % 260, max_h = fixture_ui_random(&seed) % 80;
        struct bigtext_layout l = bigtext_fit(text, max_w, max_h);
        if (l.scale_x == 0) {
            assert_int_equal(l.width, 0);
            /* Nothing fits: not even the small font at scale 1. */
            struct bigtext_layout one = bigtext_layout(text, BIGTEXT_SMALL, 1, 1);
            assert_true(len == 0 || one.width > max_w || one.height > max_h);
            continue;
        }
        assert_true(l.width <= max_w);
        assert_true(l.height <= max_h);
        assert_true(l.scale_x >= l.scale_y && l.scale_x <= 2 * l.scale_y);
        for (size_t r = 0; r < l.height; r++) {
            for (int ascii = 0; ascii <= 1; ascii++) {
                size_t columns = bigtext_render(text, &l, r, glyphs_for(ascii), out, sizeof out);
                assert_int_equal(columns, l.width);
                fixture_ui_assert_columns(out, l.width);
                if (ascii)
                    fixture_ui_assert_ascii(out);
                else
                    fixture_ui_assert_utf8(out);
            }
        }
    }
}

int main(void)
{
    fixture_ui_locale("test_bigtext");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_glyph_rows_have_the_font_width),
        cmocka_unit_test(test_glyphs_complete_and_distinct),
        cmocka_unit_test(test_zero_small),
        cmocka_unit_test(test_42_small_wide_pixels),
        cmocka_unit_test(test_tall_pixels),
        cmocka_unit_test(test_come_in_large),
        cmocka_unit_test(test_unknown_characters_are_blank),
        cmocka_unit_test(test_fit_by_hand),
        cmocka_unit_test(test_layout_bounds),
        cmocka_unit_test(test_small_buffers),
        cmocka_unit_test(test_fit_properties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

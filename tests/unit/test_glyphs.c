/* Tests for ui/glyphs and ui/textbuf: the ASCII set is ASCII, every glyph
 * is one column, the UTF-8 set keeps to the characters that the console
 * and PuTTY fonts have, and lines are cut on glyph boundaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/termtext.h"
#include "fixture_ui.h"
#include "ui/glyphs.h"
#include "ui/textbuf.h"

enum { MAX_GLYPHS = 64 };

/* Every string of a set, for the checks that apply to all of them. */
static size_t all_glyphs(const struct glyphs *g, const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i <= GLYPHS_SPARK_LEVELS; i++)
        out[n++] = g->spark[i];
    for (size_t i = 0; i <= g->column_steps; i++)
        out[n++] = g->column[i];
    for (size_t i = 0; i <= g->bar_steps; i++)
        out[n++] = g->bar[i];
    for (size_t i = 0; i < 4; i++)
        out[n++] = g->safe[i];
    const char *rest[] = { g->tree_expanded, g->tree_collapsed, g->tree_leaf, g->arrow_up,
                           g->arrow_down, g->ellipsis, g->block, g->hline, g->vline,
                           g->corner_tl, g->corner_tr, g->corner_bl, g->corner_br,
                           g->tee_left, g->tee_right, g->tee_top, g->tee_bottom, g->cross };
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++)
        out[n++] = rest[i];
    assert_true(n <= MAX_GLYPHS);
    return n;
}

static void test_sets_chosen_once(void **state)
{
    (void)state;
    assert_ptr_equal(glyphs_for(true), glyphs_for(true));
    assert_ptr_equal(glyphs_for(false), glyphs_for(false));
    assert_ptr_not_equal(glyphs_for(true), glyphs_for(false));
    assert_true(glyphs_for(true)->ascii);
    assert_false(glyphs_for(false)->ascii);
    assert_false(glyphs_for(true)->braille);
}

static void test_ascii_set_is_printable_ascii(void **state)
{
    (void)state;
    const char *list[MAX_GLYPHS];
    size_t n = all_glyphs(glyphs_for(true), list);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(list[i]);
        assert_int_equal(strlen(list[i]), 1);
        fixture_ui_assert_ascii(list[i]);
    }
}

static void test_every_glyph_is_one_column(void **state)
{
    (void)state;
    for (int ascii = 0; ascii <= 1; ascii++) {
        const char *list[MAX_GLYPHS];
        size_t n = all_glyphs(glyphs_for(ascii), list);
        for (size_t i = 0; i < n; i++) {
            fixture_ui_assert_utf8(list[i]);
            fixture_ui_assert_columns(list[i], 1);
            uint32_t cp[2];
            assert_int_equal(fixture_ui_code_points(list[i], cp, 2), 1);
        }
    }
}

/* The font policy of glyphs.h: block elements, box drawing, arrows,
 * geometric shapes, Latin-1, the ellipsis and the square root. */
static bool allowed_in_utf8_set(uint32_t cp)
{
    return (cp >= 0x20 && cp <= 0x7E) || (cp >= 0xA0 && cp <= 0xFF) ||
           (cp >= 0x2190 && cp <= 0x21FF) || (cp >= 0x2500 && cp <= 0x257F) ||
           (cp >= 0x2580 && cp <= 0x259F) || (cp >= 0x25A0 && cp <= 0x25FF) ||
           cp == 0x2026 || cp == 0x221A;
}

static void test_utf8_set_keeps_to_console_fonts(void **state)
{
    (void)state;
    const char *list[MAX_GLYPHS];
    size_t n = all_glyphs(glyphs_for(false), list);
    for (size_t i = 0; i < n; i++) {
        uint32_t cp;
        fixture_ui_code_points(list[i], &cp, 1);
        if (!allowed_in_utf8_set(cp))
            fail_msg("U+%04X (\"%s\") is outside the console-safe ranges", (unsigned)cp,
                     list[i]);
    }
}

static void test_levels_are_distinct_and_ordered(void **state)
{
    (void)state;
    for (int ascii = 0; ascii <= 1; ascii++) {
        const struct glyphs *g = glyphs_for(ascii);
        assert_string_equal(g->spark[0], " "); /* zero is a blank */
        for (size_t i = 0; i <= GLYPHS_SPARK_LEVELS; i++)
            for (size_t j = i + 1; j <= GLYPHS_SPARK_LEVELS; j++)
                assert_string_not_equal(g->spark[i], g->spark[j]);
        assert_true(g->column_steps >= 1 && g->column_steps <= 8);
        assert_true(g->bar_steps >= 1 && g->bar_steps <= 8);
        assert_string_equal(g->column[0], " ");
        assert_string_equal(g->column[g->column_steps], g->block);
        assert_string_equal(g->bar[g->bar_steps], g->block);
        assert_string_equal(g->spark[GLYPHS_SPARK_LEVELS], g->block);
        for (size_t i = 0; i <= g->bar_steps; i++)
            for (size_t j = i + 1; j <= g->bar_steps; j++)
                assert_string_not_equal(g->bar[i], g->bar[j]);
    }
    /* Eighth blocks: ▁ is U+2581 and each level is the next code point. */
    const struct glyphs *u = glyphs_for(false);
    for (unsigned i = 1; i <= 8; i++) {
        uint32_t cp;
        fixture_ui_code_points(u->spark[i], &cp, 1);
        assert_int_equal(cp, 0x2580 + i);
        fixture_ui_code_points(u->bar[i], &cp, 1);
        assert_int_equal(cp, i == 8 ? 0x2588 : 0x2590 - i); /* ▏ is U+258F */
    }
}

static void test_safe_symbols(void **state)
{
    (void)state;
    for (int ascii = 0; ascii <= 1; ascii++) {
        const struct glyphs *g = glyphs_for(ascii);
        for (int a = SAFE_STATE_NONE; a <= SAFE_STATE_UNSAFE; a++)
            for (int b = a + 1; b <= SAFE_STATE_UNSAFE; b++)
                assert_string_not_equal(glyphs_safe(g, a), glyphs_safe(g, b));
        assert_string_equal(glyphs_safe(g, (enum safe_state)99),
                            glyphs_safe(g, SAFE_STATE_NONE));
        assert_string_equal(glyphs_safe(g, (enum safe_state)-1),
                            glyphs_safe(g, SAFE_STATE_NONE));
        assert_string_not_equal(g->tree_expanded, g->tree_collapsed);
        assert_string_not_equal(g->arrow_up, g->arrow_down);
    }
    const struct glyphs *a = glyphs_for(true);
    assert_string_equal(glyphs_safe(a, SAFE_STATE_OK), "+");
    assert_string_equal(glyphs_safe(a, SAFE_STATE_WARN), "!");
    assert_string_equal(glyphs_safe(a, SAFE_STATE_UNSAFE), "X");
}

/* The ellipsis is the mark termtext puts on a cut name, so the UI's own cut
 * lines look the same. */
static void test_ellipsis_matches_termtext(void **state)
{
    (void)state;
    for (int ascii = 0; ascii <= 1; ascii++) {
        char out[32], expected[32];
        termtext_sanitize_str("abcdefgh", out, sizeof out, 4, ascii ? TERMTEXT_ASCII : 0);
        snprintf(expected, sizeof expected, "abc%s", glyphs_for(ascii)->ellipsis);
        assert_string_equal(out, expected);
    }
}

/* --- textbuf --------------------------------------------------------- */

static void test_textbuf_exact_fit(void **state)
{
    (void)state;
    char out[7]; /* two 3-byte glyphs and the NUL */
    struct textbuf buf;
    textbuf_init(&buf, out, sizeof out);
    assert_true(textbuf_put(&buf, "\xE2\x96\x88"));
    assert_true(textbuf_put(&buf, "\xE2\x96\x88"));
    assert_false(textbuf_put(&buf, "x"));
    assert_string_equal(out, "\xE2\x96\x88\xE2\x96\x88");
    assert_int_equal(buf.columns, 2);
    assert_true(buf.full);
}

static void test_textbuf_cut_is_final(void **state)
{
    (void)state;
    char out[6];
    struct textbuf buf;
    textbuf_init(&buf, out, sizeof out);
    assert_true(textbuf_put(&buf, "ab"));
    assert_false(textbuf_put(&buf, "\xE2\x96\x88\xE2")); /* 4 bytes: 2 + 4 > 5 */
    assert_string_equal(out, "ab");
    /* A shorter glyph would fit, but a line with a gap would be wrong. */
    assert_false(textbuf_put(&buf, "c"));
    assert_string_equal(out, "ab");
    assert_int_equal(buf.columns, 1);
}

static void test_textbuf_tiny_buffers(void **state)
{
    (void)state;
    struct textbuf buf;
    textbuf_init(&buf, NULL, 0);
    assert_false(textbuf_put(&buf, "a"));
    assert_false(textbuf_repeat(&buf, "a", 3));
    assert_int_equal(buf.columns, 0);

    char one[1] = { 'z' };
    textbuf_init(&buf, one, sizeof one);
    assert_string_equal(one, "");
    assert_false(textbuf_put(&buf, "a"));
    assert_string_equal(one, "");

    char two[2];
    textbuf_init(&buf, two, sizeof two);
    assert_true(textbuf_repeat(&buf, "a", 0));
    assert_false(textbuf_repeat(&buf, "a", 5));
    assert_string_equal(two, "a");
    assert_int_equal(buf.columns, 1);
}

static void test_textbuf_repeat_stops_at_the_buffer(void **state)
{
    (void)state;
    char out[10];
    struct textbuf buf;
    textbuf_init(&buf, out, sizeof out);
    /* A huge count ends as soon as the buffer is full. */
    assert_false(textbuf_repeat(&buf, "-", SIZE_MAX));
    assert_string_equal(out, "---------");
    assert_int_equal(buf.columns, 9);
}

int main(void)
{
    fixture_ui_locale("test_glyphs");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sets_chosen_once),
        cmocka_unit_test(test_ascii_set_is_printable_ascii),
        cmocka_unit_test(test_every_glyph_is_one_column),
        cmocka_unit_test(test_utf8_set_keeps_to_console_fonts),
        cmocka_unit_test(test_levels_are_distinct_and_ordered),
        cmocka_unit_test(test_safe_symbols),
        cmocka_unit_test(test_ellipsis_matches_termtext),
        cmocka_unit_test(test_textbuf_exact_fit),
        cmocka_unit_test(test_textbuf_cut_is_final),
        cmocka_unit_test(test_textbuf_tiny_buffers),
        cmocka_unit_test(test_textbuf_repeat_stops_at_the_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

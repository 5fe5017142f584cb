/* Tests for core/termtext: nothing a terminal would obey gets through, and
 * the result fits both its columns and its buffer. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/termtext.h"

#define FFFD "\xEF\xBF\xBD"
#define ELLIPSIS "\xE2\x80\xA6"

/* Sanitizes a byte string given with its length (it may hold NULs). */
#define CHECK_BYTES(input, flags, expected)                                                  \
    do {                                                                                     \
        char out_[256];                                                                      \
        termtext_sanitize((input), sizeof(input) - 1, out_, sizeof out_, 0, (flags));        \
        assert_string_equal(out_, (expected));                                               \
    } while (0)

#define CHECK(input, expected) CHECK_BYTES(input, 0, expected)
#define CHECK_ASCII(input, expected) CHECK_BYTES(input, TERMTEXT_ASCII, expected)

/* An independent strict UTF-8 check for the property tests: decodes one
 * character, returns its length or 0 if ill-formed. */
static size_t decode_for_check(const unsigned char *s, uint32_t *cp)
{
    size_t n;
    uint32_t min;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    } else if ((s[0] & 0xE0) == 0xC0) {
        n = 2, min = 0x80, *cp = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        n = 3, min = 0x800, *cp = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        n = 4, min = 0x10000, *cp = s[0] & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
        return 0;
    return n;
}

static void assert_terminal_safe(const char *text, unsigned flags)
{
    const unsigned char *s = (const unsigned char *)text;
    while (*s) {
        uint32_t cp;
        size_t n = decode_for_check(s, &cp);
        assert_true(n > 0);
        assert_false(cp < 0x20 || (cp >= 0x7F && cp <= 0x9F));
        assert_false((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069));
        if (flags & TERMTEXT_ASCII)
            assert_true(cp >= 0x20 && cp <= 0x7E);
        s += n;
    }
}

/* --- escape sequences ---------------------------------------------------- */

static void test_plain_text_unchanged(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(termtext_sanitize_str("Lobby 2 (north)", out, sizeof out, 0, 0), 15);
    assert_string_equal(out, "Lobby 2 (north)");
    CHECK("caf\xC3\xA9 \xE6\xBC\xA2", "caf\xC3\xA9 \xE6\xBC\xA2");
}

static void test_csi(void **state)
{
    (void)state;
    CHECK("\x1b[31mred\x1b[0m", FFFD "[31mred" FFFD "[0m");
    CHECK_ASCII("\x1b[2J", "?[2J");
}

static void test_osc(void **state)
{
    (void)state;
    CHECK("\x1b]0;title\x07", FFFD "]0;title" FFFD);
    CHECK_ASCII("\x1b]0;title\x07", "?]0;title?");
}

static void test_dcs(void **state)
{
    (void)state;
    CHECK("\x1bPq#0;2;0;0;0\x1b\\", FFFD "Pq#0;2;0;0;0" FFFD "\\");
    CHECK_ASCII("\x1bP$q\"p\x1b\\", "?P$q\"p?\\");
}

static void test_c1_encoded_as_utf8(void **state)
{
    (void)state;
    CHECK("a\xC2\x9B" "31mb", "a" FFFD "31mb");
    for (unsigned c1 = 0x80; c1 <= 0x9F; c1++) {
        char in[3] = { (char)0xC2, (char)c1, 0 };
        char out[16];
        termtext_sanitize_str(in, out, sizeof out, 0, 0);
        assert_string_equal(out, FFFD);
    }
    CHECK("\xC2\xA0", "\xC2\xA0"); /* U+00A0, just past C1, is printable */
}

static void test_raw_c1_byte(void **state)
{
    (void)state;
    CHECK("\x9b" "31m", FFFD "31m");
    CHECK_ASCII("\x9b" "31m", "?31m");
}

static void test_every_c0_control_and_del(void **state)
{
    (void)state;
    for (unsigned c = 1; c < 0x20; c++) {
        char in[2] = { (char)c, 0 };
        char out[16];
        termtext_sanitize_str(in, out, sizeof out, 0, 0);
        bool whitespace = c == '\t' || c == '\r' || c == '\n';
        assert_string_equal(out, whitespace ? " " : FFFD);
    }
    CHECK("a\x7f" "b", "a" FFFD "b");
    CHECK("a\tb\r\nc", "a b  c");
}

static void test_bidi_overrides(void **state)
{
    (void)state;
    CHECK("\xE2\x80\xAA\xE2\x80\xAB\xE2\x80\xAC\xE2\x80\xAD\xE2\x80\xAE",
          FFFD FFFD FFFD FFFD FFFD);                                 /* U+202A..U+202E */
    CHECK("\xE2\x81\xA6\xE2\x81\xA7\xE2\x81\xA8\xE2\x81\xA9",
          FFFD FFFD FFFD FFFD);                                      /* U+2066..U+2069 */
    /* The neighbours of both ranges are ordinary characters. */
    CHECK("\xE2\x80\xA9\xE2\x80\xAF", "\xE2\x80\xA9\xE2\x80\xAF");   /* U+2029, U+202F */
    CHECK("\xE2\x81\xA5\xE2\x81\xAA", "\xE2\x81\xA5\xE2\x81\xAA");   /* U+2065, U+206A */
}

/* --- malformed UTF-8 ------------------------------------------------------- */

static void test_overlong_forms(void **state)
{
    (void)state;
    CHECK("\xC0\xAF", FFFD);             /* "/" in two bytes */
    CHECK("\xC1\xBF", FFFD);
    CHECK("\xE0\x80\xAF", FFFD);         /* "/" in three bytes */
    CHECK("\xE0\x9F\xBF", FFFD);         /* U+07FF in three bytes */
    CHECK("\xF0\x80\x80\xAF", FFFD);     /* "/" in four bytes */
    CHECK("\xF0\x8F\xBF\xBF", FFFD);     /* U+FFFF in four bytes */
    CHECK("a\xC0\xAF" "b", "a" FFFD "b");
    /* The shortest forms at the same boundaries are fine. */
    CHECK("\xE0\xA0\x80", "\xE0\xA0\x80");         /* U+0800 */
    CHECK("\xF0\x90\x80\x80", "\xF0\x90\x80\x80"); /* U+10000 */
}

static void test_surrogates(void **state)
{
    (void)state;
    CHECK("\xED\xA0\x80", FFFD);
    CHECK("\xED\xBF\xBF", FFFD);
    CHECK("\xED\xA0\xBD\xED\xB8\x80", FFFD FFFD); /* a CESU-8 pair: one per half */
    CHECK("\xED\x9F\xBF", "\xED\x9F\xBF");   /* U+D7FF */
}

static void test_above_max_code_point(void **state)
{
    (void)state;
    CHECK("\xF4\x90\x80\x80", FFFD);
    CHECK("\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"); /* U+10FFFF */
    CHECK("\xF5\x80\x80\x80", FFFD);
    CHECK("x\xFF" "y\xFE" "z", "x" FFFD "y" FFFD "z");
}

static void test_truncated_sequences(void **state)
{
    (void)state;
    CHECK("ab\xE2\x82", "ab" FFFD);
    CHECK("\xF0\x9F\x98", FFFD);
    CHECK("\xC3", FFFD);
    CHECK("\xE2\x82" "A", FFFD "A");
    CHECK("\xE2\x82\xE2\x82\xAC", FFFD "\xE2\x82\xAC"); /* resync on the next lead byte */
    CHECK("\x80\x81\xBF" "ok", FFFD "ok");              /* stray continuations: one run */
}

static void test_nul_inside_with_length(void **state)
{
    (void)state;
    CHECK("a\0b", "a" FFFD "b");
    CHECK_ASCII("id\0\0x", "id??x");
}

/* --- bounds ----------------------------------------------------------------- */

static void test_huge_name_bounded(void **state)
{
    (void)state;
    size_t len = 100 * 1024;
    char *name = malloc(len);
    assert_non_null(name);
    memset(name, 'N', len);
    char out[512];

    int width = termtext_sanitize(name, len, out, sizeof out, 40, 0);
    assert_int_equal(width, 40);
    assert_int_equal(termtext_width(out), 40);
    assert_int_equal(strlen(out), 39 + strlen(ELLIPSIS));
    assert_string_equal(out + 39, ELLIPSIS);

    width = termtext_sanitize(name, len, out, sizeof out, 40, TERMTEXT_ASCII);
    assert_int_equal(width, 40);
    assert_int_equal(strlen(out), 40);
    assert_int_equal(out[39], '~');
    free(name);
}

static void test_exact_fit_is_not_cut(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(termtext_sanitize_str("abcde", out, sizeof out, 5, 0), 5);
    assert_string_equal(out, "abcde");
    assert_int_equal(termtext_sanitize_str("abcdef", out, sizeof out, 5, 0), 5);
    assert_string_equal(out, "abcd" ELLIPSIS);
    assert_int_equal(termtext_sanitize_str("abcdef", out, sizeof out, 1, 0), 1);
    assert_string_equal(out, ELLIPSIS);
}

static void test_no_column_bound(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(termtext_sanitize_str("abcdef", out, sizeof out, 0, 0), 6);
    assert_string_equal(out, "abcdef");
    assert_int_equal(termtext_sanitize_str("abcdef", out, sizeof out, -3, 0), 6);
    assert_string_equal(out, "abcdef");
}

static void test_cjk_cut_at_odd_column(void **state)
{
    (void)state;
    const char *kanji = "\xE6\xBC\xA2\xE5\xAD\x97\xE6\xBC\xA2\xE5\xAD\x97\xE6\xBC\xA2\xE5\xAD\x97";
    char out[64];
    assert_int_equal(termtext_width(kanji), 12);

    /* 5 columns: two wide characters and the ellipsis. */
    assert_int_equal(termtext_sanitize_str(kanji, out, sizeof out, 5, 0), 5);
    assert_string_equal(out, "\xE6\xBC\xA2\xE5\xAD\x97" ELLIPSIS);
    /* 4 columns: a second wide character would leave no room for the ellipsis. */
    assert_int_equal(termtext_sanitize_str(kanji, out, sizeof out, 4, 0), 3);
    assert_string_equal(out, "\xE6\xBC\xA2" ELLIPSIS);
    assert_int_equal(termtext_sanitize_str(kanji, out, sizeof out, 11, 0), 11);
    assert_int_equal(termtext_width(out), 11);
    assert_int_equal(termtext_sanitize_str(kanji, out, sizeof out, 12, 0), 12);
    assert_string_equal(out, kanji);
}

static void test_combining_marks(void **state)
{
    (void)state;
    const char *e_acute = "e\xCC\x81"; /* e + U+0301 */
    char out[64];
    assert_int_equal(termtext_width(e_acute), 1);
    assert_int_equal(termtext_sanitize_str("e\xCC\x81" "e\xCC\x81" "e\xCC\x81", out, sizeof out, 3, 0), 3);
    assert_string_equal(out, "e\xCC\x81" "e\xCC\x81" "e\xCC\x81");
    /* The mark stays with its letter when the text is cut. */
    assert_int_equal(termtext_sanitize_str("e\xCC\x81" "e\xCC\x81" "e\xCC\x81", out, sizeof out, 2, 0), 2);
    assert_string_equal(out, "e\xCC\x81" ELLIPSIS);
    /* In ASCII mode a mark is a character of its own. */
    assert_int_equal(termtext_sanitize_str(e_acute, out, sizeof out, 0, TERMTEXT_ASCII), 2);
    assert_string_equal(out, "e?");
}

static void test_ascii_mode_is_pure_ascii(void **state)
{
    (void)state;
    const char in[] = "caf\xC3\xA9 \xE6\xBC\xA2 \xF0\x9F\x98\x80 \xC2\x9B \x9B \xE2\x80\xAE \xC0\xAF \xED\xA0\x80 \x1b[m";
    char out[256];
    termtext_sanitize(in, sizeof in - 1, out, sizeof out, 0, TERMTEXT_ASCII);
    assert_string_equal(out, "caf? ? ? ? ? ? ? ? ?[m");
    for (const char *p = out; *p; p++)
        assert_true((unsigned char)*p <= 0x7f);
}

static void test_tiny_buffers(void **state)
{
    (void)state;
    char out[4];
    memset(out, 'x', sizeof out);
    assert_int_equal(termtext_sanitize_str("abc", out, 1, 0, 0), 0);
    assert_string_equal(out, "");

    /* Too small for "…": cut on a character boundary without it. */
    assert_int_equal(termtext_sanitize_str("abc", out, 2, 0, 0), 1);
    assert_string_equal(out, "a");
    assert_int_equal(termtext_sanitize_str("abc", out, 3, 0, 0), 2);
    assert_string_equal(out, "ab");
    assert_int_equal(termtext_sanitize_str("\xC3\xA9\xC3\xA9", out, 2, 0, 0), 0);
    assert_string_equal(out, "");
    assert_int_equal(termtext_sanitize_str("\xC3\xA9\xC3\xA9", out, 3, 0, 0), 1);
    assert_string_equal(out, "\xC3\xA9");

    /* "~" fits even in two bytes. */
    assert_int_equal(termtext_sanitize_str("abc", out, 2, 0, TERMTEXT_ASCII), 1);
    assert_string_equal(out, "~");
    assert_int_equal(termtext_sanitize_str("abc", out, 3, 0, TERMTEXT_ASCII), 2);
    assert_string_equal(out, "a~");

    /* Exactly enough room: no cut. */
    assert_int_equal(termtext_sanitize_str("abc", out, 4, 0, 0), 3);
    assert_string_equal(out, "abc");
    assert_int_equal(termtext_sanitize_str("abcd", out, 4, 0, 0), 1);
    assert_string_equal(out, ELLIPSIS);
}

static void test_byte_bound_ends_with_ellipsis(void **state)
{
    (void)state;
    char out[10];
    assert_int_equal(termtext_sanitize_str("abcdefghijklmnop", out, sizeof out, 0, 0), 7);
    assert_string_equal(out, "abcdef" ELLIPSIS);
    /* A replacement character takes three bytes of the budget. */
    assert_int_equal(termtext_sanitize_str("\x1b\x1b\x1b\x1b", out, sizeof out, 0, 0), 3);
    assert_string_equal(out, FFFD FFFD ELLIPSIS);
}

static void test_null_input(void **state)
{
    (void)state;
    char out[8] = "junk";
    assert_int_equal(termtext_sanitize_str(NULL, out, sizeof out, 10, 0), 0);
    assert_string_equal(out, "");
    strcpy(out, "junk");
    assert_int_equal(termtext_sanitize(NULL, 5, out, sizeof out, 10, 0), 0);
    assert_string_equal(out, "");
    assert_int_equal(termtext_width(NULL), 0);
}

/* Random bytes, weighted towards the interesting ones, must always come out
 * valid, control-free and within both bounds. */
static void test_random_bytes_come_out_safe(void **state)
{
    (void)state;
    static const unsigned char interesting[] = { 0x1b, 0x9b, 0x00, 0x7f, 0xc2, 0xe2, 0x80,
                                                 0xad, 0xa6, 0xed, 0xf0, 0xf4, 0x90, 0xbf,
                                                 0xcc, 0x81, 0xe6, 0xbc, 0xa2, 'a', '\n' };
    uint32_t seed = 12345;
    unsigned char in[300];
    char out[64];
    for (int round = 0; round < 2000; round++) {
        for (size_t i = 0; i < sizeof in; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = seed >> 16;
            in[i] = (r & 1) ? interesting[(r >> 1) % sizeof interesting] : (unsigned char)(r >> 8);
        }
        unsigned flags = (round & 1) ? TERMTEXT_ASCII : 0;
        int max_columns = round % 50; /* 0 = unbounded, then by the buffer */
        size_t out_size = 1 + (size_t)(round % (int)sizeof out);
        int width = termtext_sanitize((const char *)in, sizeof in, out, out_size, max_columns, flags);
        assert_true(strlen(out) < out_size);
        assert_terminal_safe(out, flags);
        assert_int_equal(width, termtext_width(out));
        if (max_columns > 0)
            assert_true(width <= max_columns);
    }
}

/* --- width and padding ---------------------------------------------------- */

static void test_width(void **state)
{
    (void)state;
    assert_int_equal(termtext_width(""), 0);
    assert_int_equal(termtext_width("abc"), 3);
    assert_int_equal(termtext_width("\xE6\xBC\xA2\xE5\xAD\x97"), 4);
    assert_int_equal(termtext_width(ELLIPSIS), 1);
    assert_int_equal(termtext_width(FFFD), 1);
    assert_int_equal(termtext_width("\xF0\x9F\x98\x80"), 2); /* emoji */
    /* wcwidth() knows no width for unassigned U+0378 or U+2028; the
     * terminal still draws something, counted as one column. */
    assert_int_equal(termtext_width("\xCD\xB8"), 1);
    assert_int_equal(termtext_width("\xE2\x80\xA8"), 1);
}

static void test_pad(void **state)
{
    (void)state;
    char out[16] = "ab";
    termtext_pad(out, sizeof out, 5);
    assert_string_equal(out, "ab   ");

    strcpy(out, "\xE6\xBC\xA2");
    termtext_pad(out, sizeof out, 4);
    assert_string_equal(out, "\xE6\xBC\xA2  ");

    strcpy(out, "abcdef");
    termtext_pad(out, sizeof out, 3);
    assert_string_equal(out, "abcdef");

    char small[4] = "ab";
    termtext_pad(small, sizeof small, 10);
    assert_string_equal(small, "ab ");

    char empty[4] = "";
    termtext_pad(empty, sizeof empty, 2);
    assert_string_equal(empty, "  ");

    /* No NUL within the stated size: not a string pad can trust. */
    char unterminated[8] = "abcdefg";
    termtext_pad(unterminated, 4, 10);
    assert_string_equal(unterminated, "abcdefg");
}

int main(void)
{
    /* Widths come from the locale; the tests expect a UTF-8 one. */
    if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
        fprintf(stderr, "test_termtext: the C.UTF-8 locale is not available\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text_unchanged),
        cmocka_unit_test(test_csi),
        cmocka_unit_test(test_osc),
        cmocka_unit_test(test_dcs),
        cmocka_unit_test(test_c1_encoded_as_utf8),
        cmocka_unit_test(test_raw_c1_byte),
        cmocka_unit_test(test_every_c0_control_and_del),
        cmocka_unit_test(test_bidi_overrides),
        cmocka_unit_test(test_overlong_forms),
        cmocka_unit_test(test_surrogates),
        cmocka_unit_test(test_above_max_code_point),
        cmocka_unit_test(test_truncated_sequences),
        cmocka_unit_test(test_nul_inside_with_length),
        cmocka_unit_test(test_huge_name_bounded),
        cmocka_unit_test(test_exact_fit_is_not_cut),
        cmocka_unit_test(test_no_column_bound),
        cmocka_unit_test(test_cjk_cut_at_odd_column),
        cmocka_unit_test(test_combining_marks),
        cmocka_unit_test(test_ascii_mode_is_pure_ascii),
        cmocka_unit_test(test_tiny_buffers),
        cmocka_unit_test(test_byte_bound_ends_with_ellipsis),
        cmocka_unit_test(test_null_input),
        cmocka_unit_test(test_random_bytes_come_out_safe),
        cmocka_unit_test(test_width),
        cmocka_unit_test(test_pad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

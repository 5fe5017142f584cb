/* fixture_ui.h — checks shared by the tests of ui/'s text primitives
 * (glyphs, spark, chart, bigtext).  Each helper fails the running test
 * (cmocka) instead of returning an error. */
#ifndef OCCTOP_TESTS_FIXTURE_UI_H
#define OCCTOP_TESTS_FIXTURE_UI_H

#include <stddef.h>
#include <stdint.h>

/* Sets the C.UTF-8 locale (display widths come from it) or exits. */
void fixture_ui_locale(const char *test_name);

/* Every byte is printable ASCII (0x20..0x7e). */
void fixture_ui_assert_ascii(const char *text);

/* Well-formed UTF-8 (checked by a decoder of its own), no control
 * characters. */
void fixture_ui_assert_utf8(const char *text);

/* termtext_width(text) == columns. */
void fixture_ui_assert_columns(const char *text, size_t columns);

/* The code points of text, at most max of them; returns how many. */
size_t fixture_ui_code_points(const char *text, uint32_t *out, size_t max);

/* text with every occurrence of `from` replaced by `to` (into out). */
void fixture_ui_replace(const char *text, const char *from, const char *to, char *out,
                        size_t out_size);

/* A deterministic pseudo-random number (xorshift), for property tests. */
uint64_t fixture_ui_random(uint64_t *state);

#endif

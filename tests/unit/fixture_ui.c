/* fixture_ui.c — checks shared by the tests of ui/'s text primitives. */
#include "fixture_ui.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/termtext.h"

void fixture_ui_locale(const char *test_name)
{
    if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
        fprintf(stderr, "%s: the C.UTF-8 locale is not available\n", test_name);
        exit(1);
    }
}

void fixture_ui_assert_ascii(const char *text)
{
    for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
        if (*s < 0x20 || *s > 0x7e)
            fail_msg("byte 0x%02x at offset %zu of \"%s\" is not printable ASCII", *s,
                     (size_t)(s - (const unsigned char *)text), text);
    }
}

/* Decodes one character strictly; returns its length, 0 if ill-formed. */
static size_t decode(const unsigned char *s, uint32_t *cp)
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

void fixture_ui_assert_utf8(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    while (*s) {
        uint32_t cp;
        size_t n = decode(s, &cp);
        if (n == 0)
            fail_msg("ill-formed UTF-8 at offset %zu", (size_t)(s - (const unsigned char *)text));
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
            fail_msg("control character U+%04X in output", (unsigned)cp);
        s += n;
    }
}

void fixture_ui_assert_columns(const char *text, size_t columns)
{
    int width = termtext_width(text);
    if (width < 0 || (size_t)width != columns)
        fail_msg("\"%s\" is %d columns wide, expected %zu", text, width, columns);
}

size_t fixture_ui_code_points(const char *text, uint32_t *out, size_t max)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t count = 0;
    while (*s && count < max) {
        size_t n = decode(s, &out[count]);
        assert_true(n > 0);
        count++;
        s += n;
    }
    return count;
}

void fixture_ui_replace(const char *text, const char *from, const char *to, char *out,
                        size_t out_size)
{
    size_t from_len = strlen(from), to_len = strlen(to), len = 0;
    assert_true(from_len > 0);
    while (*text) {
        const char *piece = text;
        size_t piece_len = 1;
        if (strncmp(text, from, from_len) == 0) {
            piece = to;
            piece_len = to_len;
            text += from_len;
        } else {
            text++;
        }
        assert_true(len + piece_len < out_size);
        memcpy(out + len, piece, piece_len);
        len += piece_len;
    }
    out[len] = '\0';
}

uint64_t fixture_ui_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

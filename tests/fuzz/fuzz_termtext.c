/* fuzz_termtext.c — core/termtext.h: the terminal-text sanitizer.
 *
 * Input: byte 0 the flags (bit 0: TERMTEXT_ASCII), bytes 1-2 the column
 * bound (-2..253; <= 0 is "no bound"), bytes 3-4 the output buffer's size
 * (1..1024), the rest the text.  The output buffer is a malloc of exactly
 * that size, so a write past it is an ASan report.
 *
 * Checks (termtext.h's promises): the output is NUL-terminated in its
 * buffer, valid UTF-8, free of C0, DEL, C1 and bidi controls, at most
 * max_columns wide, printable ASCII only with TERMTEXT_ASCII, and the
 * returned width is termtext_width() of the output.  Input without a
 * control or a NUL that fits unbounded comes out unchanged.  Then
 * termtext_copy() (a prefix cut on a character boundary) and termtext_pad()
 * (never past its buffer, width reached when there is room). */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/termtext.h"
#include "fuzz_check.h"

/* Printable input that needs no change: valid UTF-8, no control, no tab. */
static bool needs_nothing(const char *text, size_t len, bool ascii)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = fuzz_utf8_char(s + i, len - i, &cp);
        if (n == 0 || fuzz_is_control(cp) || (ascii && cp >= 0x80))
            return false;
        i += n;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool locale_set;
    if (!locale_set) {
        /* wcwidth() knows wide characters only in a UTF-8 locale. */
        setlocale(LC_ALL, "C.UTF-8");
        locale_set = true;
    }
    if (size < 5)
        return 0;
    unsigned flags = data[0] & 1u ? TERMTEXT_ASCII : 0;
    bool ascii = flags & TERMTEXT_ASCII;
    int max_columns = (int)(((unsigned)data[1] << 8 | data[2]) % 256u) - 2;
    size_t out_size = (((size_t)data[3] << 8 | data[4]) % 1024u) + 1;
    const char *in = (const char *)data + 5;
    size_t in_len = size - 5;

    char *out = malloc(out_size);
    FUZZ_ASSERT(out != NULL, "out of memory");
    memset(out, 'X', out_size);
    int width = termtext_sanitize(in, in_len, out, out_size, max_columns, flags);

    const char *end = memchr(out, '\0', out_size);
    FUZZ_ASSERT(end != NULL, "output not terminated within %zu bytes", out_size);
    size_t out_len = (size_t)(end - out);
    fuzz_assert_safe(out, "sanitized text");
    if (ascii)
        for (size_t i = 0; i < out_len; i++)
            FUZZ_ASSERT(out[i] >= 0x20 && out[i] < 0x7F, "byte 0x%02x at %zu with TERMTEXT_ASCII",
                        (unsigned char)out[i], i);
    FUZZ_ASSERT(width >= 0, "width %d", width);
    FUZZ_ASSERT(max_columns <= 0 || width <= max_columns, "width %d > bound %d", width,
                max_columns);
    FUZZ_ASSERT(width == termtext_width(out), "returned width %d, termtext_width %d", width,
                termtext_width(out));
    if (ascii)
        FUZZ_ASSERT((size_t)width == out_len, "ASCII width %d for %zu bytes", width, out_len);
    /* Nothing to replace, room for all of it, no column bound: unchanged. */
    if (max_columns <= 0 && in_len < out_size && !memchr(in, '\0', in_len) &&
        needs_nothing(in, in_len, ascii))
        FUZZ_ASSERT(out_len == in_len && memcmp(out, in, in_len) == 0,
                    "clean text of %zu bytes changed", in_len);

    /* termtext_sanitize_str agrees with termtext_sanitize on text without NUL. */
    char *copy = malloc(in_len + 1);
    FUZZ_ASSERT(copy != NULL, "out of memory");
    memcpy(copy, in, in_len);
    copy[in_len] = '\0';
    char *again = malloc(out_size);
    FUZZ_ASSERT(again != NULL, "out of memory");
    int width_again = termtext_sanitize_str(copy, again, out_size, max_columns, flags);
    if (!memchr(in, '\0', in_len))
        FUZZ_ASSERT(width_again == width && strcmp(again, out) == 0,
                    "termtext_sanitize_str differs from termtext_sanitize");

    /* termtext_copy: a prefix, cut on a character boundary. */
    termtext_copy(again, out_size, copy);
    size_t copy_len = strlen(copy), again_len = strlen(again);
    FUZZ_ASSERT(again_len < out_size && again_len <= copy_len &&
                    memcmp(again, copy, again_len) == 0,
                "termtext_copy is not a prefix");
    if (fuzz_utf8_valid(copy, copy_len))
        FUZZ_ASSERT(fuzz_utf8_valid(again, again_len), "termtext_copy cut inside a character");

    /* termtext_pad on the sanitized text: stays in its buffer, only adds spaces. */
    int pad_to = max_columns > 0 ? max_columns : (int)(data[0] >> 1);
    termtext_pad(out, out_size, pad_to);
    const char *padded_end = memchr(out, '\0', out_size);
    FUZZ_ASSERT(padded_end != NULL, "padded text not terminated");
    size_t padded_len = (size_t)(padded_end - out);
    FUZZ_ASSERT(padded_len >= out_len, "padding shortened the text");
    for (size_t i = out_len; i < padded_len; i++)
        FUZZ_ASSERT(out[i] == ' ', "padding wrote 0x%02x", (unsigned char)out[i]);
    int padded_width = termtext_width(out);
    FUZZ_ASSERT(padded_width == width + (int)(padded_len - out_len), "padded width %d",
                padded_width);
    if (padded_len + 1 < out_size)
        FUZZ_ASSERT(padded_width >= pad_to, "padded to %d, wanted %d with room left",
                    padded_width, pad_to);

    free(again);
    free(copy);
    free(out);
    return 0;
}

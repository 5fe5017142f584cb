/* fuzz_check.h — what every fuzz target checks besides "no crash".
 *
 * A fuzz target is one LLVMFuzzerTestOneInput().  `make fuzz` links it with
 * libFuzzer (clang -fsanitize=fuzzer,address,undefined); `make check` links
 * it with replay_main.c and the normal compiler, and runs it over the seed
 * corpus and the regression inputs (tests/fuzz/corpus/<target>/,
 * tests/fuzz/regress/<target>/).  A broken invariant calls abort(): libFuzzer
 * saves the input as a crash, the replay program fails the test.
 *
 * Independent of the code under test: the UTF-8 decoder here is written
 * again, the control ranges are the ones core/termtext.h promises. */
#ifndef OCCTOP_TESTS_FUZZ_CHECK_H
#define OCCTOP_TESTS_FUZZ_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond, ...)                                                              \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            fprintf(stderr, "%s:%d: fuzz check failed: %s: ", __FILE__, __LINE__, #cond);  \
            fprintf(stderr, __VA_ARGS__);                                                   \
            fputc('\n', stderr);                                                            \
            abort();                                                                        \
        }                                                                                   \
    } while (0)

/* Decodes one character of s[0..len) strictly (no overlong forms, no
 * surrogates, nothing above U+10FFFF); returns its length, 0 if ill-formed. */
static inline size_t fuzz_utf8_char(const unsigned char *s, size_t len, uint32_t *cp)
{
    size_t n;
    uint32_t min;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    } else if ((s[0] & 0xE0) == 0xC0) {
        n = 2, min = 0x80, *cp = s[0] & 0x1Fu;
    } else if ((s[0] & 0xF0) == 0xE0) {
        n = 3, min = 0x800, *cp = s[0] & 0x0Fu;
    } else if ((s[0] & 0xF8) == 0xF0) {
        n = 4, min = 0x10000, *cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (n > len)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3Fu);
    }
    if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
        return 0;
    return n;
}

static inline bool fuzz_utf8_valid(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = fuzz_utf8_char(s + i, len - i, &cp);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

/* What a terminal might obey: C0, DEL, C1, the bidi overrides and isolates. */
static inline bool fuzz_is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

/* Valid UTF-8 without a control: fit to reach a terminal.  Aborts naming
 * `what` and the offset otherwise. */
static inline void fuzz_assert_safe(const char *text, const char *what)
{
    FUZZ_ASSERT(text != NULL, "%s is NULL", what);
    const unsigned char *s = (const unsigned char *)text;
    size_t len = strlen(text);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = fuzz_utf8_char(s + i, len - i, &cp);
        FUZZ_ASSERT(n > 0, "%s: invalid UTF-8 at byte %zu", what, i);
        FUZZ_ASSERT(!fuzz_is_control(cp), "%s: control U+%04X at byte %zu", what,
                    (unsigned)cp, i);
        i += n;
    }
}

/* An error message: one non-empty safe line that fits a wire_error. */
static inline void fuzz_assert_message(const char *message, size_t size, const char *what)
{
    FUZZ_ASSERT(memchr(message, '\0', size) != NULL, "%s: not terminated", what);
    FUZZ_ASSERT(message[0] != '\0', "%s: empty message", what);
    fuzz_assert_safe(message, what);
}

/* A fixed-size id field: terminated within its buffer and valid UTF-8 (the
 * decoders copy ids from JSON, which jansson has checked). */
static inline void fuzz_assert_id(const char *id, size_t size, const char *what)
{
    const char *end = memchr(id, '\0', size);
    FUZZ_ASSERT(end != NULL, "%s: not terminated within %zu bytes", what, size);
    FUZZ_ASSERT(fuzz_utf8_valid(id, (size_t)(end - id)), "%s: invalid UTF-8", what);
}

#endif

/* termtext.c — make untrusted text safe to put on a terminal.
 *
 * The decoder is written by hand rather than with mbrtowc() so that the
 * result does not depend on the process locale: text from the network is
 * UTF-8 whatever LC_CTYPE says, and a locale-dependent decoder would let
 * a C-locale process pass raw bytes >= 0x80 (among them the C1 CSI 0x9B)
 * straight through.  Only the display width asks the locale (wcwidth). */
#include "core/termtext.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>

#define REPLACEMENT_CHAR 0xFFFDu

/* --- strict UTF-8 decoding ------------------------------------------- */

/* A byte that can begin a well-formed character: ASCII, or a lead byte that
 * has at least one valid continuation (C0, C1 and F5..FF never do). */
static bool can_start_char(unsigned char byte)
{
    return byte < 0x80u || (byte >= 0xC2u && byte <= 0xF4u);
}

/* Decodes one character at in[0..len), len >= 1.  Stores the code point and
 * returns the bytes consumed.  An ill-formed sequence gives U+FFFD and
 * consumes everything up to the next byte that could start a character, so a
 * run of garbage shows as a single replacement character.
 *
 * The second byte's allowed range depends on the lead byte; that is what
 * rules out overlong forms (E0 80..9F, F0 80..8F), surrogates (ED A0..BF)
 * and code points above U+10FFFF (F4 90..BF) without decoding them first. */
static size_t utf8_decode(const unsigned char *in, size_t len, uint32_t *cp)
{
    unsigned char lead = in[0];
    size_t need;     /* continuation bytes after the lead */
    unsigned char lo = 0x80u, hi = 0xBFu; /* allowed range of the 2nd byte */
    uint32_t value = 0;

    if (lead < 0x80u) {
        *cp = lead;
        return 1;
    }
    if (lead >= 0xC2u && lead <= 0xDFu) {
        need = 1;
        value = lead & 0x1Fu;
    } else if (lead >= 0xE0u && lead <= 0xEFu) {
        need = 2;
        value = lead & 0x0Fu;
        if (lead == 0xE0u)
            lo = 0xA0u;
        else if (lead == 0xEDu)
            hi = 0x9Fu;
    } else if (lead >= 0xF0u && lead <= 0xF4u) {
        need = 3;
        value = lead & 0x07u;
        if (lead == 0xF0u)
            lo = 0x90u;
        else if (lead == 0xF4u)
            hi = 0x8Fu;
    } else {
        need = 0; /* 80..C1 or F5..FF: cannot start a character */
    }

    size_t used = 1;
    bool ok = need > 0;
    for (size_t i = 1; ok && i <= need; i++) {
        unsigned char min = i == 1 ? lo : 0x80u;
        unsigned char max = i == 1 ? hi : 0xBFu;
        if (i >= len || in[i] < min || in[i] > max) {
            ok = false; /* truncated, or not a continuation allowed here */
            break;
        }
        value = (value << 6) | (in[i] & 0x3Fu);
        used++;
    }
    if (ok) {
        *cp = value;
        return used;
    }
    while (used < len && !can_start_char(in[used]))
        used++;
    *cp = REPLACEMENT_CHAR;
    return used;
}

static size_t utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80u) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800u) {
        out[0] = (char)(0xC0u | (cp >> 6));
        out[1] = (char)(0x80u | (cp & 0x3Fu));
        return 2;
    }
    if (cp < 0x10000u) {
        out[0] = (char)(0xE0u | (cp >> 12));
        out[1] = (char)(0x80u | ((cp >> 6) & 0x3Fu));
        out[2] = (char)(0x80u | (cp & 0x3Fu));
        return 3;
    }
    out[0] = (char)(0xF0u | (cp >> 18));
    out[1] = (char)(0x80u | ((cp >> 12) & 0x3Fu));
    out[2] = (char)(0x80u | ((cp >> 6) & 0x3Fu));
    out[3] = (char)(0x80u | (cp & 0x3Fu));
    return 4;
}

/* --- what may reach the terminal --------------------------------------- */

/* Characters a terminal may obey instead of showing: C0 and C1 controls
 * start escape sequences, and the bidi overrides and isolates reorder
 * the rest of the line (the "Trojan Source" trick). */
static bool is_dangerous(uint32_t cp)
{
    return cp < 0x20u || (cp >= 0x7Fu && cp <= 0x9Fu) ||
           (cp >= 0x202Au && cp <= 0x202Eu) || (cp >= 0x2066u && cp <= 0x2069u);
}

/* The character to show in place of cp. */
static uint32_t make_safe(uint32_t cp, unsigned flags)
{
    if (cp == '\t' || cp == '\r' || cp == '\n')
        return ' ';
    if (is_dangerous(cp))
        cp = REPLACEMENT_CHAR;
    if ((flags & TERMTEXT_ASCII) && cp >= 0x80u)
        return '?';
    return cp;
}

/* Columns a printable character takes.  wcwidth() says -1 for characters
 * its locale does not know (every non-ASCII one in the C locale); the
 * terminal will still draw something there, most likely one cell wide. */
static int char_width(uint32_t cp)
{
    if (cp < 0x80u)
        return 1;
    int width = wcwidth((wchar_t)cp);
    return width < 0 ? 1 : width;
}

/* --- the bounded writer ------------------------------------------------ */

/* Appends characters to out while they fit both the byte budget and the
 * column budget, remembering the last point where an ellipsis would still
 * fit after the text: when something does not fit, the output goes back to
 * that point and ends with the ellipsis. */
struct writer {
    char *out;
    size_t byte_budget;  /* out_size - 1: room for text, not the NUL */
    int max_columns;
    size_t len;
    int width;
    const char *ellipsis;
    size_t ellipsis_len;
    bool ellipsis_fits;  /* false in buffers too small for even the ellipsis */
    size_t keep_len;     /* the last cut point with room for the ellipsis */
    int keep_width;
};

static void writer_init(struct writer *w, char *out, size_t out_size, int max_columns,
                        unsigned flags)
{
    w->out = out;
    w->byte_budget = out_size - 1;
    w->max_columns = max_columns > 0 ? max_columns : INT_MAX;
    w->len = 0;
    w->width = 0;
    w->ellipsis = (flags & TERMTEXT_ASCII) ? "~" : "\xE2\x80\xA6"; /* U+2026 */
    w->ellipsis_len = strlen(w->ellipsis);
    w->ellipsis_fits = w->ellipsis_len <= w->byte_budget;
    w->keep_len = 0;
    w->keep_width = 0;
}

/* Returns false when the character did not fit; the writer is then final. */
static bool writer_put(struct writer *w, uint32_t cp)
{
    char bytes[4];
    size_t n = utf8_encode(cp, bytes);
    int columns = char_width(cp);

    bool fits = n <= w->byte_budget - w->len && columns <= w->max_columns - w->width;
    if (!fits) {
        if (w->ellipsis_fits) {
            w->len = w->keep_len;
            w->width = w->keep_width;
            memcpy(w->out + w->len, w->ellipsis, w->ellipsis_len);
            w->len += w->ellipsis_len;
            w->width += 1;
        }
        return false;
    }
    memcpy(w->out + w->len, bytes, n);
    w->len += n;
    w->width += columns;
    /* The ellipsis is one column wide. */
    if (w->ellipsis_len <= w->byte_budget - w->len && w->width < w->max_columns) {
        w->keep_len = w->len;
        w->keep_width = w->width;
    }
    return true;
}

int termtext_sanitize(const char *in, size_t in_len, char *out, size_t out_size,
                      int max_columns, unsigned flags)
{
    if (out == NULL || out_size == 0)
        return 0;
    if (in == NULL)
        in_len = 0;

    struct writer w;
    writer_init(&w, out, out_size, max_columns, flags);

    const unsigned char *bytes = (const unsigned char *)in;
    size_t pos = 0;
    while (pos < in_len) {
        uint32_t cp;
        pos += utf8_decode(bytes + pos, in_len - pos, &cp);
        if (!writer_put(&w, make_safe(cp, flags)))
            break;
    }
    out[w.len] = '\0';
    return w.width;
}

int termtext_sanitize_str(const char *in, char *out, size_t out_size, int max_columns,
                          unsigned flags)
{
    return termtext_sanitize(in, in ? strlen(in) : 0, out, out_size, max_columns, flags);
}

int termtext_width(const char *safe_text)
{
    if (safe_text == NULL)
        return 0;
    const unsigned char *bytes = (const unsigned char *)safe_text;
    size_t len = strlen(safe_text);
    size_t pos = 0;
    int width = 0;
    while (pos < len) {
        uint32_t cp;
        pos += utf8_decode(bytes + pos, len - pos, &cp);
        int columns = char_width(cp);
        if (width > INT_MAX - columns)
            return INT_MAX;
        width += columns;
    }
    return width;
}

void termtext_pad(char *out, size_t out_size, int columns)
{
    if (out == NULL || out_size == 0)
        return;
    size_t len = strnlen(out, out_size);
    if (len == out_size) /* not terminated within its buffer: leave it alone */
        return;
    int width = termtext_width(out);
    while (width < columns && len + 1 < out_size) {
        out[len++] = ' ';
        width++;
    }
    out[len] = '\0';
}

void termtext_copy(char *out, size_t out_size, const char *text)
{
    size_t len = strlen(text);
    if (len >= out_size) {
        len = out_size - 1;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(out, text, len);
    out[len] = '\0';
}

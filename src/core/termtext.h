/* termtext.h — make untrusted text safe to put on a terminal.
 *
 * Every name, id, tag or message that came from the network or a file goes
 * through termtext_sanitize() before it reaches a terminal, a log or an error
 * line.  It lives in core (not wire) because core builds error messages from
 * ids and names, and core may not depend on wire.
 *
 * What it does:
 *  - decodes UTF-8 strictly: invalid bytes, overlong forms, surrogates and
 *    code points above U+10FFFF each become one U+FFFD ("?" in ASCII mode);
 *  - replaces C0 controls, DEL, C1 controls (U+0080..U+009F, which some
 *    terminals obey as escape sequences) and the bidirectional overrides
 *    (U+202A..U+202E, U+2066..U+2069) by U+FFFD, so "\e[2J" shows as "?[2J";
 *    tab, CR and LF become a plain space;
 *  - in ASCII mode, also replaces every other non-ASCII character by "?";
 *  - bounds the result to max_columns display columns, ending it with "…"
 *    ("~" in ASCII mode) when it had to cut. */
#ifndef OCCTOP_CORE_TERMTEXT_H
#define OCCTOP_CORE_TERMTEXT_H

#include <stdbool.h>
#include <stddef.h>

enum termtext_flag {
    TERMTEXT_ASCII = 1u << 0, /* output only printable ASCII */
};

/* Writes a NUL-terminated safe copy of in[0..in_len) into out (out_size >= 1;
 * the copy is also cut to fit out_size, on a character boundary).  in may be
 * NULL (gives "").  max_columns <= 0 means no column bound.  Returns the
 * display width of what was written. */
int termtext_sanitize(const char *in, size_t in_len, char *out, size_t out_size,
                      int max_columns, unsigned flags);

/* Same for a NUL-terminated string. */
int termtext_sanitize_str(const char *in, char *out, size_t out_size, int max_columns,
                          unsigned flags);

/* Copies text into out (NUL-terminated), cut on a UTF-8 character boundary
 * when it does not fit (so a cut id or name is still valid text); nothing
 * else changes: this is for storage, not for the terminal.  out_size >= 1. */
void termtext_copy(char *out, size_t out_size, const char *text);

/* Display width of text that is already safe (valid UTF-8, no controls). */
int termtext_width(const char *safe_text);

/* Appends spaces to out (NUL-terminated, capacity out_size) until its width
 * reaches columns. */
void termtext_pad(char *out, size_t out_size, int columns);

#endif

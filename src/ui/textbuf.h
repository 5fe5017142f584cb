/* textbuf.h — appending one-column glyphs to a caller's buffer.
 *
 * The drawing primitives (spark, chart, bigtext) build a line glyph by glyph
 * into a fixed buffer.  A glyph is added whole or not at all, so a cut line
 * is still valid UTF-8; after the first glyph that does not fit nothing more
 * is added, so a short line is a prefix of the full one, never a line with a
 * gap in it.  The buffer is NUL-terminated after every call. */
#ifndef OCCTOP_UI_TEXTBUF_H
#define OCCTOP_UI_TEXTBUF_H

#include <stdbool.h>
#include <stddef.h>

struct textbuf {
    char *out;      /* the caller's buffer; may be NULL when size is 0 */
    size_t size;    /* its capacity in bytes, the NUL included */
    size_t len;     /* bytes written, the NUL excluded */
    size_t columns; /* glyphs written: every glyph is one column */
    bool full;      /* a glyph did not fit: the line is cut */
};

/* Starts an empty line in out[0..size) (writes "" when size > 0). */
void textbuf_init(struct textbuf *buf, char *out, size_t size);

/* Appends one glyph (a one-column, NUL-terminated string).  Returns false,
 * and leaves the buffer as it was, when it does not fit or the line is
 * already cut. */
bool textbuf_put(struct textbuf *buf, const char *glyph);

/* Appends `count` copies of a glyph; false when not all of them fit. */
bool textbuf_repeat(struct textbuf *buf, const char *glyph, size_t count);

#endif

/* textbuf.c — appending one-column glyphs to a caller's buffer. */
#include "ui/textbuf.h"

#include <string.h>

void textbuf_init(struct textbuf *buf, char *out, size_t size)
{
    buf->out = out;
    buf->size = out ? size : 0;
    buf->len = 0;
    buf->columns = 0;
    buf->full = false;
    if (buf->size > 0)
        out[0] = '\0';
}

bool textbuf_put(struct textbuf *buf, const char *glyph)
{
    size_t n = strlen(glyph);
    /* len + n + 1 <= size, written so that it cannot overflow. */
    if (buf->full || buf->size == 0 || n > buf->size - 1 - buf->len) {
        buf->full = true;
        return false;
    }
    memcpy(buf->out + buf->len, glyph, n);
    buf->len += n;
    buf->out[buf->len] = '\0';
    buf->columns++;
    return true;
}

bool textbuf_repeat(struct textbuf *buf, const char *glyph, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (!textbuf_put(buf, glyph))
            return false;
    }
    return true;
}

/* bigtext.h — big letters for the kiosk view: the count, "COME IN" or
 * "PLEASE WAIT", the percentage, drawn with full cells and scaled to the
 * terminal.
 *
 * Two bitmap fonts: SMALL is 3 x 5 (digits stay readable on an 80 x 24
 * terminal with room to spare), LARGE is 5 x 7 (proper letters, M and W
 * included).  Each has the digits, A-Z (lower case draws as upper case),
 * space, '%', '-', '+', '.', ':', '/', '!' and '?'; any other character
 * draws as a blank of the same width.  Characters are one font column apart.
 *
 * A font pixel is scale_x columns by scale_y rows.  Terminal cells are
 * about twice as tall as wide, so scale_x = 2 x scale_y gives square
 * pixels; bigtext_fit aims for that and settles for scale_x = scale_y.
 * Drawn with the ASCII glyph set a pixel is '#', so the text is pure
 * ASCII. */
#ifndef OCCTOP_UI_BIGTEXT_H
#define OCCTOP_UI_BIGTEXT_H

#include <stddef.h>

#include "ui/glyphs.h"

enum bigtext_font {
    BIGTEXT_SMALL = 0, /* 3 x 5 */
    BIGTEXT_LARGE,     /* 5 x 7 */
};

/* Longer text is not drawn big (bigtext_fit gives scale 0): the kiosk shows
 * short words and numbers, and the bound keeps the sizes from overflowing. */
enum { BIGTEXT_MAX_CHARS = 64, BIGTEXT_MAX_SCALE = 64 };

struct bigtext_layout {
    enum bigtext_font font;
    unsigned scale_x, scale_y; /* 0 when the text does not fit at all */
    size_t width, height;      /* of the whole text, in cells */
};

/* The layout of `text` in `font` at the given scales (at most
 * BIGTEXT_MAX_SCALE); scale 0 for a scale of 0, for "", for text longer
 * than BIGTEXT_MAX_CHARS and for an unknown font. */
struct bigtext_layout bigtext_layout(const char *text, enum bigtext_font font,
                                     unsigned scale_x, unsigned scale_y);

/* The biggest layout of `text` within max_width x max_height cells: the
 * tallest that fits (the large font when both are as tall), then the widest
 * pixels up to square.  Text with letters takes the large font whenever it
 * fits, even if the small one would be taller: 3 x 5 digits read well, but
 * M, N and W in 3 x 5 barely do.  scale_x = scale_y = 0 (and size 0 x 0) when even the
 * small font at scale 1 does not fit: draw plain text then. */
struct bigtext_layout bigtext_fit(const char *text, size_t max_width, size_t max_height);

/* Row `row` (0 at the top) of `text` drawn with `layout` (made for this
 * same text): exactly layout->width columns of glyphs->block and spaces, or
 * "" when the row is outside the layout or its scale is 0.  Writes a NUL-terminated line, cut
 * on a glyph boundary when out is too small (3 * width + 1 bytes always
 * suffice; out may be NULL when out_size is 0).  Returns its width in
 * columns. */
size_t bigtext_render(const char *text, const struct bigtext_layout *layout, size_t row,
                      const struct glyphs *glyphs, char *out, size_t out_size);

/* One row (0 at the top) of the picture of character c in `font`: '#' for
 * a pixel on, '.' for off, as many characters as the font is wide; NULL
 * when c has no glyph (it draws blank), for a byte >= 128 and for a row
 * outside the font.  Lower case gives the upper case glyph. */
const char *bigtext_glyph_row(enum bigtext_font font, unsigned char c, unsigned row);

#endif

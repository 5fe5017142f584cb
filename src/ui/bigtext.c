/* bigtext.c — 3 x 5 and 5 x 7 bitmap fonts, scaled into full cells.
 *
 * Glyphs are written as pictures ('#' on, '.' off, top row first) so that
 * a wrong pixel is visible in the source; the tests check that every row
 * has the font's width. */
#include "ui/bigtext.h"

#include <string.h>

#include "ui/textbuf.h"

enum { SMALL_W = 3, SMALL_H = 5, LARGE_W = 5, LARGE_H = 7, MAX_H = 7 };

/* Indexed by the (upper-case) ASCII character; NULL rows draw blank. */
typedef const char *const glyph_rows[MAX_H];

static glyph_rows small_font[128] = {
    ['0'] = { "###", "#.#", "#.#", "#.#", "###" },
    ['1'] = { ".#.", "##.", ".#.", ".#.", "###" },
    ['2'] = { "###", "..#", "###", "#..", "###" },
    ['3'] = { "###", "..#", ".##", "..#", "###" },
    ['4'] = { "#.#", "#.#", "###", "..#", "..#" },
    ['5'] = { "###", "#..", "###", "..#", "###" },
    ['6'] = { "###", "#..", "###", "#.#", "###" },
    ['7'] = { "###", "..#", "..#", "..#", "..#" },
    ['8'] = { "###", "#.#", "###", "#.#", "###" },
    ['9'] = { "###", "#.#", "###", "..#", "###" },
    ['A'] = { ".#.", "#.#", "###", "#.#", "#.#" },
    ['B'] = { "##.", "#.#", "##.", "#.#", "##." },
    ['C'] = { ".##", "#..", "#..", "#..", ".##" },
    ['D'] = { "##.", "#.#", "#.#", "#.#", "##." },
    ['E'] = { "###", "#..", "##.", "#..", "###" },
    ['F'] = { "###", "#..", "##.", "#..", "#.." },
    ['G'] = { ".##", "#..", "#.#", "#.#", ".##" },
    ['H'] = { "#.#", "#.#", "###", "#.#", "#.#" },
    ['I'] = { "###", ".#.", ".#.", ".#.", "###" },
    ['J'] = { "..#", "..#", "..#", "#.#", ".#." },
    ['K'] = { "#.#", "#.#", "##.", "#.#", "#.#" },
    ['L'] = { "#..", "#..", "#..", "#..", "###" },
    ['M'] = { "#.#", "###", "###", "#.#", "#.#" },
    ['N'] = { "##.", "#.#", "#.#", "#.#", "#.#" },
    ['O'] = { ".#.", "#.#", "#.#", "#.#", ".#." },
    ['P'] = { "##.", "#.#", "##.", "#..", "#.." },
    ['Q'] = { ".#.", "#.#", "#.#", "##.", ".##" },
    ['R'] = { "##.", "#.#", "##.", "#.#", "#.#" },
    ['S'] = { ".##", "#..", ".#.", "..#", "##." },
    ['T'] = { "###", ".#.", ".#.", ".#.", ".#." },
    ['U'] = { "#.#", "#.#", "#.#", "#.#", "###" },
    ['V'] = { "#.#", "#.#", "#.#", "#.#", ".#." },
    ['W'] = { "#.#", "#.#", "###", "###", "#.#" },
    ['X'] = { "#.#", "#.#", ".#.", "#.#", "#.#" },
    ['Y'] = { "#.#", "#.#", ".#.", ".#.", ".#." },
    ['Z'] = { "###", "..#", ".#.", "#..", "###" },
    ['%'] = { "#.#", "..#", ".#.", "#..", "#.#" },
    ['-'] = { "...", "...", "###", "...", "..." },
    ['+'] = { "...", ".#.", "###", ".#.", "..." },
    ['.'] = { "...", "...", "...", "...", ".#." },
    [':'] = { "...", ".#.", "...", ".#.", "..." },
    ['/'] = { "..#", "..#", ".#.", "#..", "#.." },
    ['!'] = { ".#.", ".#.", ".#.", "...", ".#." },
    ['?'] = { "##.", "..#", ".#.", "...", ".#." },
};

/* After the 5 x 7 dot-matrix fonts of character LCDs. */
static glyph_rows large_font[128] = {
    ['0'] = { ".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###." },
    ['1'] = { "..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###." },
    ['2'] = { ".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####" },
    ['3'] = { "#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###." },
    ['4'] = { "...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#." },
    ['5'] = { "#####", "#....", "####.", "....#", "....#", "#...#", ".###." },
    ['6'] = { "..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###." },
    ['7'] = { "#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..." },
    ['8'] = { ".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###." },
    ['9'] = { ".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.." },
    ['A'] = { ".###.", "#...#", "#...#", "#...#", "#####", "#...#", "#...#" },
    ['B'] = { "####.", "#...#", "#...#", "####.", "#...#", "#...#", "####." },
    ['C'] = { ".###.", "#...#", "#....", "#....", "#....", "#...#", ".###." },
    ['D'] = { "###..", "#..#.", "#...#", "#...#", "#...#", "#..#.", "###.." },
    ['E'] = { "#####", "#....", "#....", "####.", "#....", "#....", "#####" },
    ['F'] = { "#####", "#....", "#....", "####.", "#....", "#....", "#...." },
    ['G'] = { ".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####" },
    ['H'] = { "#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#" },
    ['I'] = { ".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###." },
    ['J'] = { "..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.." },
    ['K'] = { "#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#" },
    ['L'] = { "#....", "#....", "#....", "#....", "#....", "#....", "#####" },
    ['M'] = { "#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#" },
    ['N'] = { "#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#" },
    ['O'] = { ".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###." },
    ['P'] = { "####.", "#...#", "#...#", "####.", "#....", "#....", "#...." },
    ['Q'] = { ".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#" },
    ['R'] = { "####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#" },
    ['S'] = { ".####", "#....", "#....", ".###.", "....#", "....#", "####." },
    ['T'] = { "#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.." },
    ['U'] = { "#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###." },
    ['V'] = { "#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.." },
    ['W'] = { "#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#." },
    ['X'] = { "#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#" },
    ['Y'] = { "#...#", "#...#", "#...#", ".#.#.", "..#..", "..#..", "..#.." },
    ['Z'] = { "#####", "....#", "...#.", "..#..", ".#...", "#....", "#####" },
    ['%'] = { "##...", "##..#", "...#.", "..#..", ".#...", "#..##", "...##" },
    ['-'] = { ".....", ".....", ".....", "#####", ".....", ".....", "....." },
    ['+'] = { ".....", "..#..", "..#..", "#####", "..#..", "..#..", "....." },
    ['.'] = { ".....", ".....", ".....", ".....", ".....", ".##..", ".##.." },
    [':'] = { ".....", ".##..", ".##..", ".....", ".##..", ".##..", "....." },
    ['/'] = { ".....", "....#", "...#.", "..#..", ".#...", "#....", "....." },
    ['!'] = { "..#..", "..#..", "..#..", "..#..", "..#..", ".....", "..#.." },
    ['?'] = { ".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.." },
};

static const struct {
    glyph_rows *glyphs;
    unsigned width, height;
} fonts[] = {
    [BIGTEXT_SMALL] = { small_font, SMALL_W, SMALL_H },
    [BIGTEXT_LARGE] = { large_font, LARGE_W, LARGE_H },
};

/* Characters, not bytes: each UTF-8 sequence counts once (and draws blank). */
static size_t char_count(const char *text)
{
    size_t n = 0;
    for (const unsigned char *s = (const unsigned char *)text; *s; s++)
        n += (*s & 0xC0u) != 0x80u;
    return n;
}

static bool font_known(enum bigtext_font font)
{
    return (unsigned)font < sizeof fonts / sizeof fonts[0];
}

const char *bigtext_glyph_row(enum bigtext_font font, unsigned char c, unsigned row)
{
    if (!font_known(font) || row >= fonts[font].height || c >= 128)
        return NULL;
    if (c >= 'a' && c <= 'z')
        c = (unsigned char)(c - 'a' + 'A');
    return fonts[font].glyphs[c][row];
}

static unsigned clamp_scale(unsigned scale)
{
    return scale > BIGTEXT_MAX_SCALE ? BIGTEXT_MAX_SCALE : scale;
}

/* The text's width at scale_x 1: the glyphs and a one-pixel gap between
 * each two.  0 for "" or text longer than BIGTEXT_MAX_CHARS. */
static size_t unit_width(const char *text, enum bigtext_font font)
{
    size_t n = char_count(text);
    if (n == 0 || n > BIGTEXT_MAX_CHARS)
        return 0;
    return n * (fonts[font].width + 1) - 1;
}

struct bigtext_layout bigtext_layout(const char *text, enum bigtext_font font,
                                     unsigned scale_x, unsigned scale_y)
{
    struct bigtext_layout layout = { .font = font };
    if (!font_known(font))
        return layout;
    size_t unit = unit_width(text, font);
    if (unit == 0 || scale_x == 0 || scale_y == 0)
        return layout;
    layout.scale_x = clamp_scale(scale_x);
    layout.scale_y = clamp_scale(scale_y);
    layout.width = unit * layout.scale_x;
    layout.height = (size_t)fonts[font].height * layout.scale_y;
    return layout;
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* The biggest layout in one font, or scale 0 when it does not fit. */
static struct bigtext_layout fit_font(const char *text, enum bigtext_font font,
                                      size_t max_width, size_t max_height)
{
    size_t unit = unit_width(text, font);
    struct bigtext_layout none = { .font = font };
    if (unit == 0)
        return none;
    size_t widest = min_size(max_width / unit, BIGTEXT_MAX_SCALE);
    size_t scale_y = min_size(max_height / fonts[font].height, widest);
    if (scale_y == 0)
        return none;
    size_t scale_x = min_size(2 * scale_y, widest);
    return bigtext_layout(text, font, (unsigned)scale_x, (unsigned)scale_y);
}

static bool has_letters(const char *text)
{
    for (const char *s = text; *s; s++) {
        if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))
            return true;
    }
    return false;
}

struct bigtext_layout bigtext_fit(const char *text, size_t max_width, size_t max_height)
{
    struct bigtext_layout small = fit_font(text, BIGTEXT_SMALL, max_width, max_height);
    struct bigtext_layout large = fit_font(text, BIGTEXT_LARGE, max_width, max_height);
    if (large.scale_y > 0 && has_letters(text))
        return large;
    return small.height > large.height ? small : large;
}

size_t bigtext_render(const char *text, const struct bigtext_layout *layout, size_t row,
                      const struct glyphs *glyphs, char *out, size_t out_size)
{
    struct textbuf buf;
    textbuf_init(&buf, out, out_size);
    if (!font_known(layout->font) || layout->scale_x == 0 || layout->scale_y == 0 ||
        row >= layout->height)
        return 0;
    size_t font_row = row / layout->scale_y;
    if (font_row >= fonts[layout->font].height) /* a layout not from bigtext_layout */
        return 0;
    unsigned font_width = fonts[layout->font].width;
    size_t chars = 0;

    for (const unsigned char *s = (const unsigned char *)text; *s && !buf.full; s++) {
        if ((*s & 0xC0u) == 0x80u) /* inside a UTF-8 sequence: already drawn */
            continue;
        if (chars++ > 0)
            textbuf_repeat(&buf, " ", layout->scale_x);
        const char *pixels = bigtext_glyph_row(layout->font, *s, (unsigned)font_row);
        for (unsigned x = 0; x < font_width; x++) {
            if (pixels && pixels[x] == '\0') /* never read past a short row */
                pixels = NULL;
            bool on = pixels && pixels[x] == '#';
            textbuf_repeat(&buf, on ? glyphs->block : " ", layout->scale_x);
        }
    }
    return buf.columns;
}

/* glyphs.c — the UTF-8 and the ASCII glyph sets (see glyphs.h for why these
 * characters).  Code points are written as escapes so the source stays
 * ASCII and each character can be checked against the font lists. */
#include "ui/glyphs.h"

/* U+2581..U+2588: lower one eighth .. full block. */
#define LOWER_EIGHTHS                                                                        \
    " ", "\xE2\x96\x81", "\xE2\x96\x82", "\xE2\x96\x83", "\xE2\x96\x84", "\xE2\x96\x85",     \
        "\xE2\x96\x86", "\xE2\x96\x87", "\xE2\x96\x88"

static const struct glyphs utf8_glyphs = {
    .ascii = false,
    .braille = true,
    .spark = { LOWER_EIGHTHS },
    .column_steps = 8,
    .column = { LOWER_EIGHTHS },
    .bar_steps = 8,
    /* U+258F..U+2589: left one eighth .. left seven eighths, then U+2588. */
    .bar = { " ", "\xE2\x96\x8F", "\xE2\x96\x8E", "\xE2\x96\x8D", "\xE2\x96\x8C",
             "\xE2\x96\x8B", "\xE2\x96\x8A", "\xE2\x96\x89", "\xE2\x96\x88" },
    .safe = {
        [SAFE_STATE_NONE] = "\xC2\xB7",       /* U+00B7 middle dot */
        [SAFE_STATE_OK] = "\xE2\x88\x9A",     /* U+221A √ (CP437 has no check mark) */
        [SAFE_STATE_WARN] = "\xE2\x96\xB2",   /* U+25B2 ▲ */
        [SAFE_STATE_UNSAFE] = "\xC3\x97",     /* U+00D7 × */
    },
    .tree_expanded = "\xE2\x96\xBC",  /* U+25BC ▼ (▾ is in neither WGL4 nor CP437) */
    .tree_collapsed = "\xE2\x96\xBA", /* U+25BA ► */
    .tree_leaf = "\xC2\xB7",          /* U+00B7 · */
    .arrow_up = "\xE2\x86\x91",       /* U+2191 ↑ */
    .arrow_down = "\xE2\x86\x93",     /* U+2193 ↓ */
    .ellipsis = "\xE2\x80\xA6",       /* U+2026 … */
    .block = "\xE2\x96\x88",          /* U+2588 █ */
    .hline = "\xE2\x94\x80",          /* ─ */
    .vline = "\xE2\x94\x82",          /* │ */
    .corner_tl = "\xE2\x94\x8C",      /* ┌ */
    .corner_tr = "\xE2\x94\x90",      /* ┐ */
    .corner_bl = "\xE2\x94\x94",      /* └ */
    .corner_br = "\xE2\x94\x98",      /* ┘ */
    .tee_left = "\xE2\x94\x9C",       /* ├ */
    .tee_right = "\xE2\x94\xA4",      /* ┤ */
    .tee_top = "\xE2\x94\xAC",        /* ┬ */
    .tee_bottom = "\xE2\x94\xB4",     /* ┴ */
    .cross = "\xE2\x94\xBC",          /* ┼ */
};

/* ASCII has no partial cells: bars and chart columns round to whole cells,
 * and the sparkline uses characters whose ink sits higher or is denser. */
static const struct glyphs ascii_glyphs = {
    .ascii = true,
    .braille = false,
    .spark = { " ", "_", ".", "-", "~", "=", "+", "*", "#" },
    .column_steps = 1,
    .column = { " ", "#" },
    .bar_steps = 1,
    .bar = { ".", "#" },
    .safe = {
        [SAFE_STATE_NONE] = "-",
        [SAFE_STATE_OK] = "+",
        [SAFE_STATE_WARN] = "!",
        [SAFE_STATE_UNSAFE] = "X",
    },
    .tree_expanded = "-",
    .tree_collapsed = "+",
    .tree_leaf = ".",
    .arrow_up = "^",
    .arrow_down = "v",
    .ellipsis = "~", /* termtext's ASCII cut mark */
    .block = "#",
    .hline = "-",
    .vline = "|",
    .corner_tl = "+",
    .corner_tr = "+",
    .corner_bl = "+",
    .corner_br = "+",
    .tee_left = "+",
    .tee_right = "+",
    .tee_top = "+",
    .tee_bottom = "+",
    .cross = "+",
};

const struct glyphs *glyphs_for(bool ascii)
{
    return ascii ? &ascii_glyphs : &utf8_glyphs;
}

const char *glyphs_safe(const struct glyphs *glyphs, enum safe_state state)
{
    unsigned index = (unsigned)state;
    if (index >= sizeof glyphs->safe / sizeof glyphs->safe[0])
        index = SAFE_STATE_NONE;
    return glyphs->safe[index];
}

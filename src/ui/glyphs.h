/* glyphs.h — the characters the monitor draws with, chosen once.
 *
 * There are two sets: UTF-8 and pure ASCII (--ascii, or a locale that is not
 * UTF-8).  Every string in the ASCII set is printable ASCII, so a view drawn
 * with it contains no byte above 0x7f.  Every glyph in both sets is exactly
 * one column wide (checked by the tests with termtext_width), so callers
 * count glyphs to count columns.
 *
 * Why these UTF-8 characters: the monitor runs on security-desk PCs over
 * PuTTY and on kiosks at the Linux console, whose fonts are small.  The set
 * keeps to characters in WGL4 (the Windows core fonts, PuTTY's default
 * Courier New / Consolas) and in CP437 (the kernel's built-in console font):
 * box drawing, the arrows, √, ×, ·, …, ▲ ▼ ►, and the full block.  The only
 * characters outside both are the eighth blocks (U+2581..U+2587 for the
 * sparkline and the chart, U+2589..U+258F for the bars): they are in the
 * Terminus and Fixed fonts that Debian's console-setup loads, in DejaVu Sans
 * Mono and Consolas, and nothing else draws a bar with sub-cell precision.
 * Braille (U+2800..U+28FF) is in none of the console fonts, so the braille
 * chart is an option the user asks for, never the default.  Where a font
 * lacks a glyph, --ascii draws everything with plain ASCII.
 *
 * Dingbats such as ✓ and ✖ are left out on purpose: neither WGL4 nor CP437
 * has them.  The safe state is always drawn as a word, a symbol and a colour
 * together, so no one depends on the colour (or on the symbol) alone.
 *
 * Window borders: prefer ncurses' own ACS_* line drawing, which ncurses
 * adapts to the terminal (PuTTY, the Linux console in UTF-8 mode); the box
 * strings here are for lines built into text. */
#ifndef OCCTOP_UI_GLYPHS_H
#define OCCTOP_UI_GLYPHS_H

#include <stdbool.h>

#include "core/safe.h"

enum { GLYPHS_SPARK_LEVELS = 8 };

struct glyphs {
    bool ascii;                 /* the ASCII set */
    bool braille;               /* braille cells are available (UTF-8 only) */
    /* The sparkline: [0] for zero (a blank), [1..8] lowest to highest. */
    const char *spark[GLYPHS_SPARK_LEVELS + 1];
    /* Chart columns: a cell filled from the bottom in column_steps steps;
     * column[0] is empty, column[column_steps] is a full cell. */
    unsigned column_steps;
    const char *column[9];
    /* Bars: a cell filled from the left in bar_steps steps; bar[0] is an
     * empty cell, bar[bar_steps] a full one. */
    unsigned bar_steps;
    const char *bar[9];
    const char *safe[4];        /* indexed by enum safe_state; use glyphs_safe() */
    const char *tree_expanded, *tree_collapsed, *tree_leaf;
    const char *arrow_up, *arrow_down; /* entrances, exits */
    const char *ellipsis;       /* the same as termtext's cut mark */
    const char *block;          /* a full cell: the pixel of big text */
    const char *hline, *vline;  /* box drawing */
    const char *corner_tl, *corner_tr, *corner_bl, *corner_br;
    const char *tee_left, *tee_right, *tee_top, *tee_bottom, *cross;
};

/* The set to draw with: static, never freed.  The caller decides `ascii`
 * once at start-up (--ascii, or a locale whose codeset is not UTF-8). */
const struct glyphs *glyphs_for(bool ascii);

/* The symbol of a safe state; an out-of-range state gets the NONE symbol. */
const char *glyphs_safe(const struct glyphs *glyphs, enum safe_state state);

#endif

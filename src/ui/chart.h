/* chart.h — a bar chart of a day of counts (e.g. 288 five-minute values) in
 * a box of width x height cells, one text line per row.
 *
 * The values are resampled to the columns: each column shows the largest
 * value among those it covers, so a short peak is never averaged away.
 * Styles (UTF-8): CHART_BLOCKS, the default, fills each cell from the bottom
 * in eighths with the block elements; CHART_BRAILLE draws 2 x 4 dots a cell,
 * twice the columns and half the vertical steps, in fonts that have braille
 * (see glyphs.h for why it is not the default).  With the ASCII glyph set
 * the chart is '#' columns on ' ' whatever the style, rounded to whole
 * cells.
 *
 * Missing values (below 0) and zeros draw nothing; a column above 0 shows
 * at least one step.  Rows are drawn independently, so the caller can put
 * one line per row with mvaddstr and its own axis labels beside them. */
#ifndef OCCTOP_UI_CHART_H
#define OCCTOP_UI_CHART_H

#include <stddef.h>
#include <stdint.h>

#include "ui/glyphs.h"

enum chart_style {
    CHART_BLOCKS = 0,
    CHART_BRAILLE,
};

/* Bigger charts are drawn at this size (no terminal comes near it; the
 * bound keeps the arithmetic far from overflow). */
enum { CHART_MAX_WIDTH = 16384, CHART_MAX_HEIGHT = 4096 };

/* What to draw: the caller owns the values (oldest first, n of them; NULL
 * when n is 0), which must stay valid while rows are drawn. */
struct chart {
    const int64_t *values;
    size_t n;
    size_t width, height;   /* cells */
    int64_t scale_max;      /* the value of a full column; <= 0: the largest value */
    enum chart_style style;
    const struct glyphs *glyphs;
};

/* The largest value among values[first..end) and -1 when none is >= 0. */
int64_t chart_bucket_max(const int64_t *values, size_t first, size_t end);

/* The values column `column` of `columns` covers: [*first, *end).  Every
 * value belongs to exactly one column when n >= columns; when n < columns
 * each column shows the value under it. */
void chart_bucket(size_t n, size_t columns, size_t column, size_t *first, size_t *end);

/* The value at the top of the scale: scale_max, or the largest value (0
 * when there is none above 0).  Use it for the axis labels. */
int64_t chart_top(const struct chart *chart);

/* A round number >= max for the top of an axis: 1, 2 or 5 times a power of
 * ten (0 for max <= 0).  Set chart.scale_max to it for labels that read
 * well. */
int64_t chart_nice_max(int64_t max);

/* Row `row` (0 at the top) of the chart: exactly width columns, or ""
 * for a row >= height (see CHART_MAX_WIDTH for the bounds).  Writes a NUL-terminated line, cut on a glyph
 * boundary when out is too small (3 * width + 1 bytes always suffice; out
 * may be NULL when out_size is 0).  Returns its width in columns. */
size_t chart_row(const struct chart *chart, size_t row, char *out, size_t out_size);

#endif

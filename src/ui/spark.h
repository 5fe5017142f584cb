/* spark.h — sparklines, utilization bars and percentages as text.
 *
 * Each function writes a NUL-terminated line into out[0..out_size) and
 * returns its width in columns.  The line is cut on a glyph boundary when the
 * buffer is too small (out_size >= 3 * width + 1 always suffices); out may
 * be NULL when out_size is 0.  No curses here: the caller colours the line.
 * Drawn with the ASCII glyph set, the line is pure ASCII. */
#ifndef OCCTOP_UI_SPARK_H
#define OCCTOP_UI_SPARK_H

#include <stddef.h>
#include <stdint.h>

#include "ui/glyphs.h"

/* How many of `steps` steps `value` reaches on a scale of 0..max: 0 for a
 * value <= 0 (or max <= 0), `steps` from max upwards, and at least 1 for any
 * value above 0, so that one person is never drawn as nobody.  In between
 * it rounds up: ceil(value * steps / max). */
unsigned spark_level(int64_t value, int64_t max, unsigned steps);

/* The largest of the last `width` values (what spark_line scales to when
 * it is given no scale), or 0 when none is above 0. */
int64_t spark_auto_max(const int64_t *values, size_t n, size_t width);

/* A sparkline of the last `width` of values[0..n) (oldest first), one glyph
 * per value, right-aligned: when there are fewer values than columns the
 * line starts with blanks.  A value of 0 or below is a blank, so an empty
 * room stands out from one with a few people in it; scale_max <= 0 scales
 * to spark_auto_max(); values above the scale draw as the highest level.
 * values may be NULL when n is 0. */
size_t spark_line(const int64_t *values, size_t n, size_t width, int64_t scale_max,
                  const struct glyphs *glyphs, char *out, size_t out_size);

/* A utilization bar of exactly `width` columns, filled from the left in
 * steps of 1/8 of a cell (UTF-8) or whole cells (ASCII).  A fraction above 0
 * fills at least one step and one below 1 leaves at least one step empty, so
 * the bar is full only at 100% and empty only at 0 (a bar of a single step
 * cannot do both: it shows anything above 0 as full).  Over 1 draws full
 * (the caller colours it); below 0 and NaN draw empty. */
size_t spark_bar(double fraction, size_t width, const struct glyphs *glyphs, char *out,
                 size_t out_size);

/* The fraction as a whole percentage, e.g. "104%", by the same rules as the
 * bar: above 0 shows at least 1%, below 1 shows at most 99%; the display
 * stops at 999%, and below 0 and NaN show 0%.  At most 4 columns: out_size
 * >= 5 always suffices.  Returns the percentage shown. */
int spark_percent(double fraction, char *out, size_t out_size);

#endif

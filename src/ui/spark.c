/* spark.c — sparklines, utilization bars and percentages as text. */
#include "ui/spark.h"

#include <math.h>
#include <stdio.h>

#include "ui/textbuf.h"

unsigned spark_level(int64_t value, int64_t max, unsigned steps)
{
    if (value <= 0 || max <= 0 || steps == 0)
        return 0;
    if (value >= max)
        return steps;
    /* value * steps must not overflow: halve both sides until it cannot
     * (only counts near INT64_MAX get there, and lose nothing visible). */
    while (value > INT64_MAX / (int64_t)steps) {
        value >>= 1;
        max >>= 1;
    }
    int64_t scaled = value * (int64_t)steps;
    int64_t level = scaled / max + (scaled % max != 0);
    if (level < 1)
        level = 1;
    return level > (int64_t)steps ? steps : (unsigned)level;
}

int64_t spark_auto_max(const int64_t *values, size_t n, size_t width)
{
    size_t shown = n < width ? n : width;
    int64_t max = 0;
    for (size_t i = n - shown; i < n; i++) {
        if (values[i] > max)
            max = values[i];
    }
    return max;
}

size_t spark_line(const int64_t *values, size_t n, size_t width, int64_t scale_max,
                  const struct glyphs *glyphs, char *out, size_t out_size)
{
    struct textbuf buf;
    textbuf_init(&buf, out, out_size);
    size_t shown = n < width ? n : width;
    int64_t max = scale_max > 0 ? scale_max : spark_auto_max(values, n, width);

    textbuf_repeat(&buf, glyphs->spark[0], width - shown);
    for (size_t i = n - shown; i < n && !buf.full; i++)
        textbuf_put(&buf, glyphs->spark[spark_level(values[i], max, GLYPHS_SPARK_LEVELS)]);
    return buf.columns;
}

/* The steps of a bar of `total` steps that `fraction` fills, by the rules in
 * spark.h.  A double, because width * steps may not fit a size_t. */
static double bar_steps_filled(double fraction, double total)
{
    if (!(fraction > 0)) /* also NaN */
        return 0;
    if (fraction >= 1)
        return total;
    double filled = floor(fraction * total + 0.5);
    if (filled < 1)
        filled = 1;
    if (filled >= total && total >= 2)
        filled = total - 1;
    return filled;
}

size_t spark_bar(double fraction, size_t width, const struct glyphs *glyphs, char *out,
                 size_t out_size)
{
    struct textbuf buf;
    textbuf_init(&buf, out, out_size);
    unsigned steps = glyphs->bar_steps;
    double filled = bar_steps_filled(fraction, (double)width * steps);

    for (size_t cell = 0; cell < width && !buf.full; cell++) {
        double left = filled - (double)cell * steps; /* steps left for this cell on */
        unsigned step = left >= steps ? steps : left <= 0 ? 0 : (unsigned)left;
        textbuf_put(&buf, glyphs->bar[step]);
    }
    return buf.columns;
}

int spark_percent(double fraction, char *out, size_t out_size)
{
    int shown;
    if (!(fraction > 0)) {
        shown = 0;
    } else if (fraction >= 1) {
        double percent = floor(fraction * 100 + 0.5);
        shown = percent > 999 ? 999 : (int)percent;
    } else {
        double percent = floor(fraction * 100 + 0.5);
        shown = percent < 1 ? 1 : percent > 99 ? 99 : (int)percent;
    }
    if (out && out_size > 0)
        snprintf(out, out_size, "%d%%", shown);
    return shown;
}

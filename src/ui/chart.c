/* chart.c — a day of counts as rows of block, braille or ASCII cells. */
#include "ui/chart.h"

#include "ui/spark.h"
#include "ui/textbuf.h"

enum { BRAILLE_DOTS_HIGH = 4 };

int64_t chart_bucket_max(const int64_t *values, size_t first, size_t end)
{
    int64_t max = -1;
    for (size_t i = first; i < end; i++) {
        if (values[i] > max)
            max = values[i];
    }
    return max;
}

/* floor(column * n / columns) without forming column * n, which could
 * overflow; column * (n % columns) < columns^2 stays small for any real
 * terminal width. */
static size_t scaled_index(size_t column, size_t n, size_t columns)
{
    return column * (n / columns) + column * (n % columns) / columns;
}

void chart_bucket(size_t n, size_t columns, size_t column, size_t *first, size_t *end)
{
    if (n == 0 || columns == 0 || column >= columns) {
        *first = *end = 0;
        return;
    }
    *first = scaled_index(column, n, columns);
    *end = scaled_index(column + 1, n, columns);
    if (*end <= *first) /* more columns than values: repeat the value */
        *end = *first + 1;
}

int64_t chart_top(const struct chart *chart)
{
    if (chart->scale_max > 0)
        return chart->scale_max;
    int64_t max = chart_bucket_max(chart->values, 0, chart->values ? chart->n : 0);
    return max > 0 ? max : 0;
}

int64_t chart_nice_max(int64_t max)
{
    if (max <= 0)
        return 0;
    for (int64_t power = 1;; power *= 10) {
        static const int64_t factors[] = { 1, 2, 5 };
        for (size_t i = 0; i < 3; i++) {
            if (power > INT64_MAX / factors[i])
                return max; /* no round number above it fits */
            if (power * factors[i] >= max)
                return power * factors[i];
        }
        if (power > INT64_MAX / 10)
            return max;
    }
}

/* The height, in steps of `steps_total`, of sub-column `column` of
 * `columns` across the chart. */
static unsigned column_level(const struct chart *chart, size_t columns, size_t column,
                             int64_t top, unsigned steps_total)
{
    size_t first, end;
    size_t n = chart->values ? chart->n : 0;
    chart_bucket(n, columns, column, &first, &end);
    return spark_level(chart_bucket_max(chart->values, first, end), top, steps_total);
}

/* How much of a cell whose bottom is `base` steps up a column of `level`
 * steps fills, in 0..steps. */
static unsigned cell_fill(unsigned level, unsigned base, unsigned steps)
{
    if (level <= base)
        return 0;
    return level - base >= steps ? steps : level - base;
}

/* Braille dots from the bottom up: dots 7, 3, 2, 1 on the left and 8, 6,
 * 5, 4 on the right (Unicode's bit order for U+2800..U+28FF). */
static const unsigned braille_left[BRAILLE_DOTS_HIGH] = { 0x40, 0x04, 0x02, 0x01 };
static const unsigned braille_right[BRAILLE_DOTS_HIGH] = { 0x80, 0x20, 0x10, 0x08 };

/* The UTF-8 of the braille cell with the bottom `left` and `right` dots
 * raised; an empty cell is a space (U+2800 shows as dots in some fonts). */
static void braille_cell(unsigned left, unsigned right, char out[4])
{
    unsigned bits = 0;
    for (unsigned i = 0; i < left; i++)
        bits |= braille_left[i];
    for (unsigned i = 0; i < right; i++)
        bits |= braille_right[i];
    if (bits == 0) {
        out[0] = ' ';
        out[1] = '\0';
        return;
    }
    unsigned cp = 0x2800u + bits;
    out[0] = (char)(0xE0u | (cp >> 12));
    out[1] = (char)(0x80u | ((cp >> 6) & 0x3Fu));
    out[2] = (char)(0x80u | (cp & 0x3Fu));
    out[3] = '\0';
}

/* One row of cells filled from the bottom in glyphs->column_steps steps. */
static void block_row(const struct chart *chart, unsigned height, unsigned row, int64_t top,
                      struct textbuf *buf)
{
    const struct glyphs *g = chart->glyphs;
    unsigned steps = g->column_steps;
    unsigned base = (height - 1 - row) * steps;
    for (size_t c = 0; c < chart->width && !buf->full; c++) {
        unsigned level = column_level(chart, chart->width, c, top, height * steps);
        textbuf_put(buf, g->column[cell_fill(level, base, steps)]);
    }
}

/* One row of braille cells, each two sub-columns of four dots. */
static void braille_row(const struct chart *chart, unsigned height, unsigned row, int64_t top,
                        struct textbuf *buf)
{
    unsigned base = (height - 1 - row) * BRAILLE_DOTS_HIGH;
    unsigned total = height * BRAILLE_DOTS_HIGH;
    size_t sub_columns = chart->width * 2;
    for (size_t c = 0; c < chart->width && !buf->full; c++) {
        unsigned left = column_level(chart, sub_columns, 2 * c, top, total);
        unsigned right = column_level(chart, sub_columns, 2 * c + 1, top, total);
        char cell[4];
        braille_cell(cell_fill(left, base, BRAILLE_DOTS_HIGH),
                     cell_fill(right, base, BRAILLE_DOTS_HIGH), cell);
        textbuf_put(buf, cell);
    }
}

static size_t at_most(size_t value, size_t bound)
{
    return value < bound ? value : bound;
}

size_t chart_row(const struct chart *chart, size_t row, char *out, size_t out_size)
{
    struct textbuf buf;
    textbuf_init(&buf, out, out_size);
    struct chart bounded = *chart;
    bounded.width = at_most(chart->width, CHART_MAX_WIDTH);
    bounded.height = at_most(chart->height, CHART_MAX_HEIGHT);
    if (row >= bounded.height)
        return 0;
    int64_t top = chart_top(chart);
    if (chart->style == CHART_BRAILLE && chart->glyphs->braille)
        braille_row(&bounded, (unsigned)bounded.height, (unsigned)row, top, &buf);
    else
        block_row(&bounded, (unsigned)bounded.height, (unsigned)row, top, &buf);
    return buf.columns;
}

/* kiosk.c — the kiosk view. */
#include "config.h"

#include "ui/kiosk.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/safe.h"
#include "core/termtext.h"
#include "ui/bigtext.h"
#include "ui/monitor_private.h"
#include "ui/spark.h"

enum { LINE_MAX_BYTES = 4096 };

/* Draws text big, centred in rows [top, top + height), or as one plain line
 * when it cannot be drawn big there.  Returns the rows used. */
static int draw_big(struct monitor *m, const char *text, int top, int height,
                    enum screen_role role)
{
    struct screen *s = m->screen;
    int cols = screen_cols(s);
    if (height <= 0)
        return 0;
    struct bigtext_layout layout = bigtext_fit(text, (size_t)(cols > 2 ? cols - 2 : cols),
                                               (size_t)height);
    if (layout.scale_x == 0) {
        int width = termtext_width(text);
        screen_text(s, top + height / 2, width < cols ? (cols - width) / 2 : 0, cols, role, text);
        return 1;
    }
    int first = top + (height - (int)layout.height) / 2;
    int left = (cols - (int)layout.width) / 2;
    char line[LINE_MAX_BYTES];
    for (size_t row = 0; row < layout.height; row++) {
        bigtext_render(text, &layout, row, screen_glyphs(s), line, sizeof line);
        screen_glyphs_text(s, first + (int)row, left, cols - left, role, line);
    }
    return (int)layout.height;
}

static void centred(struct monitor *m, int row, enum screen_role role, const char *text)
{
    int cols = screen_cols(m->screen);
    char safe[512];
    int width = termtext_sanitize_str(text, safe, sizeof safe, cols,
                                      screen_ascii(m->screen) ? TERMTEXT_ASCII : 0);
    screen_text(m->screen, row, width < cols ? (cols - width) / 2 : 0, cols, role, safe);
}

/* Whether to ask people to wait: over the safe limit, or, for a space with
 * no threshold, at or over its capacity. */
static bool must_wait(const struct space *space, int64_t count, enum safe_state state)
{
    if (state == SAFE_STATE_UNSAFE)
        return true;
    return state == SAFE_STATE_NONE && space->capacity.present && count >= 0 &&
           count >= space->capacity.value && space->capacity.value > 0;
}

void kiosk_draw(struct monitor *m, int64_t now)
{
    struct screen *s = m->screen;
    int rows = screen_rows(s), cols = screen_cols(s);
    const struct space *space = &m->site->spaces[m->kiosk_space];
    int64_t count = monitor_count(m, m->kiosk_space);
    enum safe_state state = monitor_state(m, m->kiosk_space);
    enum screen_role role = screen_kiosk_role(state);
    bool wait = must_wait(space, count, state);
    for (int row = 0; row < rows; row++)
        screen_fill(s, row, 0, cols, role);

    centred(m, 0, role, space->name ? space->name : space->id);
    char number[32], status[200], percent[8] = "";
    if (count >= 0)
        snprintf(number, sizeof number, "%" PRId64, count);
    else
        snprintf(number, sizeof number, "-");
    int footer = rows >= 12 ? 3 : 2;
    int body = rows - 1 - footer;
    int number_rows = body * 3 / 5;
    draw_big(m, number, 1, number_rows, role);
    draw_big(m, wait ? m->config.wait_text : m->config.come_in_text, 1 + number_rows,
             body - number_rows, role);

    if (space->capacity.present && space->capacity.value > 0 && count >= 0) {
        spark_percent((double)count / (double)space->capacity.value, percent, sizeof percent);
        snprintf(status, sizeof status, "%s full  -  %" PRId64 " of %" PRId64 "  -  %s %s",
                 percent, count, space->capacity.value, glyphs_safe(screen_glyphs(s), state),
                 monitor_state_word(state));
    } else {
        snprintf(status, sizeof status, "%s %s", glyphs_safe(screen_glyphs(s), state),
                 monitor_state_word(state));
    }
    centred(m, rows - footer, role, status);

    char connection[64], line[200], clock[16];
    bool trouble;
    monitor_connection_text(m, now, connection, sizeof connection, &trouble);
    monitor_clock(m->data_now_ms, clock, sizeof clock);
    if (trouble)
        snprintf(line, sizeof line, "%s  -  the count may be out of date  -  %s", connection,
                 clock);
    else
        snprintf(line, sizeof line, "%s%s%s  %s", m->config.mode_label ? m->config.mode_label : "",
                 m->config.mode_label ? "  " : "", connection, clock);
    if (trouble)
        screen_fill(s, rows - 1, 0, cols, ROLE_TROUBLE);
    centred(m, rows - 1, trouble ? ROLE_TROUBLE : role, line);
    if (m->message[0] && footer > 2)
        centred(m, rows - 2, role, m->message);
}

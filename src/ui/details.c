/* details.c — the details screen. */
#include "config.h"

#include "ui/details.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/safe.h"
#include "core/segments.h"
#include "core/termtext.h"
#include "ui/chart.h"
#include "ui/monitor_private.h"

enum { CHART_ROWS_MAX = 12, LINE_MAX_BYTES = 4096, SEGMENT_ROWS_MAX = 6, SEGMENTS_MAX = 64 };

static unsigned flags_of(const struct monitor *m)
{
    return screen_ascii(m->screen) ? TERMTEXT_ASCII : 0;
}

static int draw_summary(struct monitor *m, int row, int64_t now)
{
    struct screen *s = m->screen;
    int cols = screen_cols(s);
    site_index i = m->details_space;
    const struct space *space = &m->site->spaces[i];
    char line[600], name[128], id[96], parent[128] = "top level";
    termtext_sanitize_str(space->name ? space->name : "", name, sizeof name, 50, flags_of(m));
    termtext_sanitize_str(space->id, id, sizeof id, 40, flags_of(m));
    if (space->parent != SITE_NONE) {
        const struct space *up = &m->site->spaces[space->parent];
        char up_name[100];
        termtext_sanitize_str(up->name ? up->name : up->id, up_name, sizeof up_name, 40,
                              flags_of(m));
        snprintf(parent, sizeof parent, "in %s", up_name);
    }
    snprintf(line, sizeof line, "%s  (%s, %s, %s)", name, id, space_type_name(space->type), parent);
    screen_glyphs_text(s, row++, 1, cols - 2, ROLE_TITLE, line);

    int64_t count = monitor_count(m, i);
    enum safe_state state = monitor_state(m, i);
    char capacity[64] = "no capacity set";
    if (space->capacity.present)
        snprintf(capacity, sizeof capacity, "capacity %" PRId64, space->capacity.value);
    snprintf(line, sizeof line, "count %" PRId64 "   %s   %s %s", count < 0 ? 0 : count, capacity,
             glyphs_safe(screen_glyphs(s), state), monitor_state_word(state));
    screen_glyphs_text(s, row++, 1, cols - 2, screen_state_role(state), line);

    char threshold[200];
    safe_describe(space, threshold, sizeof threshold);
    snprintf(line, sizeof line, "safe threshold: %s", threshold);
    screen_text(s, row++, 1, cols - 2, ROLE_NORMAL, line);

    /* "Today" is the space's own day: from its daily reset, in its zone. */
    struct activity_today today = activity_today(m->activity, i);
    char zone[64];
    termtext_sanitize_str(space->time_zone ? space->time_zone : "UTC", zone, sizeof zone, 40,
                          flags_of(m));
    snprintf(line, sizeof line, "today (since the %02d:%02d reset, %s): %" PRIu32
             " entrances, %" PRIu32 " exits, peak %" PRId64 "   (as seen by this monitor)",
             space->daily_reset_minute / 60, space->daily_reset_minute % 60, zone,
             today.entrances, today.exits, today.peak < 0 ? 0 : today.peak);
    screen_text(s, row++, 1, cols - 2, ROLE_NORMAL, line);
    (void)now;
    return row;
}

/* "tags: a, b" on one line, cut to the screen. */
static int draw_tags(struct monitor *m, int row)
{
    struct screen *s = m->screen;
    const struct space *space = &m->site->spaces[m->details_space];
    char line[LINE_MAX_BYTES] = "tags: ", tag[96];
    size_t used = strlen(line);
    if (space->tags.count == 0)
        snprintf(line + used, sizeof line - used, "none");
    for (size_t k = 0; k < space->tags.count && used + 1 < sizeof line; k++) {
        termtext_sanitize_str(space->tags.items[k], tag, sizeof tag, 40, flags_of(m));
        int n = snprintf(line + used, sizeof line - used, "%s%s", k ? ", " : "", tag);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    screen_text(s, row++, 1, screen_cols(s) - 2, ROLE_NORMAL, line);
    return row;
}

/* The time segments that apply to the space (the server lists inherited
 * ones too; a server that does not, has them from the ancestors), with
 * their days and times, the current ones marked: "now: Lunch". */
static int draw_segments(struct monitor *m, int row, int last_row, int64_t now)
{
    struct screen *s = m->screen;
    int cols = screen_cols(s);
    site_index i = m->details_space;
    const struct time_segment *segments[SEGMENTS_MAX];
    size_t count = segments_nested_for_space(m->site, i, segments, SEGMENTS_MAX);
    size_t shown = count < SEGMENTS_MAX ? count : SEGMENTS_MAX;
    const struct tz_zone *zone = m->zones ? m->zones[i] : NULL;
    char line[LINE_MAX_BYTES], name[160], current[400] = "";
    size_t used = 0;
    for (size_t k = 0; k < shown; k++) {
        if (!segment_contains(segments[k], zone, now))
            continue;
        termtext_sanitize_str(segments[k]->name ? segments[k]->name : segments[k]->id, name,
                              sizeof name, 30, flags_of(m));
        int n = snprintf(current + used, sizeof current - used, "%s%s", used ? ", " : "", name);
        if (n < 0 || (size_t)n >= sizeof current - used)
            break;
        used += (size_t)n;
    }
    if (count == 0)
        snprintf(line, sizeof line, "TIME SEGMENTS  none");
    else
        snprintf(line, sizeof line, "TIME SEGMENTS  now: %s", used ? current : "none");
    screen_text(s, row++, 1, cols - 2, ROLE_TITLE, line);
    for (size_t k = 0; k < shown && row < last_row; k++) {
        if (k + 1 == SEGMENT_ROWS_MAX && shown > SEGMENT_ROWS_MAX) {
            snprintf(line, sizeof line, "... and %zu more", count - k);
            screen_text(s, row++, 3, cols - 4, ROLE_DIM, line);
            break;
        }
        const struct time_segment *t = segments[k];
        char days[64], times[48];
        termtext_sanitize_str(t->name ? t->name : t->id, name, sizeof name, 30, flags_of(m));
        termtext_pad(name, sizeof name, 30); /* by columns: names are UTF-8 */
        segment_days_text(t->days, days, sizeof days);
        segment_times_text(t, times, sizeof times);
        bool on = segment_contains(t, zone, now);
        snprintf(line, sizeof line, "%s  %-18s %-13s%s", name, days, times, on ? "  now" : "");
        screen_text(s, row++, 3, cols - 4, on ? ROLE_OK : ROLE_NORMAL, line);
    }
    return row;
}

static void sensor_text(const struct monitor *m, site_index doorway, int64_t now, char *out,
                        size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t k = 0; k < m->site->sensor_count && used + 1 < out_size; k++) {
        const struct sensor *sensor = &m->site->sensors[k];
        if (sensor->doorway != doorway)
            continue;
        char serial[48], heartbeat[48] = "no heartbeat";
        termtext_sanitize_str(sensor->serial ? sensor->serial : "?", serial, sizeof serial, 24,
                              flags_of(m));
        if (sensor->last_heartbeat_present) {
            int64_t age = (now - sensor->last_heartbeat_ms) / 1000;
            snprintf(heartbeat, sizeof heartbeat, "heartbeat %" PRId64 " s ago", age < 0 ? 0 : age);
        }
        int n = snprintf(out + used, out_size - used, "%s%s %s, %s", used ? "; " : "", serial,
                         sensor_status_name(sensor->status), heartbeat);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    if (!out[0])
        snprintf(out, out_size, "no sensor listed");
}

static int draw_doorways(struct monitor *m, int row, int last_row, int64_t now)
{
    struct screen *s = m->screen;
    int cols = screen_cols(s);
    const struct space *space = &m->site->spaces[m->details_space];
    char line[800], name[80], sensors[600];
    screen_text(s, row++, 1, cols - 2, ROLE_TITLE, "DOORWAYS");
    if (!space->link_count && row < last_row)
        screen_text(s, row++, 3, cols - 4, ROLE_DIM, "no doorway is linked to this space");
    for (size_t k = 0; k < space->link_count && row < last_row; k++) {
        const struct link *link = &m->site->links[space->links[k]];
        const char *label = link->doorway != SITE_NONE && m->site->doorways[link->doorway].name
                                ? m->site->doorways[link->doorway].name
                                : link->doorway_name ? link->doorway_name : link->doorway_id;
        termtext_sanitize_str(label, name, sizeof name, 30, flags_of(m));
        sensor_text(m, link->doorway, now, sensors, sizeof sensors);
        bool offline = strstr(sensors, " offline") != NULL;
        snprintf(line, sizeof line, "%s (sensor %s)  %s", name,
                 link->placement > 0 ? "inside" : "outside", sensors);
        screen_text(s, row++, 3, cols - 4, offline ? ROLE_WARN : ROLE_NORMAL, line);
    }
    return row;
}

static void draw_chart(struct monitor *m, int row, int height)
{
    struct screen *s = m->screen;
    int cols = screen_cols(s);
    screen_text(s, row++, 1, cols - 2, ROLE_TITLE, "LAST 24 HOURS (5-minute counts)");
    height--;
    if (height < 2)
        return;
    if (!m->history_count) {
        const char *what = m->history_error[0] ? m->history_error
                         : m->actions.history ? "fetching the history..."
                                              : "no history in this mode";
        screen_text(s, row, 3, cols - 4, ROLE_DIM, what);
        return;
    }
    if (height > CHART_ROWS_MAX)
        height = CHART_ROWS_MAX;
    int label = 8;
    struct chart chart = {
        .values = m->history,
        .n = m->history_count,
        .width = (size_t)(cols - label - 2),
        .height = (size_t)height - 1,
        .scale_max = 0,
        .style = CHART_BLOCKS,
        .glyphs = screen_glyphs(s),
    };
    chart.scale_max = chart_nice_max(chart_top(&chart));
    char line[LINE_MAX_BYTES], axis[32];
    for (size_t r = 0; r < chart.height; r++) {
        chart_row(&chart, r, line, sizeof line);
        if (r == 0)
            snprintf(axis, sizeof axis, "%6" PRId64 " ", chart.scale_max);
        else if (r + 1 == chart.height)
            snprintf(axis, sizeof axis, "%6d ", 0);
        else
            axis[0] = '\0';
        screen_glyphs_text(s, row + (int)r, 1, label, ROLE_DIM, axis);
        screen_glyphs_text(s, row + (int)r, 1 + label, cols - label - 2, ROLE_OK, line);
    }
    char clock[16], end[32], footer[200];
    monitor_clock(m->data_now_ms, clock, sizeof clock);
    snprintf(end, sizeof end, "now %s", clock);
    snprintf(footer, sizeof footer, "%-*s%s", cols - label - 2 - (int)strlen(end), "24 h ago", end);
    screen_glyphs_text(s, row + (int)chart.height, 1 + label, cols - label - 2, ROLE_DIM, footer);
}

void details_draw(struct monitor *m, int64_t now)
{
    int rows = screen_rows(m->screen);
    int last = rows - 1; /* the bottom bar */
    int row = draw_summary(m, 2, now);
    row = draw_tags(m, row);
    row = draw_segments(m, row, last - 8, m->data_now_ms);
    row++;
    int chart_rows = last - row > 16 ? CHART_ROWS_MAX + 2 : (last - row) / 2;
    row = draw_doorways(m, row, last - chart_rows, m->data_now_ms);
    draw_chart(m, last - chart_rows, chart_rows);
}

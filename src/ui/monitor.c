/* monitor.c — the monitor's state, keys and main view.  The kiosk view is in
 * ui/kiosk.c, the details screen in ui/details.c. */
#include "config.h"

#include "ui/monitor.h"

#include <curses.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/activity.h"
#include "core/alarm.h"
#include "core/outline.h"
#include "core/safe.h"
#include "core/termtext.h"
#include "ui/details.h"
#include "ui/kiosk.h"
#include "ui/monitor_private.h"
#include "ui/spark.h"

enum {
    MESSAGE_SHOW_MS = 5000,
    MIN_ROWS = 10,
    MIN_COLS = 40,
    HISTORY_REFRESH_MS = 5 * 60 * 1000,
};

/* --- helpers shared with the other screens (monitor_private.h) --------------------- */

void monitor_clock(int64_t ms, char *out, size_t out_size)
{
    time_t seconds = (time_t)(ms / 1000);
    struct tm local;
    if (ms < 0 || !localtime_r(&seconds, &local))
        snprintf(out, out_size, "--:--:--");
    else
        strftime(out, out_size, "%H:%M:%S", &local);
}

int64_t monitor_count(const struct monitor *m, site_index space)
{
    return live_has_count(m->live, space) ? live_count(m->live, space) : -1;
}

enum safe_state monitor_state(const struct monitor *m, site_index space)
{
    int64_t count = monitor_count(m, space);
    if (count < 0)
        return SAFE_STATE_NONE;
    return safe_state_for(safe_limit_of(&m->site->spaces[space]), count, m->config.warn_fraction);
}

const char *monitor_state_word(enum safe_state state)
{
    switch (state) {
    case SAFE_STATE_OK: return "OK";
    case SAFE_STATE_WARN: return "WARN";
    case SAFE_STATE_UNSAFE: return "UNSAFE";
    default: return "-";
    }
}

/* The connection in words, as the header and the kiosk show it: never old
 * numbers dressed as live ones. */
void monitor_connection_text(const struct monitor *m, int64_t now, char *out, size_t out_size,
                             bool *trouble)
{
    enum live_connection state = m->live ? live_connection_state(m->live) : LIVE_CONNECTING;
    int64_t since = m->live ? (now - live_connection_since(m->live)) / 1000 : 0;
    int64_t age = m->live ? live_data_age(m->live, now) : -1;
    *trouble = state != LIVE_LIVE && state != LIVE_REPLAY;
    switch (state) {
    case LIVE_LIVE:
        snprintf(out, out_size, "LIVE");
        break;
    case LIVE_RECONNECTING:
        if (age >= 0 && since >= MONITOR_STALE_SECONDS)
            snprintf(out, out_size, "STALE %" PRId64 " s", age / 1000);
        else
            snprintf(out, out_size, "RECONNECTING %" PRId64 " s", since < 0 ? 0 : since);
        break;
    case LIVE_AUTH_ERROR:
        snprintf(out, out_size, "AUTH ERROR");
        break;
    case LIVE_OFFLINE:
        snprintf(out, out_size, "OFFLINE");
        break;
    case LIVE_REPLAY:
        snprintf(out, out_size, "REPLAY");
        break;
    default:
        snprintf(out, out_size, "CONNECTING");
        break;
    }
}

bool monitor_stale(const struct monitor *m)
{
    enum live_connection state = m->live ? live_connection_state(m->live) : LIVE_CONNECTING;
    return state != LIVE_LIVE && state != LIVE_REPLAY;
}

/* --- life ------------------------------------------------------------------------------- */

struct monitor *monitor_new(struct screen *screen, const struct monitor_config *config,
                            const struct monitor_actions *actions)
{
    struct monitor *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->screen = screen;
    m->config = *config;
    if (m->config.delay_ms <= 0)
        m->config.delay_ms = 100;
    if (m->config.warn_fraction <= 0)
        m->config.warn_fraction = SAFE_DEFAULT_WARN_FRACTION;
    if (!m->config.come_in_text)
        m->config.come_in_text = "COME IN";
    if (!m->config.wait_text)
        m->config.wait_text = "PLEASE WAIT";
    m->actions = *actions;
    m->view = VIEW_MAIN;
    m->details_space = SITE_NONE;
    m->dirty = true;
    return m;
}

void monitor_free(struct monitor *m)
{
    if (!m)
        return;
    activity_free(m->activity);
    alarm_free(m->alarms);
    outline_free(m->outline);
    free(m->day_start);
    free(m->history);
    free(m->doorway_offline);
    free(m->rotation);
    free(m->tags);
    free(m);
}

static int64_t outline_count_of(const void *context, site_index space)
{
    return monitor_count(context, space);
}

static void rebuild_rows(struct monitor *m)
{
    struct outline_counts counts = { outline_count_of, m };
    outline_rebuild(m->outline, &counts);
    if (m->selected != SITE_NONE) {
        int64_t row = outline_find_row(m->outline, m->selected);
        if (row >= 0)
            m->cursor = (size_t)row;
    }
    size_t rows = outline_row_count(m->outline);
    if (m->cursor >= rows)
        m->cursor = rows ? rows - 1 : 0;
    const struct outline_row *row = outline_row_at(m->outline, m->cursor);
    m->selected = row ? row->space : SITE_NONE;
    m->rows_dirty = false;
}

static int compare_tags(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every distinct tag of the site, sorted, for the `t` key (sorting, not a
 * search per tag: a site may have a tag per space). */
static int collect_tags(struct monitor *m)
{
    size_t total = 0;
    for (size_t i = 0; i < m->site->space_count; i++)
        total += m->site->spaces[i].deleted ? 0 : m->site->spaces[i].tags.count;
    if (!total)
        return 0;
    m->tags = calloc(total, sizeof *m->tags);
    if (!m->tags)
        return -1;
    for (size_t i = 0; i < m->site->space_count; i++) {
        const struct string_list *tags = &m->site->spaces[i].tags;
        for (size_t k = 0; !m->site->spaces[i].deleted && k < tags->count; k++)
            m->tags[m->tag_count++] = tags->items[k];
    }
    qsort(m->tags, m->tag_count, sizeof *m->tags, compare_tags);
    size_t distinct = 0;
    for (size_t t = 0; t < m->tag_count; t++)
        if (!distinct || strcmp(m->tags[distinct - 1], m->tags[t]) != 0)
            m->tags[distinct++] = m->tags[t];
    m->tag_count = distinct;
    return 0;
}

/* Spaces the kiosk rotates through: those with the tag, or every space. */
static int collect_rotation(struct monitor *m)
{
    m->rotation = calloc(m->site->space_count ? m->site->space_count : 1, sizeof *m->rotation);
    if (!m->rotation)
        return -1;
    for (size_t i = 0; i < m->site->space_count; i++) {
        const struct space *s = &m->site->spaces[i];
        bool in = !m->config.tag && !s->deleted;
        for (size_t k = 0; !s->deleted && k < s->tags.count && !in; k++)
            in = strcmp(s->tags.items[k], m->config.tag) == 0;
        if (in)
            m->rotation[m->rotation_count++] = (site_index)i;
    }
    return 0;
}

static int start_kiosk(struct monitor *m, int64_t now)
{
    if (!m->config.kiosk_space_id) {
        if (m->config.rotate_seconds > 0 && m->rotation_count) {
            m->view = VIEW_KIOSK;
            m->kiosk_space = m->rotation[0];
            m->kiosk_from_start = true;
            m->next_rotation_ms = now + m->config.rotate_seconds * 1000LL;
        }
        return 0;
    }
    site_index space = site_find_space(m->site, m->config.kiosk_space_id);
    if (space == SITE_NONE) {
        char id[128], line[256];
        termtext_sanitize_str(m->config.kiosk_space_id, id, sizeof id, 60, TERMTEXT_ASCII);
        snprintf(line, sizeof line, "--kiosk: the site has no space %s", id);
        monitor_set_status(m, line);
        return -1;
    }
    m->view = VIEW_KIOSK;
    m->kiosk_space = space;
    m->kiosk_from_start = true;
    for (size_t i = 0; i < m->rotation_count; i++)
        if (m->rotation[i] == space)
            m->rotation_at = i;
    m->next_rotation_ms = now + m->config.rotate_seconds * 1000LL;
    return 0;
}

/* The API names no site: one top-level space names it, else the server. */
static void name_site(struct monitor *m)
{
    const char *name = m->site->name;
    site_index root = SITE_NONE;
    size_t roots = 0;
    for (size_t i = 0; i < m->site->space_count; i++)
        if (m->site->spaces[i].parent == SITE_NONE && !m->site->spaces[i].deleted &&
            roots++ == 0)
            root = (site_index)i;
    if (roots == 1 && m->site->spaces[root].name)
        name = m->site->spaces[root].name;
    termtext_sanitize_str(name ? name : "", m->site_name, sizeof m->site_name, 60,
                          screen_ascii(m->screen) ? TERMTEXT_ASCII : 0);
}

int monitor_attach(struct monitor *m, struct site *site, struct live *live,
                   const struct tz_zone *const *zones)
{
    m->site = site;
    m->live = live;
    m->zones = zones;
    size_t n = site->space_count;
    m->activity = activity_new(n, ACTIVITY_DEFAULT_MINUTES, ACTIVITY_DEFAULT_LOG_CAPACITY);
    m->alarms = alarm_new(n, ALARM_DEFAULT_CAPACITY);
    m->outline = outline_new(site);
    m->day_start = calloc(n ? n : 1, sizeof *m->day_start);
    m->doorway_offline = calloc(site->doorway_count ? site->doorway_count : 1, 1);
    if (!m->activity || !m->alarms || !m->outline || !m->day_start || !m->doorway_offline ||
        collect_tags(m) != 0 || collect_rotation(m) != 0)
        return -1;
    outline_set_warn_fraction(m->outline, m->config.warn_fraction);
    m->tag_at = m->tag_count; /* no tag filter: the first `t` picks the first tag */
    if (m->config.tag) {
        outline_set_tag_filter(m->outline, m->config.tag);
        for (size_t t = 0; t < m->tag_count; t++)
            if (strcmp(m->tags[t], m->config.tag) == 0)
                m->tag_at = t;
    }
    int64_t now = monitor_data_now(m);
    m->data_now_ms = now;
    name_site(m);
    for (size_t i = 0; i < n; i++) {
        m->day_start[i] = INT64_MIN;
        if (live_has_count(live, (site_index)i))
            activity_note_count(m->activity, (site_index)i, live_count(live, (site_index)i), now);
        alarm_observe(m->alarms, (site_index)i, monitor_state(m, (site_index)i), now);
    }
    m->attached_spaces = n;
    m->selected = n ? 0 : SITE_NONE;
    m->rows_dirty = true;
    m->message[0] = '\0';
    m->dirty = true;
    return start_kiosk(m, now);
}

/* After a kiosk's or the details' space was deleted: somewhere that exists. */
static void leave_deleted(struct monitor *m)
{
    if (m->view == VIEW_DETAILS && m->details_space != SITE_NONE &&
        m->site->spaces[m->details_space].deleted)
        m->view = VIEW_MAIN;
    if (m->view == VIEW_KIOSK && m->site->spaces[m->kiosk_space].deleted) {
        if (m->rotation_count) {
            m->rotation_at = 0;
            m->kiosk_space = m->rotation[0];
        } else {
            m->view = VIEW_MAIN;
        }
    }
}

int monitor_reshape(struct monitor *m, const struct tz_zone *const *zones)
{
    size_t n = m->site->space_count;
    int64_t *day_start = realloc(m->day_start, (n ? n : 1) * sizeof *day_start);
    if (day_start)
        m->day_start = day_start;
    uint8_t *offline = realloc(m->doorway_offline, m->site->doorway_count ? m->site->doorway_count
                                                                          : 1);
    if (offline)
        m->doorway_offline = offline;
    free(m->rotation);
    free(m->tags);
    m->rotation = NULL;
    m->tags = NULL;
    m->rotation_count = m->tag_count = 0;
    if (!day_start || !offline || activity_add_spaces(m->activity, n) != 0 ||
        alarm_grow(m->alarms, n) != 0 || outline_reshape(m->outline) != 0 ||
        collect_tags(m) != 0 || collect_rotation(m) != 0)
        return -1;
    m->zones = zones;
    int64_t now = monitor_data_now(m);
    for (size_t i = m->attached_spaces; i < n; i++) {
        m->day_start[i] = INT64_MIN;
        if (live_has_count(m->live, (site_index)i))
            activity_note_count(m->activity, (site_index)i, live_count(m->live, (site_index)i),
                                now);
        alarm_observe(m->alarms, (site_index)i, monitor_state(m, (site_index)i), now);
    }
    m->attached_spaces = n;
    m->tag_at = m->tag_count;
    for (size_t t = 0; m->config.tag && t < m->tag_count; t++)
        if (strcmp(m->tags[t], m->config.tag) == 0)
            m->tag_at = t;
    m->next_day_check_ms = 0; /* today's totals of the new spaces */
    name_site(m);
    leave_deleted(m);
    m->rows_dirty = true;
    m->dirty = true;
    return 0;
}

void monitor_set_status(struct monitor *m, const char *message)
{
    termtext_sanitize_str(message, m->message, sizeof m->message, 200,
                          screen_ascii(m->screen) ? TERMTEXT_ASCII : 0);
    m->message_until_ms = INT64_MAX;
    m->dirty = true;
}

const char *monitor_message(const struct monitor *m)
{
    return m->message;
}

void monitor_log(struct monitor *m, const char *line)
{
    termtext_sanitize_str(line, m->message, sizeof m->message, 200,
                          screen_ascii(m->screen) ? TERMTEXT_ASCII : 0);
    m->message_until_ms = monitor_now() + MESSAGE_SHOW_MS;
    m->dirty = true;
}

static void flash_message(struct monitor *m, const char *text)
{
    monitor_log(m, text);
}

uint64_t monitor_frames(const struct monitor *m)
{
    return m->frames;
}

bool monitor_quit_requested(const struct monitor *m)
{
    return m->quit;
}

/* --- what comes in ------------------------------------------------------------------------- */

void monitor_event(struct monitor *m, site_index space, const struct space_event *event,
                   int64_t count_before)
{
    if (!m->activity || space == SITE_NONE)
        return;
    activity_record(m->activity, space, event, count_before);
    m->dirty = true;
}

void monitor_history(struct monitor *m, site_index space, const struct count_page *page,
                     const char *error)
{
    if (space != m->details_space)
        return;
    free(m->history);
    m->history = NULL;
    m->history_count = 0;
    if (!page) {
        char line[300];
        snprintf(line, sizeof line, "history: %s", error ? error : "no answer");
        termtext_sanitize_str(line, m->history_error, sizeof m->history_error, 120,
                              screen_ascii(m->screen) ? TERMTEXT_ASCII : 0);
    } else if (page->sample_count) {
        m->history = calloc(page->sample_count, sizeof *m->history);
        if (m->history) {
            for (size_t i = 0; i < page->sample_count; i++)
                m->history[i] = page->samples[i].analytics.max > page->samples[i].count
                                    ? page->samples[i].analytics.max : page->samples[i].count;
            m->history_count = page->sample_count;
        }
        m->history_error[0] = '\0';
    } else {
        snprintf(m->history_error, sizeof m->history_error, "no history for this day yet");
    }
    m->history_pending = false;
    m->dirty = true;
}

void monitor_edited(struct monitor *m, site_index space, const char *error)
{
    char line[400], name[80];
    termtext_sanitize_str(m->site->spaces[space].name, name, sizeof name, 40,
                          screen_ascii(m->screen) ? TERMTEXT_ASCII : 0);
    if (error)
        snprintf(line, sizeof line, "edit of %s refused: %s", name, error);
    else
        snprintf(line, sizeof line, "%s: saved on the server", name);
    flash_message(m, line);
    alarm_observe(m->alarms, space, monitor_state(m, space), m->data_now_ms);
    m->rows_dirty = true;
}

void monitor_resized(struct monitor *m)
{
    screen_take_signals(m->screen);
    m->dirty = true;
}

/* --- the clock ----------------------------------------------------------------------------- */

/* Today's totals start at each space's own daily reset. */
static void follow_days(struct monitor *m, int64_t now)
{
    if (now < m->next_day_check_ms)
        return;
    m->next_day_check_ms = now + 60000;
    for (size_t i = 0; i < m->site->space_count; i++) {
        const struct tz_zone *zone = m->zones ? m->zones[i] : NULL;
        int32_t reset = m->site->spaces[i].daily_reset_minute * 60;
        int64_t start = tz_next_daily(zone, now / 1000 - 2 * 86400, reset);
        for (int64_t next; (next = tz_next_daily(zone, start, reset)) <= now / 1000 && next > start;)
            start = next;
        if (start * 1000 != m->day_start[i]) {
            m->day_start[i] = start * 1000;
            activity_start_day(m->activity, (site_index)i, start * 1000);
        }
    }
}

static void follow_sensors(struct monitor *m, int64_t now)
{
    if (now < m->next_sensor_check_ms)
        return;
    m->next_sensor_check_ms = now + 1000;
    memset(m->doorway_offline, 0, m->site->doorway_count);
    for (size_t i = 0; i < m->site->sensor_count; i++) {
        const struct sensor *sensor = &m->site->sensors[i];
        if (sensor->doorway != SITE_NONE && sensor->status == SENSOR_STATUS_OFFLINE)
            m->doorway_offline[sensor->doorway] = 1;
    }
}

static void take_changes(struct monitor *m, int64_t now)
{
    site_index changed[512];
    size_t n;
    bool ring = false;
    while ((n = live_take_changed(m->live, changed, 512)) > 0) {
        for (size_t k = 0; k < n; k++) {
            site_index space = changed[k];
            activity_note_count(m->activity, space, live_count(m->live, space),
                                live_updated(m->live, space));
            ring |= alarm_observe(m->alarms, space, monitor_state(m, space), now);
        }
        m->dirty = true;
        m->rows_dirty = true;
    }
    if (ring) {
        if (m->config.alert & MONITOR_ALERT_BELL)
            screen_bell(m->screen);
        if (m->config.alert & MONITOR_ALERT_FLASH)
            screen_flash(m->screen);
    }
}

static void rotate_kiosk(struct monitor *m, int64_t now)
{
    if (m->view != VIEW_KIOSK || m->config.rotate_seconds <= 0 || !m->rotation_count ||
        now < m->next_rotation_ms)
        return;
    m->rotation_at = (m->rotation_at + 1) % m->rotation_count;
    m->kiosk_space = m->rotation[m->rotation_at];
    m->next_rotation_ms = now + m->config.rotate_seconds * 1000LL;
    m->dirty = true;
}

static void ask_history(struct monitor *m, int64_t now)
{
    if (m->view != VIEW_DETAILS || !m->actions.history || m->history_pending ||
        now < m->next_history_ms)
        return;
    m->history_pending = true;
    m->next_history_ms = now + HISTORY_REFRESH_MS;
    m->actions.history(m->actions.context, m->details_space);
}

int64_t monitor_data_now(const struct monitor *m)
{
    return m->actions.clock ? m->actions.clock(m->actions.context) : monitor_now();
}

void monitor_tick(struct monitor *m, int64_t now)
{
    m->data_now_ms = monitor_data_now(m);
    if (m->site) {
        follow_days(m, m->data_now_ms);
        follow_sensors(m, now);
        take_changes(m, m->data_now_ms);
        rotate_kiosk(m, now);
        ask_history(m, now);
    }
    if (m->message_until_ms != INT64_MAX && m->message[0] && now >= m->message_until_ms) {
        m->message[0] = '\0';
        m->dirty = true;
    }
    /* The clock and the "stale" counters move every second even when no
     * count does. */
    if (now / 1000 != m->last_frame_ms / 1000)
        m->dirty = true;
    if (!m->dirty || now - m->last_frame_ms < m->config.delay_ms)
        return;
    if (m->rows_dirty && m->outline)
        rebuild_rows(m);
    monitor_draw(m, now);
    m->last_frame_ms = now;
    m->dirty = false;
    m->frames++;
}

int64_t monitor_next_tick(const struct monitor *m, int64_t now)
{
    int64_t second = (now / 1000 + 1) * 1000; /* the clock, stale counters, messages */
    if (!m->dirty)
        return second;
    int64_t frame = m->last_frame_ms + m->config.delay_ms;
    return frame < now ? now : frame < second ? frame : second;
}

int64_t monitor_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- drawing: the main view ------------------------------------------------------------------ */

/* A campus often has no capacity of its own: its buildings' then. */
static int64_t capacity_of(const struct site *site, site_index space)
{
    const struct space *s = &site->spaces[space];
    if (s->capacity.present)
        return s->capacity.value;
    int64_t sum = 0;
    for (site_index child = s->first_child; child != SITE_NONE;
         child = site->spaces[child].next_sibling)
        sum += site->spaces[child].capacity.present ? site->spaces[child].capacity.value : 0;
    return sum;
}

static void draw_header(struct monitor *m, int64_t now)
{
    struct screen *s = m->screen;
    int cols = screen_cols(s);
    screen_fill(s, 0, 0, cols, ROLE_HEADER);
    char text[512], connection[64], clock[16];
    bool trouble;
    monitor_connection_text(m, now, connection, sizeof connection, &trouble);
    monitor_clock(m->data_now_ms, clock, sizeof clock);
    int col = screen_text(s, 0, 1, cols / 3, ROLE_HEADER, m->site_name[0] ? m->site_name : "occtop");
    col += 2;
    if (m->config.mode_label) {
        snprintf(text, sizeof text, " %s ", m->config.mode_label);
        col += screen_text(s, 0, col, cols - col, ROLE_LIVE, text) + 1;
    }
    snprintf(text, sizeof text, " %s ", connection);
    col += screen_text(s, 0, col, cols - col, trouble ? ROLE_TROUBLE : ROLE_LIVE, text) + 1;
    if (m->config.insecure)
        col += screen_text(s, 0, col, cols - col, ROLE_TROUBLE, " TLS NOT CHECKED ") + 1;
    col++;
    if (!m->site) {
        screen_text(s, 0, cols - 9, 8, ROLE_HEADER, clock);
        return;
    }
    int64_t people = 0, capacity = 0;
    size_t unsafe = 0, warn = 0;
    for (size_t i = 0; i < m->site->space_count; i++) {
        const struct space *space = &m->site->spaces[i];
        if (space->deleted)
            continue;
        enum safe_state state = monitor_state(m, (site_index)i);
        unsafe += state == SAFE_STATE_UNSAFE;
        warn += state == SAFE_STATE_WARN;
        if (space->parent != SITE_NONE)
            continue;
        int64_t count = monitor_count(m, (site_index)i);
        people += count > 0 ? count : 0;
        capacity += capacity_of(m->site, (site_index)i);
    }
    /* Unsafe first: in a narrow window it is the last to be cut. */
    if (capacity)
        snprintf(text, sizeof text, "unsafe %zu  warn %zu  people %" PRId64 "/%" PRId64,
                 unsafe, warn, people, capacity);
    else
        snprintf(text, sizeof text, "unsafe %zu  warn %zu  people %" PRId64, unsafe, warn,
                 people);
    int room = cols - col - 10;
    if (room > 10)
        screen_text(s, 0, col, room, unsafe ? ROLE_TROUBLE : ROLE_HEADER, text);
    screen_text(s, 0, cols - 9, 8, ROLE_HEADER, clock);
}

/* Column widths of the tree table for this terminal width: the name and
 * the sparkline share what the fixed columns leave. */
static void lay_out_columns(struct monitor *m, int cols, struct columns *c)
{
    memset(c, 0, sizeof *c);
    c->count = 6;
    c->cap = 6;
    c->util = cols >= 100 ? 14 : 5; /* narrower: the percentage alone */
    c->state = 9;
    c->rate = cols >= 80 ? 10 : 0;
    c->marks = cols >= 110 ? 8 : 0;
    int fixed = c->count + c->cap + c->util + c->state + c->rate + c->marks + 6;
    int left = cols - fixed;
    /* Names first: 24 columns tell siblings apart ("Aurora Cafe Kitchen");
     * then a sparkline of at least 8 minutes, then longer names (up to 40)
     * beside a sparkline of 24. */
    c->name = left - 25;
    if (c->name < 24)
        c->name = left - 9 >= 24 ? 24 : left;
    if (c->name > 40)
        c->name = 40;
    c->spark = left - c->name - 1;
    if (c->spark < 6)
        c->spark = 0;
    if (c->spark > ACTIVITY_DEFAULT_MINUTES)
        c->spark = ACTIVITY_DEFAULT_MINUTES;
    if (!c->spark)
        c->name = left > 0 ? left : 1;
    (void)m;
}

static void draw_titles(struct monitor *m, int row, const struct columns *c)
{
    struct screen *s = m->screen;
    char text[600];
    char spark_title[64];
    snprintf(spark_title, sizeof spark_title, "LAST %d MIN", c->spark);
    snprintf(text, sizeof text, "%-*s %*s %*s %-*s %-*s %-*s %-*s %s", c->name, "NAME", c->count,
             "COUNT", c->cap, "CAP", c->util, "UTIL", c->state, "STATE", c->rate,
             c->rate ? "IN/OUT /m" : "", c->marks, c->marks ? "MARKS" : "",
             c->spark ? spark_title : "");
    screen_text(s, row, 0, screen_cols(s), ROLE_TITLE, text);
}

static bool space_offline(const struct monitor *m, site_index space)
{
    const struct space *s = &m->site->spaces[space];
    for (size_t k = 0; k < s->link_count; k++) {
        const struct link *link = &m->site->links[s->links[k]];
        if (link->doorway != SITE_NONE && m->doorway_offline[link->doorway])
            return true;
    }
    return false;
}

static void draw_name(struct monitor *m, int row, int width, const struct outline_row *r,
                      enum screen_role role)
{
    const struct glyphs *g = screen_glyphs(m->screen);
    int indent = r->depth * 2;
    if (indent > width / 2)
        indent = width / 2;
    const char *marker = !r->has_children ? g->tree_leaf
                       : r->collapsed ? g->tree_collapsed : g->tree_expanded;
    int col = indent;
    col += screen_glyphs_text(m->screen, row, col, width - col, role, marker);
    col += 1;
    const struct space *space = &m->site->spaces[r->space];
    screen_text(m->screen, row, col, width - col, role,
                space->name ? space->name : space->id);
}

static void draw_space_row(struct monitor *m, int row, const struct outline_row *r,
                           const struct columns *c, bool selected)
{
    struct screen *s = m->screen;
    const struct glyphs *g = screen_glyphs(s);
    const struct space *space = &m->site->spaces[r->space];
    enum safe_state state = monitor_state(m, r->space);
    bool alarm = alarm_space_unacknowledged(m->alarms, r->space);
    enum screen_role base = selected ? ROLE_SELECTED : alarm ? ROLE_ALARM : ROLE_NORMAL;
    if (selected || alarm)
        screen_fill(s, row, 0, screen_cols(s), base);
    enum screen_role number_role = selected || alarm ? base
                                 : monitor_stale(m) ? ROLE_DIM : ROLE_NORMAL;
    draw_name(m, row, c->name, r, base);
    int col = c->name + 1;
    char text[256];
    int64_t count = monitor_count(m, r->space);
    if (count < 0)
        snprintf(text, sizeof text, "%*s", c->count, "?");
    else
        snprintf(text, sizeof text, "%*" PRId64, c->count, count);
    screen_glyphs_text(s, row, col, c->count, number_role, text);
    col += c->count + 1;
    if (space->capacity.present)
        snprintf(text, sizeof text, "%*" PRId64, c->cap, space->capacity.value);
    else
        snprintf(text, sizeof text, "%*s", c->cap, "-");
    screen_glyphs_text(s, row, col, c->cap, base, text);
    col += c->cap + 1;
    if (space->capacity.present && space->capacity.value > 0 && count >= 0) {
        double fraction = (double)count / (double)space->capacity.value;
        char percent[8];
        spark_percent(fraction, percent, sizeof percent);
        if (c->util > 5) {
            char bar[128];
            spark_bar(fraction, (size_t)c->util - 5, g, bar, sizeof bar);
            screen_glyphs_text(s, row, col, c->util - 5, selected ? base : screen_state_role(state),
                               bar);
        }
        snprintf(text, sizeof text, "%4s", percent);
        screen_glyphs_text(s, row, col + c->util - 4, 4, base, text);
    }
    col += c->util + 1;
    snprintf(text, sizeof text, "%s %s", glyphs_safe(g, state), monitor_state_word(state));
    screen_glyphs_text(s, row, col, c->state, selected ? base : screen_state_role(state), text);
    col += c->state + 1;
    if (c->rate) {
        uint32_t in = 0, out = 0;
        activity_last_minute(m->activity, r->space, m->data_now_ms, &in, &out);
        snprintf(text, sizeof text, "%s%-3" PRIu32 " %s%-3" PRIu32, g->arrow_up, in > 999 ? 999 : in,
                 g->arrow_down, out > 999 ? 999 : out);
        screen_glyphs_text(s, row, col, c->rate, base, text);
        col += c->rate + 1;
    }
    if (c->marks) {
        text[0] = '\0';
        if (space_offline(m, r->space))
            snprintf(text, sizeof text, "offline");
        else if (activity_clamps_often(m->activity, r->space, m->data_now_ms))
            snprintf(text, sizeof text, "clamps");
        else if (space->flags)
            snprintf(text, sizeof text, "check");
        screen_glyphs_text(s, row, col, c->marks, selected || alarm ? base : ROLE_WARN, text);
        col += c->marks + 1;
    }
    if (c->spark) {
        int64_t series[ACTIVITY_DEFAULT_MINUTES];
        size_t width = (size_t)c->spark;
        activity_series(m->activity, r->space, m->data_now_ms, width, series);
        int64_t scale = space->capacity.present && space->capacity.value > 0
                            ? space->capacity.value : 0;
        char line[ACTIVITY_DEFAULT_MINUTES * 4 + 1];
        spark_line(series, width, width, scale, g, line, sizeof line);
        screen_glyphs_text(s, row, col, c->spark, selected ? base : ROLE_OK, line);
    }
}

static void draw_tree(struct monitor *m, int top, int height)
{
    struct columns c;
    int cols = screen_cols(m->screen);
    lay_out_columns(m, cols, &c);
    draw_titles(m, top, &c);
    top++;
    height--;
    size_t rows = outline_row_count(m->outline);
    if (height <= 0)
        return;
    /* Keep the cursor on screen, scrolling as little as possible. */
    if (m->cursor < m->scroll)
        m->scroll = m->cursor;
    if (m->cursor >= m->scroll + (size_t)height)
        m->scroll = m->cursor - (size_t)height + 1;
    if (m->scroll + (size_t)height > rows)
        m->scroll = rows > (size_t)height ? rows - (size_t)height : 0;
    m->tree_top = top;
    m->tree_height = height;
    for (int k = 0; k < height && m->scroll + (size_t)k < rows; k++) {
        const struct outline_row *r = outline_row_at(m->outline, m->scroll + (size_t)k);
        draw_space_row(m, top + k, r, &c, m->scroll + (size_t)k == m->cursor);
    }
    if (!rows)
        screen_text(m->screen, top, 2, cols - 4, ROLE_DIM,
                    outline_filtered(m->outline) ? "no space matches the filter"
                                                 : "the site has no spaces");
}

static void draw_alarms(struct monitor *m, int top, int left, int width, int height)
{
    struct screen *s = m->screen;
    char title[64], text[400], clock[16], name[128];
    snprintf(title, sizeof title, "ALARMS %zu (a: acknowledge)", alarm_unacknowledged(m->alarms));
    screen_text(s, top, left, width, ROLE_TITLE, title);
    size_t n = alarm_count(m->alarms);
    if (!n)
        screen_text(s, top + 1, left, width, ROLE_DIM, "no alarms");
    for (int k = 0; k + 1 < height && (size_t)k < n; k++) {
        const struct alarm_entry *a = alarm_get(m->alarms, (size_t)k);
        const struct space *space = &m->site->spaces[a->space];
        monitor_clock(a->began_ms, clock, sizeof clock);
        termtext_sanitize_str(space->name ? space->name : space->id, name, sizeof name, 40,
                              screen_ascii(s) ? TERMTEXT_ASCII : 0);
        const char *how = a->ended_ms == ALARM_STILL_UNSAFE ? "UNSAFE" : "was unsafe";
        snprintf(text, sizeof text, "%s %s %s %s%s", clock, how, name,
                 a->acknowledged ? "(acknowledged)" : "",
                 !a->acknowledged && a->ended_ms != ALARM_STILL_UNSAFE ? "(safe again)" : "");
        screen_glyphs_text(s, top + 1 + k, left, width, a->acknowledged ? ROLE_DIM : ROLE_ALARM,
                           text);
    }
}

static void doorway_name(const struct monitor *m, const char *id, char *out, size_t out_size)
{
    site_index d = site_find_doorway(m->site, id);
    const char *name = d != SITE_NONE && m->site->doorways[d].name ? m->site->doorways[d].name
                                                                   : id;
    termtext_sanitize_str(name, out, out_size, 24, screen_ascii(m->screen) ? TERMTEXT_ASCII : 0);
}

static void draw_events(struct monitor *m, int top, int left, int width, int height)
{
    struct screen *s = m->screen;
    const struct glyphs *g = screen_glyphs(s);
    screen_text(s, top, left, width, ROLE_TITLE, "EVENTS");
    size_t n = activity_log_size(m->activity);
    if (!n)
        screen_text(s, top + 1, left, width, ROLE_DIM, "no entrances or exits yet");
    for (int k = 0; k + 1 < height && (size_t)k < n; k++) {
        const struct activity_log_entry *e = activity_log_get(m->activity, (size_t)k);
        const struct space *space = &m->site->spaces[e->space];
        char clock[16], name[128], door[64], text[400];
        monitor_clock(e->timestamp_ms, clock, sizeof clock);
        termtext_sanitize_str(space->name ? space->name : space->id, name, sizeof name, 32,
                              screen_ascii(s) ? TERMTEXT_ASCII : 0);
        doorway_name(m, e->doorway_id, door, sizeof door);
        snprintf(text, sizeof text, "%s %s %-5s %s%s%s = %" PRId64 "%s", clock,
                 e->direction > 0 ? g->arrow_up : g->arrow_down,
                 e->direction > 0 ? "in" : "out", name, door[0] ? " via " : "", door, e->count,
                 e->clamped ? " (clamped)" : "");
        screen_glyphs_text(s, top + 1 + k, left, width, ROLE_NORMAL, text);
    }
}

static void draw_panes(struct monitor *m, int top, int height)
{
    int cols = screen_cols(m->screen);
    screen_rule(m->screen, top, NULL);
    top++;
    height--;
    if (cols >= 100) {
        int split = cols * 2 / 5;
        draw_alarms(m, top, 0, split - 1, height);
        draw_events(m, top, split + 1, cols - split - 1, height);
        return;
    }
    int alarm_rows = alarm_count(m->alarms) ? 1 + (int)(alarm_count(m->alarms) < 3
                                                        ? alarm_count(m->alarms) : 3)
                                            : 0;
    if (alarm_rows)
        draw_alarms(m, top, 0, cols, alarm_rows);
    draw_events(m, top + alarm_rows, 0, cols, height - alarm_rows);
}

struct key_hint {
    const char *key, *what;
};

static void draw_bottom_bar(struct monitor *m, int64_t now)
{
    struct screen *s = m->screen;
    int row = screen_rows(s) - 1, cols = screen_cols(s);
    (void)now;
    if (m->prompt != PROMPT_NONE) {
        screen_fill(s, row, 0, cols, ROLE_KEY);
        char text[400];
        snprintf(text, sizeof text, "%s%s", m->prompt_label, m->input);
        int used = screen_text(s, row, 0, cols - 1, ROLE_KEY, text);
        screen_glyphs_text(s, row, used, 1, ROLE_SELECTED, " ");
        return;
    }
    if (m->message[0]) {
        screen_fill(s, row, 0, cols, ROLE_KEY);
        screen_text(s, row, 1, cols - 2, ROLE_KEY, m->message);
        return;
    }
    static const struct key_hint main_hints[] = {
        { "q", "Quit" }, { "?", "Help" }, { "/", "Filter" }, { "s", "Sort" }, { "t", "Tag" },
        { "Enter", "Details" }, { "Space", "Fold" }, { "k", "Kiosk" }, { "a", "Ack" },
        { "e", "Edit" },
    };
    static const struct key_hint details_hints[] = {
        { "Esc", "Back" }, { "a", "Ack" }, { "e", "Edit" },
    };
    static const struct key_hint help_hints[] = { { "any key", "Back" } };
    const struct key_hint *hints = m->view == VIEW_DETAILS ? details_hints
                                 : m->view == VIEW_HELP ? help_hints : main_hints;
    size_t hint_count = m->view == VIEW_DETAILS ? sizeof details_hints / sizeof *hints
                      : m->view == VIEW_HELP ? 1 : sizeof main_hints / sizeof *hints;
    int col = 0;
    for (size_t i = 0; i < hint_count && col < cols; i++) {
        if (m->config.readonly >= 2 && strcmp(hints[i].key, "q") == 0)
            continue;
        if ((m->config.readonly || !m->actions.edit) && strcmp(hints[i].key, "e") == 0)
            continue;
        col += screen_glyphs_text(s, row, col, cols - col, ROLE_KEY, hints[i].key);
        col += screen_glyphs_text(s, row, col, cols - col, ROLE_NORMAL, " ");
        col += screen_glyphs_text(s, row, col, cols - col, ROLE_NORMAL, hints[i].what);
        col += screen_glyphs_text(s, row, col, cols - col, ROLE_NORMAL, "  ");
    }
    if (m->view != VIEW_MAIN)
        return;
    char status[160];
    const char *name = outline_name_filter(m->outline), *tag = outline_tag_filter(m->outline);
    snprintf(status, sizeof status, "sort:%s%s%s%s%s", outline_sort_name(outline_sort_mode(m->outline)),
             name ? " /" : "", name ? name : "", tag ? " tag:" : "", tag ? tag : "");
    int width = termtext_width(status);
    if (col + width + 1 < cols)
        screen_text(s, row, cols - width - 1, width, ROLE_DIM, status);
}

static void draw_main(struct monitor *m, int64_t now)
{
    int rows = screen_rows(m->screen);
    int body = rows - 2; /* the header and the bottom bar */
    int panes = rows >= 20 ? rows / 4 + 1 : 0;
    if (panes > 12)
        panes = 12;
    draw_tree(m, 1, body - panes);
    if (panes)
        draw_panes(m, 1 + body - panes, panes);
    draw_bottom_bar(m, now);
}

static const char *const help_lines[] = {
    "occtop - live occupancy monitor",
    "",
    "Up/Down, K/j      move           PgUp/PgDn, Home/End   page, first, last",
    "Space, Right/Left fold a space   + / - / *             expand all / collapse all / toggle all",
    "Enter             fold a space with children, details of a leaf",
    "d                 details of the selected space (doorways, sensors, today, 24 h chart)",
    "/                 filter by name as you type (Enter keeps it, Esc clears it)",
    "t                 filter by the next tag (cycles; ends with no tag)",
    "s                 sort: tree order, count, utilization, state (siblings stay together)",
    "a                 acknowledge the selected space's alarm, or every alarm",
    "e                 edit the capacity and safe threshold (sent to the server; confirmed first)",
    "k                 kiosk view of the selected space (k or Esc returns)",
    "Ctrl-L            repaint the screen      q   quit",
    "",
    "States: OK, WARN (from 80% of the safe limit), UNSAFE (over it), - (no safe threshold).",
    "Marks: offline = a doorway's sensor is offline; clamps = exits often found the space empty;",
    "       check = the site data has a problem with this space (see occtop --batch).",
    "An alarm starts when a space becomes UNSAFE and stays until acknowledged.",
    "",
    "Press any key to return.",
};

static void draw_help(struct monitor *m)
{
    struct screen *s = m->screen;
    int cols = screen_cols(s);
    for (size_t i = 0; i < sizeof help_lines / sizeof help_lines[0]; i++) {
        if ((int)i + 2 >= screen_rows(s))
            break;
        screen_text(s, (int)i + 2, 2, cols - 4, i == 0 ? ROLE_TITLE : ROLE_NORMAL, help_lines[i]);
    }
}

static void draw_too_small(struct monitor *m)
{
    char size[64];
    snprintf(size, sizeof size, "%dx%d, needs %dx%d", screen_cols(m->screen),
             screen_rows(m->screen), MIN_COLS, MIN_ROWS);
    int row = screen_rows(m->screen) / 2 - 1;
    screen_text(m->screen, row < 0 ? 0 : row, 0, screen_cols(m->screen), ROLE_WARN,
                "window too small");
    screen_text(m->screen, row + 1, 0, screen_cols(m->screen), ROLE_WARN, size);
}

static void draw_loading(struct monitor *m, int64_t now)
{
    draw_header(m, now);
    int row = screen_rows(m->screen) / 2;
    screen_text(m->screen, row, 2, screen_cols(m->screen) - 4, ROLE_NORMAL,
                m->message[0] ? m->message : "loading the site...");
    if (m->config.readonly < 2)
        screen_text(m->screen, screen_rows(m->screen) - 1, 0, screen_cols(m->screen), ROLE_DIM,
                    "q quit");
}

void monitor_draw(struct monitor *m, int64_t now)
{
    struct screen *s = m->screen;
    screen_begin_frame(s);
    if (m->view == VIEW_KIOSK && m->site) {
        kiosk_draw(m, now); /* a kiosk draws whatever size it is given */
    } else if (screen_rows(s) < MIN_ROWS || screen_cols(s) < MIN_COLS) {
        draw_too_small(m);
    } else if (!m->site) {
        draw_loading(m, now);
    } else {
        draw_header(m, now);
        if (m->view == VIEW_HELP)
            draw_help(m);
        else if (m->view == VIEW_DETAILS)
            details_draw(m, now);
        else
            draw_main(m, now);
        if (m->view != VIEW_MAIN)
            draw_bottom_bar(m, now);
    }
    screen_end_frame(s);
}

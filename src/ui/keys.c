/* keys.c — what each key does in each view of the monitor. */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/safe.h"
#include "core/termtext.h"
#include "ui/monitor_private.h"

#define CTRL(c) ((c) & 0x1f)
enum { KEY_ESCAPE = 27, KEY_DELETE = 127 };

static void say(struct monitor *m, const char *text)
{
    monitor_log(m, text);
}

static const struct outline_row *current_row(const struct monitor *m)
{
    return m->outline ? outline_row_at(m->outline, m->cursor) : NULL;
}

static void move_cursor(struct monitor *m, int64_t by)
{
    size_t rows = outline_row_count(m->outline);
    if (!rows)
        return;
    int64_t to = (int64_t)m->cursor + by;
    if (to < 0)
        to = 0;
    if (to >= (int64_t)rows)
        to = (int64_t)rows - 1;
    m->cursor = (size_t)to;
    m->selected = outline_row_at(m->outline, m->cursor)->space;
}

static void fold(struct monitor *m, int how) /* -1 collapse, 0 toggle, +1 expand */
{
    const struct outline_row *r = current_row(m);
    if (!r || !r->has_children)
        return;
    if (how == 0)
        outline_toggle(m->outline, r->space);
    else
        outline_set_collapsed(m->outline, r->space, how < 0);
    m->rows_dirty = true;
}

static void open_details(struct monitor *m)
{
    const struct outline_row *r = current_row(m);
    if (!r)
        return;
    if (m->details_space != r->space) {
        free(m->history);
        m->history = NULL;
        m->history_count = 0;
        m->history_error[0] = '\0';
        m->history_pending = false;
        m->next_history_ms = 0;
    }
    m->details_space = r->space;
    m->view = VIEW_DETAILS;
}

static void next_tag(struct monitor *m)
{
    if (!m->tag_count) {
        say(m, "no space of this site has a tag");
        return;
    }
    m->tag_at = (m->tag_at + 1) % (m->tag_count + 1);
    outline_set_tag_filter(m->outline, m->tag_at < m->tag_count ? m->tags[m->tag_at] : NULL);
    m->rows_dirty = true;
}

static void acknowledge(struct monitor *m)
{
    const struct outline_row *r = current_row(m);
    const struct alarm_entry *mine = r ? alarm_of_space(m->alarms, r->space) : NULL;
    char text[128];
    if (mine && !mine->acknowledged) {
        alarm_acknowledge(m->alarms, mine->id);
        say(m, "alarm acknowledged");
        return;
    }
    size_t n = alarm_acknowledge_all(m->alarms);
    snprintf(text, sizeof text, n ? "%zu alarm%s acknowledged" : "no alarm to acknowledge", n,
             n == 1 ? "" : "s");
    say(m, text);
}

/* --- prompts ----------------------------------------------------------------------------- */

static void start_prompt(struct monitor *m, enum monitor_prompt prompt, const char *label)
{
    m->prompt = prompt;
    termtext_sanitize_str(label, m->prompt_label, sizeof m->prompt_label, 150,
                          screen_ascii(m->screen) ? TERMTEXT_ASCII : 0);
    m->input[0] = '\0';
}

static void start_edit(struct monitor *m)
{
    const struct outline_row *r = current_row(m);
    if (!r)
        return;
    if (m->config.readonly || !m->actions.edit) {
        say(m, "read-only: edits are off");
        return;
    }
    const struct space *s = &m->site->spaces[r->space];
    m->selected = r->space;
    m->edit_capacity = -1;
    m->edit_threshold = -1;
    char label[200], now[32];
    if (s->capacity.present)
        snprintf(now, sizeof now, "%" PRId64, s->capacity.value);
    else
        snprintf(now, sizeof now, "none");
    snprintf(label, sizeof label, "capacity (now %s; Enter keeps it, Esc cancels): ", now);
    start_prompt(m, PROMPT_CAPACITY, label);
}

static void ask_threshold(struct monitor *m)
{
    const struct space *s = &m->site->spaces[m->selected];
    char label[200];
    m->edit_threshold_is_percent = s->safe_mode == SAFE_MODE_PERC_TARGET ||
                                   s->safe_mode == SAFE_MODE_PERC_LEGAL;
    if (m->edit_threshold_is_percent)
        snprintf(label, sizeof label, "safe threshold in %% (now %.0f; Enter keeps it): ",
                 s->safe_threshold_value.present ? s->safe_threshold_value.value * 100 : 0.0);
    else if (s->safe_capacity.present)
        snprintf(label, sizeof label, "safe capacity (now %" PRId64 "; Enter keeps it): ",
                 s->safe_capacity.value);
    else
        snprintf(label, sizeof label, "safe capacity (now none; Enter keeps it): ");
    start_prompt(m, PROMPT_THRESHOLD, label);
}

static void ask_confirm(struct monitor *m)
{
    char label[300], name[64], what[160] = "";
    const struct space *s = &m->site->spaces[m->selected];
    termtext_sanitize_str(s->name ? s->name : s->id, name, sizeof name, 40,
                          screen_ascii(m->screen) ? TERMTEXT_ASCII : 0);
    if (m->edit_capacity >= 0)
        snprintf(what, sizeof what, "capacity %" PRId64, m->edit_capacity);
    if (m->edit_threshold >= 0)
        snprintf(what + strlen(what), sizeof what - strlen(what), "%s%s %" PRId64 "%s",
                 what[0] ? ", " : "",
                 m->edit_threshold_is_percent ? "safe threshold" : "safe capacity",
                 m->edit_threshold, m->edit_threshold_is_percent ? "%" : "");
    if (!what[0]) {
        m->prompt = PROMPT_NONE;
        say(m, "nothing changed");
        return;
    }
    snprintf(label, sizeof label, "send %s for %s to the server? (y/n) ", what, name);
    start_prompt(m, PROMPT_CONFIRM, label);
}

static void send_edit(struct monitor *m)
{
    char body[200] = "{";
    if (m->edit_capacity >= 0)
        snprintf(body + 1, sizeof body - 1, "\"capacity\":%" PRId64, m->edit_capacity);
    if (m->edit_threshold >= 0) {
        size_t used = strlen(body);
        if (m->edit_threshold_is_percent)
            snprintf(body + used, sizeof body - used, "%s\"safe_threshold_value\":%.4f",
                     used > 1 ? "," : "", (double)m->edit_threshold / 100.0);
        else
            snprintf(body + used, sizeof body - used, "%s\"safe_capacity\":%" PRId64,
                     used > 1 ? "," : "", m->edit_threshold);
    }
    strncat(body, "}", sizeof body - strlen(body) - 1);
    m->actions.edit(m->actions.context, m->selected, body);
    say(m, "sending the edit...");
}

/* A whole number typed at a prompt: -1 for "keep", -2 for nonsense. */
static int64_t typed_number(const char *text, int64_t max)
{
    if (!*text)
        return -1;
    char *end;
    long long value = strtoll(text, &end, 10);
    return *end || value < 0 || value > max ? -2 : (int64_t)value;
}

static void prompt_enter(struct monitor *m)
{
    int64_t value;
    switch (m->prompt) {
    case PROMPT_FILTER:
        m->prompt = PROMPT_NONE;
        break;
    case PROMPT_CAPACITY:
        if ((value = typed_number(m->input, 1000000)) == -2) {
            say(m, "capacity: type a whole number from 0 to 1000000");
            m->input[0] = '\0';
            break;
        }
        m->edit_capacity = value;
        ask_threshold(m);
        break;
    case PROMPT_THRESHOLD:
        value = typed_number(m->input, m->edit_threshold_is_percent ? 100 : 1000000);
        if (value == -2) {
            say(m, m->edit_threshold_is_percent ? "type a percentage from 0 to 100"
                                                : "type a whole number from 0 to 1000000");
            m->input[0] = '\0';
            break;
        }
        m->edit_threshold = value;
        ask_confirm(m);
        break;
    default:
        break;
    }
}

static void prompt_key(struct monitor *m, int key)
{
    size_t len = strlen(m->input);
    if (m->prompt == PROMPT_CONFIRM) {
        m->prompt = PROMPT_NONE;
        if (key == 'y' || key == 'Y')
            send_edit(m);
        else
            say(m, "edit cancelled");
        return;
    }
    if (key == KEY_ESCAPE) {
        if (m->prompt == PROMPT_FILTER) {
            outline_set_name_filter(m->outline, NULL);
            m->rows_dirty = true;
        } else {
            say(m, "edit cancelled");
        }
        m->prompt = PROMPT_NONE;
        return;
    }
    if (key == '\n' || key == '\r' || key == KEY_ENTER) {
        prompt_enter(m);
        return;
    }
    if (key == KEY_BACKSPACE || key == KEY_DELETE || key == CTRL('h')) {
        if (len)
            m->input[len - 1] = '\0';
    } else if (key >= 0x20 && key < 0x7f && len + 1 < sizeof m->input) {
        /* Printable ASCII only: what is typed is echoed on the screen. */
        m->input[len] = (char)key;
        m->input[len + 1] = '\0';
    } else {
        return;
    }
    if (m->prompt == PROMPT_FILTER) {
        outline_set_name_filter(m->outline, m->input);
        m->cursor = 0;
        m->selected = SITE_NONE;
        m->rows_dirty = true;
    }
}

/* --- views ----------------------------------------------------------------------------- */

static void request_quit(struct monitor *m)
{
    if (m->config.readonly >= 2) {
        say(m, "read-only kiosk: the quit key is off");
        return;
    }
    m->quit = true;
}

static void kiosk_key(struct monitor *m, int key)
{
    if (key == 'q' || key == 'Q' || key == KEY_ESCAPE || key == 'k') {
        if (m->kiosk_from_start || !m->outline) {
            if (key == 'q' || key == 'Q')
                request_quit(m);
        } else {
            m->view = VIEW_MAIN;
        }
    }
}

static void mouse_key(struct monitor *m)
{
    int row, col, wheel, clicks;
    if (!screen_mouse(m->screen, &row, &col, &clicks, &wheel) || m->view != VIEW_MAIN)
        return;
    if (wheel) {
        move_cursor(m, wheel * 3);
        return;
    }
    if (clicks && row >= m->tree_top && row < m->tree_top + m->tree_height) {
        size_t at = m->scroll + (size_t)(row - m->tree_top);
        if (at < outline_row_count(m->outline)) {
            /* A click on the selected row, or a double click, folds it. */
            bool fold_it = at == m->cursor || clicks == 2;
            move_cursor(m, (int64_t)at - (int64_t)m->cursor);
            if (fold_it)
                fold(m, 0);
        }
    }
}

static void main_key(struct monitor *m, int key)
{
    int page = m->tree_height > 1 ? m->tree_height - 1 : 1;
    const struct outline_row *r;
    switch (key) {
    /* vi's k is the kiosk key here: K (or Ctrl-P) goes up. */
    case KEY_UP: case 'K': case CTRL('p'): move_cursor(m, -1); break;
    case KEY_DOWN: case 'j': case 'J': case CTRL('n'): move_cursor(m, 1); break;
    case KEY_PPAGE: case CTRL('b'): move_cursor(m, -page); break;
    case KEY_NPAGE: case CTRL('f'): move_cursor(m, page); break;
    case KEY_HOME: case 'g': move_cursor(m, -(int64_t)m->cursor); break;
    case KEY_END: case 'G': move_cursor(m, (int64_t)outline_row_count(m->outline)); break;
    case ' ': fold(m, 0); break;
    case KEY_RIGHT: case 'l': fold(m, 1); break;
    case KEY_LEFT: case 'h': fold(m, -1); break;
    case '+': outline_expand_all(m->outline); m->rows_dirty = true; break;
    case '-': outline_collapse_all(m->outline); m->rows_dirty = true; break;
    case '*':
        r = current_row(m);
        if (r && r->has_children && !r->collapsed)
            outline_collapse_all(m->outline);
        else
            outline_expand_all(m->outline);
        m->rows_dirty = true;
        break;
    case '\n': case '\r': case KEY_ENTER:
        r = current_row(m);
        if (r && r->has_children)
            fold(m, 0);
        else
            open_details(m);
        break;
    case 'd': open_details(m); break;
    case 's':
        outline_set_sort(m->outline, outline_sort_next(outline_sort_mode(m->outline)));
        m->rows_dirty = true;
        break;
    case 't': next_tag(m); break;
    case '/': start_prompt(m, PROMPT_FILTER, "filter: "); break;
    case 'a': acknowledge(m); break;
    case 'e': start_edit(m); break;
    case 'k':
        r = current_row(m);
        if (r) {
            m->kiosk_space = r->space;
            m->kiosk_from_start = false;
            m->view = VIEW_KIOSK;
        }
        break;
    case '?': case KEY_F(1): m->view = VIEW_HELP; break;
    case 'q': case 'Q': request_quit(m); break;
    case KEY_MOUSE: mouse_key(m); break;
    default: break;
    }
}

static void take_key(struct monitor *m, int key)
{
    if (key == CTRL('l')) {
        screen_repaint(m->screen);
        return;
    }
    if (key == KEY_RESIZE) /* ncurses' own notice; the signalfd does the work */
        return;
    if (m->prompt != PROMPT_NONE) {
        prompt_key(m, key);
        return;
    }
    if (!m->site) {
        if (key == 'q' || key == 'Q')
            request_quit(m);
        return;
    }
    switch (m->view) {
    case VIEW_HELP:
        m->view = VIEW_MAIN;
        break;
    case VIEW_DETAILS:
        if (key == 'q' || key == 'Q' || key == KEY_ESCAPE || key == '\n' || key == '\r' ||
            key == KEY_ENTER || key == 'd' || key == KEY_LEFT)
            m->view = VIEW_MAIN;
        else if (key == 'e')
            start_edit(m);
        else if (key == 'a')
            acknowledge(m);
        break;
    case VIEW_KIOSK:
        kiosk_key(m, key);
        break;
    default:
        main_key(m, key);
        break;
    }
}

void monitor_input(struct monitor *m, int64_t now)
{
    (void)now;
    int key;
    while ((key = screen_key(m->screen)) >= 0) {
        take_key(m, key);
        m->dirty = true;
    }
}

/* monitor_private.h — the monitor's state, shared by its screens
 * (monitor.c, keys.c, details.c, kiosk.c) and nothing else. */
#ifndef OCCTOP_UI_MONITOR_PRIVATE_H
#define OCCTOP_UI_MONITOR_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/activity.h"
#include "core/alarm.h"
#include "core/outline.h"
#include "ui/monitor.h"

/* Reconnecting this long: the header says how old the data is instead. */
#define MONITOR_STALE_SECONDS 30

enum monitor_view {
    VIEW_MAIN = 0,
    VIEW_HELP,
    VIEW_DETAILS,
    VIEW_KIOSK,
};

enum monitor_prompt {
    PROMPT_NONE = 0,
    PROMPT_FILTER,        /* "/": the name filter, as typed */
    PROMPT_CAPACITY,      /* "e": the new capacity */
    PROMPT_THRESHOLD,     /* then the safe capacity or threshold percent */
    PROMPT_CONFIRM,       /* then y/n */
};

struct columns {
    int name, count, cap, util, state, rate, marks, spark;
};

struct monitor {
    struct screen *screen;
    struct monitor_config config;
    struct monitor_actions actions;
    struct site *site;
    struct live *live;
    const struct tz_zone *const *zones;
    struct activity *activity;
    struct alarm_list *alarms;
    struct outline *outline;
    int64_t *day_start;         /* per space: the start of its day, ms */
    unsigned char *doorway_offline; /* per doorway: a sensor of it is offline */

    enum monitor_view view;
    size_t cursor, scroll;      /* rows of the outline */
    site_index selected;        /* the cursor's space, kept across rebuilds */
    int tree_top, tree_height;  /* where the rows were drawn, for the mouse */
    bool dirty, rows_dirty, quit;
    int64_t last_frame_ms;
    int64_t data_now_ms;        /* the data's clock at this tick (see actions.clock) */
    uint64_t frames;
    int64_t next_day_check_ms, next_sensor_check_ms;

    char site_name[256];        /* sanitised */
    char message[256];
    int64_t message_until_ms;

    enum monitor_prompt prompt;
    char prompt_label[200];
    char input[64];
    int64_t edit_capacity, edit_threshold; /* -1: keep */
    bool edit_threshold_is_percent;

    const char **tags;          /* borrowed from the site */
    size_t tag_count, tag_at;   /* tag_at == tag_count: no tag filter */

    site_index details_space;
    int64_t *history;           /* 5-minute counts of the last day */
    size_t history_count;
    bool history_pending;
    int64_t next_history_ms;
    char history_error[160];

    site_index kiosk_space;
    size_t attached_spaces; /* the site's spaces the per-space arrays were made for */
    bool kiosk_from_start;      /* --kiosk or --rotate: q quits instead of going back */
    site_index *rotation;
    size_t rotation_count, rotation_at;
    int64_t next_rotation_ms;
};

int64_t monitor_now(void);
int64_t monitor_data_now(const struct monitor *monitor);
void monitor_draw(struct monitor *monitor, int64_t now_ms);
void monitor_clock(int64_t ms, char *out, size_t out_size);
int64_t monitor_count(const struct monitor *monitor, site_index space); /* -1: unknown */
enum safe_state monitor_state(const struct monitor *monitor, site_index space);
const char *monitor_state_word(enum safe_state state);
void monitor_connection_text(const struct monitor *monitor, int64_t now_ms, char *out,
                             size_t out_size, bool *trouble);
bool monitor_stale(const struct monitor *monitor);

#endif

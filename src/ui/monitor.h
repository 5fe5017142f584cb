/* monitor.h — the interactive monitor: the tree table with its header, event
 * log and alarm panes, the details and help screens, the kiosk view, and the
 * keys that move between them.
 *
 * It reads the live counts (core/live) and keeps what only a screen needs
 * (core/activity for sparklines, rates and the event log; core/alarm;
 * core/outline for the rows).  It never waits on the network: history and
 * edits are asked for through the actions and arrive later.
 *
 * Frames are coalesced: changes mark the screen dirty and monitor_tick draws
 * at most once per delay_ms, sending only what changed (never clear() on a
 * tick), so a slow SSH link carries little.
 *
 * Ownership: borrows the screen, the site and the live model; they must
 * outlive it.  Strings in the config are borrowed too. */
#ifndef OCCTOP_UI_MONITOR_H
#define OCCTOP_UI_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/counts.h"
#include "core/event.h"
#include "core/live.h"
#include "core/site.h"
#include "core/tz.h"
#include "ui/screen.h"

enum monitor_alert {
    MONITOR_ALERT_NONE = 0,
    MONITOR_ALERT_BELL = 1,
    MONITOR_ALERT_FLASH = 2,
    MONITOR_ALERT_BOTH = 3,
};

struct monitor_config {
    enum monitor_alert alert;   /* how a new alarm is signalled (NONE with --quiet) */
    int readonly;               /* 0; 1: no edits; 2: also no quit key */
    int delay_ms;               /* the least time between frames */
    double warn_fraction;
    const char *kiosk_space_id; /* start in the kiosk view of this space, or NULL */
    int rotate_seconds;         /* kiosk: move to the next space this often; 0: never */
    const char *tag;            /* only spaces with this tag (tree and rotation), or NULL */
    const char *come_in_text;   /* kiosk texts */
    const char *wait_text;
    const char *mode_label;     /* "DEMO x60", "REPLAY", or NULL */
    bool insecure;              /* --insecure: the header says so, always */
};

struct monitor_actions {
    void *context;
    /* Fetch the last 24 hours of 5-minute counts: answer with
     * monitor_history().  May be NULL (no history: a replay). */
    void (*history)(void *context, site_index space);
    /* Send these fields (a JSON object) as PUT /spaces/:id/: answer with
     * monitor_edited().  NULL makes the monitor read-only. */
    void (*edit)(void *context, site_index space, const char *json_body);
    /* The clock of the data (ms), when it is not the wall clock: the demo's
     * simulated time, a replay's.  May be NULL. */
    int64_t (*clock)(void *context);
};

struct monitor;

struct monitor *monitor_new(struct screen *screen, const struct monitor_config *config,
                            const struct monitor_actions *actions);
void monitor_free(struct monitor *monitor);

/* The site is loaded: show it.  zones (one per space, may hold NULLs for
 * UTC) are for "today" in each space's own day.  0, or -1 when out of memory
 * or when --kiosk names a space the site does not have (then the message
 * says so: monitor_message()). */
int monitor_attach(struct monitor *monitor, struct site *site, struct live *live,
                   const struct tz_zone *const *zones);

/* The site's shape changed (session's reshaped: spaces made, renamed,
 * moved or deleted on the server): the tree, tags and kiosk rotation follow;
 * a deleted space's details or kiosk view goes back to the main view or on
 * to the next space.  zones as for monitor_attach, for every space now.  0,
 * or -1 when out of memory. */
int monitor_reshape(struct monitor *monitor, const struct tz_zone *const *zones);

/* Before the site is loaded, or when something is wrong: one line in the
 * middle of the screen or the status bar.  Copied and sanitised. */
void monitor_set_status(struct monitor *monitor, const char *message);
const char *monitor_message(const struct monitor *monitor);
/* A line for the log: shown for a few seconds in the bottom bar. */
void monitor_log(struct monitor *monitor, const char *line);

/* A stream message that core/live applied. */
void monitor_event(struct monitor *monitor, site_index space, const struct space_event *event,
                   int64_t count_before);

void monitor_history(struct monitor *monitor, site_index space, const struct count_page *page,
                     const char *error);
void monitor_edited(struct monitor *monitor, site_index space, const char *error);

/* The terminal has keys waiting, or its signal descriptor is readable (a
 * resize, a suspend, a resume). */
void monitor_input(struct monitor *monitor, int64_t now_ms);
void monitor_resized(struct monitor *monitor);

/* Call often (every few tens of ms): takes the changes, raises alarms, and
 * draws a frame when one is due. */
void monitor_tick(struct monitor *monitor, int64_t now_ms);

/* When monitor_tick should run next: soon after a change (never before the
 * frame delay has passed), else at the next second, for the clock.  An idle
 * monitor wakes once a second. */
int64_t monitor_next_tick(const struct monitor *monitor, int64_t now_ms);

bool monitor_quit_requested(const struct monitor *monitor);

/* For tests and the measured note: frames drawn so far. */
uint64_t monitor_frames(const struct monitor *monitor);

#endif

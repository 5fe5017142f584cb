/* watch.c — the interactive monitor, on live data (a Density account or
 * --api-url), on the demo (--demo: the mock server and the simulator in
 * this process, reached over real loopback HTTP and WebSocket), or on a
 * --record recording played back (--replay FILE) at its recorded speed.
 *
 * Wiring only: net/session keeps the counts, ui/monitor draws them.  One
 * thread runs the loop and draws; the terminal and its signals are descriptors
 * the loop watches (DESIGN.md); a tick drives the frames. */
#include "config.h"

#include "watch.h"

#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/playclock.h"
#include "core/termtext.h"
#include "net/loop.h"
#include "net/session.h"
#include "serve.h"
#include "token.h"
#include "ui/monitor.h"
#include "ui/screen.h"
#include "wire/recording.h"

enum {
    REPLAY_TICK_MS = 25,       /* a replay applies its messages this often */
    RELOAD_AFTER_MS = 10000,   /* a site that could not be used is asked for again */
    REPLAY_ENTRIES_PER_TICK = 20000, /* keys stay answered while a replay catches up */
};

/* --replay RECORDING: the recording's messages, applied as their time comes. */
struct player {
    struct recording *recording;
    struct live *live;
    struct playclock clock;
    struct recording_entry next;
    bool has_next, ended;
};

struct watch {
    const struct options *options;
    struct token token;
    char demo_token[64];
    const char *base_url;
    struct net_loop *loop;
    struct serve *serve;       /* --demo */
    struct session *session;   /* live data and the demo */
    struct player player;      /* --replay */
    struct screen *screen;
    struct monitor *monitor;
    const struct tz_zone **zones_for_free; /* lent to the monitor */
    lws_sorted_usec_list_t tick;
    int64_t tick_at_ms;        /* when the tick is scheduled */
    int exit_status;
    int64_t reload_at_ms;
    char mode_label[32];
    char farewell[600];        /* printed after the screen is given back */
};

static volatile sig_atomic_t stop_requested;

static void on_tick(lws_sorted_usec_list_t *sul);

/* The tick runs when the monitor has something to draw, else once a second:
 * an idle desk costs almost nothing. */
static void schedule_tick(struct watch *w, int64_t at_ms)
{
    int64_t now = net_wall_ms();
    if (at_ms < now)
        at_ms = now;
    w->tick_at_ms = at_ms;
    lws_sul_schedule(net_loop_context(w->loop), 0, &w->tick, on_tick,
                     (lws_usec_t)(at_ms - now) * 1000);
}

/* Something changed: draw it soon (at most once per frame delay). */
static void wake_monitor(struct watch *w)
{
    if (!w->monitor)
        return;
    int64_t at = monitor_next_tick(w->monitor, net_wall_ms());
    if (at < w->tick_at_ms)
        schedule_tick(w, at);
}

/* --- the session's news --------------------------------------------------------------- */

/* Something the monitor cannot show (--kiosk names a space the site does
 * not have): stop, and say it once the terminal is given back. */
static void give_up(struct watch *w, const char *why)
{
    snprintf(w->farewell, sizeof w->farewell, "%s", why);
    w->exit_status = EXIT_BAD_INPUT;
    stop_requested = 1;
    net_loop_wake(w->loop);
}

/* Each space's zone, for the monitor, which keeps the pointer: it is freed
 * with the watch (or when the next one replaces it). */
static const struct tz_zone **zones_of(struct session *s)
{
    size_t n = session_site(s)->space_count;
    const struct tz_zone **zones = calloc(n ? n : 1, sizeof *zones);
    for (size_t i = 0; zones && i < n; i++)
        zones[i] = session_zone(s, (site_index)i);
    return zones;
}

static void on_ready(void *context)
{
    struct watch *w = context;
    struct session *s = w->session;
    const struct tz_zone **zones = zones_of(s);
    if (!zones || monitor_attach(w->monitor, session_site(s), session_live(s),
                                 (const struct tz_zone *const *)zones) != 0)
        give_up(w, zones && monitor_message(w->monitor)[0] ? monitor_message(w->monitor)
                                                           : "out of memory");
    free(w->zones_for_free);
    w->zones_for_free = zones;
    wake_monitor(w);
}

static void on_reshaped(void *context)
{
    struct watch *w = context;
    const struct tz_zone **zones = zones_of(w->session);
    if (!zones || monitor_reshape(w->monitor, (const struct tz_zone *const *)zones) != 0) {
        free((void *)zones);
        give_up(w, "out of memory following the server's spaces");
        return;
    }
    free(w->zones_for_free);
    w->zones_for_free = zones;
    wake_monitor(w);
}

static void on_event(void *context, site_index space, const struct space_event *event,
                     int64_t count_before, int64_t received_ms)
{
    struct watch *w = context;
    (void)received_ms;
    monitor_event(w->monitor, space, event, count_before);
    wake_monitor(w);
}

static void on_problem(void *context, enum session_problem problem, bool loading,
                       const char *message)
{
    struct watch *w = context;
    monitor_set_status(w->monitor, message);
    wake_monitor(w);
    if (problem == SESSION_AUTH) {
        w->exit_status = EXIT_AUTH;
        snprintf(w->farewell, sizeof w->farewell, "%s", message);
    } else if (loading) {
        w->reload_at_ms = net_wall_ms() + RELOAD_AFTER_MS;
    }
}

static void on_log(void *context, const char *line)
{
    struct watch *w = context;
    monitor_log(w->monitor, line);
    wake_monitor(w);
}

static void on_history(void *context, site_index space, const struct count_page *page,
                       const char *error)
{
    struct watch *w = context;
    monitor_history(w->monitor, space, page, error);
    wake_monitor(w);
}

static void on_edited(void *context, site_index space, const char *error)
{
    struct watch *w = context;
    monitor_edited(w->monitor, space, error);
    wake_monitor(w);
}

/* --- the monitor's requests ------------------------------------------------------------------ */

static void ask_history(void *context, site_index space)
{
    struct watch *w = context;
    int64_t now = w->serve ? serve_now(w->serve) : net_wall_ms();
    session_fetch_history(w->session, space, now - 24 * 3600 * 1000LL, now, "5m");
}

static void ask_edit(void *context, site_index space, const char *json_body)
{
    struct watch *w = context;
    session_edit_space(w->session, space, json_body);
}

static int64_t demo_clock(void *context)
{
    struct watch *w = context;
    return serve_now(w->serve);
}

/* --- a recording played back -------------------------------------------------------------- */

static int64_t replay_clock(void *context)
{
    struct watch *w = context;
    return playclock_recorded(&w->player.clock, net_wall_ms());
}

static void end_replay(struct watch *w, const char *why)
{
    struct player *p = &w->player;
    p->ended = true;
    live_set_connection(p->live, LIVE_OFFLINE, net_wall_ms());
    monitor_set_status(w->monitor, why);
}

/* The next entry of the recording, skipping (and showing) bad lines. */
static bool read_next(struct watch *w)
{
    struct player *p = &w->player;
    struct wire_error error;
    for (;;) {
        switch (recording_next(p->recording, &p->next, &error)) {
        case RECORDING_ENTRY:
            return p->has_next = true;
        case RECORDING_BAD_LINE:
            monitor_log(w->monitor, error.message);
            continue;
        case RECORDING_END:
            end_replay(w, "end of the recording: q quits");
            return false;
        default:
            end_replay(w, error.message);
            return false;
        }
    }
}

static void play(struct watch *w)
{
    struct player *p = &w->player;
    struct site *site = recording_site(p->recording);
    int64_t now = replay_clock(w);
    for (int n = 0; n < REPLAY_ENTRIES_PER_TICK && !p->ended; n++) {
        if (!p->has_next && !read_next(w))
            return;
        if (p->next.received_ms > now)
            return;
        p->has_next = false;
        const struct space_event *event = &p->next.message.payload;
        site_index space = p->next.kind == RECORDING_MESSAGE
                               ? site_find_space(site, event->space_id) : SITE_NONE;
        int64_t before = space != SITE_NONE ? live_count(p->live, space) : 0;
        if (recording_apply(&p->next, site, p->live) == LIVE_APPLIED && space != SITE_NONE)
            monitor_event(w->monitor, space, event, before);
    }
}

static int start_replay(struct watch *w, char *error, size_t error_size)
{
    struct player *p = &w->player;
    struct wire_error problem;
    FILE *other = NULL;
    p->recording = recording_open(w->options->replay_path, &other, &problem);
    if (!p->recording) {
        if (other) {
            fclose(other);
            snprintf(problem.message, sizeof problem.message, "--replay of a sensor log needs "
                     "--batch (the monitor plays back --record recordings)");
            w->exit_status = EXIT_USAGE;
        }
        snprintf(error, error_size, "%s", problem.message);
        return -1;
    }
    p->live = live_new(recording_site(p->recording));
    if (!p->live) {
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    recording_start(p->recording, p->live);
    playclock_start(&p->clock, recording_started(p->recording), net_wall_ms(),
                    w->options->speed);
    snprintf(w->mode_label, sizeof w->mode_label, w->options->ascii ? "REPLAY x%g"
             : "REPLAY \u00d7%g", w->options->speed);
    return 0;
}

static int attach_replay(struct watch *w, char *error, size_t error_size)
{
    struct player *p = &w->player;
    if (monitor_attach(w->monitor, recording_site(p->recording), p->live, NULL) != 0) {
        snprintf(error, error_size, "%s", monitor_message(w->monitor)[0]
                                              ? monitor_message(w->monitor) : "out of memory");
        return -1;
    }
    play(w);
    return 0;
}

/* --- the terminal and the clock -------------------------------------------------------------- */

static void on_keys(void *context)
{
    struct watch *w = context;
    monitor_input(w->monitor, net_wall_ms());
    wake_monitor(w);
    if (monitor_quit_requested(w->monitor)) {
        stop_requested = 1;
        net_loop_wake(w->loop);
    }
}

static void on_resize(void *context)
{
    struct watch *w = context;
    monitor_resized(w->monitor);
    wake_monitor(w);
}

static void on_tick(lws_sorted_usec_list_t *sul)
{
    struct watch *w = lws_container_of(sul, struct watch, tick);
    int64_t now = net_wall_ms();
    if (w->reload_at_ms && now >= w->reload_at_ms) {
        w->reload_at_ms = 0;
        session_start(w->session);
    }
    if (w->session)
        session_tick(w->session, now);
    else if (!w->player.ended)
        play(w);
    monitor_tick(w->monitor, now);
    int64_t next = monitor_next_tick(w->monitor, net_wall_ms());
    if (w->options->replay_path && !w->player.ended && next > now + REPLAY_TICK_MS)
        next = now + REPLAY_TICK_MS;
    schedule_tick(w, next);
}

/* --- life ------------------------------------------------------------------------------------- */

static int load_token(struct watch *w, const char *config_token, char *error, size_t error_size)
{
    const struct options *o = w->options;
    int status = token_load(&w->token, o->token, o->token_file, config_token, error, error_size);
    if (status == 1) {
        snprintf(error, error_size, "no API token: set DENSITY_API_TOKEN, or give --token-file "
                 "FILE (or try the demo: occtop --demo)");
        w->exit_status = EXIT_USAGE;
        return -1;
    }
    if (status != 0)
        w->exit_status = EXIT_BAD_INPUT;
    return status;
}

static int start_source(struct watch *w, const char *api_url, const char *config_token,
                        char *error, size_t error_size)
{
    const struct options *o = w->options;
    if (o->replay_path)
        return start_replay(w, error, error_size);
    if (!o->demo) {
        w->base_url = api_url;
        return load_token(w, config_token, error, error_size);
    }
    int status;
    w->serve = serve_demo(o, w->loop, w->demo_token, sizeof w->demo_token, &status, error,
                          error_size);
    if (!w->serve) {
        w->exit_status = status;
        return -1;
    }
    snprintf(w->token.value, sizeof w->token.value, "%s", w->demo_token);
    w->base_url = serve_base_url(w->serve);
    snprintf(w->mode_label, sizeof w->mode_label, o->ascii ? "DEMO x%g" : "DEMO \u00d7%g",
             serve_speed(w->serve));
    return 0;
}

static int start_screen(struct watch *w, char *error, size_t error_size)
{
    const struct options *o = w->options;
    struct screen_config screen = { .ascii = o->ascii, .no_color = o->no_color,
                                    .mouse = !o->no_mouse };
    w->screen = screen_open(&screen, error, error_size);
    if (!w->screen)
        return -1;
    struct monitor_config config = {
        .alert = o->quiet ? MONITOR_ALERT_NONE : (enum monitor_alert)o->alert,
        .readonly = o->readonly,
        .delay_ms = o->delay_ms,
        .kiosk_space_id = o->kiosk,
        .rotate_seconds = o->rotate_seconds,
        .tag = o->tag,
        .come_in_text = o->come_in_text,
        .wait_text = o->please_wait_text,
        .mode_label = w->mode_label[0] ? w->mode_label : NULL,
        .insecure = o->insecure,
    };
    struct monitor_actions actions = { .context = w, .history = ask_history,
                                       .edit = o->readonly ? NULL : ask_edit,
                                       .clock = w->serve ? demo_clock : NULL };
    if (o->replay_path) /* a recording holds no history, and edits go nowhere */
        actions = (struct monitor_actions){ .context = w, .clock = replay_clock };
    w->monitor = monitor_new(w->screen, &config, &actions);
    if (!w->monitor) {
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    net_loop_log_to(on_log, w);
    if (net_loop_watch_fd(w->loop, screen_input_fd(w->screen), on_keys, w) != 0 ||
        (screen_signal_fd(w->screen) >= 0 &&
         net_loop_watch_fd(w->loop, screen_signal_fd(w->screen), on_resize, w) != 0)) {
        snprintf(error, error_size, "cannot watch the terminal for keys");
        return -1;
    }
    return 0;
}

static int start_session(struct watch *w, char *error, size_t error_size)
{
    const struct options *o = w->options;
    if (o->replay_path)
        return 0;
    struct session_config config = {
        .base_url = w->base_url,
        .token = w->token.value,
        .budget = o->budget,
        .insecure = o->insecure,
        .load_attempts = 0, /* a desk keeps trying, and says so on screen */
    };
    struct session_handlers handlers = {
        .context = w,
        .ready = on_ready,
        .reshaped = on_reshaped,
        .event = on_event,
        .problem = on_problem,
        .log = on_log,
        .history = on_history,
        .edited = on_edited,
    };
    w->session = session_new(w->loop, &config, &handlers, error, error_size);
    if (!w->session)
        return -1;
    session_start(w->session);
    return 0;
}

static void watch_free(struct watch *w)
{
    if (w->loop)
        lws_sul_cancel(&w->tick);
    net_loop_log_to(NULL, NULL);
    monitor_free(w->monitor);
    screen_close(w->screen);
    session_stop(w->session);
    serve_stop(w->serve);
    net_loop_free(w->loop);
    session_free(w->session);
    serve_free(w->serve);
    live_free(w->player.live);
    recording_close(w->player.recording);
    free(w->zones_for_free);
    token_clear(&w->token);
    explicit_bzero(w->demo_token, sizeof w->demo_token);
}

int watch_run(const struct options *options, const char *api_url, const char *config_token)
{
    struct watch w;
    memset(&w, 0, sizeof w);
    w.options = options;
    w.exit_status = EXIT_OK;
    char error[600];
    /* Before any thread starts: the terminal's signals are read from a
     * signalfd by the loop thread. */
    screen_block_signals();
    w.loop = net_loop_new(error, sizeof error);
    if (!w.loop || start_source(&w, api_url, config_token, error, sizeof error) != 0 ||
        start_session(&w, error, sizeof error) != 0 ||
        start_screen(&w, error, sizeof error) != 0 ||
        (options->replay_path && attach_replay(&w, error, sizeof error) != 0)) {
        int status = w.exit_status == EXIT_OK ? EXIT_BAD_INPUT : w.exit_status;
        watch_free(&w);
        fprintf(stderr, "occtop: %s\n", error);
        return status;
    }
    stop_requested = 0;
    net_loop_catch_signals(&stop_requested);
    monitor_tick(w.monitor, net_wall_ms());
    schedule_tick(&w, net_wall_ms() + 1);
    if (net_loop_run(w.loop, &stop_requested) != 0 && w.exit_status == EXIT_OK)
        w.exit_status = EXIT_BAD_INPUT;
    int status = w.exit_status;
    char farewell[sizeof w.farewell];
    snprintf(farewell, sizeof farewell, "%s", w.farewell);
    watch_free(&w);
    if (farewell[0])
        fprintf(stderr, "occtop: %s\n", farewell);
    return status;
}

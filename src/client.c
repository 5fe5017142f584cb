/* client.c — occtop --batch on live data: the hierarchy over REST, then the
 * websocket stream, printed as one line per count change (or a snapshot
 * every --interval seconds).
 *
 * Wiring only: net/rest fetches (one budget for the process), net/stream
 * follows the socket, core/live keeps the counts and their freshness.  The
 * counts are re-fetched after every (re)connection (events sent while the
 * stream was down are lost), at each space's daily reset in its own zone
 * (resets are not pushed on the socket), and every REFRESH_MINUTES. */
#include "config.h"

#include "client.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/live.h"
#include "core/termtext.h"
#include "core/timefmt.h"
#include "core/tz.h"
#include "net/loop.h"
#include "net/rest.h"
#include "net/stream.h"
#include "token.h"
#include "ui/batch.h"
#include "wire/json_model.h"
#include "wire/site_zones.h"

enum {
    TICK_MS = 100,
    REFRESH_MINUTES = 10,
    MALFORMED_LOG_EVERY_MS = 1000,
    LOAD_ATTEMPTS = 5, /* about 8 s of backoff before "unreachable" */
};

enum client_tag {
    TAG_SPACES = 1,   /* the hierarchy: spaces, doorways, sensors pages */
    TAG_DOORWAYS,
    TAG_SENSORS,
    TAG_REFRESH,      /* counts: a page of /spaces/ */
};

static const char *const list_paths[] = {
    [TAG_SPACES] = "/spaces/?page_size=1000",
    [TAG_DOORWAYS] = "/doorways/?page_size=1000",
    [TAG_SENSORS] = "/sensors/?page_size=1000",
};

struct client {
    const struct options *options;
    struct token token;
    const char *base_url;
    struct net_loop *loop;
    struct rest *rest;
    struct stream *stream;
    struct site *site;
    struct live *live;
    struct tzdb *zones_db;
    const struct tz_zone **zones;
    lws_sorted_usec_list_t tick;
    bool running; /* the hierarchy is loaded and the stream started */
    int exit_status;
    bool finished;
    int64_t started_ms, next_snapshot_ms, next_refresh_ms, next_reset_ms;
    uint64_t snapshots, lines;
    bool refreshing;
    int64_t last_malformed_log_ms;
    uint64_t malformed_unlogged;
    FILE *record;           /* --record, or NULL (also after a write failed) */
    char record_name[256];  /* terminal-safe, for messages */
};

static volatile sig_atomic_t stop_requested;

static void finish(struct client *c, int status)
{
    if (!c->finished) {
        c->finished = true;
        c->exit_status = status;
    }
    stop_requested = 1;
    /* finish() runs inside lws_service: wake it, or it sleeps until its next
     * timer (the 15 s ping) before the loop sees the flag. */
    net_loop_wake(c->loop);
}

/* --- output ------------------------------------------------------------------------ */

static void print_change(struct client *c, site_index i)
{
    const struct space *s = &c->site->spaces[i];
    char when[TIMEFMT_SIZE], name[256], id[128];
    timefmt_format(live_updated(c->live, i), when, sizeof when);
    if (c->options->format == FORMAT_JSON) {
        json_t *line = json_pack("{s:s, s:s?, s:s?, s:I, s:s}", "time", when, "space_id", s->id,
                                 "name", s->name, "count", (json_int_t)live_count(c->live, i),
                                 "connection",
                                 live_connection_name(live_connection_state(c->live)));
        char *text = line ? json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
        if (text)
            printf("%s\n", text);
        free(text);
        json_decref(line);
    } else {
        unsigned flags = c->options->ascii ? TERMTEXT_ASCII : 0;
        termtext_sanitize_str(s->name ? s->name : "", name, sizeof name, 60, flags);
        termtext_sanitize_str(s->id, id, sizeof id, 48, flags);
        printf("%s %s %" PRId64 " %s\n", when, id, live_count(c->live, i), name);
    }
    c->lines++;
}

static void print_snapshot(struct client *c)
{
    for (size_t i = 0; i < c->site->space_count; i++)
        c->site->spaces[i].current_count = live_count(c->live, (site_index)i);
    struct batch_options batch = {
        .json = c->options->format == FORMAT_JSON,
        .ascii = c->options->ascii,
        .warn_fraction = SAFE_DEFAULT_WARN_FRACTION,
    };
    int64_t now = net_wall_ms();
    char when[TIMEFMT_SIZE];
    timefmt_format(now, when, sizeof when);
    if (!batch.json) {
        int64_t age = live_data_age(c->live, now);
        printf("%s %s, newest data %" PRId64 " s old\n", when,
               live_connection_name(live_connection_state(c->live)), age < 0 ? 0 : age / 1000);
    }
    batch_print_site(stdout, c->site, &batch);
    c->snapshots++;
}

/* --- recording ------------------------------------------------------------------------ */

static int open_recording(struct client *c, char *error, size_t error_size)
{
    termtext_sanitize_str(c->options->record_path, c->record_name, sizeof c->record_name, 100, 0);
    c->record = fopen(c->options->record_path, "a");
    if (!c->record) {
        snprintf(error, error_size, "cannot open the recording %s: %s", c->record_name,
                 strerror(errno));
        return -1;
    }
    return 0;
}

/* A full disk must not stop the monitor: say so once, stop recording. */
static void record_line(struct client *c, json_t *line)
{
    char *text = line ? json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(line);
    if (!text || !c->record) {
        free(text);
        return;
    }
    errno = 0;
    if (fputs(text, c->record) < 0 || fputc('\n', c->record) == EOF || fflush(c->record) != 0) {
        fprintf(stderr, "occtop: cannot write the recording %s: %s; recording stopped\n",
                c->record_name, strerror(errno ? errno : EIO));
        fclose(c->record);
        c->record = NULL;
    }
    free(text);
}

/* The first line: the site as loaded, so a recording can be replayed alone. */
static void record_header(struct client *c)
{
    json_t *spaces = json_array(), *doorways = json_array(), *sensors = json_array();
    for (size_t i = 0; i < c->site->space_count; i++)
        json_array_append_new(spaces, wire_encode_space(c->site, (site_index)i));
    for (size_t i = 0; i < c->site->doorway_count; i++)
        json_array_append_new(doorways, wire_encode_doorway(c->site, (site_index)i));
    for (size_t i = 0; i < c->site->sensor_count; i++)
        json_array_append_new(sensors, wire_encode_sensor(c->site, (site_index)i));
    char when[TIMEFMT_SIZE];
    timefmt_format(net_wall_ms(), when, sizeof when);
    record_line(c, json_pack("{s:i, s:s, s:s, s:{s:s, s:o, s:o, s:o}}", "occtop_recording", 1,
                             "api_url", c->base_url, "started_at", when, "site", "name",
                             c->base_url, "spaces", spaces, "doorways", doorways, "sensors",
                             sensors));
}

static void on_raw(void *context, const char *text, size_t length, int64_t received_ms)
{
    struct client *c = context;
    if (!c->record)
        return;
    char when[TIMEFMT_SIZE];
    timefmt_format(received_ms, when, sizeof when);
    json_t *message = json_loadb(text, length, 0, NULL);
    record_line(c, message ? json_pack("{s:s, s:o}", "received_at", when, "message", message)
                           : json_pack("{s:s, s:b, s:I}", "received_at", when, "malformed", 1,
                                       "length", (json_int_t)length));
}

/* --- counts ------------------------------------------------------------------------ */

static void request_refresh(struct client *c)
{
    if (c->refreshing)
        return;
    c->refreshing = true;
    rest_request(c->rest, REST_GET, list_paths[TAG_SPACES], NULL, TAG_REFRESH, NULL);
}

static void take_refresh_page(struct client *c, const struct rest_result *r, const json_t *json)
{
    struct wire_page page;
    struct wire_error error;
    if (wire_decode_page(json, "spaces", &page, &error) != 0) {
        fprintf(stderr, "occtop: %s\n", error.message);
        c->refreshing = false;
        return;
    }
    for (size_t k = 0; k < json_array_size(page.results); k++) {
        const json_t *space = json_array_get(page.results, k);
        const json_t *id = json_object_get(space, "id");
        const json_t *count = json_object_get(space, "current_count");
        if (!json_is_string(id) || !json_is_integer(count))
            continue;
        site_index i = site_find_space(c->site, json_string_value(id));
        if (i != SITE_NONE)
            live_refresh(c->live, i, json_integer_value(count), r->sent_ms, net_wall_ms());
    }
    if (page.next)
        rest_request(c->rest, REST_GET, page.next, NULL, TAG_REFRESH, NULL);
    else
        c->refreshing = false;
}

/* The earliest daily reset of any space, so counts are fetched then. */
static int64_t next_reset_after(const struct client *c, int64_t now_ms)
{
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < c->site->space_count; i++) {
        int64_t at = tz_next_daily(c->zones[i], now_ms / 1000,
                                   c->site->spaces[i].daily_reset_minute * 60) * 1000;
        if (at < next)
            next = at;
    }
    return next;
}

/* --- the hierarchy --------------------------------------------------------------------- */

static int decode_list(struct client *c, enum client_tag tag, const json_t *results,
                       struct wire_error *error)
{
    switch (tag) {
    case TAG_SPACES:
        return wire_decode_space_list(c->site, results, "spaces", error);
    case TAG_DOORWAYS:
        c->site->has_doorway_list = true;
        return wire_decode_doorway_list(c->site, results, "doorways", error);
    default:
        c->site->has_sensor_list = true;
        return wire_decode_sensor_list(c->site, results, "sensors", error);
    }
}

static void start_running(struct client *c)
{
    if (site_link(c->site) != 0 || !(c->live = live_new(c->site)) ||
        !(c->zones_db = tzdb_new(NULL)) ||
        !(c->zones = site_zones_load(c->zones_db, c->site, NULL, NULL))) {
        fprintf(stderr, "occtop: out of memory\n");
        finish(c, EXIT_BAD_INPUT);
        return;
    }
    for (size_t i = 0; i < c->site->problem_count; i++)
        fprintf(stderr, "occtop: warning: %s\n", c->site->problems[i].message);
    int64_t now = net_wall_ms();
    for (size_t i = 0; i < c->site->space_count; i++)
        live_refresh(c->live, (site_index)i, c->site->spaces[i].current_count, c->started_ms, now);
    site_index scratch[256]; /* the first counts are not changes */
    while (live_take_changed(c->live, scratch, 256) > 0)
        continue;
    if (c->record)
        record_header(c);
    c->running = true;
    c->next_refresh_ms = now + REFRESH_MINUTES * 60000;
    c->next_reset_ms = next_reset_after(c, now);
    c->next_snapshot_ms = now;
    stream_start(c->stream);
}

static void take_list_page(struct client *c, const struct rest_result *r, const json_t *json)
{
    struct wire_page page;
    struct wire_error error;
    enum client_tag tag = (enum client_tag)r->tag;
    if (wire_decode_page(json, list_paths[tag] + 1, &page, &error) != 0 ||
        decode_list(c, tag, page.results, &error) != 0) {
        fprintf(stderr, "occtop: %s: %s\n", c->base_url, error.message);
        finish(c, EXIT_BAD_INPUT);
        return;
    }
    if (page.next)
        rest_request(c->rest, REST_GET, page.next, NULL, tag, NULL);
    else if (tag == TAG_SPACES || tag == TAG_DOORWAYS)
        rest_request(c->rest, REST_GET, list_paths[tag + 1], NULL, tag + 1, NULL);
    else
        start_running(c);
}

/* --- results ---------------------------------------------------------------------------- */

static void explain_auth(struct client *c)
{
    char server[256];
    termtext_sanitize_str(c->base_url, server, sizeof server, 120, 0);
    fprintf(stderr, "occtop: token rejected by %s: set the API token of your Density account "
            "in DENSITY_API_TOKEN, or put it in a file given with --token-file (or in "
            "~/.config/occtop/config as: token = ...)\n", server);
}

static void take_result(struct client *c, struct rest_result *r)
{
    if (r->tag == STREAM_REST_TAG_SOCKET || r->tag == STREAM_REST_TAG_RESOLVE) {
        stream_take_rest_result(c->stream, r);
        return;
    }
    if (r->status == 403) {
        explain_auth(c);
        if (c->live) /* NULL while the hierarchy is still loading */
            live_set_connection(c->live, LIVE_AUTH_ERROR, net_wall_ms());
        finish(c, EXIT_AUTH);
        return;
    }
    if (r->status != 200) {
        if (!c->running) {
            fprintf(stderr, "occtop: %s\n",
                    r->status ? "the server answered with an error" : r->error);
            finish(c, r->status ? EXIT_BAD_INPUT : EXIT_UNREACHABLE);
        } else if (r->tag == TAG_REFRESH) {
            c->refreshing = false; /* the next tick or connection tries again */
        }
        return;
    }
    struct wire_error error;
    json_t *json = wire_json_parse(r->body ? r->body : "", r->body_length, c->base_url, &error);
    if (!json) {
        fprintf(stderr, "occtop: %s\n", error.message);
        if (!c->running)
            finish(c, EXIT_BAD_INPUT);
        else
            c->refreshing = false;
        return;
    }
    if (r->tag == TAG_REFRESH)
        take_refresh_page(c, r, json);
    else
        take_list_page(c, r, json);
    json_decref(json);
}

static void on_wake(void *context)
{
    struct client *c = context;
    struct rest_result r;
    while (!c->finished && rest_take(c->rest, &r)) {
        take_result(c, &r);
        rest_result_clear(&r);
    }
}

/* --- the stream -------------------------------------------------------------------------- */

static void on_message(void *context, const struct space_event *event, int64_t received_ms)
{
    struct client *c = context;
    if (c->live)
        live_apply(c->live, event, received_ms);
}

static void on_malformed(void *context, const char *why)
{
    struct client *c = context;
    if (c->live)
        live_count_malformed(c->live);
    int64_t now = net_wall_ms();
    if (now - c->last_malformed_log_ms < MALFORMED_LOG_EVERY_MS) {
        c->malformed_unlogged++;
        return;
    }
    c->last_malformed_log_ms = now;
    fprintf(stderr, "occtop: stream: %s", why);
    if (c->malformed_unlogged)
        fprintf(stderr, " (and %" PRIu64 " more since the last line)", c->malformed_unlogged);
    fputc('\n', stderr);
    c->malformed_unlogged = 0;
}

static void on_stream_state(void *context, enum stream_state state, bool connected)
{
    struct client *c = context;
    int64_t now = net_wall_ms();
    switch (state) {
    case STREAM_LIVE:
        live_set_connection(c->live, LIVE_LIVE, now);
        break;
    case STREAM_RECONNECTING:
        live_set_connection(c->live, LIVE_RECONNECTING, now);
        break;
    case STREAM_AUTH_ERROR:
        live_set_connection(c->live, LIVE_AUTH_ERROR, now);
        explain_auth(c);
        finish(c, EXIT_AUTH);
        break;
    default:
        break;
    }
    if (connected) {
        live_new_connection(c->live);
        c->refreshing = false; /* a refresh from before the drop may never finish */
        request_refresh(c);
    }
}

/* --- the clock ------------------------------------------------------------------------------ */

static void on_tick(lws_sorted_usec_list_t *sul)
{
    struct client *c = lws_container_of(sul, struct client, tick);
    int64_t now = net_wall_ms();
    const struct options *o = c->options;
    if (o->duration_seconds > 0 && now - c->started_ms >= o->duration_seconds * 1000)
        finish(c, EXIT_OK);
    if (c->running && !c->finished) {
        if (o->interval_seconds > 0) {
            if (now >= c->next_snapshot_ms) {
                print_snapshot(c);
                c->next_snapshot_ms = now + o->interval_seconds * 1000;
            }
        } else {
            site_index changed[512];
            size_t n;
            bool room = true;
            while (room && (n = live_take_changed(c->live, changed, 512)) > 0)
                for (size_t k = 0; k < n && room; k++) {
                    print_change(c, changed[k]);
                    room = o->iterations <= 0 || c->lines < (uint64_t)o->iterations;
                }
        }
        fflush(stdout);
        if (o->iterations > 0 &&
            (o->interval_seconds > 0 ? c->snapshots : c->lines) >= (uint64_t)o->iterations)
            finish(c, EXIT_OK);
        if (now >= c->next_refresh_ms || now >= c->next_reset_ms) {
            request_refresh(c);
            c->next_refresh_ms = now + REFRESH_MINUTES * 60000;
            c->next_reset_ms = next_reset_after(c, now + 1000);
        }
    }
    if (!c->finished)
        lws_sul_schedule(net_loop_context(c->loop), 0, &c->tick, on_tick,
                         TICK_MS * LWS_USEC_PER_SEC / 1000);
}

/* --- life -------------------------------------------------------------------------------- */

static int start(struct client *c, char *error, size_t error_size)
{
    const struct options *o = c->options;
    c->loop = net_loop_new(error, error_size);
    if (!c->loop)
        return -1;
    struct rest_config rest = {
        .base_url = c->base_url,
        .token = c->token.value,
        .requests_per_minute = o->budget,
        .insecure = o->insecure,
        .max_attempts = LOAD_ATTEMPTS,
        .wake = net_loop_wake,
        .wake_context = c->loop,
    };
    c->rest = rest_new(&rest, error, error_size);
    if (!c->rest)
        return -1;
    struct stream_handlers handlers = {
        .context = c,
        .message = on_message,
        .raw = o->record_path ? on_raw : NULL,
        .malformed = on_malformed,
        .state = on_stream_state,
    };
    if (o->record_path && open_recording(c, error, error_size) != 0)
        return -1;
    c->stream = stream_new(c->loop, c->rest, o->insecure, &handlers, error, error_size);
    if (!c->stream)
        return -1;
    c->site = site_new();
    if (c->site)
        c->site->name = strdup(c->base_url); /* the API names no site */
    if (!c->site || !c->site->name) {
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    net_loop_on_wake(c->loop, on_wake, c);
    if (o->insecure)
        fprintf(stderr, "occtop: warning: --insecure: TLS certificates are not checked\n");
    rest_request(c->rest, REST_GET, list_paths[TAG_SPACES], NULL, TAG_SPACES, NULL);
    return 0;
}

static void client_free(struct client *c)
{
    if (c->loop)
        lws_sul_cancel(&c->tick);
    stream_stop(c->stream);
    rest_free(c->rest); /* stops the worker: nothing wakes the loop any more */
    net_loop_free(c->loop);
    stream_free(c->stream);
    live_free(c->live);
    if (c->record)
        fclose(c->record);
    free((void *)c->zones);
    tzdb_free(c->zones_db);
    site_free(c->site);
    token_clear(&c->token);
}

int client_run(const struct options *options, const char *base_url, const char *config_token)
{
    struct client c;
    memset(&c, 0, sizeof c);
    c.options = options;
    c.base_url = base_url;
    char error[512];
    int status = token_load(&c.token, options->token, options->token_file, config_token, error,
                            sizeof error);
    if (status == 1) {
        fprintf(stderr, "occtop: no API token: set DENSITY_API_TOKEN, or give --token-file "
                "FILE\n");
        return EXIT_USAGE;
    }
    if (status != 0) {
        fprintf(stderr, "occtop: %s\n", error);
        return EXIT_BAD_INPUT;
    }
    c.started_ms = net_wall_ms();
    c.exit_status = EXIT_OK;
    stop_requested = 0;
    if (start(&c, error, sizeof error) != 0) {
        fprintf(stderr, "occtop: %s\n", error);
        client_free(&c);
        return EXIT_BAD_INPUT;
    }
    net_loop_catch_signals(&stop_requested);
    lws_sul_schedule(net_loop_context(c.loop), 0, &c.tick, on_tick,
                     TICK_MS * LWS_USEC_PER_SEC / 1000);
    if (net_loop_run(c.loop, &stop_requested) != 0 && !c.finished)
        c.exit_status = EXIT_BAD_INPUT;
    fflush(stdout);
    int result = c.exit_status;
    client_free(&c);
    return result;
}

/* client.c — occtop --batch on live data: the hierarchy over REST, then the
 * websocket stream, printed as one line per count change (or a snapshot
 * every --interval seconds).
 *
 * Wiring only: net/session loads the site, follows the stream and keeps the
 * counts fresh; this prints them, records the stream (--record), and turns
 * problems into exit statuses. */
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
#include "net/loop.h"
#include "net/session.h"
#include "serve.h"
#include "token.h"
#include "ui/batch.h"
#include "wire/json_model.h"

enum {
    TICK_MS = 100,
    LOAD_ATTEMPTS = 5, /* about 8 s of backoff before "unreachable" */
};

struct client {
    const struct options *options;
    struct token token;
    const char *base_url;
    struct net_loop *loop;
    struct serve *serve;    /* --demo */
    char demo_token[64];
    struct session *session;
    struct site *site;  /* the session's, once loaded */
    struct live *live;  /* the session's, once loaded */
    lws_sorted_usec_list_t tick;
    bool running; /* the hierarchy is loaded and the stream started */
    int exit_status;
    bool finished;
    int64_t started_ms, next_snapshot_ms;
    uint64_t snapshots, lines;
    FILE *record;           /* --record, or NULL (also after a write failed) */
    char record_name[256];  /* terminal-safe, for messages */
    bool stats;             /* OCCTOP_STATS set: live_stats on stderr every tick (benchmarks) */
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

static struct batch_options batch_options_of(const struct client *c)
{
    struct batch_options batch = {
        .json = c->options->format == FORMAT_JSON,
        .ascii = c->options->ascii,
        .warn_fraction = SAFE_DEFAULT_WARN_FRACTION,
    };
    return batch;
}

/* The formats are ui/batch's, shared with --replay of a recording. */
static void print_change(struct client *c, site_index i)
{
    struct batch_options batch = batch_options_of(c);
    batch_print_change(stdout, c->site, c->live, i, &batch);
    c->lines++;
}

static void print_snapshot(struct client *c)
{
    struct batch_options batch = batch_options_of(c);
    batch_print_snapshot(stdout, c->site, c->live, net_wall_ms(), &batch);
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

/* A replay must do what the client did: forget ids and times on each new
 * connection, and take the counts each refresh brought. */
static void on_connected(void *context, int64_t at_ms)
{
    struct client *c = context;
    char when[TIMEFMT_SIZE];
    timefmt_format(at_ms, when, sizeof when);
    record_line(c, json_pack("{s:s, s:b}", "received_at", when, "connected", 1));
}

static void on_refreshed(void *context, const struct session_count *counts, size_t n,
                         int64_t as_of_ms, int64_t received_ms)
{
    struct client *c = context;
    char when[TIMEFMT_SIZE], as_of[TIMEFMT_SIZE];
    timefmt_format(received_ms, when, sizeof when);
    timefmt_format(as_of_ms, as_of, sizeof as_of);
    json_t *by_id = json_object();
    for (size_t i = 0; by_id && i < n; i++)
        json_object_set_new(by_id, c->site->spaces[counts[i].space].id,
                            json_integer(counts[i].count));
    record_line(c, by_id ? json_pack("{s:s, s:{s:s, s:o}}", "received_at", when, "refresh",
                                     "as_of", as_of, "counts", by_id)
                         : NULL);
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

/* --- the session ---------------------------------------------------------------------- */

static void on_ready(void *context)
{
    struct client *c = context;
    c->site = session_site(c->session);
    c->live = session_live(c->session);
    if (c->record)
        record_header(c);
    c->running = true;
    c->next_snapshot_ms = net_wall_ms();
}

static void on_problem(void *context, enum session_problem problem, bool loading,
                       const char *message)
{
    struct client *c = context;
    fprintf(stderr, "occtop: %s\n", message);
    if (problem == SESSION_AUTH)
        finish(c, EXIT_AUTH);
    else if (loading)
        finish(c, problem == SESSION_UNREACHABLE ? EXIT_UNREACHABLE : EXIT_BAD_INPUT);
}

static void on_log(void *context, const char *line)
{
    (void)context;
    fprintf(stderr, "occtop: %s\n", line);
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
        if (c->stats) {
            /* For tests/bench: how many stream messages reached the model, from outside. */
            const struct live_stats *st = live_stats(c->live);
            fprintf(stderr, "occtop-stats %" PRId64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
                    " %" PRIu64 "\n", now, st->applied, st->duplicates, st->stale,
                    st->unknown_space, st->malformed);
        }
        if (o->iterations > 0 &&
            (o->interval_seconds > 0 ? c->snapshots : c->lines) >= (uint64_t)o->iterations)
            finish(c, EXIT_OK);
        session_tick(c->session, now);
    }
    if (!c->finished)
        lws_sul_schedule(net_loop_context(c->loop), 0, &c->tick, on_tick,
                         TICK_MS * LWS_USEC_PER_SEC / 1000);
}

/* --- life -------------------------------------------------------------------------------- */

static int start(struct client *c, char *error, size_t error_size)
{
    const struct options *o = c->options;
    if (!c->loop && !(c->loop = net_loop_new(error, error_size)))
        return -1;
    struct session_config config = {
        .base_url = c->base_url,
        .token = c->token.value,
        .budget = o->budget,
        .insecure = o->insecure,
        .load_attempts = LOAD_ATTEMPTS,
    };
    struct session_handlers handlers = {
        .context = c,
        .ready = on_ready,
        .raw = o->record_path ? on_raw : NULL,
        .connected = o->record_path ? on_connected : NULL,
        .refreshed = o->record_path ? on_refreshed : NULL,
        .problem = on_problem,
        .log = on_log,
    };
    if (o->record_path && open_recording(c, error, error_size) != 0)
        return -1;
    c->session = session_new(c->loop, &config, &handlers, error, error_size);
    if (!c->session)
        return -1;
    if (o->insecure)
        fprintf(stderr, "occtop: warning: --insecure: TLS certificates are not checked\n");
    session_start(c->session);
    return 0;
}

static void client_free(struct client *c)
{
    if (c->loop)
        lws_sul_cancel(&c->tick);
    session_stop(c->session);
    serve_stop(c->serve);
    net_loop_free(c->loop);
    session_free(c->session);
    serve_free(c->serve);
    explicit_bzero(c->demo_token, sizeof c->demo_token);
    if (c->record)
        fclose(c->record);
    token_clear(&c->token);
}

static int client_serve(struct client *c)
{
    char error[512];
    c->started_ms = net_wall_ms();
    c->exit_status = EXIT_OK;
    stop_requested = 0;
    if (start(c, error, sizeof error) != 0) {
        fprintf(stderr, "occtop: %s\n", error);
        client_free(c);
        return EXIT_BAD_INPUT;
    }
    net_loop_catch_signals(&stop_requested);
    lws_sul_schedule(net_loop_context(c->loop), 0, &c->tick, on_tick,
                     TICK_MS * LWS_USEC_PER_SEC / 1000);
    if (net_loop_run(c->loop, &stop_requested) != 0 && !c->finished)
        c->exit_status = EXIT_BAD_INPUT;
    fflush(stdout);
    int result = c->exit_status;
    client_free(c);
    return result;
}

/* --demo: the mock server on this process's loop, reached over loopback. */
static int client_run_demo(struct client *c, char *error, size_t error_size)
{
    int status;
    c->loop = net_loop_new(error, error_size);
    c->serve = c->loop ? serve_demo(c->options, c->loop, c->demo_token, sizeof c->demo_token,
                                    &status, error, error_size)
                       : NULL;
    if (!c->serve) {
        fprintf(stderr, "occtop: %s\n", error);
        client_free(c);
        return c->loop ? status : EXIT_BAD_INPUT;
    }
    snprintf(c->token.value, sizeof c->token.value, "%s", c->demo_token);
    c->base_url = serve_base_url(c->serve);
    return client_serve(c);
}

int client_run(const struct options *options, const char *base_url, const char *config_token)
{
    struct client c;
    memset(&c, 0, sizeof c);
    c.options = options;
    c.base_url = base_url;
    c.stats = getenv("OCCTOP_STATS") != NULL;
    char error[512];
    if (options->demo)
        return client_run_demo(&c, error, sizeof error);
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
    return client_serve(&c);
}

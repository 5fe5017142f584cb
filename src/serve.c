/* serve.c — occtop --serve: the mock Density server with simulated doorways.
 *
 * Wiring: site and zones -> engine; simulator -> engine (sensor events) ->
 * api event logs, websocket fan-out and webhooks (space events; net/webhook.h
 * POSTs them from its own thread).  The simulated clock starts 24 hours back
 * so that history is full when the first client comes (that day's events are
 * not POSTed to webhooks); then it follows the wall clock times --speed, one
 * tick every 100 ms. */
#include "config.h"

#include "serve.h"

#include <errno.h>
#include <inttypes.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "core/engine.h"
#include "datafile.h"
#include "net/api.h"
#include "net/loop.h"
#include "net/server.h"
#include "net/webhook.h"
#include "sim/profile.h"
#include "sim/sim.h"
#include "token.h"
#include "wire/file_read.h"
#include "wire/file_write.h"
#include "wire/json_util.h"
#include "wire/site_file.h"
#include "wire/site_zones.h"
#include "wire/tzdb.h"

enum {
    TICK_MS = 100,
    BACKFILL_MS = 24 * 3600 * 1000,
    STATUS_EVERY_MS = 1000, /* simulated sensor heartbeats reach the api this often */
};

struct serve {
    const struct options *options;
    const char *token;
    struct site *site;
    struct tzdb *zones_db;
    const struct tz_zone **zones;
    struct engine *engine;
    struct sim *sim;      /* the profiles (and the day before a load test) */
    struct sim *load_sim; /* --rate: replaces sim from the start on */
    struct sim_profile entrance_profile;
    bool has_entrance_profile;
    struct sim_config sim_config;  /* to build the simulators again for a new shape */
    int64_t simulated_until_ms;    /* where the simulators have got to */
    struct net_loop *loop;
    struct server *server;
    struct api *api;
    struct webhook_sender *webhooks;
    bool live; /* the day before the start is simulated: its events are not webhooks' */
    lws_sorted_usec_list_t tick;
    int64_t wall_start_ms, sim_start_ms, last_status_ms;
    uint64_t sensor_event_number;
    uint64_t events_since_start; /* for --events */
};


static int64_t simulated_now(const struct serve *s)
{
    double elapsed = (double)(net_wall_ms() - s->wall_start_ms) * s->options->speed;
    return s->sim_start_ms + (int64_t)elapsed;
}

/* --- the flow of events ------------------------------------------------------- */

static void on_space_event(void *context, site_index space, const struct space_event *event)
{
    struct serve *s = context;
    api_record_space_event(s->api, space, event);
    server_broadcast(s->server, event);
    if (s->live)
        webhook_publish(s->webhooks, event);
}

static void on_sim_event(void *context, const struct sim_event *event)
{
    struct serve *s = context;
    if (event->timestamp_ms > s->sim_start_ms && s->options->has_events &&
        s->events_since_start++ >= (uint64_t)s->options->events)
        return; /* --events: the site is quiet from here on */
    struct sensor_event sensor_event;
    memset(&sensor_event, 0, sizeof sensor_event);
    snprintf(sensor_event.id, sizeof sensor_event.id, "evt_%" PRIu64,
             s->sensor_event_number++);
    snprintf(sensor_event.sensor_serial, sizeof sensor_event.sensor_serial, "%s",
             event->serial ? event->serial : "");
    if (event->doorway != SITE_NONE)
        snprintf(sensor_event.doorway_id, sizeof sensor_event.doorway_id, "%s",
                 s->site->doorways[event->doorway].id);
    sensor_event.timestamp_ms = event->timestamp_ms;
    sensor_event.trajectory = event->trajectory;
    api_record_sensor_event(s->api, &sensor_event);
    engine_apply_event(s->engine, &sensor_event);
}

static void report_sensor_status(struct serve *s, int64_t now)
{
    for (size_t i = 0; i < s->site->sensor_count; i++) {
        int64_t heartbeat = 0;
        bool online = sim_sensor_online(s->sim, (site_index)i, now, &heartbeat);
        api_set_sensor_status(s->api, (site_index)i, online, heartbeat);
    }
    s->last_status_ms = now;
}

static void advance(struct serve *s, int64_t now)
{
    s->simulated_until_ms = now;
    if (s->load_sim && now > s->sim_start_ms)
        sim_run_until(s->load_sim, now, on_sim_event, s);
    else
        sim_run_until(s->sim, now, on_sim_event, s);
    engine_advance(s->engine, now);
    if (now - s->last_status_ms >= STATUS_EVERY_MS)
        report_sensor_status(s, now);
    server_flush(s->server);
}

static void on_tick(lws_sorted_usec_list_t *sul)
{
    struct serve *s = lws_container_of(sul, struct serve, tick);
    advance(s, simulated_now(s));
    lws_sul_schedule(net_loop_context(s->loop), 0, &s->tick, on_tick,
                     TICK_MS * LWS_USEC_PER_SEC / 1000);
}

/* --- start-up ------------------------------------------------------------------ */

static void warn_zone(void *context, const char *message)
{
    (void)context;
    fprintf(stderr, "occtop: warning: %s; its spaces count in UTC\n", message);
}

/* The CalIt2 doorway data drives building entrances when it is installed
 * (or found under ./data when run from the source tree). */
static void load_entrance_profile(struct serve *s)
{
    char data_path[512], events_path[512], error[256];
    if (!datafile_find("calit2/CalIt2.data", data_path, sizeof data_path) ||
        !datafile_find("calit2/CalIt2.events", events_path, sizeof events_path)) {
        fprintf(stderr, "occtop: warning: the CalIt2 doorway data is not installed; building "
                "entrances use the built-in profile\n");
        return;
    }
    struct wire_file data, events;
    if (wire_file_read(data_path, 4 << 20, WIRE_FILE_REGULAR_ONLY, &data, NULL) != 0)
        return;
    if (wire_file_read(events_path, 1 << 20, WIRE_FILE_REGULAR_ONLY, &events, NULL) != 0) {
        free(data.data);
        return;
    }
    if (sim_profile_from_calit2(data.data, data.len, events.data, events.len,
                                &s->entrance_profile, error, sizeof error) == 0)
        s->has_entrance_profile = true;
    else
        fprintf(stderr, "occtop: warning: %s: %s\n", data_path, error);
    free(data.data);
    free(events.data);
}

/* --state: the saved site when there is one, else --site (saved at once,
 * so that the file exists from the start). */
static const char *site_source(const struct serve *s)
{
    const char *state = s->options->state_path;
    return state && access(state, F_OK) == 0 ? state : s->options->site_path;
}

static int load_site(struct serve *s, char *error, size_t error_size)
{
    struct wire_error wire;
    const char *source = site_source(s);
    s->site = site_new();
    if (!s->site || site_file_load(s->site, source, &wire) != 0) {
        snprintf(error, error_size, "%s", s->site ? wire.message : "out of memory");
        return -1;
    }
    for (size_t i = 0; i < s->site->problem_count; i++)
        fprintf(stderr, "occtop: warning: %s: %s\n", source, s->site->problems[i].message);
    s->zones_db = tzdb_new(NULL);
    if (!s->zones_db ||
        !(s->zones = site_zones_load(s->zones_db, s->site, warn_zone, NULL))) {
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    /* The simulation starts from empty spaces a day back; the file's counts
     * are a snapshot of some other moment. */
    for (size_t i = 0; i < s->site->space_count; i++)
        s->site->spaces[i].current_count = 0;
    return 0;
}

static int start_simulation(struct serve *s, char *error, size_t error_size)
{
    const struct options *o = s->options;
    struct sim_config config;
    sim_config_defaults(&config);
    config.seed = o->has_seed ? o->seed : (uint64_t)s->wall_start_ms;
    if (o->scenario && !sim_scenario_parse(o->scenario, &config.scenario)) {
        snprintf(error, error_size, "--scenario takes normal, lunch-rush, evacuation or "
                 "sensor-offline");
        return -2;
    }
    load_entrance_profile(s);
    config.entrance_profile = s->has_entrance_profile ? &s->entrance_profile : NULL;
    s->sim_config = config;

    struct engine_config engine_config;
    engine_config_defaults(&engine_config);
    engine_config.history_minutes = o->history_days * 24 * 60;
    engine_config.first_event_number = 600000000000000000ull + (config.seed % 100000000000ull);
    int64_t backfill_from = s->sim_start_ms - BACKFILL_MS;
    s->engine = engine_new(s->site, s->zones, &engine_config, backfill_from - 1);
    s->sim = sim_new(s->site, s->zones, &config, s->sim_start_ms);
    if (!s->engine || !s->sim) {
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    sim_begin(s->sim, backfill_from);
    s->sensor_event_number = 700000000000000000ull + (config.seed % 100000000000ull);
    if (o->rate > 0) {
        /* Load tests: the day before is still the profiles (a day at the
         * load rate would take minutes to compute); from the start on, the
         * whole site runs at --rate events per real second. */
        config.events_per_second = o->rate / o->speed;
        s->load_sim = sim_new(s->site, s->zones, &config, s->sim_start_ms);
        if (!s->load_sim) {
            snprintf(error, error_size, "out of memory");
            return -1;
        }
    }
    return 0;
}

/* Spaces, doorways or links were made or deleted through the API: the
 * simulators walk the new shape from where they were, starting from the
 * counts the engine holds. */
static struct sim *sim_again(struct serve *s, const struct sim_config *config)
{
    struct sim *sim = sim_new(s->site, api_zones(s->api), config, s->sim_start_ms);
    if (sim)
        sim_begin(sim, s->simulated_until_ms);
    return sim;
}

static void on_topology(void *context)
{
    struct serve *s = context;
    for (size_t i = 0; i < s->site->space_count; i++)
        s->site->spaces[i].current_count = engine_count(s->engine, (site_index)i);
    struct sim *sim = sim_again(s, &s->sim_config);
    struct sim_config load = s->sim_config;
    load.events_per_second = s->options->rate / s->options->speed;
    struct sim *load_sim = s->load_sim ? sim_again(s, &load) : NULL;
    if (!sim || (s->load_sim && !load_sim)) {
        /* The old ones walk a shape that may have moved: stop simulating. */
        fprintf(stderr, "occtop: out of memory: the simulated doorways stop\n");
        sim_free(sim);
        sim_free(load_sim);
        sim = load_sim = NULL;
    }
    sim_free(s->sim);
    sim_free(s->load_sim);
    s->sim = sim;
    s->load_sim = load_sim;
}

/* The API's whole state, written over the --state file atomically. */
static int write_state(struct serve *s, char *error, size_t error_size)
{
    json_t *state = api_state_json(s->api);
    char *text = state ? json_dumps(state, JSON_INDENT(1)) : NULL;
    json_decref(state);
    int status = text ? wire_file_replace(s->options->state_path, text, strlen(text), error,
                                          error_size)
                      : -1;
    if (!text)
        snprintf(error, error_size, "%s: not saved: out of memory", s->options->state_path);
    free(text);
    return status;
}

/* After every change through the API, before its answer goes out: a client
 * that got its 201 can rely on the change surviving a crash. */
static void save_state(void *context)
{
    struct serve *s = context;
    char error[512];
    if (s->options->state_path && write_state(s, error, sizeof error) != 0)
        fprintf(stderr, "occtop: %s; the change holds until the server stops\n", error);
}

static int start_server(struct serve *s, const char *listen, char *error, size_t error_size)
{
    const struct options *o = s->options;
    s->server = server_new(s->loop, listen,
                           o->has_seed ? o->seed : (uint64_t)s->wall_start_ms, error,
                           error_size);
    if (!s->server)
        return -1;
    struct api_config config = {
        .token = s->token,
        .rate_limit = o->rate_limit,
        .base_url = server_base_url(s->server),
        .socket_url = server_socket_url(s->server),
        /* Socket codes admit to the stream without the token: they come from
         * the system's randomness, never from --seed. */
        .seed = 0,
        .on_topology = on_topology,
        .on_change = save_state,
        .change_context = s,
    };
    s->api = api_new(s->site, s->engine, s->zones, &config);
    if (!s->api) {
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    server_set_api(s->server, s->api);
    struct webhook_config webhooks = { .organization_name = s->site->name };
    s->webhooks = webhook_new(&webhooks, error, error_size);
    if (!s->webhooks)
        return -1;
    struct api_webhook_listener listener = webhook_listener(s->webhooks);
    api_set_webhook_listener(s->api, &listener);
    struct engine_sink sink = { .context = s, .space_event = on_space_event };
    engine_set_sink(s->engine, &sink);
    return 0;
}

/* The parts of a --state file the site file loader leaves: webhooks, and
 * where new ids continue. */
static int restore_state(struct serve *s, char *error, size_t error_size)
{
    struct wire_file file;
    struct wire_error wire;
    wire_error_clear(&wire);
    if (wire_file_read(s->options->state_path, SITE_FILE_MAX_BYTES, WIRE_FILE_REGULAR_ONLY,
                       &file, &wire) != WIRE_FILE_OK) {
        snprintf(error, error_size, "%s", wire.message);
        return -1;
    }
    json_t *state = wire_json_parse(file.data, file.len, s->options->state_path, &wire);
    free(file.data);
    char why[400];
    int status = state ? api_state_restore(s->api, state, why, sizeof why) : -1;
    json_decref(state);
    if (status != 0)
        snprintf(error, error_size, "%s: %s", s->options->state_path,
                 state ? why : wire.message);
    return status;
}

/* A --state file is read back when it exists; one that does not is written
 * at once: a path that cannot be written is said now, not at the first
 * change. */
static int first_state(struct serve *s, char *error, size_t error_size)
{
    const char *state = s->options->state_path;
    if (!state)
        return 0;
    if (access(state, F_OK) == 0)
        return restore_state(s, error, error_size);
    return write_state(s, error, error_size);
}

static void start_ticking(struct serve *s)
{
    lws_sul_schedule(net_loop_context(s->loop), 0, &s->tick, on_tick,
                     TICK_MS * LWS_USEC_PER_SEC / 1000);
}

struct serve *serve_new(const struct options *options, struct net_loop *loop,
                        const char *token, const char *listen, int *status, char *error,
                        size_t error_size)
{
    struct serve *s = calloc(1, sizeof *s);
    *status = EXIT_BAD_INPUT;
    if (!s) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    s->options = options;
    s->loop = loop;
    s->token = token;
    s->wall_start_ms = net_wall_ms();
    s->sim_start_ms = options->has_start ? options->start_ms : s->wall_start_ms;
    int started = load_site(s, error, error_size);
    if (started == 0)
        started = start_simulation(s, error, error_size);
    if (started == -2)
        *status = EXIT_USAGE;
    if (started != 0 || start_server(s, listen, error, error_size) != 0 ||
        first_state(s, error, error_size) != 0) {
        serve_stop(s);
        serve_free(s);
        return NULL;
    }
    /* The last day, as fast as it computes, before anyone is served. */
    advance(s, s->sim_start_ms);
    s->live = true;
    start_ticking(s);
    *status = EXIT_OK;
    return s;
}

struct serve *serve_demo(const struct options *options, struct net_loop *loop, char *token,
                         size_t token_size, int *status, char *error, size_t error_size)
{
    /* The demo's token never leaves the process: a fresh random one, so no
     * other local user can guess their way into the demo's server. */
    unsigned char bytes[16];
    *status = EXIT_BAD_INPUT;
    if (token_size < 2 * sizeof bytes + 5 ||
        getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes) {
        snprintf(error, error_size, "no randomness for the demo's token");
        return NULL;
    }
    snprintf(token, token_size, "tok_");
    for (size_t i = 0; i < sizeof bytes; i++)
        snprintf(token + 4 + 2 * i, 3, "%02x", bytes[i]);
    explicit_bzero(bytes, sizeof bytes);
    return serve_new(options, loop, token, "127.0.0.1:0", status, error, error_size);
}

const char *serve_base_url(const struct serve *s)
{
    return server_base_url(s->server);
}

int64_t serve_now(const struct serve *s)
{
    return simulated_now(s);
}

double serve_speed(const struct serve *s)
{
    return s->options->speed;
}

void serve_stop(struct serve *s)
{
    if (s && s->server)
        lws_sul_cancel(&s->tick);
}

void serve_free(struct serve *s)
{
    if (!s)
        return;
    server_free(s->server);
    webhook_free(s->webhooks);
    api_free(s->api);
    sim_free(s->sim);
    sim_free(s->load_sim);
    engine_free(s->engine);
    free((void *)s->zones);
    tzdb_free(s->zones_db);
    site_free(s->site);
    free(s);
}

static volatile sig_atomic_t stop_requested;

int serve_run(const struct options *options)
{
    struct token token;
    char error[512];
    int status = token_load(&token, options->token, options->token_file, NULL, error,
                            sizeof error);
    if (status == 1) {
        fprintf(stderr, "occtop: --serve needs the token its clients must send: "
                "--token-file FILE, or DENSITY_API_TOKEN in the environment\n");
        return EXIT_USAGE;
    }
    if (status != 0) {
        fprintf(stderr, "occtop: %s\n", error);
        return EXIT_BAD_INPUT;
    }
    struct net_loop *loop = net_loop_new(error, sizeof error);
    struct serve *s = loop ? serve_new(options, loop, token.value,
                                       options->listen ? options->listen : "127.0.0.1:8080",
                                       &status, error, sizeof error)
                           : NULL;
    if (!s) {
        fprintf(stderr, "occtop: %s\n", error);
        net_loop_free(loop);
        token_clear(&token);
        return loop ? status : EXIT_BAD_INPUT;
    }
    printf("%s\n", serve_base_url(s));
    fflush(stdout);
    if (!server_is_loopback(s->server))
        fprintf(stderr, "occtop: warning: listening beyond this machine (%s): anyone who "
                "can reach it and knows the token can read and change the site\n",
                serve_base_url(s));
    net_loop_catch_signals(&stop_requested);
    status = net_loop_run(loop, &stop_requested) == 0 ? EXIT_OK : EXIT_BAD_INPUT;
    serve_stop(s);
    /* The context first: closing connections still reaches the server. */
    net_loop_free(loop);
    serve_free(s);
    token_clear(&token);
    return status;
}

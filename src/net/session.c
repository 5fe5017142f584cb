/* session.c — the hierarchy over REST, the stream, and the live counts. */
#include "config.h"

#include "net/session.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <jansson.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/site_merge.h"
#include "core/termtext.h"
#include "core/timefmt.h"
#include "net/rest.h"
#include "net/stream.h"
#include "wire/json_model.h"
#include "wire/json_stream.h"
#include "wire/json_util.h"
#include "wire/site_zones.h"
#include "wire/tzdb.h"

enum {
    MALFORMED_LOG_EVERY_MS = 1000,
    SHAPE_ASK_EVERY_MS = 10000, /* messages for unknown spaces ask for the shape this often */
    PATH_MAX_BYTES = 512,
};

enum session_tag {
    TAG_SPACES = 1,   /* the hierarchy: spaces, doorways, sensors pages */
    TAG_DOORWAYS,
    TAG_SENSORS,
    TAG_REFRESH,      /* counts: a page of /spaces/ */
    TAG_SENSOR_REFRESH,
    TAG_HISTORY,      /* user: the space index */
    TAG_EDIT,         /* user: the space index */
};

static const char *const list_paths[] = {
    [TAG_SPACES] = "/spaces/?page_size=1000",
    [TAG_DOORWAYS] = "/doorways/?page_size=1000",
    [TAG_SENSORS] = "/sensors/?page_size=1000",
};

struct session {
    struct net_loop *loop;
    struct session_handlers handlers;
    char *base_url;
    int load_attempts;
    struct rest *rest;
    struct stream *stream;
    struct site *site;     /* while loading: the pages so far */
    struct live *live;
    struct tzdb *zones_db;
    const struct tz_zone **zones;
    bool loading, ready;
    uintptr_t load_generation; /* pages of an abandoned load are told apart by it */
    bool refreshing, refreshing_sensors;
    size_t taken_since_release; /* bytes of answers taken since free memory was released */
    struct site *fresh;    /* a refresh's pages so far: the server's shape now */
    bool refresh_again;    /* asked for while one was under way */
    int64_t shape_asked_ms; /* when a message for an unknown space last asked for it */
    int64_t load_started_ms;
    int64_t next_refresh_ms, next_reset_ms, next_sensor_ms;
    int64_t last_malformed_log_ms;
    uint64_t malformed_unlogged;
    bool outage_said; /* why the server does not answer, said once until it does */
};

static void say(struct session *s, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void say(struct session *s, const char *format, ...)
{
    if (!s->handlers.log)
        return;
    char line[512];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);
    s->handlers.log(s->handlers.context, line);
}

static void report(struct session *s, enum session_problem problem, const char *message)
{
    bool loading = !s->ready;
    if (loading)
        s->loading = false;
    if (s->handlers.problem)
        s->handlers.problem(s->handlers.context, problem, loading, message);
}

/* --- counts ----------------------------------------------------------------------------- */

static void request_refresh(struct session *s)
{
    if (s->refreshing) {
        s->refresh_again = true; /* the one under way may have been sent before the change */
        return;
    }
    s->refresh_again = false;
    s->refreshing = true;
    site_free(s->fresh); /* pages of a refresh that did not finish */
    s->fresh = NULL;
    rest_request(s->rest, REST_GET, list_paths[TAG_SPACES], NULL, TAG_REFRESH, NULL);
}

static int64_t next_reset_after(const struct session *s, int64_t now_ms);

/* The server's spaces changed while we run (made, renamed, moved or
 * deleted through its API): the site follows, keeping every index. */
static void follow_shape(struct session *s, int64_t as_of_ms, int64_t now)
{
    size_t known = s->site->space_count;
    int merged = site_link(s->fresh) == 0 ? site_merge(s->site, s->fresh) : -1;
    site_free(s->fresh);
    s->fresh = NULL;
    if (merged == 0)
        return;
    const struct tz_zone **zones = merged > 0 ? site_zones_load(s->zones_db, s->site, NULL, NULL)
                                              : NULL;
    if (!zones || live_grow(s->live) != 0) {
        free((void *)zones);
        report(s, SESSION_BAD_DATA, "out of memory following the server's spaces");
        return;
    }
    free((void *)s->zones);
    s->zones = zones;
    for (size_t i = known; i < s->site->space_count; i++)
        live_refresh(s->live, (site_index)i, s->site->spaces[i].current_count, as_of_ms, now);
    s->next_reset_ms = next_reset_after(s, now);
    for (size_t i = 0; i < s->site->problem_count; i++)
        say(s, "warning: %s", s->site->problems[i].message);
    if (s->handlers.reshaped)
        s->handlers.reshaped(s->handlers.context);
}

static void take_refresh_page(struct session *s, const struct rest_result *r, const json_t *json)
{
    struct wire_page page;
    struct wire_error error;
    if (!s->fresh)
        s->fresh = site_new();
    if (wire_decode_page(json, "spaces", &page, &error) != 0 || !s->fresh ||
        wire_decode_space_list(s->fresh, page.results, "spaces", &error) != 0) {
        say(s, "%s", s->fresh ? error.message : "out of memory");
        site_free(s->fresh);
        s->fresh = NULL;
        s->refreshing = false;
        return;
    }
    size_t n = json_array_size(page.results), applied = 0;
    struct session_count *counts = s->handlers.refreshed ? calloc(n ? n : 1, sizeof *counts)
                                                         : NULL;
    int64_t now = net_wall_ms();
    for (size_t k = 0; k < n; k++) {
        const json_t *space = json_array_get(page.results, k);
        const json_t *id = json_object_get(space, "id");
        const json_t *count = json_object_get(space, "current_count");
        if (!json_is_string(id) || !json_is_integer(count))
            continue;
        site_index i = site_find_space(s->site, json_string_value(id));
        if (i == SITE_NONE ||
            live_refresh(s->live, i, json_integer_value(count), r->sent_ms, now) != LIVE_APPLIED)
            continue;
        if (counts)
            counts[applied++] = (struct session_count){ i, json_integer_value(count) };
    }
    if (counts && applied)
        s->handlers.refreshed(s->handlers.context, counts, applied, r->sent_ms, now);
    free(counts);
    if (page.next) {
        rest_request(s->rest, REST_GET, page.next, NULL, TAG_REFRESH, NULL);
    } else {
        s->refreshing = false;
        follow_shape(s, r->sent_ms, now);
        if (s->refresh_again)
            request_refresh(s);
    }
}

/* The earliest daily reset of any space, so counts are fetched then. */
static int64_t next_reset_after(const struct session *s, int64_t now_ms)
{
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < s->site->space_count; i++) {
        int64_t at = tz_next_daily(s->zones[i], now_ms / 1000,
                                   s->site->spaces[i].daily_reset_minute * 60) * 1000;
        if (at < next)
            next = at;
    }
    return next;
}

/* --- sensors: their status, for "offline" marks ---------------------------------------- */

static void copy_sensor_status(struct site *site, const struct site *fresh)
{
    for (size_t k = 0; k < fresh->sensor_count; k++) {
        const struct sensor *from = &fresh->sensors[k];
        site_index i = from->serial ? site_find_sensor(site, from->serial) : SITE_NONE;
        if (i == SITE_NONE)
            continue;
        site->sensors[i].status = from->status;
        site->sensors[i].last_heartbeat_present = from->last_heartbeat_present;
        site->sensors[i].last_heartbeat_ms = from->last_heartbeat_ms;
    }
}

static void take_sensor_page(struct session *s, const json_t *json)
{
    struct wire_page page;
    struct wire_error error;
    struct site *fresh = site_new();
    if (!fresh || wire_decode_page(json, "sensors", &page, &error) != 0 ||
        wire_decode_sensor_list(fresh, page.results, "sensors", &error) != 0) {
        say(s, "%s", fresh ? error.message : "out of memory");
        s->refreshing_sensors = false;
        site_free(fresh);
        return;
    }
    copy_sensor_status(s->site, fresh);
    site_free(fresh);
    if (page.next)
        rest_request(s->rest, REST_GET, page.next, NULL, TAG_SENSOR_REFRESH, NULL);
    else
        s->refreshing_sensors = false;
}

/* --- the hierarchy ----------------------------------------------------------------------- */

static int decode_list(struct session *s, enum session_tag tag, const json_t *results,
                       struct wire_error *error)
{
    switch (tag) {
    case TAG_SPACES:
        return wire_decode_space_list(s->site, results, "spaces", error);
    case TAG_DOORWAYS:
        s->site->has_doorway_list = true;
        return wire_decode_doorway_list(s->site, results, "doorways", error);
    default:
        s->site->has_sensor_list = true;
        return wire_decode_sensor_list(s->site, results, "sensors", error);
    }
}

static void become_ready(struct session *s)
{
    if (site_link(s->site) != 0 || !(s->live = live_new(s->site)) ||
        !(s->zones_db = tzdb_new(NULL)) ||
        !(s->zones = site_zones_load(s->zones_db, s->site, NULL, NULL))) {
        report(s, SESSION_BAD_DATA, "out of memory");
        return;
    }
    for (size_t i = 0; i < s->site->problem_count; i++)
        say(s, "warning: %s", s->site->problems[i].message);
    int64_t now = net_wall_ms();
    for (size_t i = 0; i < s->site->space_count; i++)
        live_refresh(s->live, (site_index)i, s->site->spaces[i].current_count,
                     s->load_started_ms, now);
    site_index scratch[256]; /* the first counts are not changes */
    while (live_take_changed(s->live, scratch, 256) > 0)
        continue;
    s->loading = false;
    s->ready = true;
    s->next_refresh_ms = now + SESSION_REFRESH_MINUTES * 60000;
    s->next_sensor_ms = now + SESSION_SENSOR_MINUTES * 60000;
    s->next_reset_ms = next_reset_after(s, now);
    if (s->handlers.ready)
        s->handlers.ready(s->handlers.context);
    stream_start(s->stream);
}

static void take_list_page(struct session *s, const struct rest_result *r, const json_t *json)
{
    struct wire_page page;
    struct wire_error error;
    enum session_tag tag = (enum session_tag)r->tag;
    if (wire_decode_page(json, list_paths[tag] + 1, &page, &error) != 0 ||
        decode_list(s, tag, page.results, &error) != 0) {
        char message[sizeof error.message + 300];
        char server[256];
        termtext_sanitize_str(s->base_url, server, sizeof server, 120, 0);
        snprintf(message, sizeof message, "%s: %s", server, error.message);
        report(s, SESSION_BAD_DATA, message);
        return;
    }
    void *generation = (void *)s->load_generation;
    if (page.next)
        rest_request(s->rest, REST_GET, page.next, NULL, tag, generation);
    else if (tag == TAG_SPACES || tag == TAG_DOORWAYS)
        rest_request(s->rest, REST_GET, list_paths[tag + 1], NULL, tag + 1, generation);
    else
        become_ready(s);
}

/* --- history and edits ------------------------------------------------------------------ */

static void take_history(struct session *s, const struct rest_result *r, const json_t *json)
{
    site_index space = (site_index)(uintptr_t)r->user;
    struct count_page page;
    struct wire_error error;
    if (!s->handlers.history)
        return;
    count_page_init(&page);
    if (wire_decode_count_page(json, &page, &error) != 0)
        s->handlers.history(s->handlers.context, space, NULL, error.message);
    else
        s->handlers.history(s->handlers.context, space, &page, NULL);
    count_page_clear(&page);
}

/* The server's answer to a PUT is the space as it now is: take the fields an
 * edit can change from it, so the screen shows what the server accepted. */
static void take_edit(struct session *s, const struct rest_result *r, const json_t *json)
{
    site_index space = (site_index)(uintptr_t)r->user;
    struct wire_error error;
    struct site *fresh = site_new();
    json_t *list = json_array();
    json_array_append(list, (json_t *)json);
    int decoded = fresh && list ? wire_decode_space_list(fresh, list, "the edited space", &error)
                                : -1;
    json_decref(list);
    if (decoded == 0 && fresh->space_count == 1 && space >= 0 && (size_t)space < s->site->space_count) {
        struct space *to = &s->site->spaces[space];
        const struct space *from = &fresh->spaces[0];
        to->capacity = from->capacity;
        to->target_capacity = from->target_capacity;
        to->safe_capacity = from->safe_capacity;
        to->safe_mode = from->safe_mode;
        to->safe_threshold_value = from->safe_threshold_value;
        if (s->handlers.edited)
            s->handlers.edited(s->handlers.context, space, NULL);
    } else if (s->handlers.edited) {
        s->handlers.edited(s->handlers.context, space,
                           decoded == 0 ? "the server's answer held no space"
                                        : fresh ? error.message : "out of memory");
    }
    site_free(fresh);
}

static bool space_path(const struct session *s, site_index space, const char *suffix,
                       char *path, size_t path_size)
{
    if (!s->ready || space < 0 || (size_t)space >= s->site->space_count)
        return false;
    /* curl ignores the handle here since 7.82 (Debian 12 has 7.88). */
    char *id = curl_easy_escape(NULL, s->site->spaces[space].id, 0);
    int n = id ? snprintf(path, path_size, "/spaces/%s/%s", id, suffix) : -1;
    curl_free(id);
    return n > 0 && (size_t)n < path_size;
}

void session_fetch_history(struct session *s, site_index space, int64_t start_ms,
                           int64_t end_ms, const char *interval)
{
    char start[TIMEFMT_SIZE], end[TIMEFMT_SIZE], query[160], path[PATH_MAX_BYTES];
    timefmt_format(start_ms, start, sizeof start);
    timefmt_format(end_ms, end, sizeof end);
    snprintf(query, sizeof query, "counts/?start_time=%s&end_time=%s&interval=%s&page_size=1000",
             start, end, interval);
    if (space_path(s, space, query, path, sizeof path))
        rest_request(s->rest, REST_GET, path, NULL, TAG_HISTORY, (void *)(uintptr_t)space);
}

void session_edit_space(struct session *s, site_index space, const char *json_body)
{
    char path[PATH_MAX_BYTES];
    if (space_path(s, space, "", path, sizeof path))
        rest_request(s->rest, REST_PUT, path, json_body, TAG_EDIT, (void *)(uintptr_t)space);
}

/* --- results ------------------------------------------------------------------------------ */

static const char *auth_message(struct session *s, char *out, size_t out_size)
{
    char server[256];
    termtext_sanitize_str(s->base_url, server, sizeof server, 120, 0);
    snprintf(out, out_size, "token rejected by %s: set the API token of your Density account "
             "in DENSITY_API_TOKEN, or put it in a file given with --token-file (or in "
             "~/.config/occtop/config as: token = ...)", server);
    return out;
}

/* A request that did not get a usable 200: what it means depends on what it
 * was.  bad_answer, when given, says what was wrong with a 200's body. */
static void take_failure(struct session *s, const struct rest_result *r, const char *bad_answer)
{
    char message[600];
    if (r->status == 403 && !bad_answer) {
        if (s->live)
            live_set_connection(s->live, LIVE_AUTH_ERROR, net_wall_ms());
        report(s, SESSION_AUTH, auth_message(s, message, sizeof message));
        return;
    }
    const char *what = bad_answer ? bad_answer
                       : r->status ? "the server answered with an error" : r->error;
    if (!bad_answer && r->status)
        snprintf(message, sizeof message, "the server answered %ld", r->status);
    else
        snprintf(message, sizeof message, "%s", what);
    switch (r->tag) {
    case TAG_HISTORY:
        if (s->handlers.history)
            s->handlers.history(s->handlers.context, (site_index)(uintptr_t)r->user, NULL,
                                message);
        return;
    case TAG_EDIT:
        if (s->handlers.edited)
            s->handlers.edited(s->handlers.context, (site_index)(uintptr_t)r->user,
                               message);
        return;
    case TAG_REFRESH:
        s->refreshing = false; /* the next tick or connection tries again */
        return;
    case TAG_SENSOR_REFRESH:
        s->refreshing_sensors = false;
        return;
    default:
        if (s->loading && (uintptr_t)r->user == s->load_generation)
            report(s, r->status ? SESSION_BAD_DATA : SESSION_UNREACHABLE, what);
    }
}

/* A server that does not answer (REST_TAG_RETRYING: it timed out) or a
 * stream that cannot get its URL: one line, once until the server answers
 * again, while the requests go on being retried. */
static void say_outage(struct session *s, const char *what, const char *error)
{
    if (s->outage_said || !error[0])
        return;
    s->outage_said = true;
    say(s, "%s%s; trying again", what, error);
}

static void take_result(struct session *s, struct rest_result *r)
{
    if (r->tag == REST_TAG_RETRYING) {
        say_outage(s, "", r->error);
        return;
    }
    if (r->status != 0 && r->tag != STREAM_REST_TAG_RESOLVE)
        s->outage_said = false; /* the server answers again */
    if (r->tag == STREAM_REST_TAG_SOCKET || r->tag == STREAM_REST_TAG_RESOLVE) {
        if (r->status == 0)
            say_outage(s, "stream: ", r->error);
        stream_take_rest_result(s->stream, r);
        return;
    }
    if (r->status != 200) {
        take_failure(s, r, NULL);
        return;
    }
    if (r->tag <= TAG_SENSORS && (!s->loading || (uintptr_t)r->user != s->load_generation))
        return; /* a page of a load abandoned after a problem */
    struct wire_error error;
    json_t *json = wire_json_parse(r->body ? r->body : "", r->body_length, s->base_url, &error);
    if (!json) {
        take_failure(s, r, error.message);
        return;
    }
    switch (r->tag) {
    case TAG_REFRESH: take_refresh_page(s, r, json); break;
    case TAG_SENSOR_REFRESH: take_sensor_page(s, json); break;
    case TAG_HISTORY: take_history(s, r, json); break;
    case TAG_EDIT: take_edit(s, r, json); break;
    default: take_list_page(s, r, json); break;
    }
    json_decref(json);
}

/* Taking the pages of a large site (10 pages of 1,000 spaces, and as many
 * of doorways and sensors) leaves megabytes free inside the heap (JSON
 * trees, answers, in the loop's and the REST worker's arenas) that glibc
 * keeps resident: 6 MiB of the monitor's 70 at 10,000 spaces.  Once a
 * load or refresh has ended, hand the free pages back; the next one takes
 * them again.  Small answers (a space's history) are not worth it. */
enum { RELEASE_AFTER_BYTES = 1 << 20 };

static void release_free_memory(struct session *s)
{
    if (s->taken_since_release < RELEASE_AFTER_BYTES || s->loading || s->refreshing)
        return;
    s->taken_since_release = 0;
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

static void on_wake(void *context)
{
    struct session *s = context;
    struct rest_result r;
    while (rest_take(s->rest, &r)) {
        s->taken_since_release += r.body_length;
        take_result(s, &r);
        rest_result_clear(&r);
    }
    release_free_memory(s);
}

/* --- the stream -------------------------------------------------------------------------- */

static void on_message(void *context, const struct space_event *event, int64_t received_ms)
{
    struct session *s = context;
    if (!s->live)
        return;
    site_index space = site_find_space(s->site, event->space_id);
    if (space == SITE_NONE && received_ms - s->shape_asked_ms >= SHAPE_ASK_EVERY_MS) {
        s->shape_asked_ms = received_ms; /* a space made since we loaded: fetch the shape */
        request_refresh(s);
    }
    int64_t before = space != SITE_NONE ? live_count(s->live, space) : 0;
    if (live_apply(s->live, event, received_ms) == LIVE_APPLIED && s->handlers.event)
        s->handlers.event(s->handlers.context, space, event, before, received_ms);
}

static void on_raw(void *context, const char *text, size_t length, int64_t received_ms)
{
    struct session *s = context;
    if (s->handlers.raw)
        s->handlers.raw(s->handlers.context, text, length, received_ms);
}

static void on_malformed(void *context, const char *why)
{
    struct session *s = context;
    if (s->live)
        live_count_malformed(s->live);
    int64_t now = net_wall_ms();
    if (now - s->last_malformed_log_ms < MALFORMED_LOG_EVERY_MS) {
        s->malformed_unlogged++;
        return;
    }
    s->last_malformed_log_ms = now;
    if (s->malformed_unlogged)
        say(s, "stream: %s (and %" PRIu64 " more since the last line)", why,
            s->malformed_unlogged);
    else
        say(s, "stream: %s", why);
    s->malformed_unlogged = 0;
}

static void on_stream_log(void *context, const char *line)
{
    say(context, "%s", line);
}

static void on_stream_state(void *context, enum stream_state state, bool connected)
{
    struct session *s = context;
    int64_t now = net_wall_ms();
    char message[600];
    switch (state) {
    case STREAM_LIVE:
        live_set_connection(s->live, LIVE_LIVE, now);
        break;
    case STREAM_RECONNECTING:
        live_set_connection(s->live, LIVE_RECONNECTING, now);
        break;
    case STREAM_AUTH_ERROR:
        live_set_connection(s->live, LIVE_AUTH_ERROR, now);
        report(s, SESSION_AUTH, auth_message(s, message, sizeof message));
        break;
    default:
        break;
    }
    if (connected) {
        live_new_connection(s->live);
        if (s->handlers.connected)
            s->handlers.connected(s->handlers.context, now);
        s->refreshing = false; /* a refresh from before the drop may never finish */
        request_refresh(s);
    }
}

/* --- the clock ------------------------------------------------------------------------------ */

void session_tick(struct session *s, int64_t now)
{
    if (!s->ready)
        return;
    if (now >= s->next_refresh_ms || now >= s->next_reset_ms) {
        request_refresh(s);
        s->next_refresh_ms = now + SESSION_REFRESH_MINUTES * 60000;
        s->next_reset_ms = next_reset_after(s, now + 1000);
    }
    if (now >= s->next_sensor_ms && s->site->has_sensor_list && !s->refreshing_sensors) {
        s->refreshing_sensors = true;
        rest_request(s->rest, REST_GET, list_paths[TAG_SENSORS], NULL, TAG_SENSOR_REFRESH,
                     NULL);
        s->next_sensor_ms = now + SESSION_SENSOR_MINUTES * 60000;
    }
}

/* --- life -------------------------------------------------------------------------------- */

struct session *session_new(struct net_loop *loop, const struct session_config *config,
                            const struct session_handlers *handlers, char *error,
                            size_t error_size)
{
    struct session *s = calloc(1, sizeof *s);
    if (!s || !(s->base_url = strdup(config->base_url))) {
        free(s);
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    s->loop = loop;
    s->handlers = *handlers;
    s->load_attempts = config->load_attempts;
    struct rest_config rest = {
        .base_url = config->base_url,
        .token = config->token,
        .requests_per_minute = config->budget,
        .insecure = config->insecure,
        .max_attempts = config->load_attempts,
        .timeout_notices = true,
        .wake = net_loop_wake,
        .wake_context = loop,
    };
    struct stream_handlers stream_handlers = {
        .context = s,
        .message = on_message,
        .raw = handlers->raw ? on_raw : NULL,
        .malformed = on_malformed,
        .log = on_stream_log,
        .state = on_stream_state,
    };
    if (!(s->rest = rest_new(&rest, error, error_size)) ||
        !(s->stream = stream_new(loop, s->rest, config->insecure, &stream_handlers, error,
                                 error_size))) {
        session_stop(s);
        session_free(s);
        return NULL;
    }
    net_loop_on_wake(loop, on_wake, s);
    return s;
}

void session_start(struct session *s)
{
    if (s->ready || s->loading)
        return;
    site_free(s->site);
    s->site = site_new();
    if (s->site)
        s->site->name = strdup(s->base_url); /* the API names no site */
    if (!s->site || !s->site->name) {
        report(s, SESSION_BAD_DATA, "out of memory");
        return;
    }
    s->loading = true;
    s->load_generation++;
    s->load_started_ms = net_wall_ms();
    rest_request(s->rest, REST_GET, list_paths[TAG_SPACES], NULL, TAG_SPACES,
                 (void *)s->load_generation);
}

bool session_is_ready(const struct session *s)
{
    return s->ready;
}

struct site *session_site(struct session *s)
{
    return s->site;
}

struct live *session_live(struct session *s)
{
    return s->live;
}

const struct tz_zone *session_zone(const struct session *s, site_index space)
{
    return s->zones && space >= 0 && (size_t)space < s->site->space_count ? s->zones[space] : NULL;
}

const char *session_base_url(const struct session *s)
{
    return s->base_url;
}

void session_stop(struct session *s)
{
    if (!s)
        return;
    stream_stop(s->stream);
    rest_free(s->rest); /* stops the worker: nothing wakes the loop any more */
    s->rest = NULL;
}

void session_free(struct session *s)
{
    if (!s)
        return;
    stream_free(s->stream);
    live_free(s->live);
    free((void *)s->zones);
    tzdb_free(s->zones_db);
    site_free(s->site);
    site_free(s->fresh);
    free(s->base_url);
    free(s);
}
